#!/bin/bash
# throughput.sh: ordered-message (agreed order) CPG throughput, corosync 3.1.7 vs Vigil, in one run.
#
# 3 nodes, transport udpu, the seed timing profile, crypto off, same namespaces and addresses (corosync port
# 5405, Vigil port 5505). First corosync (started with the anchor's gen-conf.sh/cluster-start.sh, load from the
# anchor's vcpgbench run through node-exec.sh, exactly as its measure-throughput.sh does), then Vigil (load from
# org.vigil.bench.cpg.CpgBench, the same shape, through each node's socket file). Never both loaded at once.
#   A: one sender on node1 (send -s SIZES -t SECS -w 3), receivers on node2 and node3 (recv -t 3) that count
#      every message (and, for Vigil, check each sender's sequence: gaps/reordering);
#   B: three concurrent senders, one per node (send -s SIZES -t SECS -w 3); node1's delivered/s is the
#      aggregate ordered rate.
# msgs/s = messages delivered to the sender (in agreed order) during its timed window / window length.
# Before the measured runs each system gets one untimed warm-up run of shape A with 2 s per size (WARMUP=0: none).
#
# Env: RUNS=3 SECS=5 SIZES=64,40000 (e.g. 64,320,1600,8000,40000) WARMUP=1 SYSTEMS="cs vg"
#      CS_SCHED_RR=no (corosync without its default SCHED_RR), VIGIL_JAVA_OPTS (node JVM options), BENCH_RT.
# Output: the table on stdout; raw lines in $BENCH_RT/results/throughput-<time>.raw (never in the repository).
# Bounded: every client runs under `timeout`; nodes and clients are stopped by pid on exit.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}; SECS=${SECS:-5}; SIZES=${SIZES:-64,40000}; WARMUP=${WARMUP:-1}; SYSTEMS=${SYSTEMS:-cs vg}
NSIZES=$(echo "$SIZES" | tr ',' '\n' | grep -c .)
preflight
STAMP=$(date +%Y%m%d-%H%M%S)
RAW="$RESULTS/throughput-$STAMP.raw"
OUTT="$RESULTS/throughput-$STAMP.txt"
W="$BRT/work"; mkdir -p "$W"
header "throughput runs=$RUNS secs=$SECS sizes=$SIZES warmup=$WARMUP profile=seed transport=udpu" > "$RAW"
log "raw output: $RAW"

# limits (s): a sender may wait 60 s for members; a Vigil sender drains up to 30 s per size
SEND_LIMIT=$(( NSIZES * (SECS + 35) + 90 ))
RECV_LIMIT=$(( SEND_LIMIT + 30 ))

# tag SYS TEST RUN ROLE NODE STATUS: prefixes each RESULT/other line of a client's output file
tag() { sed -e "s/^RESULT /RESULT sys=$1 test=$2 run=$3 role=$4 node=$5 status=$6 /" -e "/^RESULT /!s/^/# sys=$1 test=$2 run=$3 role=$4 node=$5: /"; }

# client SYS MODE NODE ARGS...: one load-generator process for node NODE (stdout only)
client() {
  local sys=$1 mode=$2 i=$3; shift 3
  local lim=$SEND_LIMIT; [ "$mode" = recv ] && lim=$RECV_LIMIT
  if [ "$sys" = cs ]; then
    timeout -k 5 "$lim" "$ANCHOR/node-exec.sh" "$i" "$TOOLS/vcpgbench" "$mode" "$@"
  else
    timeout -k 5 "$lim" java -XX:+UseSerialGC -cp "$BENCH_JAR" org.vigil.bench.cpg.CpgBench "$mode" \
      --socket "$(vnode_dir "$i")/vigil.sock" "$@"
  fi
}
# srp SYS: node1's Totem counters "orf_token_rx mcast_tx mcast_rx mcast_retx" (corosync's stats.srp.* names)
# and its read/write system calls "syscr syscw" (/proc/PID/io: read/write-family calls only, not sendmsg/recvmsg)
# and context switches "ctxsw" (all threads)
srp() {
  local out
  if [ "$1" = cs ]; then out=$("$ANCHOR/node-exec.sh" 1 corosync-cmapctl -m stats stats.srp. 2>/dev/null)
  else out=$(vadmin 1 corosync-cmapctl -m stats stats.srp. 2>/dev/null); fi
  local k; for k in orf_token_rx mcast_tx mcast_rx mcast_retx; do
    printf '%s ' "$(echo "$out" | sed -n "s/^stats\.srp\.$k ([a-z0-9]*) = //p")"; done
  # and node1's read and write system calls (/proc/PID/io)
  awk '/^syscr/{r=$2} /^syscw/{w=$2} END{printf "%s %s ", r, w}' "/proc/$(daemon_pid "$1" 1)/io"
  # and the context switches of all its threads (voluntary + involuntary)
  cat /proc/"$(daemon_pid "$1" 1)"/task/*/status 2>/dev/null | awk '/ctxt_switches/{s+=$2} END{print s+0}'
}
# srp_delta SYS TEST BEFORE AFTER SECONDS: appends node1's counter deltas for a test to $RAW
srp_delta() {
  read -r a1 a2 a3 a4 a5 a6 a7 <<< "$3"; read -r b1 b2 b3 b4 b5 b6 b7 <<< "$4"
  echo "# sys=$1 test=$2 node1 srp deltas over ${5}s: token_rx=$((b1 - a1)) ($(( (b1 - a1) / $5 ))/s) mcast_tx=$((b2 - a2)) mcast_rx=$((b3 - a3)) mcast_retx=$((b4 - a4)) syscr=$((b5 - a5)) syscw=$((b6 - a6)) ctxsw=$((b7 - a7))" >> "$RAW"
}
daemon_pid() { if [ "$1" = cs ]; then cs_pid "$2"; else vigil_pid "$2"; fi; }
cluster_ticks() { local s=0 i; for i in 1 2 3; do s=$(( s + $(cpu_ticks "$(daemon_pid "$1" "$i")") )); done; echo "$s"; }

# shape_a SYS RUN SECS: one sender on node1, receivers on node2+3; appends tagged lines to $RAW (run 0 = warm-up)
shape_a() {
  local sys=$1 r=$2 secs=$3 i pids=() st
  for i in 2 3; do
    client "$sys" recv "$i" -t 3 -g "bm$sys" > "$W/recv$i.out" 2> "$W/recv$i.err" &
    pids+=($!); BG_PIDS+=($!)
  done
  sleep 0.5
  client "$sys" send 1 -s "$SIZES" -t "$secs" -w 3 -g "bm$sys" > "$W/send1.out" 2> "$W/send1.err"; st=$?
  [ "$r" = 0 ] || tag "$sys" A "$r" send 1 "$st" < "$W/send1.out" >> "$RAW"
  for i in 2 3; do
    wait "${pids[$((i - 2))]}"; local rs=$?
    [ "$r" = 0 ] || tag "$sys" A "$r" recv "$i" "$rs" < "$W/recv$i.out" >> "$RAW"
  done
  [ "$r" = 0 ] || grep -h '^ORDER' "$W"/send1.err "$W"/recv[23].err 2>/dev/null | sed "s/^/# sys=$sys test=A run=$r: /" >> "$RAW"
}
# shape_b SYS RUN: three concurrent senders
shape_b() {
  local sys=$1 r=$2 i pids=() st
  for i in 1 2 3; do
    client "$sys" send "$i" -s "$SIZES" -t "$SECS" -w 3 -g "bm$sys" > "$W/send$i.out" 2> "$W/send$i.err" &
    pids+=($!); BG_PIDS+=($!)
  done
  for i in 1 2 3; do
    wait "${pids[$((i - 1))]}"; st=$?
    tag "$sys" B "$r" send "$i" "$st" < "$W/send$i.out" >> "$RAW"
  done
  grep -h '^ORDER' "$W"/send[123].err 2>/dev/null | sed "s/^/# sys=$sys test=B run=$r: /" >> "$RAW"
}

run_system() {
  local sys=$1 r t0 t1 name s0 s1 w0 w1
  name=$([ "$sys" = cs ] && echo "corosync" || echo "Vigil")
  log "$name: starting the 3-node cluster (udpu, seed)"
  if [ "$sys" = cs ]; then cs_start seed; else vigil_start seed; fi
  sleep 2
  echo "# sys=$sys start $(date -Is) $(bg_load | sed 's/^# //')" >> "$RAW"
  if [ "$WARMUP" = 1 ]; then log "$name: warm-up run (2 s per size, not counted)"; shape_a "$sys" 0 2; fi
  t0=$(cluster_ticks "$sys"); s0=$(srp "$sys"); w0=$(date +%s)
  for r in $(seq 1 "$RUNS"); do log "$name run $r/$RUNS: A (one sender, two receivers)"; shape_a "$sys" "$r" "$SECS"; done
  t1=$(cluster_ticks "$sys"); s1=$(srp "$sys"); w1=$(date +%s)
  srp_delta "$sys" A "$s0" "$s1" $(( w1 - w0 ))
  echo "# sys=$sys test=A daemon_cpu_s=$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l | xargs printf '%.2f')" >> "$RAW"
  echo "# sys=$sys mid $(bg_load | sed 's/^# //')" >> "$RAW"
  t0=$t1
  for r in $(seq 1 "$RUNS"); do log "$name run $r/$RUNS: B (three senders)"; shape_b "$sys" "$r"; done
  t1=$(cluster_ticks "$sys"); s0=$s1; s1=$(srp "$sys"); w0=$w1; w1=$(date +%s)
  srp_delta "$sys" B "$s0" "$s1" $(( w1 - w0 ))
  echo "# sys=$sys test=B daemon_cpu_s=$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l | xargs printf '%.2f')" >> "$RAW"
  local p; p=$(daemon_pid "$sys" 1)
  echo "# sys=$sys node1 daemon after the runs: $(grep -E 'VmRSS|VmHWM|Threads' /proc/$p/status | tr -s ' \t' ' ' | tr '\n' ' ')" >> "$RAW"
  echo "# sys=$sys end $(date -Is) $(bg_load | sed 's/^# //')" >> "$RAW"
  if [ "$sys" = cs ]; then cs_stop; else vigil_stop; fi
}

for s in $SYSTEMS; do run_system "$s"; done

# ---- summary ----------------------------------------------------------------------------------------------
sel() { grep "^RESULT sys=$1 test=$2 " "$RAW" | grep " role=$3 " | grep " node=$4 "; }
rate_values() { sel "$1" "$2" send 1 | grep " size=$3 " | kv msgs_per_s; }
# short SYS TEST SIZE: " (k/RUNS runs)" when some runs gave no figure (a client failed: see the raw file)
short() { local n; n=$(rate_values "$1" "$2" "$3" | grep -c .); [ "$n" -lt "$RUNS" ] && echo " ($n/$RUNS runs)"; }
{
echo "== CPG agreed-order throughput, 3 nodes, udpu, seed timing: corosync 3.1.7 vs Vigil (same run)"
grep -E '^# (throughput|loadavg)' "$RAW" | head -2
grep -E '^# sys=.* (start|end) ' "$RAW"
echo "msgs/s: median [min–max] of $RUNS runs (fewer where a client failed), $SECS s per size; MB/s from the median"
printf "%-34s %8s %34s %34s %8s\n" "test" "size B" "corosync msgs/s" "Vigil msgs/s" "Vigil/cs"
for test in A B; do
  label=$([ $test = A ] && echo "A one sender (node1), 2 receivers" || echo "B three senders (node1 delivered)")
  for size in $(echo "$SIZES" | tr ',' ' '); do
    c=$(rate_values cs $test "$size" | med); v=$(rate_values vg $test "$size" | med)
    printf "%-34s %8s %34s %34s %8s\n" "$label" "$size" "$(rate_values cs $test "$size" | stats)$(short cs $test "$size")" \
      "$(rate_values vg $test "$size" | stats)$(short vg $test "$size")" "$(ratio "$v" "$c")"
  done
done
echo "MB/s (medians): $(for test in A B; do for size in $(echo "$SIZES" | tr ',' ' '); do
  c=$(rate_values cs $test "$size" | med); v=$(rate_values vg $test "$size" | med)
  printf "%s/%s B: cs %s vg %s; " "$test" "$size" "$(awk -v r="$c" -v s="$size" 'BEGIN{if (r=="NA") print "NA"; else printf "%.2f", r*s/1e6}')" \
    "$(awk -v r="$v" -v s="$size" 'BEGIN{if (r=="NA") print "NA"; else printf "%.2f", r*s/1e6}')"; done; done)"
echo "completeness (A: every receiver must get every message sent; Vigil clients also check per-sender order):"
for sys in cs vg; do
  for r in $(seq 1 "$RUNS"); do
    if [ "$sys" = cs ]; then sent=$(sel cs A send 1 | grep " run=$r " | kv sent_ok | paste -sd+ | bc)
    else sent=$(sel vg A send 1 | grep " run=$r " | kv sent | paste -sd+ | bc); fi
    line="  $sys run $r: sent ${sent:-NA}"
    for i in 2 3; do
      if [ "$sys" = cs ]; then got=$(sel cs A recv "$i" | grep " run=$r " | kv msgs)
      else got=$(sel vg A recv "$i" | grep " run=$r " | kv delivered); fi
      line="$line; node$i got ${got:-NA}"
      [ "${got:-x}" = "${sent:-y}" ] || line="$line (MISMATCH)"
    done
    echo "$line"
  done
  bad=$(grep "^RESULT sys=$sys " "$RAW" | grep -v ' status=0 ' | wc -l)
  gaps=$(grep "^RESULT sys=$sys " "$RAW" | kv gaps | awk '{s+=$1} END {print s+0}')
  closed=$(grep -c "^# sys=$sys .*CLOSED_BY_NODE" "$RAW")
  echo "  $sys: client lines with non-zero exit status: $bad; order gaps/reorderings seen by clients: $gaps; connections ended by the node: $closed"
done
grep -E '^# sys=.*(daemon_cpu_s|node1 daemon|srp deltas)' "$RAW"
for sys in cs vg; do
  for test in A B; do
    cpu=$(grep "^# sys=$sys test=$test daemon_cpu_s" "$RAW" | kv daemon_cpu_s)
    key=$([ "$sys" = cs ] && echo sent_ok || echo sent)
    msgs=$(grep "^RESULT sys=$sys test=$test " "$RAW" | grep ' role=send ' | kv "$key" | paste -sd+ | bc)
    [ -n "$cpu" ] && [ -n "$msgs" ] && echo "  $sys $test: the 3 daemons used $cpu CPU s for $msgs messages sent (all sizes, all runs): $(awk -v c="$cpu" -v m="$msgs" 'BEGIN{printf "%.1f", c*1e6/m}') µs per message"
  done
done
echo "raw: $RAW"
} | tee "$OUTT"
