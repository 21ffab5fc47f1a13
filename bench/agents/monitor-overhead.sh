#!/usr/bin/env bash
# Overhead of one `monitor` of ocf:heartbeat:Dummy, three ways on the same machine in the same run:
#   direct  the agent script run directly (hyperfine, no shell), with the OCF environment
#   vigil   through Vigil's ResourceAgent (OcfAgent + runner helper), timed per call in a warm JVM
#   crm     Pacemaker's `crm_resource --force-check` (no cluster needed)
# Rounds interleave the three so that machine load hits them alike; the medians over rounds are reported, with
# the ratios to the direct run (target for Vigil: <= 1.1x).
#
#   bench/agents/monitor-overhead.sh [--rounds R] [--runs N]
# Needs: hyperfine, resource-agents, pacemaker-cli-utils (crm_resource), python3, and a build
# (mvn -q -DskipTests package -pl bench -am).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
ROUNDS=5
RUNS=300
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        *) echo "usage: $0 [--rounds R] [--runs N]" >&2; exit 2 ;;
    esac
done
AGENT=/usr/lib/ocf/resource.d/heartbeat/Dummy
JAR="$ROOT/bench/target/benchmarks.jar"
for need in hyperfine crm_resource python3 java; do
    command -v "$need" >/dev/null || { echo "monitor-overhead: $need is missing (apt-get install -y hyperfine pacemaker-cli-utils python3)" >&2; exit 1; }
done
[[ -x "$AGENT" ]] || { echo "monitor-overhead: $AGENT missing (apt-get install -y resource-agents)" >&2; exit 1; }
[[ -f "$JAR" ]] || { echo "monitor-overhead: build first: mvn -q -DskipTests package -pl bench -am" >&2; exit 1; }

WORK="$(mktemp -d /tmp/vigil-monitor-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
STATE="$WORK/dummy.state"
touch "$STATE"   # a running resource: monitor returns 0 on every path
export OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=bench OCF_RESOURCE_TYPE=Dummy OCF_RESOURCE_PROVIDER=heartbeat \
    OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1 OCF_RESKEY_state="$STATE" OCF_RESKEY_CRM_meta_timeout=20000 \
    OCF_RESKEY_CRM_meta_interval=10000 HA_RSCTMP="$WORK/rsctmp"
mkdir -p "$HA_RSCTMP"

median() { python3 -c 'import sys,statistics; print("%.4f" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
hf() {  # hyperfine median (ms) of one command
    hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$WORK/hf.json" "$@" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f" % (r["median"]*1000))' "$WORK/hf.json"
}

declare -a D V C
echo "monitor of ocf:heartbeat:Dummy, $ROUNDS rounds x $RUNS runs each (medians in ms)"
printf '%-6s %10s %10s %10s\n' round direct vigil crm_resource
for r in $(seq 1 "$ROUNDS"); do
    d=$(hf "$AGENT monitor")
    # The JVM flags of a node (./vigil node).
    v=$(java -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -cp "$JAR" -Dvigil.agents.rsctmp="$HA_RSCTMP" org.vigil.bench.agents.MonitorOverhead heartbeat Dummy "$RUNS" \
        state="$STATE" 2>/dev/null | sed -n 's/.*median_ms=\([0-9.]*\).*status=\(.*\)/\1 \2/p')
    [[ "${v#* }" == "OK" ]] || { echo "monitor-overhead: Vigil's monitor did not return OK: $v" >&2; exit 1; }
    v="${v% *}"
    c=$(hf "crm_resource --force-check --class ocf --provider heartbeat --agent Dummy --option state=$STATE")
    D+=("$d"); V+=("$v"); C+=("$c")
    printf '%-6s %10s %10s %10s\n' "$r" "$d" "$v" "$c"
done
dm=$(median "${D[@]}"); vm=$(median "${V[@]}"); cm=$(median "${C[@]}")
printf '%-6s %10s %10s %10s\n' median "$dm" "$vm" "$cm"
python3 - "$dm" "$vm" "$cm" <<'PY'
import sys
d, v, c = map(float, sys.argv[1:])
print("ratio to direct: vigil %.2fx (target <= 1.10x: %s), crm_resource --force-check %.2fx"
      % (v / d, "met" if v / d <= 1.10 else "NOT met", c / d))
PY
