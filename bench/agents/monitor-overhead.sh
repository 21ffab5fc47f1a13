#!/usr/bin/env bash
# Overhead of one `monitor` of ocf:heartbeat:Dummy, three ways on the same machine in the same run:
#   direct  the agent script run directly (hyperfine, no shell), with the OCF environment
#   vigil   through Vigil's ResourceAgent (OcfAgent + runner helper) in a warm JVM with a node's JVM flags,
#           monitors chained as the executor runs them, timed per call
#   crm     Pacemaker's `crm_resource --force-check` (no cluster needed)
# Short batches of the three alternate round after round (the Vigil JVM stays up between its batches), so that
# machine load hits them alike; the medians over rounds and the ratios to the direct run are reported (target
# for Vigil: <= 1.1x). The load average is printed too: on a busy machine every extra wake-up costs more.
#
#   bench/agents/monitor-overhead.sh [--rounds R] [--runs N]
# Needs: hyperfine, resource-agents, pacemaker-cli-utils (crm_resource), python3, and a build
# (mvn -q -DskipTests package -pl bench -am).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
ROUNDS=15
RUNS=100
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
STATE="$WORK/dummy.state"
touch "$STATE"   # a running resource: monitor returns 0 on every path
export OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=bench OCF_RESOURCE_TYPE=Dummy OCF_RESOURCE_PROVIDER=heartbeat \
    OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1 OCF_RESKEY_state="$STATE" OCF_RESKEY_CRM_meta_timeout=20000 \
    OCF_RESKEY_CRM_meta_interval=10000 HA_RSCTMP="$WORK/rsctmp"
mkdir -p "$HA_RSCTMP"

# The Vigil side: one JVM (a node's flags), warmed up, serving batches.
coproc VIGIL { exec java -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -cp "$JAR" \
    -Dvigil.agents.rsctmp="$HA_RSCTMP" org.vigil.bench.agents.MonitorOverhead heartbeat Dummy 0 \
    state="$STATE" 2>/dev/null; }
VPID=$VIGIL_PID
trap 'kill "$VPID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
read -r -t 120 ready <&"${VIGIL[0]}" || true
[[ "${ready:-}" == ready ]] || { echo "monitor-overhead: the Vigil harness did not start" >&2; exit 1; }

median() { python3 -c 'import sys,statistics; print("%.4f" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
hf() {  # hyperfine median (ms) of one command
    hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$WORK/hf.json" "$@" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f" % (r["median"]*1000))' "$WORK/hf.json"
}

declare -a D V C
echo "monitor of ocf:heartbeat:Dummy, $ROUNDS rounds x $RUNS runs each (medians in ms); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %10s %10s %10s %14s\n' round direct vigil crm_resource vigil_jvm_cpu
for r in $(seq 1 "$ROUNDS"); do
    d=$(hf "$AGENT monitor")
    echo "$RUNS" >&"${VIGIL[1]}"
    read -r -t 300 line <&"${VIGIL[0]}"
    [[ "$line" == *status=OK ]] || { echo "monitor-overhead: Vigil's monitor did not return OK: $line" >&2; exit 1; }
    v=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$line")
    cpu=$(sed -n 's/.*jvm_cpu_ms_per_call=\([0-9.]*\).*/\1/p' <<<"$line")
    c=$(hf "crm_resource --force-check --class ocf --provider heartbeat --agent Dummy --option state=$STATE")
    D+=("$d"); V+=("$v"); C+=("$c")
    printf '%-6s %10s %10s %10s %14s\n' "$r" "$d" "$v" "$c" "$cpu"
done
dm=$(median "${D[@]}"); vm=$(median "${V[@]}"); cm=$(median "${C[@]}")
printf '%-6s %10s %10s %10s\n' median "$dm" "$vm" "$cm"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$dm" "$vm" "$cm" "${D[*]}" "${V[*]}" "${C[*]}" <<'PY'
import statistics, sys
d, v, c = map(float, sys.argv[1:4])
D, V, C = ([float(x) for x in a.split()] for a in sys.argv[4:7])
print("ratio of the medians to direct: vigil %.2fx (target <= 1.10x: %s), crm_resource --force-check %.2fx"
      % (v / d, "met" if v / d <= 1.10 else "NOT met", c / d))
rv = statistics.median(b / a for a, b in zip(D, V))
rc = statistics.median(b / a for a, b in zip(D, C))
print("median of the per-round ratios (each round's batches back to back): vigil %.2fx, crm_resource %.2fx"
      % (rv, rc))
PY
