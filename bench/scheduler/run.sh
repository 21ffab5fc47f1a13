#!/usr/bin/env bash
# bench/scheduler/run.sh -- vigil simulate against Pacemaker 2.1.5's crm_simulate, side by side in one run.
#
# For each NODESxRESOURCES size, generates a CIB with the anchor's gen-cib.py (the same generator and options as
# ../shared/anchors/corosync/measure-scheduler.sh), then on that same file:
#   1. runs `crm_simulate -R -x F` and `vigil simulate -R -x F` once and checks that the two Transition Summary
#      sections are equal (compare.py's semantics: multiset of items, white space collapsed);
#   2. times both as whole processes with hyperfine (median of RUNS; fewer runs when one crm_simulate run is
#      long, as the anchor script does);
#   3. (unless JMH=0) times vigil's warm in-JVM scheduling with the JMH SchedulerBenchmark (parse + schedule).
# Prints a table with the medians and the ratios crm_simulate / vigil, and vigil's cost per node x resource
# (to show the growth).
#
# Needs: crm_simulate (Debian pacemaker-cli-utils), hyperfine, python3, a JDK 17 and Maven (to build).
# Env: SIZES="3x100 16x1000 32x1000"  RUNS=5  MAXRUNS_SECS=300  JMH=1  SHARED=../shared  OUT=bench/target/scheduler
#      SEED=1 (gen-cib.py --seed)
# Bounded: every run is under `timeout`; nothing is left running.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
[[ -d "$SHARED" ]] || SHARED=/work/shared
GEN="$SHARED/anchors/corosync/cib/gen-cib.py"
SIZES="${SIZES:-3x100 16x1000 32x1000}"
RUNS="${RUNS:-5}"
MAXRUNS_SECS="${MAXRUNS_SECS:-300}"
TIMEOUT_S="${TIMEOUT_S:-600}"
JMH="${JMH:-1}"
SEED="${SEED:-1}"
OUT="${OUT:-$ROOT/bench/target/scheduler}"
VIGIL="$ROOT/vigil"

die() { echo "run.sh: $*" >&2; exit 1; }
command -v crm_simulate >/dev/null || die "crm_simulate not found: apt-get install -y pacemaker-cli-utils"
command -v hyperfine >/dev/null || die "hyperfine not found: apt-get install -y hyperfine"
[[ -x "$GEN" ]] || [[ -f "$GEN" ]] || die "generator not found: $GEN (set SHARED=path/to/shared)"

mkdir -p "$OUT"
if [[ ! -f "$ROOT/distribution/target/lib/crm.jar" ]]; then
    (cd "$ROOT" && mvn -q -B -DskipTests package) || die "build failed"
fi
if [[ "$JMH" == 1 && ! -f "$ROOT/bench/target/benchmarks.jar" ]]; then
    (cd "$ROOT" && mvn -q -B -DskipTests -pl bench -am package) || die "benchmark build failed"
fi

# Transition Summary items, normalised like compare.py, sorted (one per line)
summary_items() {
    python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding='utf-8', errors='replace').read().splitlines()
try:
    i = next(n for n, l in enumerate(lines) if l.strip() == 'Transition Summary:')
except StopIteration:
    sys.exit(1)
out = []
for l in lines[i + 1:]:
    if not l.strip():
        continue
    if not l[0].isspace():
        break
    s = ' '.join(l.split())
    s = re.sub(r'\(\s+', '(', s); s = re.sub(r'\s+\)', ')', s)
    s = re.sub(r'\bMaster\b', 'Promoted', s); s = re.sub(r'\bSlave\b', 'Unpromoted', s)
    out.append(s)
print('\n'.join(sorted(out)))
PY
}

echo "# scheduler benchmark, $(date -Is), $(crm_simulate --version | head -1), $(java -version 2>&1 | head -1)"
echo "# $(nproc) CPUs, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-8s %8s %12s %12s %8s %12s %8s %12s %s\n" size actions crm_sim_s vigil_s ratio vigil_jmh_ms ratio_jmh \
    vigil_us/NxR summaries
for size in $SIZES; do
    n=${size%x*}; r=${size#*x}
    cib="$OUT/cib-${size}.xml"
    [[ -f "$cib" ]] || python3 "$GEN" --nodes "$n" --resources "$r" --seed "$SEED" > "$cib"
    timeout "$TIMEOUT_S" crm_simulate -R -x "$cib" > "$OUT/crm-${size}.out" 2>"$OUT/crm-${size}.err" \
        || die "crm_simulate failed on $cib (see $OUT/crm-${size}.err)"
    timeout "$TIMEOUT_S" "$VIGIL" simulate -R -x "$cib" > "$OUT/vigil-${size}.out" 2>"$OUT/vigil-${size}.err" \
        || die "vigil simulate failed on $cib (see $OUT/vigil-${size}.err)"
    summary_items "$OUT/crm-${size}.out" > "$OUT/crm-${size}.items"
    summary_items "$OUT/vigil-${size}.out" > "$OUT/vigil-${size}.items"
    if cmp -s "$OUT/crm-${size}.items" "$OUT/vigil-${size}.items"; then same=equal; else same=DIFFERENT; fi
    actions=$(wc -l < "$OUT/crm-${size}.items")
    # runs: as many as fit in MAXRUNS_SECS for the slower command (at least 2)
    t0=$(date +%s.%N); timeout "$TIMEOUT_S" crm_simulate -R -x "$cib" >/dev/null 2>&1; t1=$(date +%s.%N)
    one=$(echo "$t1 - $t0" | bc)
    runs=$(echo "$MAXRUNS_SECS / ($one + 0.01)" | bc); [[ $runs -gt $RUNS ]] && runs=$RUNS; [[ $runs -lt 2 ]] && runs=2
    hyperfine -N --runs "$runs" --warmup 1 --export-json "$OUT/hf-${size}.json" \
        -n crm_simulate "crm_simulate -R -x $cib" -n vigil "$VIGIL simulate -R -x $cib" > "$OUT/hf-${size}.txt" 2>&1 \
        || die "hyperfine failed (see $OUT/hf-${size}.txt)"
    read -r crm vig < <(python3 -c "
import json; r = json.load(open('$OUT/hf-${size}.json'))['results']
m = {x['command']: x['median'] for x in r}; print('%.3f %.3f' % (m['crm_simulate'], m['vigil']))")
    jmh=-; rjmh=-
    if [[ "$JMH" == 1 ]]; then
        java -jar "$ROOT/bench/target/benchmarks.jar" 'SchedulerBenchmark.parseAndSchedule' -p cibDir="$OUT" \
            -p size="$size" -rf json -rff "$OUT/jmh-${size}.json" > "$OUT/jmh-${size}.txt" 2>&1 \
            || die "JMH failed (see $OUT/jmh-${size}.txt)"
        jmh=$(python3 -c "import json; print('%.1f' % json.load(open('$OUT/jmh-${size}.json'))[0]['primaryMetric']['score'])")
        rjmh=$(python3 -c "print('%.0f' % ($crm * 1000 / $jmh))")
    fi
    ratio=$(python3 -c "print('%.1f' % ($crm / $vig))")
    per=$(python3 -c "print('%.2f' % (($jmh if '$jmh' != '-' else $vig * 1000) * 1000 / ($n * $r)))")
    printf "%-8s %8s %12s %12s %8s %12s %8s %12s %s\n" "$size" "$actions" "$crm" "$vig" "${ratio}x" "$jmh" \
        "${rjmh}x" "$per" "$same (runs=$runs)"
done
echo "# crm_sim_s, vigil_s: median wall time of the whole process (hyperfine -N); vigil_jmh_ms: warm in-JVM"
echo "# parse+schedule (JMH average); ratio = crm_simulate / vigil; vigil_us/NxR: vigil's time per node x resource"
echo "# (JMH when run, else process) in microseconds; raw files in $OUT"
