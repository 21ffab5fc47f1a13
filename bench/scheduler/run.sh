#!/usr/bin/env bash
# bench/scheduler/run.sh -- vigil simulate against Pacemaker 2.1.5's crm_simulate, side by side in one run.
#
# For each NODESxRESOURCES size, generates a CIB with the anchor's gen-cib.py (the same generator and options as
# ../shared/anchors/corosync/measure-scheduler.sh), then on that same file:
#   1. runs `crm_simulate -R -x F` once (bounded by CRM_TIMEOUT_S; a size where it does not finish is reported as
#      such and compared with nothing) and `vigil simulate -R -x F`, and checks that the two Transition Summary
#      sections are equal (compare.py's semantics: multiset of items, white space collapsed); crm_simulate's items
#      are left in OUT/crm-SIZE.items, where the JMH benchmark checks its own transition against them too;
#   2. times both as whole processes with hyperfine (median of RUNS) when one crm_simulate run takes less than
#      HYPERFINE_MAX_S, else reports the single timed run;
#   3. (unless JMH=0) times vigil's warm in-JVM scheduling with the JMH SchedulerBenchmark (parse + schedule), and
#      (unless CPU=0) measures the scheduling thread's CPU time per run with SchedulerCpuTime (on a loaded machine
#      wall time mostly measures the wait for a CPU; the CPU time shows how the work grows).
# Prints a table with the medians, the ratios crm_simulate / vigil, vigil's cost per node x resource, and the
# growth of vigil's JMH time against the previous size with the same resources (2x nodes) or nodes (5x resources).
#
# Needs: crm_simulate (Debian pacemaker-cli-utils), hyperfine, python3, a JDK 17 and Maven (to build).
# Env: SIZES="16x1000 32x1000 64x1000 16x5000 32x5000 64x5000"  RUNS=5  HYPERFINE_MAX_S=30  CRM_TIMEOUT_S=900
#      JMH=1  CPU=1  SHARED=../shared  OUT=bench/target/scheduler  SEED=1 (gen-cib.py --seed)
# Bounded: every run is under `timeout`; nothing is left running.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
[[ -d "$SHARED" ]] || SHARED=/work/shared
GEN="$SHARED/anchors/corosync/cib/gen-cib.py"
SIZES="${SIZES:-16x1000 32x1000 64x1000 16x5000 32x5000 64x5000}"
RUNS="${RUNS:-5}"
HYPERFINE_MAX_S="${HYPERFINE_MAX_S:-30}"
CRM_TIMEOUT_S="${CRM_TIMEOUT_S:-900}"
TIMEOUT_S="${TIMEOUT_S:-900}"
JMH="${JMH:-1}"
CPU="${CPU:-1}"
SEED="${SEED:-1}"
OUT="${OUT:-$ROOT/bench/target/scheduler}"
VIGIL="$ROOT/vigil"

die() { echo "run.sh: $*" >&2; exit 1; }
command -v crm_simulate >/dev/null || die "crm_simulate not found: apt-get install -y pacemaker-cli-utils"
command -v hyperfine >/dev/null || die "hyperfine not found: apt-get install -y hyperfine"
[[ -x "$GEN" ]] || [[ -f "$GEN" ]] || die "generator not found: $GEN (set SHARED=path/to/shared)"

mkdir -p "$OUT"
if [[ ! -f "$ROOT/distribution/target/lib/crm-scheduler.jar" || ! -f "$ROOT/distribution/target/lib/crm-api.jar" ]]
then
    (cd "$ROOT" && mvn -q -B -DskipTests package) || die "build failed"
fi
if [[ ( "$JMH" == 1 || "$CPU" == 1 ) && ! -f "$ROOT/bench/target/benchmarks.jar" ]]; then
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
printf "%-8s %8s %12s %12s %8s %12s %8s %12s %14s %10s %14s %s\n" size actions crm_sim_s vigil_s ratio vigil_jmh_ms \
    ratio_jmh vigil_us/NxR growth cpu_ms cpu_growth summaries
declare -A JMHMS CPUMS
for size in $SIZES; do
    n=${size%x*}; r=${size#*x}
    cib="$OUT/cib-${size}.xml"
    [[ -f "$cib" ]] || python3 "$GEN" --nodes "$n" --resources "$r" --seed "$SEED" > "$cib"
    rm -f "$OUT/crm-${size}.items"
    timeout "$TIMEOUT_S" "$VIGIL" simulate -R -x "$cib" > "$OUT/vigil-${size}.out" 2>"$OUT/vigil-${size}.err" \
        || die "vigil simulate failed on $cib (see $OUT/vigil-${size}.err)"
    summary_items "$OUT/vigil-${size}.out" > "$OUT/vigil-${size}.items"
    actions=$(wc -l < "$OUT/vigil-${size}.items")
    t0=$(date +%s.%N)
    if timeout "$CRM_TIMEOUT_S" crm_simulate -R -x "$cib" > "$OUT/crm-${size}.out" 2>"$OUT/crm-${size}.err"; then
        t1=$(date +%s.%N)
        one=$(echo "$t1 - $t0" | bc)
        summary_items "$OUT/crm-${size}.out" > "$OUT/crm-${size}.items"
        if cmp -s "$OUT/crm-${size}.items" "$OUT/vigil-${size}.items"; then same=equal; else same=DIFFERENT; fi
    else
        rc=$?
        [[ $rc == 124 ]] || die "crm_simulate failed on $cib (see $OUT/crm-${size}.err)"
        one=-; same="crm_simulate did not finish in ${CRM_TIMEOUT_S}s"
    fi
    if [[ "$one" != - ]] && (( $(echo "$one < $HYPERFINE_MAX_S" | bc) )); then
        hyperfine -N --runs "$RUNS" --warmup 1 --export-json "$OUT/hf-${size}.json" \
            -n crm_simulate "crm_simulate -R -x $cib" -n vigil "$VIGIL simulate -R -x $cib" > "$OUT/hf-${size}.txt" 2>&1 \
            || die "hyperfine failed (see $OUT/hf-${size}.txt)"
        read -r crm vig < <(python3 -c "
import json; r = json.load(open('$OUT/hf-${size}.json'))['results']
m = {x['command']: x['median'] for x in r}; print('%.3f %.3f' % (m['crm_simulate'], m['vigil']))")
        runs="runs=$RUNS"
    else
        # one run each (crm_simulate's above, vigil's now)
        crm=$( [[ "$one" == - ]] && echo - || printf '%.3f' "$one")
        t0=$(date +%s.%N); timeout "$TIMEOUT_S" "$VIGIL" simulate -R -x "$cib" >/dev/null 2>&1; t1=$(date +%s.%N)
        vig=$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")
        runs="runs=1"
    fi
    jmh=-; rjmh=-; growth=-
    if [[ "$JMH" == 1 ]]; then
        java -jar "$ROOT/bench/target/benchmarks.jar" 'SchedulerBenchmark.parseAndSchedule' -p cibDir="$OUT" \
            -p size="$size" -rf json -rff "$OUT/jmh-${size}.json" > "$OUT/jmh-${size}.txt" 2>&1 \
            || die "JMH failed (see $OUT/jmh-${size}.txt)"
        python3 -c "import json, sys; sys.exit(0 if json.load(open('$OUT/jmh-${size}.json')) else 1)" \
            || die "JMH gave no result (see $OUT/jmh-${size}.txt)"
        jmh=$(python3 -c "import json; print('%.1f' % json.load(open('$OUT/jmh-${size}.json'))[0]['primaryMetric']['score'])")
        JMHMS[$size]=$jmh
        [[ "$crm" != - ]] && rjmh=$(python3 -c "print('%.0f' % ($crm * 1000 / $jmh))")
        # growth against the size with half the nodes, else a fifth of the resources
        for prev in "$((n / 2))x$r" "${n}x$((r / 5))"; do
            if [[ -n "${JMHMS[$prev]:-}" ]]; then
                growth=$(python3 -c "print('%.2fx' % ($jmh / ${JMHMS[$prev]}))")"/$prev"
                break
            fi
        done
    fi
    cpu=-; cgrowth=-
    if [[ "$CPU" == 1 ]]; then
        java -Xss64m -Xmx4g -Xmn2g -XX:+UseSerialGC -cp "$ROOT/bench/target/benchmarks.jar" \
            org.vigil.bench.crm.SchedulerCpuTime "$cib" 5 5 > "$OUT/cpu-${size}.txt" 2>&1 \
            || die "SchedulerCpuTime failed (see $OUT/cpu-${size}.txt)"
        cpu=$(sed -n 's/.*cpu_ms=\([0-9.]*\).*/\1/p' "$OUT/cpu-${size}.txt")
        CPUMS[$size]=$cpu
        for prev in "$((n / 2))x$r" "${n}x$((r / 5))"; do
            if [[ -n "${CPUMS[$prev]:-}" ]]; then
                cgrowth=$(python3 -c "print('%.2fx' % ($cpu / ${CPUMS[$prev]}))")"/$prev"
                break
            fi
        done
    fi
    ratio=-; [[ "$crm" != - ]] && ratio=$(python3 -c "print('%.1f' % ($crm / $vig))")x
    if [[ "$jmh" != - ]]; then basis_ms=$jmh; else basis_ms=$(python3 -c "print($vig * 1000)"); fi
    per=$(python3 -c "print('%.2f' % ($basis_ms * 1000 / ($n * $r)))")
    printf "%-8s %8s %12s %12s %8s %12s %8s %12s %14s %10s %14s %s\n" "$size" "$actions" "$crm" "$vig" "$ratio" \
        "$jmh" "${rjmh}x" "$per" "$growth" "$cpu" "$cgrowth" "$same ($runs)"
done
echo "# crm_sim_s, vigil_s: median wall time of the whole process (hyperfine -N) or one timed run; vigil_jmh_ms:"
echo "# warm in-JVM parse+schedule (JMH average); ratio = crm_simulate / vigil; vigil_us/NxR: vigil's time per"
echo "# node x resource (JMH when run, else process) in microseconds; growth: JMH time against the size with half"
echo "# the nodes (or a fifth of the resources); cpu_ms: the scheduling thread's CPU time per warm run"
echo "# (SchedulerCpuTime), cpu_growth likewise; raw files in $OUT"
