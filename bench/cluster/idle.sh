#!/bin/bash
# idle.sh: an idle 3-node ring (udpu, seed timing, no clients), corosync 3.1.7 vs Vigil, in one run, one system
# after the other (never both at once: the packet counters are per veth). The anchor's measure-idle.sh method:
# after the membership is whole, SETTLE s, then over SECS s per node: CPU % of one core (utime+stime from
# /proc/PID/stat), RSS / peak RSS (VmHWM) / PSS (smaps_rollup) / threads at the end, packets and bytes sent
# per second (the node's veth counters in the bridge namespace).
#
# Env: SECS=60 SETTLE=10 SYSTEMS="cs vg" BENCH_RT CS_SCHED_RR VIGIL_JAVA_OPTS
# Output: the table on stdout; $BENCH_RT/results/idle-<time>.txt (never in the repository).
source "$(dirname "$0")/lib.sh"
SECS=${SECS:-60}; SETTLE=${SETTLE:-10}; SYSTEMS=${SYSTEMS:-cs vg}
preflight
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$RESULTS/idle-$STAMP.txt"
HZ=$(getconf CLK_TCK)
header "idle secs=$SECS settle=$SETTLE transport=udpu profile=seed" > "$OUT"
log "output: $OUT"

measure() {
  local sys=$1 name i p
  declare -A T0 PK0 BY0 PID
  name=$([ "$sys" = cs ] && echo corosync || echo Vigil)
  log "$name: starting the 3-node cluster (udpu, seed)"
  if [ "$sys" = cs ]; then cs_start seed; else vigil_start seed; fi
  log "$name: settle $SETTLE s, then $SECS s idle"
  sleep "$SETTLE"
  for i in 1 2 3; do
    if [ "$sys" = cs ]; then PID[$i]=$(cs_pid "$i"); else PID[$i]=$(vigil_pid "$i"); fi
    T0[$i]=$(cpu_ticks "${PID[$i]}"); PK0[$i]=$(tx_packets "$i"); BY0[$i]=$(tx_bytes "$i")
  done
  local t0 t1 el
  t0=$(date +%s.%N); echo "# $name idle window start $(date -Is) $(bg_load | sed 's/^# //')" >> "$OUT"
  sleep "$SECS"
  t1=$(date +%s.%N); el=$(echo "$t1 - $t0" | bc -l)
  echo "# $name idle window end $(date -Is) $(bg_load | sed 's/^# //')" >> "$OUT"
  for i in 1 2 3; do
    p=${PID[$i]}
    kill -0 "$p" 2>/dev/null || { echo "RESULT sys=$sys node=$i pid=$p DIED" >> "$OUT"; continue; }
    read -r rss hwm pss thr <<< "$(proc_mem "$p")"
    local cpu pk by
    cpu=$(echo "($(cpu_ticks "$p") - ${T0[$i]}) / $HZ / $el * 100" | bc -l)
    pk=$(echo "($(tx_packets "$i") - ${PK0[$i]}) / $el" | bc -l)
    by=$(echo "($(tx_bytes "$i") - ${BY0[$i]}) / $el" | bc -l)
    printf "RESULT sys=%s node=%d pid=%s comm=%s cpu_pct=%.2f rss_kB=%s hwm_kB=%s pss_kB=%s threads=%s pkt_out_s=%.1f bytes_out_s=%.0f\n" \
      "$sys" "$i" "$p" "$(cat /proc/$p/comm)" "$cpu" "$rss" "$hwm" "$pss" "$thr" "$pk" "$by" >> "$OUT"
  done
  if [ "$sys" = cs ]; then cs_stop; else vigil_stop; fi
}

for s in $SYSTEMS; do measure "$s"; done

{
echo "== idle 3-node ring (udpu, seed timing, no clients), ${SECS} s after a ${SETTLE} s settle: corosync 3.1.7 vs Vigil"
grep '^#' "$OUT"
printf "%-9s %-5s %8s %9s %9s %9s %8s %10s %10s\n" system node "CPU %" "RSS MB" "HWM MB" "PSS MB" threads "pkt out/s" "B out/s"
for sys in cs vg; do
  grep "^RESULT sys=$sys " "$OUT" | while read -r line; do
    printf "%-9s %-5s %8s %9.1f %9.1f %9.1f %8s %10s %10s\n" "$([ $sys = cs ] && echo corosync || echo Vigil)" \
      "node$(echo "$line" | kv node)" "$(echo "$line" | kv cpu_pct)" "$(echo "$(echo "$line" | kv rss_kB) / 1024" | bc -l)" \
      "$(echo "$(echo "$line" | kv hwm_kB) / 1024" | bc -l)" "$(echo "$(echo "$line" | kv pss_kB) / 1024" | bc -l)" \
      "$(echo "$line" | kv threads)" "$(echo "$line" | kv pkt_out_s)" "$(echo "$line" | kv bytes_out_s)"
  done
done
for k in cpu_pct pss_kB pkt_out_s; do
  c=$(grep "^RESULT sys=cs " "$OUT" | kv $k | paste -sd+ | bc -l); v=$(grep "^RESULT sys=vg " "$OUT" | kv $k | paste -sd+ | bc -l)
  echo "sum over the 3 nodes, $k: corosync ${c:-NA}, Vigil ${v:-NA}, Vigil/corosync $(ratio "${v:-NA}" "${c:-NA}")"
done
echo "file: $OUT"
} | tee "$OUT.summary"
