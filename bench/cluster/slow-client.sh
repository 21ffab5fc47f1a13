#!/bin/bash
# slow-client.sh: a CPG member that stops reading for a while (SIGSTOP for STOP_S s, then SIGCONT) while a
# sender on node1 sends SECS s of SIZE-byte messages: does the stalled member still get every message, in order?
# corosync 3.1.7 (the anchor's vcpgbench) and Vigil (CpgBench) in one run, 3 nodes, udpu, seed timing.
# The stalled receiver is on node2, a normal receiver on node3.
#
# Env: SECS=5 SIZE=64 STOP_S=4 SYSTEMS="cs vg" BENCH_RT
# Output: one line per system on stdout ("complete" or what was lost); raw lines in
# $BENCH_RT/results/slow-client-<time>.raw.
source "$(dirname "$0")/lib.sh"
SECS=${SECS:-5}; SIZE=${SIZE:-64}; STOP_S=${STOP_S:-4}; SYSTEMS=${SYSTEMS:-cs vg}
preflight
RAW="$RESULTS/slow-client-$(date +%Y%m%d-%H%M%S).raw"
W="$BRT/work"; mkdir -p "$W"
header "slow-client secs=$SECS size=$SIZE stop_s=$STOP_S" > "$RAW"
LIM=$(( SECS + STOP_S + 120 ))

for sys in $SYSTEMS; do
  if [ "$sys" = cs ]; then cs_start seed; else vigil_start seed; fi
  sleep 2
  pids=()
  for i in 2 3; do
    if [ "$sys" = cs ]; then
      timeout -k 5 "$LIM" "$ANCHOR/node-exec.sh" "$i" "$TOOLS/vcpgbench" recv -t 5 -g slow > "$W/slow-recv$i.out" 2>&1 &
    else
      timeout -k 5 "$LIM" java -XX:+UseSerialGC -cp "$BENCH_JAR" org.vigil.bench.cpg.CpgBench recv \
        --socket "$(vnode_dir "$i")/vigil.sock" -t 5 -g slow > "$W/slow-recv$i.out" 2>&1 &
    fi
    pids+=($!); BG_PIDS+=($!)
  done
  sleep 3   # both receivers joined (the sender waits for 3 members too)
  # the receiver process itself (timeout's child; node-exec.sh and java exec, so it is the direct child)
  rp=$(pgrep -P "${pids[0]}" | head -1)
  if [ "$sys" = cs ]; then
    timeout -k 5 "$LIM" "$ANCHOR/node-exec.sh" 1 "$TOOLS/vcpgbench" send -s "$SIZE" -t "$SECS" -w 3 -g slow > "$W/slow-send.out" 2>&1 &
  else
    timeout -k 5 "$LIM" java -XX:+UseSerialGC -cp "$BENCH_JAR" org.vigil.bench.cpg.CpgBench send \
      --socket "$(vnode_dir 1)/vigil.sock" -s "$SIZE" -t "$SECS" -w 3 -g slow > "$W/slow-send.out" 2>&1 &
  fi
  sp=$!; BG_PIDS+=($sp)
  sleep 1; kill -STOP "$rp"; log "$sys: receiver on node2 (pid $rp) stopped for $STOP_S s"
  sleep "$STOP_S"; kill -CONT "$rp"
  wait "$sp"; ss=$?
  wait "${pids[0]}"; s2=$?; wait "${pids[1]}"; s3=$?
  { sed "s/^/sys=$sys send status=$ss: /" "$W/slow-send.out"
    sed "s/^/sys=$sys recv node2 (stalled) status=$s2: /" "$W/slow-recv2.out"
    sed "s/^/sys=$sys recv node3 status=$s3: /" "$W/slow-recv3.out"; } >> "$RAW"
  if [ "$sys" = cs ]; then sent=$(kv sent_ok < "$W/slow-send.out"); k=msgs; else sent=$(kv sent < "$W/slow-send.out"); k=delivered; fi
  got2=$(grep '^RESULT' "$W/slow-recv2.out" | kv "$k"); got3=$(grep '^RESULT' "$W/slow-recv3.out" | kv "$k")
  verdict="complete"
  [ "${got2:-x}" = "${sent:-y}" ] && [ "${got3:-x}" = "${sent:-y}" ] || verdict="INCOMPLETE"
  extra=$(grep -hE '^(ORDER|CLOSED_BY_NODE|ORDER_VIOLATIONS)' "$W/slow-recv2.out" | head -3 | tr '\n' ' ')
  echo "$([ "$sys" = cs ] && echo corosync || echo Vigil): sent ${sent:-NA}; stalled node2 got ${got2:-NA} (exit $s2); node3 got ${got3:-NA} (exit $s3): $verdict ${extra}" | tee -a "$RAW"
  if [ "$sys" = cs ]; then cs_stop; else vigil_stop; fi
done
echo "raw: $RAW"
