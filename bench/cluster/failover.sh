#!/bin/bash
# failover.sh: failure detection and membership re-formation after kill -9 of node 3 in an idle 3-node ring,
# corosync 3.1.7 vs Vigil, udpu, in one run; seed and fast timing profiles.
#
# Profiles (the anchor's gen-conf.sh): seed = token 3000 (3650 effective with 3 nodes: token_coefficient 650),
# token_retransmits_before_loss_const 10, join 60, consensus 3600, max_messages 20; fast = token 1000,
# token_coefficient 0, join 50, consensus 1200.
# Per trial (the anchor's measure-failover.sh method, for both systems): wait until all three report 3 members,
# SETTLE s, start a poller on node2, 0.5 s, t0 = just before `kill -9` of node 3's daemon (bash
# $EPOCHREALTIME); then, in ms after t0, on node1:
#   detect = log line "A processor failed, forming new configuration" (token loss declared)
#   formed = log line "A new membership (...) was formed. Members left: 3" (new membership delivered)
#   cb     = an application's callback on node1: corosync: the anchor's cswatch, CPG totem-confchg with 2
#            members; Vigil: `CpgBench watch` (a CPG group with a watcher on node1 and one on node3), the
#            group's configuration change in which node 3's member left
#   poll   = first `corosync-quorumtool -s` on node2 showing "Nodes: 2" (polled every ~20 ms; includes the
#            tool's start: corosync's via node-exec.sh, Vigil's through its admin client)
# Log timestamps are the daemons' own (ms, wall clock); corosync logs with `timestamp: hires`.
# Then node 3 is restarted and the time until its quorum tool first answers (socket/IPC up) and until it reports 3
# members is noted (both incl. process start).
#
# Env: TRIALS=5 PROFILES="seed fast" SYSTEMS="cs vg" SETTLE=5 BENCH_RT CS_SCHED_RR VIGIL_JAVA_OPTS
# Output: the table on stdout; raw lines in $BENCH_RT/results/failover-<time>.raw (never in the repository).
source "$(dirname "$0")/lib.sh"
TRIALS=${TRIALS:-5}; PROFILES=${PROFILES:-seed fast}; SYSTEMS=${SYSTEMS:-cs vg}; SETTLE=${SETTLE:-5}
VICTIM=3
preflight
STAMP=$(date +%Y%m%d-%H%M%S)
RAW="$RESULTS/failover-$STAMP.raw"
OUTT="$RESULTS/failover-$STAMP.txt"
W="$BRT/work"; mkdir -p "$W"
header "failover trials=$TRIALS profiles='$PROFILES' settle=$SETTLE transport=udpu victim=node$VICTIM" > "$RAW"
log "raw output: $RAW"

# logts FILE PATTERN OFFSET: epoch ms of the first line matching PATTERN after byte OFFSET
logts() {
  tail -c +"$(( $3 + 1 ))" "$1" 2>/dev/null | grep -m1 -- "$2" | awk '{print $1" "$2" "$3}' \
    | { read -r d && date -d "$d" +%s%3N; }
}
members_n() { # SYS I: number of members node I reports (quorumtool "Nodes:")
  if [ "$1" = cs ]; then "$ANCHOR/node-exec.sh" "$2" corosync-quorumtool -s 2>/dev/null | awk '/^Nodes:/{print $2}'
  else vadmin "$2" corosync-quorumtool -s 2>/dev/null | awk '/^Nodes:/{print $2}'; fi
}
wait_n() { # SYS I N TIMEOUT_S
  local end=$(( $(date +%s) + $4 ))
  while [ "$(date +%s)" -lt "$end" ]; do [ "$(members_n "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
  return 1
}
d() { [ -n "$1" ] && echo $(( $1 - t0 )) || echo NA; }
# vwatch I: a CpgBench watcher in group "fowatch" on Vigil node I (output appended to $W/vwatchI.out)
vwatch() {
  timeout -k 5 3600 java -XX:+UseSerialGC -cp "$BENCH_JAR" org.vigil.bench.cpg.CpgBench watch \
    --socket "$(vnode_dir "$1")/vigil.sock" -t 3500 -g fowatch >> "$W/vwatch$1.out" 2>&1 &
  BG_PIDS+=($!); eval "VWATCH$1=$!"
  local end=$(( $(date +%s) + 30 ))
  until grep -q READY "$W/vwatch$1.out" 2>/dev/null || [ "$(date +%s)" -ge "$end" ]; do sleep 0.1; done
}

run_profile() {
  local sys=$1 prof=$2 r tok cons log1 wpid off pv pollpid tp td tf tt tj0 tsock tn n end
  rm -f "$W"/vwatch*.out "$W/cswatch1.out"
  log "$sys/$prof: starting the 3-node cluster"
  if [ "$sys" = cs ]; then
    cs_start "$prof"
    tok=$("$ANCHOR/node-exec.sh" 1 corosync-cmapctl -g runtime.config.totem.token | awk '{print $NF}')
    cons=$("$ANCHOR/node-exec.sh" 1 corosync-cmapctl -g runtime.config.totem.consensus | awk '{print $NF}')
    log1=$(cs_log 1)
    timeout -k 5 3600 "$ANCHOR/node-exec.sh" 1 "$TOOLS/cswatch" > "$W/cswatch1.out" 2>&1 &
    wpid=$!; BG_PIDS+=($wpid)
  else
    vigil_start "$prof"
    tok=$(vadmin 1 corosync-cmapctl -g runtime.config.totem.token | awk '{print $NF}')
    cons=$(vadmin 1 corosync-cmapctl -g runtime.config.totem.consensus | awk '{print $NF}')
    log1=$(vigil_log 1)
    vwatch 1; vwatch "$VICTIM"
  fi
  echo "# sys=$sys profile=$prof runtime.config.totem.token=$tok consensus=$cons $(date -Is) $(bg_load | sed 's/^# //')" >> "$RAW"
  for r in $(seq 1 "$TRIALS"); do
    wait_n "$sys" 1 3 90 && wait_n "$sys" 2 3 30 && wait_n "$sys" "$VICTIM" 3 30 \
      || { log "$sys/$prof: cluster not whole before trial $r"; echo "# sys=$sys profile=$prof trial=$r: cluster not whole" >> "$RAW"; break; }
    sleep "$SETTLE"
    off=$(stat -c %s "$log1")
    if [ "$sys" = cs ]; then pv=$(cs_pid "$VICTIM"); else pv=$(vigil_pid "$VICTIM"); fi
    ( end=$(( $(date +%s) + 60 ))
      while [ "$(date +%s)" -lt "$end" ]; do
        [ "$(members_n "$sys" 2)" = 2 ] && { ms_now; break; }
        sleep 0.02
      done > "$W/poll.out" ) &
    pollpid=$!; BG_PIDS+=($pollpid)
    sleep 0.5
    t0=$(ms_now); kill -9 "$pv"
    if [ "$sys" = cs ]; then rm -f "$(node_dir "$VICTIM")/corosync.pid"; else rm -f "$VRT/node$VICTIM.pid"; fi
    # wait (bounded) for node1's log to show the new membership, then for the poller
    for _ in $(seq 1 600); do
      grep -q "was formed. Members left: $VICTIM" <(tail -c +"$(( off + 1 ))" "$log1") && break
      sleep 0.1
    done
    wait "$pollpid" 2>/dev/null; tp=$(cat "$W/poll.out")
    sleep 0.5
    td=$(logts "$log1" "A processor failed, forming new configuration" "$off")
    tf=$(logts "$log1" "was formed. Members left: $VICTIM" "$off")
    tt=""
    if [ "$sys" = cs ]; then
      tt=$(awk -v t0="$t0" '/^TOTEM/{split($2,a,"=");split($4,m,"="); if (a[2]>=t0 && m[2]==2){print a[2]; exit}}' "$W/cswatch1.out")
    else
      tt=$(awk -v t0="$t0" -v v="$VICTIM" '/^CONFCHG/{split($2,a,"=");split($5,l,"="); if (a[2]>=t0 && ("," l[2] ",") ~ ("," v ",")){print a[2]; exit}}' "$W/vwatch1.out")
    fi
    echo "RESULT sys=$sys profile=$prof trial=$r detect_ms=$(d "$td") formed_ms=$(d "$tf") cb_ms=$(d "$tt") poll_ms=$(d "$tp")" | tee -a "$RAW" >&2
    # any other membership line in the window (e.g. node2 lost too) is worth seeing
    tail -c +"$(( off + 1 ))" "$log1" | grep -E "was formed|processor failed|Forming a new" | sed "s/^/# sys=$sys profile=$prof trial=$r log: /" >> "$RAW"
    # restart the victim and let it rejoin
    tj0=$(ms_now)
    if [ "$sys" = cs ]; then "$ANCHOR/cluster-start.sh" "$VICTIM" 2>/dev/null; else vigil_start_node "$VICTIM"; fi
    # first answer of its quorum tool (any member count: the node's socket/IPC is up), then 3 members
    tsock=""; tn=""; end=$(( $(date +%s) + 90 ))
    while [ "$(date +%s)" -lt "$end" ]; do
      n=$(members_n "$sys" "$VICTIM")
      [ -z "$tsock" ] && [ -n "$n" ] && tsock=$(ms_now)
      [ "$n" = 3 ] && { tn=$(ms_now); break; }
      sleep 0.05
    done
    if [ -n "$tn" ]; then
      echo "# sys=$sys profile=$prof trial=$r: node$VICTIM restarted, reported 3 members after $(( tn - tj0 )) ms (incl. start-up); answered after $(( tsock - tj0 )) ms" >> "$RAW"
      if [ "$sys" = vg ]; then kill "$(eval echo "\${VWATCH$VICTIM:-}")" 2>/dev/null; vwatch "$VICTIM"; fi
    else
      echo "# sys=$sys profile=$prof trial=$r: node$VICTIM did not rejoin within 90 s" >> "$RAW"
    fi
  done
  if [ "$sys" = cs ]; then kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; cs_stop
  else kill "${VWATCH1:-}" "${VWATCH3:-}" 2>/dev/null; vigil_stop; fi
}

for prof in $PROFILES; do
  for sys in $SYSTEMS; do run_profile "$sys" "$prof"; done
done

# ---- summary ----------------------------------------------------------------------------------------------
col() { grep "^RESULT sys=$1 profile=$2 " "$RAW" | kv "$3" | grep -v NA | stats; }
colm() { grep "^RESULT sys=$1 profile=$2 " "$RAW" | kv "$3" | grep -v NA | med; }
{
echo "== kill -9 of node3 in an idle 3-node ring (udpu): ms after the kill, on node1; median [min–max] of $TRIALS"
head -2 "$RAW"
grep -E '^# sys=.* profile=.* runtime' "$RAW" | sed 's/ [0-9-]*T[0-9:+]* / /'
printf "%-8s %-9s %22s %22s %22s %22s\n" profile system "detect (token loss)" "formed (membership)" "CPG callback node1" "poll node2"
for prof in $PROFILES; do
  for sys in cs vg; do
    grep -q "^RESULT sys=$sys profile=$prof " "$RAW" || continue
    printf "%-8s %-9s %22s %22s %22s %22s\n" "$prof" "$([ $sys = cs ] && echo corosync || echo Vigil)" \
      "$(col $sys "$prof" detect_ms)" "$(col $sys "$prof" formed_ms)" "$(col $sys "$prof" cb_ms)" "$(col $sys "$prof" poll_ms)"
  done
  printf "%-8s %-9s %22s %22s %22s %22s\n" "$prof" "Vigil/cs" \
    "$(ratio "$(colm vg "$prof" detect_ms)" "$(colm cs "$prof" detect_ms)")" \
    "$(ratio "$(colm vg "$prof" formed_ms)" "$(colm cs "$prof" formed_ms)")" \
    "$(ratio "$(colm vg "$prof" cb_ms)" "$(colm cs "$prof" cb_ms)")" \
    "$(ratio "$(colm vg "$prof" poll_ms)" "$(colm cs "$prof" poll_ms)")"
done
echo "rejoin (restart of node3 until it reports 3 members, incl. process start-up), ms:"
for prof in $PROFILES; do for sys in cs vg; do
  v=$(grep "^# sys=$sys profile=$prof trial=.*reported 3 members after" "$RAW" | sed -n 's/.*after \([0-9]*\) ms.*/\1/p')
  [ -n "$v" ] && echo "  $prof $sys: $(echo "$v" | stats)"
done; done
echo "start -> first answer of the restarted node's quorum tool (its socket/IPC up), ms:"
for prof in $PROFILES; do for sys in cs vg; do
  v=$(grep "^# sys=$sys profile=$prof trial=.*answered after" "$RAW" | sed -n 's/.*answered after \([0-9]*\) ms.*/\1/p')
  [ -n "$v" ] && echo "  $prof $sys: $(echo "$v" | stats)"
done; done
for prof in $PROFILES; do
  a=$(grep "^# sys=vg profile=$prof trial=.*reported 3 members after" "$RAW" | sed -n 's/.*after \([0-9]*\) ms.*/\1/p' | med)
  b=$(grep "^# sys=cs profile=$prof trial=.*reported 3 members after" "$RAW" | sed -n 's/.*after \([0-9]*\) ms.*/\1/p' | med)
  echo "  $prof rejoin Vigil/corosync (medians): $(ratio "${a:-NA}" "${b:-NA}")"
done
extra=$(grep -c 'log: .*Members left: [0-9]* [0-9]' "$RAW")
echo "trials where node1 also lost another node: $extra"
echo "raw: $RAW"
} | tee "$OUTT"
