#!/usr/bin/env bash
# seed.sh: the seed's OpenStack HA cluster (issue 16) on three Vigil nodes in network namespaces: a public and a
# management VIP (ocf:heartbeat:IPaddr2) kept where the public network answers (ocf:pacemaker:ping), MariaDB Galera
# (ocf:heartbeat:galera, a promotable clone that bootstraps itself on a cold start), RabbitMQ
# (ocf:rabbitmq:rabbitmq-server, a clone clustered by the agent and classic_config peer discovery) and HAProxy
# (ocf:eayun:haproxy, our own provider beside the standard ones) in front of both on the VIPs: 14 instances.
# Used by `vigil demo --seed` and by the system test SeedClusterIT; the benchmark bench/seed/seed-cluster.sh
# runs the same services on the Pacemaker anchor's namespaces.
#
#   seed.sh up                  the namespaces: PREFIX1..3 (eth0 SUBNET.11..13/24) and PREFIXbr holding bridge br0
#   seed.sh prepare             SUBNET.1 on br0 (ping target, client side), per-node state, OCF roots, vigil.conf
#   seed.sh fresh I             node I's service state as newly installed (empty datadir, no mnesia)
#   seed.sh exec I CMD...       CMD as node I: its namespace, hostname nodeI, its own /run, /etc/hosts, /etc/mysql,
#                               /var/lib/mysql, /var/log/mysql, /etc/rabbitmq, /var/lib/rabbitmq,
#                               /var/log/rabbitmq, /etc/haproxy (bind mounts in a private mount namespace, gone
#                               with CMD); every step execs, so CMD's pid is the caller's child's pid
#   seed.sh node I              Vigil node I (through exec, state dir RT/nodeI), in the foreground
#   seed.sh power-off I         kill -9 of every process in node I's namespace, eth0 down (a dead node's kernel
#                               must not keep answering for the VIP it held)
#   seed.sh reboot I            node I's eth0 back with only its own address, its /run emptied
#   seed.sh reap                every process left in the node namespaces stopped by pid (TERM, 10 s, KILL)
#   seed.sh down                reap, then the namespaces deleted
#   seed.sh cib                 the cluster configuration (CIB XML) on stdout
#   seed.sh load [I]            that configuration loaded through node I (cibadmin, section by section)
#   seed.sh demo                all of it: up, prepare, 3 nodes, the CIB, crm_mon; Ctrl-C (or --for S) cleans up
#
# Env: SEED_PREFIX (vsd) SEED_SUBNET (10.78.0, only 10.x) SEED_RT (runtime dir, /tmp/vigil-seed-demo)
# Needs root and the Debian packages mariadb-server galera-4 rsync rabbitmq-server haproxy resource-agents
# pacemaker-resource-agents iputils-ping (.ci/packages).
set -euo pipefail
SEED_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
VIGIL_ROOT="$(cd "$SEED_HOME/../../../.." && pwd)"
VIGIL="$VIGIL_ROOT/vigil"
PREFIX="${SEED_PREFIX:-vsd}"
SUBNET="${SEED_SUBNET:-10.78.0}"
RT="${SEED_RT:-/tmp/vigil-seed-demo}"
NODES=3
BRNS="${PREFIX}br"
GW="$SUBNET.1"; VIP_PUBLIC="$SUBNET.100"; VIP_MGMT="$SUBNET.101"
SYSOCF=/usr/lib/ocf

die() { echo "seed.sh: $*" >&2; exit 1; }
[[ $SUBNET == 10.* ]] || die "SEED_SUBNET must be a 10.x network (it exists only inside the namespaces): $SUBNET"
ns() { echo "$PREFIX$1"; }
ip_of() { echo "$SUBNET.$((10 + $1))"; }
ndir() { echo "$RT/node$1"; }

need_root() { [[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, bind mounts)"; }

# What the seed needs installed; prints what is missing (empty: all there).
missing() {
    local t a out=""
    for t in mysqld_safe mysql mysql_install_db rabbitmq-server rabbitmqctl haproxy ping rsync ip nft unshare; do
        command -v "$t" >/dev/null 2>&1 || out+=" $t"
    done
    for a in heartbeat/IPaddr2 heartbeat/galera pacemaker/ping rabbitmq/rabbitmq-server; do
        [[ -x $SYSOCF/resource.d/$a ]] || out+=" ocf:${a/\//:}"
    done
    [[ -f /usr/lib/galera/libgalera_smm.so ]] || out+=" galera-4"
    echo "${out# }"
}

cmd_up() {
    need_root
    cmd_down >/dev/null 2>&1 || true
    ip netns add "$BRNS"
    ip -n "$BRNS" link set lo up
    ip -n "$BRNS" link add br0 type bridge
    ip -n "$BRNS" link set br0 type bridge mcast_snooping 0 stp_state 0 forward_delay 0
    ip -n "$BRNS" link set br0 up
    local i
    for i in $(seq 1 $NODES); do
        ip netns add "$(ns "$i")"
        ip -n "$(ns "$i")" link set lo up
        ip -n "$(ns "$i")" link add eth0 type veth peer name "v$i" netns "$BRNS"
        ip -n "$(ns "$i")" addr add "$(ip_of "$i")/24" dev eth0
        ip -n "$(ns "$i")" link set eth0 up
        ip -n "$BRNS" link set "v$i" master br0
        ip -n "$BRNS" link set "v$i" up
    done
}

# One OCF root per node (so an agent can be missing on one node): the system's shell library, our provider
# eayun, and for every system agent the cluster uses a wrapper that notes each start/stop/promote/demote with
# its result in RT/calls.log ("<epoch ms> nodeI <instance> <action> rc=<n>") and runs the real agent.
make_ocf_root() {
    local root="$1" a p t
    rm -rf "$root"; mkdir -p "$root/resource.d"
    ln -s "$SYSOCF/lib" "$root/lib"
    cp -r "$SEED_HOME/ocf/eayun" "$root/resource.d/eayun"
    for p in heartbeat pacemaker rabbitmq; do
        # the providers' hidden shell libraries, which older agents source from there (.ocf-shellfuncs, ...)
        mkdir -p "$root/resource.d/$p"
        for t in "$SYSOCF/resource.d/$p"/.[a-z]*; do [[ -e $t ]] && ln -s "$t" "$root/resource.d/$p/"; done
    done
    for a in heartbeat/IPaddr2 heartbeat/galera pacemaker/ping rabbitmq/rabbitmq-server eayun/haproxy; do
        p=${a%/*}; t=${a#*/}
        mkdir -p "$root/resource.d/$p"
        local real="$SYSOCF/resource.d/$a"
        if [[ $p == eayun ]]; then
            mkdir -p "$root/real/$p"; mv "$root/resource.d/$a" "$root/real/$a"; real="$root/real/$a"
        fi
        cat > "$root/resource.d/$a" <<W
#!/bin/sh
# $a: the real agent ($real), its state-changing actions noted in $RT/calls.log
case "\$1" in
start|stop|promote|demote) ;;
*) exec "$real" "\$@" ;;
esac
"$real" "\$@"; rc=\$?
echo "\$(date +%s%3N) \$(hostname) \${OCF_RESOURCE_INSTANCE:-?} \$1 rc=\$rc" >> "$RT/calls.log"
exit \$rc
W
        chmod 755 "$root/resource.d/$a"
    done
}

cmd_fresh() {
    local i=$1 S; S="$(ndir "$i")/seed"
    rm -rf "$S" "$(ndir "$i")/run"; mkdir -p "$S" "$(ndir "$i")/run"
    { echo "127.0.0.1 localhost"; for j in $(seq 1 $NODES); do echo "$(ip_of "$j") node$j"; done; } > "$S/hosts"
    cp -a /etc/mysql "$S/etc-mysql"
    cat > "$S/etc-mysql/mariadb.conf.d/99-seed-galera.cnf" <<CNF
# node$i of the seed's Galera cluster (the agent passes the cluster address it decides on start)
[mysqld]
bind-address = $(ip_of "$i")
skip-name-resolve
max_connect_errors = 1000000
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
innodb_buffer_pool_size = 32M
[galera]
wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = seed_galera
# MariaDB 10.11 refuses the agent's --wsrep-recover run with SST method rsync unless an address is configured
wsrep_cluster_address = gcomm://node1,node2,node3
wsrep_node_address = $(ip_of "$i")
wsrep_node_name = node$i
wsrep_sst_method = rsync
[mysqld_safe]
skip-syslog
CNF
    cp -a "$RT/template/lib-mysql" "$S/lib-mysql"
    install -d -o mysql -g mysql -m 750 "$S/log-mysql"
    install -d -o rabbitmq -g rabbitmq "$S/etc-rabbitmq" "$S/lib-rabbitmq" "$S/log-rabbitmq"
    [[ -f /etc/rabbitmq/rabbitmq-env.conf ]] && cp /etc/rabbitmq/rabbitmq-env.conf "$S/etc-rabbitmq/"
    { echo "cluster_formation.peer_discovery_backend = classic_config"
      for j in $(seq 1 $NODES); do echo "cluster_formation.classic_config.nodes.$j = rabbit@node$j"; done
      echo "listeners.tcp.1 = $(ip_of "$i"):5672"
      echo "loopback_users = none"
      # a dead peer (power loss: no reset, no FIN) is noticed after ~net_ticktime; Erlang's default 60 s kept a
      # quorum queue led from the dead node unavailable that long, and a node rebooted within it failed to rejoin
      echo "net_ticktime = 10"; } > "$S/etc-rabbitmq/rabbitmq.conf"
    install -o rabbitmq -g rabbitmq -m 400 "$RT/template/erlang.cookie" "$S/lib-rabbitmq/.erlang.cookie"
    mkdir -p "$S/etc-haproxy"
    {
        cat <<CFG
# HAProxy of node$i: MySQL and AMQP on the VIPs, one active backend, the others backup
global
    maxconn 1024
    user haproxy
    group haproxy
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
listen mysqld
    bind $VIP_PUBLIC:3306
    bind $VIP_MGMT:3306
    option tcpka
CFG
        for j in $(seq 1 $NODES); do
            echo "    server node$j $(ip_of "$j"):3306 check inter 1s rise 2 fall 2$( ((j > 1)) && echo " backup")"
        done
        echo "listen amqp"
        echo "    bind $VIP_PUBLIC:5672"
        echo "    option tcpka"
        for j in $(seq 1 $NODES); do
            echo "    server node$j $(ip_of "$j"):5672 check inter 1s rise 2 fall 2$( ((j > 1)) && echo " backup")"
        done
    } > "$S/etc-haproxy/haproxy.cfg"
    install -d -o mysql -g mysql "$(ndir "$i")/run/mysqld"
}

cmd_prepare() {
    need_root
    local m; m=$(missing)
    [[ -z $m ]] || die "not installed: $m (the packages of .ci/packages)"
    mkdir -p "$RT/template"; chmod 755 "$RT"
    [[ $(ip -n "$BRNS" addr show dev br0) == *"$GW/24"* ]] || ip -n "$BRNS" addr add "$GW/24" dev br0
    local i
    for i in $(seq 1 $NODES); do ip netns exec "$(ns "$i")" sysctl -qw net.ipv4.ip_nonlocal_bind=1; done
    if [[ ! -d $RT/template/lib-mysql/mysql ]]; then
        rm -rf "$RT/template/lib-mysql"; install -d -o mysql -g mysql "$RT/template/lib-mysql"
        # --no-defaults: the host's /etc/mysql is not read; in node1's namespace (no network needed)
        ip netns exec "$(ns 1)" timeout 120 mysql_install_db --no-defaults --user=mysql \
            --datadir="$RT/template/lib-mysql" --skip-test-db > "$RT/template/mysql_install_db.log" 2>&1 \
            || die "mysql_install_db failed: $RT/template/mysql_install_db.log"
    fi
    [[ -s $RT/template/erlang.cookie ]] \
        || od -An -N20 -tu1 /dev/urandom | awk '{ for (i = 1; i <= NF; i++) printf "%c", 65 + $i % 26 }' > "$RT/template/erlang.cookie"
    for i in $(seq 1 $NODES); do
        cmd_fresh "$i"
        make_ocf_root "$(ndir "$i")/ocf"
    done
    : > "$RT/calls.log"
    # the seed's transport and totem timing (udpu, token 3000, consensus 3600), votequorum
    {
        echo "totem {"
        echo "    version: 2"
        echo "    cluster_name: seed"
        echo "    transport: udpu"
        echo "    token: 3000"
        echo "    token_retransmits_before_loss_const: 10"
        echo "    join: 60"
        echo "    consensus: 3600"
        echo "    max_messages: 20"
        echo "}"
        echo "nodelist {"
        for i in $(seq 1 $NODES); do
            printf '    node {\n        ring0_addr: %s\n        nodeid: %d\n        name: node%d\n    }\n' "$(ip_of "$i")" "$i" "$i"
        done
        echo "}"
        printf 'quorum {\n    provider: corosync_votequorum\n}\n'
    } > "$RT/vigil.conf"
    cmd_cib > "$RT/cib.xml"
}

cmd_exec() {
    local i=$1; shift
    local S; S="$(ndir "$i")/seed"
    [[ -d $S/lib-mysql ]] || die "node$i is not prepared ($S): seed.sh prepare"
    exec ip netns exec "$(ns "$i")" unshare -m -u --propagation private /bin/bash -c '
        set -e; i=$1; D=$2; shift 2
        hostname "node$i"
        mount --bind "$D/run" /run
        mount --bind "$D/seed/hosts" /etc/hosts
        for m in etc-mysql:/etc/mysql lib-mysql:/var/lib/mysql log-mysql:/var/log/mysql \
                 etc-rabbitmq:/etc/rabbitmq lib-rabbitmq:/var/lib/rabbitmq log-rabbitmq:/var/log/rabbitmq \
                 etc-haproxy:/etc/haproxy; do
            mkdir -p "${m#*:}" 2>/dev/null || true
            mount --bind "$D/seed/${m%%:*}" "${m#*:}"
        done
        exec "$@"' seed-exec "$i" "$(ndir "$i")" "$@"
}

# The JVM options of node I: its own OCF root (HA_RSCTMP and the agents' state stay in its own /run).
node_java_opts() { echo "${VIGIL_JAVA_OPTS:-} -Dvigil.agents.ocf.root=$(ndir "$1")/ocf"; }

cmd_node() {
    local i=$1
    VIGIL_JAVA_OPTS="$(node_java_opts "$i")" cmd_exec "$i" "$VIGIL" node -c "$RT/vigil.conf" \
        --state-dir "$(ndir "$i")" --node-id "$i"
}

cmd_power_off() {
    local i=$1 p
    for p in $(ip netns pids "$(ns "$i")" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip -n "$(ns "$i")" link set eth0 down 2>/dev/null || true
    for _ in $(seq 1 100); do [[ -z $(ip netns pids "$(ns "$i")" 2>/dev/null) ]] && return 0; sleep 0.1; done
    die "power-off node$i: still running: $(ip netns pids "$(ns "$i")" | tr '\n' ' ')"
}

cmd_reboot() {
    local i=$1
    ip -n "$(ns "$i")" addr flush dev eth0
    ip -n "$(ns "$i")" addr add "$(ip_of "$i")/24" dev eth0
    ip -n "$(ns "$i")" link set eth0 up
    rm -rf "$(ndir "$i")/run"; mkdir -p "$(ndir "$i")/run"
    install -d -o mysql -g mysql "$(ndir "$i")/run/mysqld"
}

# Every process in the node namespaces is one this cluster started (they were made empty): TERM, 10 s, KILL.
cmd_reap() {
    local sig i p left n
    for sig in TERM KILL; do
        for n in $(seq 1 100); do
            left=""
            for i in $(seq 1 $NODES) br; do
                for p in $(ip netns pids "$PREFIX$i" 2>/dev/null); do left+=" $p"; done
            done
            [[ -z $left ]] && return 0
            [[ $n == 1 ]] && kill -"$sig" $left 2>/dev/null || true
            sleep 0.1
        done
    done
    echo "seed.sh: still running after KILL:$left" >&2
}

cmd_down() {
    cmd_reap
    local i
    for i in $(seq 1 $NODES) br; do ip netns del "$PREFIX$i" 2>/dev/null || true; done
}

# Loads the configuration into the running cluster through node I (default 1), section by section the way an
# admin does with cibadmin: crm_config, resources and constraints replaced, rsc_defaults created. (A replace of
# the whole CIB would also replace its status section and its node list.)
cmd_load() {
    local i=${1:-1} f sec
    f=$(mktemp -d)
    cmd_cib | python3 -c '
import sys, xml.etree.ElementTree as ET
conf = ET.fromstring(sys.stdin.read()).find("configuration")
for name in ("crm_config", "resources", "constraints", "rsc_defaults"):
    open(sys.argv[1] + "/" + name + ".xml", "w").write(ET.tostring(conf.find(name), encoding="unicode"))
' "$f"
    for sec in crm_config resources constraints; do
        "$VIGIL" --state-dir "$(ndir "$i")" cibadmin --replace -o "$sec" --xml-file "$f/$sec.xml" \
            || { rm -rf "$f"; die "cibadmin --replace -o $sec failed"; }
    done
    # a new cluster's CIB has no rsc_defaults section: it is created (replacing would fail, as in Pacemaker)
    "$VIGIL" --state-dir "$(ndir "$i")" cibadmin --create -o configuration --xml-file "$f/rsc_defaults.xml" \
        || "$VIGIL" --state-dir "$(ndir "$i")" cibadmin --replace -o rsc_defaults --xml-file "$f/rsc_defaults.xml" \
        || { rm -rf "$f"; die "cibadmin rsc_defaults failed"; }
    rm -rf "$f"
}

cmd_cib() {
    cat "$SEED_HOME/cib.xml" | sed -e "s/@GW@/$GW/g" -e "s/@VIP_PUBLIC@/$VIP_PUBLIC/g" -e "s/@VIP_MGMT@/$VIP_MGMT/g"
}

# ---- the demo -------------------------------------------------------------------------------------------------

cmd_demo() {
    local FOR=""
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --for) FOR="$2"; shift 2 ;;
            *) die "usage: vigil demo --seed [--for SECONDS]" ;;
        esac
    done
    [[ $(id -u) -eq 0 ]] || die "vigil demo --seed needs root: it creates network namespaces (${PREFIX}1..3, ${PREFIX}br) and bind mounts"
    local m; m=$(missing)
    [[ -z $m ]] || die "vigil demo --seed: not installed: $m (apt-get install mariadb-server mariadb-client galera-4 rsync rabbitmq-server haproxy resource-agents pacemaker-resource-agents iputils-ping nftables)"
    for i in $(seq 1 $NODES) br; do
        if [[ -n $(ip netns pids "$PREFIX$i" 2>/dev/null) ]]; then
            die "namespace $PREFIX$i already has processes: is another seed demo running? (SEED_PREFIX/SEED_SUBNET choose others)"
        fi
    done
    trap 'demo_stop' EXIT
    trap 'exit 130' INT TERM
    echo "== seed demo: namespaces ${PREFIX}1..3 ($SUBNET.11..13), client side ${PREFIX}br ($GW), state in $RT"
    cmd_up
    local i
    for i in $(seq 1 $NODES); do rm -rf "$(ndir "$i")" "$RT/node$i.out"; done   # a first boot (the template is kept)
    cmd_prepare
    for i in $(seq 1 $NODES); do
        "$0" node "$i" >> "$RT/node$i.out" 2>&1 < /dev/null &
        echo $! > "$RT/node$i.pid"
    done
    local t0=$SECONDS
    echo "== waiting for a DC, then loading the configuration ($RT/cib.xml, section by section with cibadmin)"
    until "$VIGIL" --state-dir "$(ndir 1)" crmadmin -D -q 2>/dev/null | grep -qE '^node[0-9]+$'; do
        (( SECONDS - t0 < 120 )) || die "no DC after 120 s; the nodes' output: $RT/node*.out"
        sleep 0.5
    done
    sleep 2   # the join of the three settles (a change made during it may lose to a peer's copy)
    cmd_load 1 >/dev/null
    echo "== waiting until all 14 instances run (up to 300 s): Galera bootstraps and joins, RabbitMQ clusters"
    while ! "$VIGIL" --state-dir "$(ndir 1)" crm_mon -1 --output-as=xml 2>/dev/null | python3 "$SEED_HOME/state.py" -q; do
        (( SECONDS - t0 < 300 )) || { echo "not everything runs after 300 s:" >&2; break; }
        sleep 2
    done
    echo "== crm_mon -1 (node1), $((SECONDS - t0)) s after the start"
    "$VIGIL" --state-dir "$(ndir 1)" crm_mon -1 || true
    cat <<EOF

Try, in another terminal (root):
  $VIGIL --state-dir $(ndir 1) crm_mon -1                  # the status as node1 sees it
  ip netns exec ${PREFIX}br mysql -h $VIP_PUBLIC -u seed -pseed -e 'SHOW STATUS LIKE "wsrep_cluster_size"'
  SEED_PREFIX=$PREFIX SEED_SUBNET=$SUBNET SEED_RT=$RT $0 power-off N   # node N loses power; the VIP moves
  SEED_PREFIX=$PREFIX SEED_SUBNET=$SUBNET SEED_RT=$RT $0 reboot N; SEED_PREFIX=$PREFIX SEED_SUBNET=$SUBNET SEED_RT=$RT $0 node N &
Ctrl-C stops the demo (every process it started, the namespaces).
EOF
    # the demo's MySQL user for the client side (through HAProxy on the VIP)
    cmd_exec_sub 1 mysql -e "CREATE USER IF NOT EXISTS 'seed'@'%' IDENTIFIED BY 'seed'; GRANT ALL ON *.* TO 'seed'@'%'" \
        >/dev/null 2>&1 || true
    if [[ -n $FOR ]]; then sleep "$FOR" & wait $! || true; else sleep infinity & wait $! || true; fi
}

cmd_exec_sub() { ( cmd_exec "$@" ); }

demo_stop() {
    trap - EXIT INT TERM
    echo "== stopping the seed demo"
    local i p
    for i in $(seq 1 $NODES); do
        p=$(cat "$RT/node$i.pid" 2>/dev/null || true)
        [[ -n $p ]] && kill "$p" 2>/dev/null || true
    done
    cmd_down
    echo "== stopped; logs in $RT"
}

case "${1:-}" in
    up) cmd_up ;;
    prepare) cmd_prepare ;;
    fresh) cmd_fresh "$2" ;;
    exec) shift; cmd_exec "$@" ;;
    node) cmd_node "$2" ;;
    power-off) cmd_power_off "$2" ;;
    reboot) cmd_reboot "$2" ;;
    reap) cmd_reap ;;
    down) cmd_down ;;
    cib) cmd_cib ;;
    load) cmd_load "${2:-1}" ;;
    missing) missing ;;
    java-opts) node_java_opts "$2" ;;
    demo) shift; cmd_demo "$@" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
