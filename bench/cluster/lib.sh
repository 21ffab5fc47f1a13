#!/bin/bash
# Shared settings and functions of the side-by-side cluster benchmarks (throughput.sh, failover.sh, idle.sh).
#
# Both systems run in the corosync anchor's network namespaces (csn1..csn3 joined by bridge br77 in csbr,
# node i = 10.77.0.1i/24, made by the anchor's netns-up.sh; nothing is added to the host namespace):
#   corosync 3.1.7 with the anchor's own scripts (gen-conf.sh, cluster-start.sh, node-exec.sh, cluster-stop.sh)
#     on UDP port 5405, runtime files under $BRT/corosync (the anchor's ANCHOR_RT);
#   Vigil nodes (./vigil node) at the same addresses on UDP port 5505 (nodelist ring0_port), state dirs
#     under $BRT/vigil/nodeI.
# Only one system carries load at a time. Everything started here is stopped by pid (trap on exit); the
# namespaces are removed at the end if this run created them (KEEP_NETNS=1 keeps them).
#
# Env: BENCH_RT (default /tmp/vigil-cluster-bench; $BRT) runtime files and results; ANCHOR (the anchor's directory);
#      VIGIL_JAVA_OPTS (passed to the node JVMs by the launcher); CS_SCHED_RR=no (corosync without realtime);
#      VIGIL_TOTEM_EXTRA (one more line in Vigil's totem {} section, e.g. "netmtu: 1500"; not given to corosync).
set -u
CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VIGIL_ROOT="$(cd "$CLUSTER_DIR/../.." && pwd)"
VIGIL="$VIGIL_ROOT/vigil"
ANCHOR="${ANCHOR:-$(cd "$VIGIL_ROOT/.." && pwd)/shared/anchors/corosync}"
[ -f "$ANCHOR/lib.sh" ] || ANCHOR=/work/shared/anchors/corosync
BRT="${BENCH_RT:-/tmp/vigil-cluster-bench}"
export ANCHOR_RT="$BRT/corosync"          # the anchor scripts keep their runtime files here (their $RT)
NODES=3
source "$ANCHOR/lib.sh"                   # node_ip, node_ns, node_dir, bg_load, wait_members, log ...
VRT="$BRT/vigil"
RESULTS="$BRT/results"
TOOLS="$BRT/bin"                          # vcpgbench and cswatch, built from the anchor's sources
BENCH_JAR="$VIGIL_ROOT/bench/target/benchmarks.jar"
VIGIL_PORT=5505

# ---- helpers ---------------------------------------------------------------------------------------------

ms_now() { local t=${EPOCHREALTIME/./}; echo "${t:0:13}"; }
die() { log "ERROR: $*"; exit 1; }

# kv KEY: the value of KEY=... on each input line
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p"; }

# stats: "median [min–max]" of the numbers on stdin (integers rounded), "NA" if none
stats() {
  sort -g | awk '{a[NR]=$1} END {
    if (NR == 0) { print "NA"; exit }
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.0f [%.0f–%.0f]", m, a[1], a[NR] }'
}
med() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) { print "NA"; exit }
  printf "%.0f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# ratio A B (two decimals, NA if either is missing or B is 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b + 0 == 0) print "NA"; else printf "%.2f", a / b }'; }

# ---- preflight and cleanup ---------------------------------------------------------------------------------

NETNS_CREATED=0
BG_PIDS=()          # clients and watchers started in the background by the scripts
preflight() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
  command -v corosync >/dev/null || die "corosync is not installed (the anchor's install.sh)"
  mkdir -p "$BRT" "$VRT" "$RESULTS" "$TOOLS" "$ANCHOR_RT"
  # CPG_TOOLS=0 (set by a script before preflight): it needs neither CpgBench nor the anchor's C tools
  if [ "${CPG_TOOLS:-1}" = 1 ]; then
    [ -f "$BENCH_JAR" ] || die "$BENCH_JAR missing: cd $VIGIL_ROOT && mvn -q -o -pl bench -am package -DskipTests"
    # the anchor's C tools, built here (not in the read-only anchor directory) from its sources
    if [ ! -x "$TOOLS/vcpgbench" ] || [ ! -x "$TOOLS/cswatch" ] \
       || [ "$ANCHOR/bench/vcpgbench.c" -nt "$TOOLS/vcpgbench" ]; then
      gcc -O2 -Wall -o "$TOOLS/vcpgbench" "$ANCHOR/bench/vcpgbench.c" -lcpg -lpthread || die "cannot build vcpgbench (libcpg-dev)"
      gcc -O2 -Wall -o "$TOOLS/cswatch" "$ANCHOR/bench/cswatch.c" -lcpg -lquorum || die "cannot build cswatch (libquorum-dev)"
    fi
  fi
  # the distribution must be current before three nodes start at once (the launcher would rebuild otherwise)
  vigil_conf seed >/dev/null
  "$VIGIL" config check "$VRT/vigil.conf" >/dev/null 2>&1 || die "vigil config check failed (build: ./vigil build)"
  # the namespaces: reuse them only if nothing else runs in them
  local i
  for i in $(seq 1 "$NODES"); do
    if ip netns list | grep -qw "$(node_ns "$i")" && [ -n "$(ip netns pids "$(node_ns "$i")")" ]; then
      die "namespace $(node_ns "$i") already has processes ($(ip netns pids "$(node_ns "$i")" | tr '\n' ' ')): another run?"
    fi
  done
  if ! ip netns list | grep -qw "$(node_ns 1)"; then NETNS_CREATED=1; fi
  "$ANCHOR/netns-up.sh" 2>/dev/null || die "netns-up.sh failed"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

cleanup() {
  local p
  for p in "${BG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  vigil_stop
  "$ANCHOR/cluster-stop.sh" >/dev/null 2>&1
  if [ "$NETNS_CREATED" = 1 ] && [ "${KEEP_NETNS:-0}" != 1 ]; then
    "$ANCHOR/netns-down.sh" 2>/dev/null
  fi
}

# ---- corosync (the anchor's scripts) -----------------------------------------------------------------------

cs_start() { # PROFILE
  "$ANCHOR/cluster-stop.sh" >/dev/null 2>&1
  SCHED_RR="${CS_SCHED_RR:-}" "$ANCHOR/gen-conf.sh" udpu "$1" || die "gen-conf.sh failed"
  "$ANCHOR/cluster-start.sh" 2>/dev/null
  wait_all_members 3 60 || die "corosync did not form a 3-node membership"
}
cs_stop() { "$ANCHOR/cluster-stop.sh" >/dev/null 2>&1; }
cs_pid() { cat "$(node_dir "$1")/corosync.pid" 2>/dev/null; }
cs_log() { echo "$(node_dir "$1")/corosync.log"; }

# ---- Vigil ------------------------------------------------------------------------------------------------

# vigil_conf PROFILE: writes $VRT/vigil.conf with the anchor's gen-conf.sh timing profiles (udpu, crypto off)
vigil_conf() {
  local timing
  case "$1" in
    seed) timing="token: 3000
	token_retransmits_before_loss_const: 10
	join: 60
	consensus: 3600
	max_messages: 20" ;;
    default) timing="" ;;
    fast) timing="token: 1000
	token_coefficient: 0
	join: 50
	consensus: 1200" ;;
    *) die "unknown profile $1" ;;
  esac
  mkdir -p "$VRT"
  {
    echo "# generated by bench/cluster/lib.sh (profile $1); same totem timing as the anchor's gen-conf.sh udpu $1"
    echo "totem {"
    echo "	version: 2"
    echo "	cluster_name: vigilbench"
    echo "	transport: udpu"
    echo "	crypto_cipher: none"
    echo "	crypto_hash: none"
    [ -n "$timing" ] && echo "	$timing"
    [ -n "${VIGIL_TOTEM_EXTRA:-}" ] && printf '\t%s\n' "$VIGIL_TOTEM_EXTRA"
    echo "}"
    echo "nodelist {"
    local j
    for j in $(seq 1 "$NODES"); do
      printf '\tnode {\n\t\tname: node%d\n\t\tnodeid: %d\n\t\tring0_addr: %s\n\t\tring0_port: %d\n\t}\n' \
        "$j" "$j" "$(node_ip "$j")" "$VIGIL_PORT"
    done
    echo "}"
    echo "quorum {"
    echo "	provider: corosync_votequorum"
    echo "}"
  } > "$VRT/vigil.conf"
  echo "$VRT/vigil.conf"
}

vnode_dir() { echo "$VRT/node$1"; }
vigil_pid() { cat "$VRT/node$1.pid" 2>/dev/null; }
vigil_log() { echo "$(vnode_dir "$1")/vigil.log"; }
# vadmin I ARGS...: an admin command on Vigil node I (through its socket file)
vadmin() { local i=$1; shift; "$VIGIL" --state-dir "$(vnode_dir "$i")" "$@"; }
vigil_members() { vadmin "$1" corosync-cmapctl -g runtime.totem.members 2>/dev/null | sed -n 's/.*= //p'; }

# vigil_start_node I: starts node I in namespace csnI (ip netns exec and the launcher exec, so $! is the JVM)
vigil_start_node() {
  local i=$1 d; d=$(vnode_dir "$i")
  mkdir -p "$d"
  if [ -n "$(vigil_pid "$i")" ] && kill -0 "$(vigil_pid "$i")" 2>/dev/null; then return 0; fi
  setsid ip netns exec "$(node_ns "$i")" "$VIGIL" node -c "$VRT/vigil.conf" --state-dir "$d" --node-id "$i" \
    >> "$VRT/node$i.out" 2>&1 < /dev/null &
  echo $! > "$VRT/node$i.pid"
  disown $!    # stopped by pid (vigil_stop); no job-control notice when a trial kills it
}
# vigil_wait_members I "1 2 3" TIMEOUT_S
vigil_wait_members() {
  local end=$(( $(date +%s) + ${3:-60} ))
  while [ "$(date +%s)" -lt "$end" ]; do
    [ "$(vigil_members "$1")" = "$2" ] && return 0
    sleep 0.2
  done
  log "timeout waiting for Vigil node$1 to report members '$2' (now '$(vigil_members "$1")')"; return 1
}
vigil_start() { # PROFILE
  vigil_stop
  rm -rf "$VRT"/node[0-9]* 
  vigil_conf "$1" >/dev/null
  local i
  for i in $(seq 1 "$NODES"); do vigil_start_node "$i"; done
  for i in $(seq 1 "$NODES"); do vigil_wait_members "$i" "1 2 3" 90 || die "Vigil did not form a 3-node membership"; done
}
# vigil_stop [I ...]: SIGTERM by pid, SIGKILL after 20 s
vigil_stop() {
  local i p
  for i in ${*:-$(seq 1 "$NODES")}; do
    p=$(vigil_pid "$i"); [ -n "$p" ] || continue
    if kill -0 "$p" 2>/dev/null; then
      kill "$p"
      for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$p" 2>/dev/null && { log "Vigil node$i (pid $p) still alive, SIGKILL"; kill -9 "$p"; }
    fi
    rm -f "$VRT/node$i.pid"
  done
}

# cpgbench ARGS...: the Vigil CPG load generator (a client JVM; talks to a node through its socket file)
cpgbench() { java -XX:+UseSerialGC -cp "$BENCH_JAR" org.vigil.bench.cpg.CpgBench "$@"; }

# cpu_ticks PID: utime+stime in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# proc_mem PID: "rss_kB hwm_kB pss_kB threads"
proc_mem() {
  local p=$1
  echo "$(awk '/^VmRSS/{print $2}' /proc/$p/status) $(awk '/^VmHWM/{print $2}' /proc/$p/status)" \
       "$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup) $(awk '/^Threads/{print $2}' /proc/$p/status)"
}
# veth counters in the bridge namespace: packets/bytes sent by node I
tx_packets() { ip netns exec "$NS_BR" cat "/sys/class/net/vn$1/statistics/rx_packets"; }
tx_bytes() { ip netns exec "$NS_BR" cat "/sys/class/net/vn$1/statistics/rx_bytes"; }

header() { # NAME: the context line every result file starts with
  echo "# $1 $(date -Is) host=$(hostname) cores=$(nproc) vigil=$(git -C "$VIGIL_ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$VIGIL_ROOT" diff --quiet 2>/dev/null || echo +dirty) corosync=$(corosync -v 2>/dev/null | sed -n 's/.*version .\([0-9.]*\).*/\1/p' | head -1) java=$(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/') vigil_java_opts='${VIGIL_JAVA_OPTS:-}' cs_sched_rr=${CS_SCHED_RR:-yes}"
  bg_load
}
