#!/usr/bin/env bash
# bench/admin/measure-admin.sh [RUNS] [STARTS] [SETTLE_S]
# Side by side, in one run, on this machine:
#   1. admin round trip (median, end to end): real corosync 3.1.7's `corosync-cmapctl totem.token` vs
#      `./vigil corosync-cmapctl totem.token` (perl client, the default) and with VIGIL_CLIENT=java, all run
#      inside node 1 of the anchor's 3-node corosync cluster (../shared/anchors/corosync, transport udpu, seed
#      timing), with hyperfine -N --warmup 3 --runs RUNS (default 30), like the anchor's measure-admin.sh;
#   2. Vigil node start time: process start -> admin socket answering, STARTS times (default 5);
#   3. idle RSS/PSS of one Vigil node and of one corosync, SETTLE_S (default 20) seconds after start.
# Needs root (namespaces) and the anchor's packages (../shared/anchors/corosync/install.sh).
# Starts everything it measures and stops it by pid at the end; removes the namespaces.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
ANCHOR="${ANCHOR:-$ROOT/../shared/anchors/corosync}"
RUNS=${1:-30}; STARTS=${2:-5}; SETTLE=${3:-20}
source "$ANCHOR/lib.sh"
set -e
command -v corosync >/dev/null && command -v hyperfine >/dev/null \
    || { echo "run $ANCHOR/install.sh first (corosync, pacemaker, hyperfine)" >&2; exit 1; }
[[ -f "$ROOT/distribution/target/vigil.jar" ]] || "$ROOT/vigil" build
VDIR="$RT/vigil"; mkdir -p "$VDIR"
VCONF="$VDIR/vigil.conf"
VPID=""
cleanup() {
    [[ -n "$VPID" ]] && kill -TERM "$VPID" 2>/dev/null && for _ in $(seq 1 100); do
        kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
    "$ANCHOR/cluster-stop.sh" >/dev/null 2>&1 || true
    "$ANCHOR/netns-down.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$ANCHOR/netns-up.sh" 2>/dev/null
"$ANCHOR/gen-conf.sh" udpu seed >/dev/null
"$ANCHOR/cluster-start.sh" 2>/dev/null
wait_all_members 3 60

{
    echo "totem {"
    echo "    version: 2"; echo "    cluster_name: vigil-bench"; echo "    transport: udpu"
    echo "    token: 3000"; echo "    token_retransmits_before_loss_const: 10"; echo "    join: 60"
    echo "    consensus: 3600"; echo "    max_messages: 20"
    echo "}"
    echo "nodelist {"
    for i in 1 2 3; do
        printf '    node {\n        name: node%d\n        nodeid: %d\n        ring0_addr: %s\n        ring0_port: 5505\n    }\n' \
            "$i" "$i" "$(node_ip "$i")"
    done
    echo "}"
    echo "quorum {"; echo "    provider: corosync_votequorum"; echo "}"
} > "$VCONF"

START_MS=0
start_vigil() {   # starts node 1 in csn1; START_MS = ms from process start to the admin socket answering
    rm -rf "$VDIR/state"
    local t0 t1
    t0=$(date +%s%N)
    ip netns exec "$(node_ns 1)" "$ROOT/vigil" node -c "$VCONF" --state-dir "$VDIR/state" --node-id 1 \
        >"$VDIR/node.log" 2>&1 &
    VPID=$!
    for _ in $(seq 1 6000); do
        if "$ROOT/vigil" --state-dir "$VDIR/state" corosync-cmapctl -g totem.token >/dev/null 2>&1; then
            t1=$(date +%s%N); START_MS=$(( (t1 - t0) / 1000000 )); return 0
        fi
        sleep 0.005
    done
    echo "vigil node did not start; log:" >&2; tail -20 "$VDIR/node.log" >&2; return 1
}
stop_vigil() {
    kill -TERM "$VPID"; for _ in $(seq 1 200); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.05; done; VPID=""
}

echo "# $(date -Is); $(nproc) cores; $(uname -r); $(java -version 2>&1 | head -1); corosync $(corosync -v | sed -n "s/.*version '\([0-9.]*\)'.*/\1/p")"
bg_load
starts=()
for s in $(seq 1 "$STARTS"); do
    start_vigil
    starts+=("$START_MS")
    [[ $s -lt $STARTS ]] && stop_vigil
done
echo "## node start (process start -> admin socket answers), ${STARTS} starts, ms: ${starts[*]}"
echo "node_start_median_ms $(printf '%s\n' "${starts[@]}" | median)"

sleep "$SETTLE"
vjava=$(pgrep -P "$VPID" java 2>/dev/null || echo "$VPID")
[[ "$(cat /proc/$VPID/comm)" == java ]] && vjava=$VPID
cpid=$(cat "$(node_dir 1)/corosync.pid")
rss() { awk '/^VmRSS/{printf "%.1f", $2/1024}' "/proc/$1/status"; }
pss() { awk '/^Pss:/{printf "%.1f", $2/1024}' "/proc/$1/smaps_rollup"; }
echo "## idle memory after ${SETTLE} s (MB): vigil node RSS $(rss "$vjava") PSS $(pss "$vjava"); corosync node1 RSS $(rss "$cpid") PSS $(pss "$cpid")"

JSON="$VDIR/admin.json"
"$ANCHOR/node-exec.sh" 1 hyperfine -N --style basic --warmup 3 --runs "$RUNS" --export-json "$JSON" \
    -n corosync-cmapctl "corosync-cmapctl totem.token" \
    -n vigil-perl-client "$ROOT/vigil --state-dir $VDIR/state corosync-cmapctl totem.token" \
    -n vigil-java-client "env VIGIL_CLIENT=java $ROOT/vigil --state-dir $VDIR/state corosync-cmapctl totem.token" \
    >/dev/null
python3 - "$JSON" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base = statistics.median(r["corosync-cmapctl"]["times"]) * 1000
print("## admin round trip, inside node1, hyperfine -N (ms): median  min  max  ratio-to-corosync")
for name, x in r.items():
    m = statistics.median(x["times"]) * 1000
    print(f"{name:20s} {m:7.1f} {x['min']*1000:6.1f} {x['max']*1000:6.1f}  {m/base:5.2f}x")
PY
