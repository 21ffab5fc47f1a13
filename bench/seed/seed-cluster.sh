#!/bin/bash
# seed-cluster.sh: the seed's OpenStack HA cluster (issue 16) on three Vigil nodes in network namespaces, with the
# same services, per-node state and CIB as the Pacemaker 2.1.5 anchor (../shared/anchors/seed-cluster, REPORT.md):
# public and management VIPs (ocf:heartbeat:IPaddr2), ocf:pacemaker:ping, MariaDB Galera (ocf:heartbeat:galera,
# promotable clone), RabbitMQ (ocf:rabbitmq:rabbitmq-server clone) and HAProxy (lsb:haproxy clone): 14 instances.
#
# What it reuses from the anchor (called, not copied): setup.sh (the corosync anchor's namespaces csn1..3 =
# 10.77.0.11..13 on bridge br77 in csbr, 10.77.0.1 on the bridge as ping target and client side, ip_nonlocal_bind,
# the MariaDB datadir template and Erlang cookie), fresh-state.sh (a newly installed node's /etc/hosts, MariaDB
# config with the Galera settings the anchor needed, empty datadir, rabbitmq.conf with classic_config peer
# discovery, haproxy.cfg), seed-exec.sh (node I's namespace with its private /run, hostname nodeI and the service
# bind mounts: every agent and service the node starts sees node I's files), state.py (the one-line summary of
# `crm_mon --output-as=xml`, all=yes when all 14 instances are Started/Promoted), power-off.sh (kill -9 of every pid
# in a node's namespace and eth0 down) and its cib.xml. Corosync and Pacemaker are not started: each Vigil node
# (`./vigil node`, started through seed-exec.sh, so its pid is the JVM's) is ring and CRM at once, on UDP 5505,
# udpu with the seed's totem timing (bench/cluster/lib.sh vigil_conf seed: token 3000, consensus 3600, ...).
#
# The CIB: the anchor's cib.xml, unchanged, written before the start as each node's on-disk CIB
# (<state dir>/cib/cib.xml). Vigil loads an on-disk CIB only with its digest file next to it (cib.xml.sig, which
# Pacemaker's based does not require): it is Pacemaker's on-disk digest, computed here with Pacemaker's
# `cibadmin -5 -x` when that is installed. CIB=replace (or no Pacemaker cibadmin) loads it instead with
# `cibadmin --replace --xml-file` on node1 once a DC is elected (t0 stays the nodes' start).
#
# Per cold start (RUNS, default 1): every process in the node namespaces stopped, fresh service state
# (fresh-state.sh), empty Vigil state dirs with the CIB; t0 = just before the three nodes start; node1's
# `crm_mon -1 --output-as=xml` through state.py polled every ~0.5 s, each change written with its ms since t0;
# done when all=yes (MAXS s at most). Then `crm_mon -1`, Galera's wsrep_cluster_size and RabbitMQ's running nodes as
# seen from node1. Between runs and at the end: the nodes stopped by pid (TERM, KILL after 20 s), then every
# process left in the node namespaces (mariadbd, beam.smp, epmd, haproxy, ...) by pid (TERM, 10 s, KILL);
# the namespaces are removed if this run created them.
#
# FAILOVER=N (default 0): after the last cold start, N times: the node holding vip__public "loses power"
# (the anchor's power-off.sh: kill -9 of every pid in its namespace, eth0 down); t0 = just before; the ms until
# the VIP answers ping from csbr (10.77.0.1 -> 10.77.0.100) and until node1's (or a survivor's) crm_mon shows
# vip__public Started on a survivor. The victim then "reboots" (the anchor's reboot_run: eth0 back with only its
# address, /run emptied; its Vigil node started again with its state dir kept) and the ms until all 14 are up
# again is recorded.
#
# SQL through the VIP (FAILOVER runs): before each kill a row with a new marker is written through vip__public
# (user anchor@%, database anchor, table t, as the anchor's measure-failover.sh makes them), and the poll loop also
# times the first SELECT of that marker through the VIP from csbr (sql_ms).
#
# IDLE=S (default 0): after the last phase, S seconds idle, then per node the PSS (smaps_rollup) and RSS of the
# cluster stack, that is the Vigil node's JVM (its pid file), services not counted (idle_pss_kb).
#
# PCMK=1: first, in the same run and namespaces, the Pacemaker anchor: its setup.sh, one cold start kept running
# (KEEP=1 measure-coldstart.sh 1), FAILOVER times its measure-failover.sh (ping, crm_mon, SQL through the VIP) and,
# with IDLE, its measure-idle.sh IDLE; then stop-all.sh, and Vigil's phases follow. Its result files are the
# anchor's (TAG=-vigil-side-by-side-<time> in $SEED_ANCHOR/results); the figures are put beside Vigil's as ratios.
#
# Env: RUNS=1 MAXS=400 FAILOVER=0 IDLE=0 PCMK=0 CIB=disk|replace BENCH_RT=/tmp/vigil-seed SEED_ANCHOR (the anchor's directory)
#      LOCK=/tmp/vigil-netns.lock (LOCK=none if the caller holds it) LOCK_WAIT=3600 VIGIL_JAVA_OPTS KEEP_NETNS=1
# Needs: root; the anchor's packages (its install.sh: mariadb-server mariadb-client galera-4 rsync rabbitmq-server
#      haproxy iputils-ping resource-agents pacemaker-resource-agents); python3; Vigil built (./vigil build).
# Output: the crm_mon and the results on stdout; raw lines in $BENCH_RT/results/seed-<time>.raw; node logs of the
#      last run under $BENCH_RT/vigil/nodeI/ (never in the repository).
export BENCH_RT="${BENCH_RT:-/tmp/vigil-seed}"
source "$(dirname "$0")/../cluster/lib.sh"   # ANCHOR_RT=$BRT/corosync; node_ns, node_dir, vigil_conf, vnode_dir ...
SEED_ANCHOR="${SEED_ANCHOR:-$(cd "$ANCHOR/.." && pwd)/seed-cluster}"
[ -f "$SEED_ANCHOR/lib-seed.sh" ] || SEED_ANCHOR=/work/shared/anchors/seed-cluster
RUNS=${RUNS:-1}; MAXS=${MAXS:-400}; FAILOVER=${FAILOVER:-0}; CIB=${CIB:-disk}; IDLE=${IDLE:-0}; PCMK=${PCMK:-0}
LOCK=${LOCK:-/tmp/vigil-netns.lock}; LOCK_WAIT=${LOCK_WAIT:-3600}
GW_IP="$SUBNET.1"; VIP_PUBLIC="$SUBNET.100"

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in mysqld_safe mysql rabbitmq-server rabbitmqctl haproxy ping python3 flock; do
  command -v "$t" >/dev/null || die "$t is not installed (the anchor's install.sh: $SEED_ANCHOR/install.sh)"
done
for a in heartbeat/IPaddr2 heartbeat/galera pacemaker/ping rabbitmq/rabbitmq-server; do
  [ -x "/usr/lib/ocf/resource.d/$a" ] || die "OCF agent $a missing (resource-agents, pacemaker-resource-agents, rabbitmq-server)"
done
[ -x /etc/init.d/haproxy ] || die "/etc/init.d/haproxy missing (haproxy)"
mkdir -p "$BRT" "$VRT" "$RESULTS" "$ANCHOR_RT"
vigil_conf seed >/dev/null
"$VIGIL" config check "$VRT/vigil.conf" >/dev/null 2>&1 || die "vigil config check failed (build: ./vigil build)"

STAMP=$(date +%Y%m%d-%H%M%S)
RAW="$RESULTS/seed-$STAMP.raw"
W="$BRT/work/seed-$STAMP"; mkdir -p "$W"
log "raw output: $RAW"
raw() { echo "$*" >> "$RAW"; }
result() { echo "RESULT $*" >> "$RAW"; log "RESULT $*"; }

# ---- the namespaces, under the shared lock ------------------------------------------------------------------

NETNS_CREATED=0; LOCKED=0; HOLD=0
if [ "$LOCK" != none ]; then
  exec 8>>"$LOCK"
  log "waiting for $LOCK (up to $LOCK_WAIT s)"
  flock -w "$LOCK_WAIT" 8 || die "could not take $LOCK within $LOCK_WAIT s"
  LOCKED=1
fi
for i in 1 2 3; do
  if ip netns list | grep -qw "$(node_ns "$i")" && [ -n "$(ip netns pids "$(node_ns "$i")")" ]; then
    die "namespace $(node_ns "$i") already has processes ($(ip netns pids "$(node_ns "$i")" | tr '\n' ' ')): another run?"
  fi
done
ip netns list | grep -qw "$(node_ns 1)" || NETNS_CREATED=1
HOLD=1
# the context line once the namespaces are ours (the build and the load are those of the run)
header "seed runs=$RUNS failover=$FAILOVER cib=$CIB maxs=$MAXS anchor=$SEED_ANCHOR" > "$RAW"

# ns_reap: every process still in the node namespaces is this run's (they were empty when it began): TERM, up to
# 10 s, KILL, each by pid
ns_reap() {
  local sig i p left n
  for sig in TERM KILL; do
    for n in $(seq 1 100); do
      left=""
      for i in 1 2 3; do for p in $(ip netns pids "$(node_ns "$i")" 2>/dev/null); do left+=" $p"; done; done
      [ -z "$left" ] && return 0
      [ "$n" = 1 ] && { log "processes left in the node namespaces ($sig):$left"; kill -"$sig" $left 2>/dev/null; }
      sleep 0.1
    done
  done
  log "still running after KILL:$left"
}
vg_seed_stop() { vigil_stop >/dev/null 2>&1; ns_reap; }
cleanup() {
  local p
  for p in "${BG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  if [ "$HOLD" = 1 ]; then
    vg_seed_stop
    if [ "$NETNS_CREATED" = 1 ] && [ "${KEEP_NETNS:-0}" != 1 ]; then "$ANCHOR/netns-down.sh" 2>/dev/null; fi
    HOLD=0
  fi
  if [ "$LOCKED" = 1 ]; then flock -u 8; exec 8>&-; LOCKED=0; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the Pacemaker anchor first (PCMK=1), same namespaces, same run ---------------------------------------------

PTAG="-vigil-side-by-side-$STAMP"
if [ "$PCMK" = 1 ]; then
  log "Pacemaker anchor: setup, 1 cold start kept, failover x$FAILOVER, idle $IDLE s (its scripts, TAG=$PTAG)"
  "$SEED_ANCHOR/setup.sh" > "$W/pcmk-setup.log" 2>&1 || { cat "$W/pcmk-setup.log" >&2; die "the anchor's setup.sh failed"; }
  KEEP=1 TAG="$PTAG" "$SEED_ANCHOR/measure-coldstart.sh" 1 > "$W/pcmk-coldstart.log" 2>&1 || log "anchor cold start failed"
  if [ "$FAILOVER" -gt 0 ]; then
    TAG="$PTAG" "$SEED_ANCHOR/measure-failover.sh" "$FAILOVER" > "$W/pcmk-failover.log" 2>&1 || log "anchor failover failed"
  fi
  if [ "$IDLE" -gt 0 ]; then
    TAG="$PTAG" "$SEED_ANCHOR/measure-idle.sh" "$IDLE" > "$W/pcmk-idle.log" 2>&1 || log "anchor idle failed"
  fi
  "$SEED_ANCHOR/stop-all.sh" > "$W/pcmk-stop.log" 2>&1
  for f in coldstart failover idle; do
    for e in raw txt; do
      [ -f "$SEED_ANCHOR/results/$f$PTAG.$e" ] && { echo "# ---- anchor $f$PTAG.$e"; sed 's/^/# pcmk /' "$SEED_ANCHOR/results/$f$PTAG.$e"; } >> "$RAW"
    done
  done
fi

# ---- the seed's state (the anchor's setup) --------------------------------------------------------------------

log "setup (the anchor's setup.sh: namespaces, service state template, fresh state per node)"
"$SEED_ANCHOR/setup.sh" > "$W/setup.log" 2>&1 || { cat "$W/setup.log" >&2; die "the anchor's setup.sh failed"; }

SIG=""
if [ "$CIB" = disk ]; then
  if command -v cibadmin >/dev/null && SIG=$(cibadmin -5 -x "$SEED_ANCHOR/cib.xml" 2>/dev/null) \
     && [[ $SIG =~ ^[0-9a-f]{32}$ ]]; then :; else
    log "no Pacemaker cibadmin to compute the on-disk digest: the CIB is loaded with cibadmin --replace"; CIB=replace
  fi
fi

SX() { "$SEED_ANCHOR/seed-exec.sh" "$@"; }
mon_state() { timeout -k 5 30 "$VIGIL" --state-dir "$(vnode_dir "$1")" crm_mon -1 --output-as=xml 2>/dev/null \
                | python3 "$SEED_ANCHOR/state.py"; }
mon() { timeout -k 5 30 "$VIGIL" --state-dir "$(vnode_dir "$1")" crm_mon -1 "${@:2}" 2>&1; }

# vg_seed_start_node I: node I through seed-exec.sh (every step execs: $! is the JVM)
vg_seed_start_node() {
  local i=$1 d; d=$(vnode_dir "$i")
  mkdir -p "$d"
  setsid "$SEED_ANCHOR/seed-exec.sh" "$i" "$VIGIL" node -c "$VRT/vigil.conf" --state-dir "$d" --node-id "$i" \
    >> "$VRT/node$i.out" 2>&1 < /dev/null &
  echo $! > "$VRT/node$i.pid"
  disown $!
}

# fresh_vigil I: an empty state dir holding only the on-disk CIB (CIB=disk)
fresh_vigil() {
  local d; d=$(vnode_dir "$1")
  rm -rf "$d" "$VRT/node$1.out"; mkdir -p "$d"
  if [ "$CIB" = disk ]; then
    install -d -m 700 "$d/cib"
    install -m 600 "$SEED_ANCHOR/cib.xml" "$d/cib/cib.xml"
    printf '%s' "$SIG" > "$d/cib/cib.xml.sig"; chmod 600 "$d/cib/cib.xml.sig"
  fi
}

# dump TAG: what a failed run leaves for reading: crm_mon, the CIB, the nodes' warnings and errors
dump() {
  local f="$W/$1" i
  mkdir -p "$f"
  mon 1 -r -f > "$f/crm_mon.txt"
  timeout 30 "$VIGIL" --state-dir "$(vnode_dir 1)" cibadmin --query > "$f/cib.xml" 2>&1
  for i in 1 2 3; do
    cp "$(vigil_log "$i")" "$f/vigil-node$i.log" 2>/dev/null
    cp "$(node_dir "$i")/seed/log-mysql/error.log" "$f/mysql-node$i.log" 2>/dev/null
  done
  log "dump in $f"
}

wait_all() { # T0 MAXS TAG: poll node1's crm_mon until all=yes; prints the ms, empty on timeout
  local t0=$1 max=$2 tag=$3 s prev="" t
  while [ $(( $(ms_now) - t0 )) -lt $((max * 1000)) ]; do
    s=$(mon_state 1); t=$(( $(ms_now) - t0 ))
    [ "$s" != "$prev" ] && { raw "T $tag ms=$t $s"; prev=$s; }
    [[ $s == *all=yes* ]] && { echo "$t"; return 0; }
    sleep 0.5
  done
  return 1
}

# ---- cold starts ------------------------------------------------------------------------------------------------

for r in $(seq 1 "$RUNS"); do
  vg_seed_stop
  for i in 1 2 3; do "$SEED_ANCHOR/fresh-state.sh" "$i" 2>>"$W/setup.log"; fresh_vigil "$i"; done
  bg_load >> "$RAW"
  t0=$(ms_now)
  for i in 1 2 3; do vg_seed_start_node "$i"; done
  loaded=""
  if [ "$CIB" = replace ]; then
    end=$(( $(date +%s) + 120 ))
    until timeout 30 "$VIGIL" --state-dir "$(vnode_dir 1)" crmadmin -D -q 2>/dev/null | grep -qE '^node[0-9]+$'; do
      [ "$(date +%s)" -lt "$end" ] || { dump "cold$r-nodc"; die "no DC after 120 s"; }; sleep 0.2
    done
    timeout 60 "$VIGIL" --state-dir "$(vnode_dir 1)" cibadmin --replace --xml-file "$SEED_ANCHOR/cib.xml" \
      || { dump "cold$r-replace"; die "cibadmin --replace failed"; }
    loaded=" cib_loaded_ms=$(( $(ms_now) - t0 ))"
  fi
  tall=$(wait_all "$t0" "$MAXS" "run=$r")
  dcms=$(sed -n "s/^T run=$r ms=\([0-9]*\) online=node1,node2,node3 dc=node.*/\1/p" "$RAW" | head -1)
  gal=$(SX 1 mysql -N -e "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | awk '{print $2}')
  rab=$(timeout 60 "$SEED_ANCHOR/seed-exec.sh" 1 rabbitmqctl -q cluster_status --formatter json 2>/dev/null \
        | python3 -c 'import json,sys;print(",".join(json.load(sys.stdin)["running_nodes"]))' 2>/dev/null)
  result "phase=cold run=$r online_dc_ms=${dcms:-NA} all_ms=${tall:-NA}$loaded galera_cluster_size=${gal:-NA} rabbit_running=${rab:-NA}"
  mon 1 -r | tee "$W/crm_mon-run$r.txt" | sed 's/^/# /' >> "$RAW"
  echo "== crm_mon -1 -r (node1), cold start $r: all 14 up after ${tall:-NA} ms"
  cat "$W/crm_mon-run$r.txt"
  if [ -z "$tall" ]; then dump "cold$r"; break; fi
done

# ---- failover: power loss of the public VIP's node ----------------------------------------------------------------

vip_node() { mon "$1" | sed -n 's/.*vip__public[[:space:]].*Started \(node[0-9]*\).*/\1/p' | head -1; }
CL() { ip netns exec "$NS_BR" timeout 4 mysql -h "$VIP_PUBLIC" -u anchor -panchor --connect-timeout=2 anchor -N "$@"; }
if [ "$FAILOVER" -gt 0 ] && [ -n "${tall:-}" ]; then
  SX 1 mysql -e "CREATE DATABASE IF NOT EXISTS anchor; CREATE USER IF NOT EXISTS 'anchor'@'%' IDENTIFIED BY 'anchor';
    GRANT ALL ON anchor.* TO 'anchor'@'%'; CREATE TABLE IF NOT EXISTS anchor.t (id INT AUTO_INCREMENT PRIMARY KEY, marker VARCHAR(64))" \
    2>>"$W/failover.log" || log "could not create the SQL check's table"
  for f in $(seq 1 "$FAILOVER"); do
    v=$(vip_node 1); v=${v#node}
    [ -n "$v" ] || { log "failover $f: vip__public is not running"; break; }
    s=$(( v % 3 + 1 ))   # a survivor to ask
    raw "# failover $f: victim node$v, asking node$s"
    marker="vigil$f-$(date +%s%N)"
    CL -e "INSERT INTO t (marker) VALUES ('$marker')" >> "$W/failover.log" 2>&1 || raw "# insert through the VIP failed"
    t0=$(ms_now)
    "$SEED_ANCHOR/power-off.sh" "$v" 2>>"$W/failover.log"
    tping=""; tmon=""; tsql=""
    # the SQL check in the background, polled as the anchor does (~0.2 s + the client's time)
    ( while [ $(( $(ms_now) - t0 )) -lt 120000 ]; do
        [ "$(CL -e "SELECT count(*) FROM t WHERE marker='$marker'" 2>/dev/null)" = 1 ] && { echo $(( $(ms_now) - t0 )); exit 0; }
        sleep 0.2
      done ) > "$W/sql$f.ms" &
    sqlpid=$!
    while [ $(( $(ms_now) - t0 )) -lt 120000 ] && { [ -z "$tping" ] || [ -z "$tmon" ]; }; do
      if [ -z "$tping" ] && ip netns exec "$NS_BR" ping -c1 -W0.2 "$VIP_PUBLIC" >/dev/null 2>&1; then tping=$(( $(ms_now) - t0 )); fi
      if [ -z "$tmon" ]; then w=$(vip_node "$s"); [ -n "$w" ] && [ "$w" != "node$v" ] && tmon=$(( $(ms_now) - t0 )); fi
    done
    wait "$sqlpid"; tsql=$(cat "$W/sql$f.ms")
    where=$(vip_node "$s")
    # the victim reboots: eth0 back with only its own address, /run emptied, its node started again (state kept)
    ( source "$SEED_ANCHOR/lib-seed.sh"; reboot_run "$v" )
    rm -f "$VRT/node$v.pid"
    tr0=$(ms_now); vg_seed_start_node "$v"
    trej=$(wait_all "$tr0" 300 "failover=$f")
    result "phase=failover run=$f victim=node$v vip_ping_ms=${tping:-NA} crm_mon_ms=${tmon:-NA} sql_ms=${tsql:-NA} vip_now=${where:-NA} rejoin_all_ms=${trej:-NA}"
    mon "$s" -r | sed 's/^/# /' >> "$RAW"
    [ -n "$trej" ] || { dump "failover$f"; break; }
  done
fi

# ---- idle memory of the cluster stack (IDLE=S): the Vigil node's JVM per node ------------------------------------

if [ "$IDLE" -gt 0 ] && [ -n "${tall:-}" ]; then
  log "idle $IDLE s"
  sleep "$IDLE"
  for i in 1 2 3; do
    p=$(cat "$VRT/node$i.pid" 2>/dev/null)
    pss=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null); rss=$(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null)
    result "phase=idle node=node$i secs=$IDLE pid=${p:-NA} idle_pss_kb=${pss:-NA} idle_rss_kb=${rss:-NA}"
  done
fi

# ---- summary ------------------------------------------------------------------------------------------------------

{
  echo "== seed cluster on Vigil: $(grep -c '^RESULT phase=cold' "$RAW") cold start(s), $(grep -c '^RESULT phase=failover' "$RAW") failover(s)"
  echo "cold start, all 14 up (ms): median $(grep '^RESULT phase=cold' "$RAW" | kv all_ms | grep -E '^[0-9]+$' | stats)  values: $(grep '^RESULT phase=cold' "$RAW" | kv all_ms | tr '\n' ' ')  (Pacemaker anchor: 105854)"
  echo "cold start, 3 online + DC (ms): median $(grep '^RESULT phase=cold' "$RAW" | kv online_dc_ms | grep -E '^[0-9]+$' | stats)  (Pacemaker anchor: 24275)"
  if grep -q '^RESULT phase=failover' "$RAW"; then
    echo "failover, VIP answers ping (ms): $(grep '^RESULT phase=failover' "$RAW" | kv vip_ping_ms | grep -E '^[0-9]+$' | stats)  (Pacemaker anchor: 8705)"
    echo "failover, crm_mon shows the VIP on a survivor (ms): $(grep '^RESULT phase=failover' "$RAW" | kv crm_mon_ms | grep -E '^[0-9]+$' | stats)  (Pacemaker anchor: 9976)"
    echo "rejoin, all 14 up again (ms): $(grep '^RESULT phase=failover' "$RAW" | kv rejoin_all_ms | grep -E '^[0-9]+$' | stats)  (Pacemaker anchor: 42112)"
    echo "failover, SQL row read through the VIP (ms): $(grep '^RESULT phase=failover' "$RAW" | kv sql_ms | grep -E '^[0-9]+$' | stats)  (Pacemaker anchor: 10489)"
  fi
  if grep -q '^RESULT phase=idle' "$RAW"; then
    echo "idle stack PSS per node (kB): $(grep '^RESULT phase=idle' "$RAW" | kv idle_pss_kb | tr '\n' ' ')  (Pacemaker anchor: 70349-88166)"
  fi
  if [ "$PCMK" = 1 ]; then
    # the anchor's figures of this same run, and Vigil / Pacemaker
    pf="$SEED_ANCHOR/results/failover$PTAG.raw"; pc="$SEED_ANCHOR/results/coldstart$PTAG.raw"; pi="$SEED_ANCHOR/results/idle$PTAG.txt"
    ratio() { [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "NA" }' || echo NA; }
    first() { grep -E '^[0-9.]+$' | head -1; }
    vcold=$(grep '^RESULT phase=cold' "$RAW" | kv all_ms | first)
    pcold=$(grep -o 'all_ms=[0-9]*' "$pc" 2>/dev/null | cut -d= -f2 | first)
    echo "side by side (this run): cold start all 14: vigil ${vcold:-NA} ms, pacemaker ${pcold:-NA} ms, ratio $(ratio "$vcold" "$pcold")"
    # Pacemaker's rejoin (all_started_ms, its RESULT2 lines) counts from the victim's restart after the reboot
    # (corosync, then pacemakerd), as Vigil's rejoin_all_ms counts from its node's start
    for k in vip_ping_ms crm_mon_ms sql_ms rejoin_all_ms; do
      pk=$k; [ "$k" = vip_ping_ms ] && pk=ping_ms; [ "$k" = rejoin_all_ms ] && pk=all_started_ms
      vv=$(grep '^RESULT phase=failover' "$RAW" | kv "$k" | grep -E '^[0-9]+$' | stats | awk '{print $1}')
      pv=$(grep -o " $pk=[0-9]*" "$pf" 2>/dev/null | cut -d= -f2 | grep -E '^[0-9]+$' | stats | awk '{print $1}')
      echo "side by side (this run): failover $k: vigil ${vv:-NA} ms, pacemaker ${pv:-NA} ms, ratio $(ratio "$vv" "$pv")"
    done
    vp=$(grep '^RESULT phase=idle' "$RAW" | kv idle_pss_kb | grep -E '^[0-9]+$' | sort -n | tail -1)
    pp=$(grep 'TOTAL node.* stack ' "$pi" 2>/dev/null | sed -n 's/.*pss_MB=\([0-9.]*\).*/\1/p' | sort -n | tail -1)
    [ -n "$pp" ] && pp=$(awk -v m="$pp" 'BEGIN { printf "%d", m * 1024 }')
    echo "side by side (this run): idle stack PSS, largest node: vigil ${vp:-NA} kB, pacemaker ${pp:-NA} kB, ratio $(ratio "$vp" "$pp")"
  fi
} | tee -a "$RAW"
grep -q '^RESULT phase=cold.* all_ms=[0-9]' "$RAW"
