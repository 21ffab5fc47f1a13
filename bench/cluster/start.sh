#!/bin/bash
# start.sh: how fast a node starts and joins, corosync 3.1.7 vs Vigil (udpu, the anchor's namespaces), in one run.
#
# Two kinds of trial, both timed from just before the process is started (bash $EPOCHREALTIME, t0):
#   rejoin: a whole 3-node ring; node 3 is killed (kill -9), the survivors are waited for until they report 2
#           members (so the start is measured against a settled ring, not against the survivors' token loss), then
#           node 3 is started again;
#   cold:   no node runs; all three are started at once (t0 is the first start).
# Per started node:
#   socket = its quorum tool first answers (any member count): corosync-quorumtool through the anchor's
#            node-exec.sh, Vigil's through its admin client (the perl client), polled every ~20 ms;
#   joined = its quorum tool first reports "Nodes: 3" (runtime.totem.members holds the three);
#   formed = the first line "Members[3]: 1 2 3" in the node's own log (a membership of all three; the daemon's clock,
#            no polling delay; a node may first form a membership of its own).
# For Vigil the node also runs with -Dvigil.boot.trace=true: jvm->main and main->framework started, from its
# stderr (the JVM's start instant, from /proc, to NodeMain.main, and to the framework's start returning).
#
# Vigil variants (VARIANTS, space separated; each runs the same trials on a fresh 3-node cluster):
#   base     the launcher as it is (its node.jsa current, the bundle cache kept across starts)
#   nocds    VIGIL_NODE_CDS=off (no class-data-sharing archive of the node's classes)
#   nocache  the restarted node's felix-cache.stamp removed before each start (every bundle installed anew)
#   jvmold   the node's JVM memory options of before 619b6ad given back through VIGIL_JAVA_OPTS (NewRatio 2,
#            ArchiveRelocationMode 1, Netty's default arenas and chunk order)
#   dumping  no current node.jsa: the node runs with -XX:ArchiveClassesAtExit (what every start does until one
#            node has stopped cleanly once after a build); the archive is put back after the variant
#   bare     nocds + nocache + jvmold together
#
# Env: TRIALS=5 PROFILE=fast (the anchor's timing profiles: seed, default, fast) SYSTEMS="cs vg" KINDS="rejoin cold"
#      VARIANTS="base" BENCH_RT VIGIL_JAVA_OPTS
# Output: the table on stdout; raw lines in $BENCH_RT/results/start-<time>.raw (never in the repository).
CPG_TOOLS=0
source "$(dirname "$0")/lib.sh"
TRIALS=${TRIALS:-5}; PROFILE=${PROFILE:-fast}; SYSTEMS=${SYSTEMS:-cs vg}; KINDS=${KINDS:-rejoin cold}
VARIANTS=${VARIANTS:-base}
VICTIM=3
preflight
STAMP=$(date +%Y%m%d-%H%M%S)
RAW="$RESULTS/start-$STAMP.raw"
OUTT="$RESULTS/start-$STAMP.txt"
W="$BRT/work"; mkdir -p "$W"
DIST="$VIGIL_ROOT/distribution/target"
header() { echo "# start trials=$TRIALS profile=$PROFILE kinds='$KINDS' variants='$VARIANTS' $(date -Is) $(nproc) cpus"; bg_load; }
header > "$RAW"
log "raw output: $RAW"

logts() { # FILE PATTERN OFFSET: epoch ms of the first line matching PATTERN after byte OFFSET
  tail -c +"$(( $3 + 1 ))" "$1" 2>/dev/null | grep -m1 -- "$2" | awk '{print $1" "$2" "$3}' \
    | { read -r d && date -d "$d" +%s%3N; }
}
members_n() { # SYS I
  if [ "$1" = cs ]; then "$ANCHOR/node-exec.sh" "$2" corosync-quorumtool -s 2>/dev/null | awk '/^Nodes:/{print $2}'
  else vadmin "$2" corosync-quorumtool -s 2>/dev/null | awk '/^Nodes:/{print $2}'; fi
}
wait_n() { # SYS I N TIMEOUT_S
  local end=$(( $(date +%s) + $4 ))
  while [ "$(date +%s)" -lt "$end" ]; do [ "$(members_n "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
  return 1
}
# cpu_ms PID: CPU time (user + system) the process used so far, ms (NA if gone)
cpu_ms() {
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || { echo NA; return; }
  st=${st##*) }; set -- $st
  echo $(( (${12} + ${13}) * 1000 / $(getconf CLK_TCK) ))
}
# watch_start SYS I T0 PID: polls node I until it reports 3 members; writes "socket joined cpu" (ms after T0; the
# process's CPU ms when it was seen joined) to $W/wI
watch_start() {
  local sys=$1 i=$2 t0=$3 pid=$4 n ts="" tn="" c=NA end=$(( $(date +%s) + 120 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    n=$(members_n "$sys" "$i")
    [ -z "$ts" ] && [ -n "$n" ] && ts=$(ms_now)
    [ "$n" = 3 ] && { tn=$(ms_now); c=$(cpu_ms "$pid"); break; }
    sleep 0.02
  done
  echo "$([ -n "$ts" ] && echo $(( ts - t0 )) || echo NA) $([ -n "$tn" ] && echo $(( tn - t0 )) || echo NA) $c" > "$W/w$i"
}
npid() { if [ "$1" = cs ]; then cs_pid "$2"; else vigil_pid "$2"; fi; }

# variant setup: sets VENV (environment for the node's launcher) and NOCACHE
variant_env() {
  VENV=(); NOCACHE=0
  local jvmold="-XX:NewRatio=2 -XX:ArchiveRelocationMode=1 -Dio.netty.allocator.numDirectArenas=4 -Dio.netty.allocator.numHeapArenas=4 -Dio.netty.allocator.maxOrder=9"
  case "$1" in
    base|dumping) ;;
    nocds) VENV=(VIGIL_NODE_CDS=off) ;;
    nocache) NOCACHE=1 ;;
    jvmold) VENV=("VIGIL_EXTRA_OPTS=$jvmold") ;;
    bare) VENV=(VIGIL_NODE_CDS=off "VIGIL_EXTRA_OPTS=$jvmold"); NOCACHE=1 ;;
    *) die "unknown variant $1" ;;
  esac
}
# vstart I: node I with the variant's environment and the boot trace
vstart() {
  local i=$1 d; d=$(vnode_dir "$i"); mkdir -p "$d"
  [ "$NOCACHE" = 1 ] && rm -f "$d/felix-cache.stamp"
  local extra=""
  for e in "${VENV[@]:-}"; do case "$e" in VIGIL_EXTRA_OPTS=*) extra="${e#VIGIL_EXTRA_OPTS=}" ;; esac; done
  local envs=(); for e in "${VENV[@]:-}"; do case "$e" in VIGIL_NODE_CDS=*) envs+=("$e") ;; esac; done
  : > "$W/vg$i.err"
  setsid env "${envs[@]}" VIGIL_JAVA_OPTS="${VIGIL_JAVA_OPTS:-} $extra -Dvigil.boot.trace=true" \
    ip netns exec "$(node_ns "$i")" "$VIGIL" node -c "$VRT/vigil.conf" --state-dir "$d" --node-id "$i" \
    >> "$VRT/node$i.out" 2> "$W/vg$i.err" < /dev/null &
  echo $! > "$VRT/node$i.pid"
  disown $!
}
# trace_of I: "jvm->main main->fw" from the boot trace (ms), NA if absent
trace_of() {
  local f="$W/vg$1.err" a b
  a=$(grep -m1 'boot +.*: main$' "$f" 2>/dev/null | sed -n 's/.*boot +\([0-9]*\) ms.*/\1/p')
  b=$(grep -m1 'framework started' "$f" 2>/dev/null | sed -n 's/.*boot +\([0-9]*\) ms.*/\1/p')
  echo "jvm_main_ms=${a:-NA} jvm_fw_ms=${b:-NA}"
}

cs_start_one() { "$ANCHOR/cluster-start.sh" "$1" 2>/dev/null; }

# one_rejoin SYS VARIANT TRIAL
one_rejoin() {
  local sys=$1 var=$2 r=$3 pv log3 off t0 f
  if [ "$sys" = cs ]; then pv=$(cs_pid "$VICTIM"); log3=$(cs_log "$VICTIM"); else pv=$(vigil_pid "$VICTIM"); log3=$(vigil_log "$VICTIM"); fi
  kill -9 "$pv"; sleep 0.2
  if [ "$sys" = cs ]; then rm -f "$(node_dir "$VICTIM")/corosync.pid"; else rm -f "$VRT/node$VICTIM.pid"; fi
  wait_n "$sys" 1 2 30 && wait_n "$sys" 2 2 30 || { log "$sys: survivors did not settle"; return 1; }
  sleep 1
  off=$(stat -c %s "$log3" 2>/dev/null || echo 0)
  t0=$(ms_now)
  if [ "$sys" = cs ]; then cs_start_one "$VICTIM"; else vstart "$VICTIM"; fi
  watch_start "$sys" "$VICTIM" "$t0" "$(npid "$sys" "$VICTIM")"
  read -r s j c < "$W/w$VICTIM"
  sleep 0.3
  f=$(logts "$log3" "Members\[3\]:" "$off"); f=$([ -n "$f" ] && echo $(( f - t0 )) || echo NA)
  echo "RESULT sys=$sys kind=rejoin variant=$var trial=$r node=$VICTIM socket_ms=$s joined_ms=$j formed_ms=$f cpu_ms=$c $([ "$sys" = vg ] && trace_of "$VICTIM")" | tee -a "$RAW" >&2
}

# one_cold SYS VARIANT TRIAL: all three stopped (SIGTERM), then started at once
one_cold() {
  local sys=$1 var=$2 r=$3 i t0 offs=() f ts0 stop
  ts0=$(ms_now)
  if [ "$sys" = cs ]; then cs_stop; else vigil_stop; fi
  stop=$(( $(ms_now) - ts0 ))
  [ "$var" = dumping ] && rm -f "$DIST/node.jsa" "$DIST"/node.jsa.tmp-*
  sleep 1
  for i in 1 2 3; do
    if [ "$sys" = cs ]; then offs[$i]=$(stat -c %s "$(cs_log "$i")" 2>/dev/null || echo 0); else offs[$i]=$(stat -c %s "$(vigil_log "$i")" 2>/dev/null || echo 0); fi
  done
  t0=$(ms_now)
  for i in 1 2 3; do if [ "$sys" = cs ]; then cs_start_one "$i"; else vstart "$i"; fi; done
  for i in 1 2 3; do watch_start "$sys" "$i" "$t0" "$(npid "$sys" "$i")" & done
  wait
  sleep 0.3
  for i in 1 2 3; do
    read -r s j c < "$W/w$i"
    if [ "$sys" = cs ]; then f=$(logts "$(cs_log "$i")" "Members\[3\]:" "${offs[$i]}"); else f=$(logts "$(vigil_log "$i")" "Members\[3\]:" "${offs[$i]}"); fi
    f=$([ -n "$f" ] && echo $(( f - t0 )) || echo NA)
    echo "RESULT sys=$sys kind=cold variant=$var trial=$r node=$i socket_ms=$s joined_ms=$j formed_ms=$f cpu_ms=$c stop_all_ms=$stop $([ "$sys" = vg ] && trace_of "$i")" | tee -a "$RAW" >&2
  done
}

run_sys() { # SYS VARIANT
  local sys=$1 var=$2 r k saved=""
  log "$sys/$var: starting the 3-node cluster ($PROFILE)"
  if [ "$sys" = cs ]; then
    cs_start "$PROFILE"
  else
    variant_env "$var"
    if [ "$var" = dumping ] && [ -f "$DIST/node.jsa" ]; then saved="$W/node.jsa.saved"; mv "$DIST/node.jsa" "$saved"; fi
    vigil_stop; rm -rf "$VRT"/node[0-9]*; vigil_conf "$PROFILE" >/dev/null
    for i in 1 2 3; do vstart "$i"; done
    for i in 1 2 3; do vigil_wait_members "$i" "1 2 3" 120 || die "Vigil did not form a 3-node membership"; done
    if [ "$var" = dumping ]; then rm -f "$DIST"/node.jsa.tmp-*; fi
  fi
  echo "# sys=$sys variant=$var $(bg_load | sed 's/^# //')" >> "$RAW"
  for k in $KINDS; do
    for r in $(seq 1 "$TRIALS"); do
      # every trial of the dumping variant starts without a current archive
      [ "$var" = dumping ] && rm -f "$DIST/node.jsa" "$DIST"/node.jsa.tmp-*
      if [ "$k" = rejoin ]; then
        wait_n "$sys" 1 3 60 && wait_n "$sys" 2 3 30 && wait_n "$sys" 3 3 30 || { log "$sys: not whole"; break; }
        sleep 1
        one_rejoin "$sys" "$var" "$r"
      else
        one_cold "$sys" "$var" "$r"
      fi
    done
  done
  if [ "$sys" = cs ]; then cs_stop; else vigil_stop; rm -f "$DIST"/node.jsa.tmp-*; fi
  [ -n "$saved" ] && { rm -f "$DIST/node.jsa"; mv "$saved" "$DIST/node.jsa"; touch "$DIST/node.jsa"; }
  return 0
}

# a current node.jsa before any Vigil variant (the launcher makes it from a node that stopped cleanly)
if [[ " $SYSTEMS " == *" vg "* ]] && [ ! -f "$DIST/node.jsa" ]; then
  log "making the node's CDS archive (one node started and stopped)"
  VENV=(); NOCACHE=0; vigil_conf "$PROFILE" >/dev/null; rm -rf "$VRT"/node[0-9]*
  vstart 1; vigil_wait_members 1 "1" 120; sleep 2; vigil_stop 1; sleep 1   # the next start adopts node.jsa.tmp-PID
fi

for sys in $SYSTEMS; do
  if [ "$sys" = cs ]; then run_sys cs -; else for v in $VARIANTS; do run_sys vg "$v"; done; fi
done

# ---- summary ----------------------------------------------------------------------------------------------
col() { grep "^RESULT sys=$1 kind=$2 variant=$3 " "$RAW" | kv "$4" | grep -v NA | stats; }
colm() { grep "^RESULT sys=$1 kind=$2 variant=$3 " "$RAW" | kv "$4" | grep -v NA | med; }
{
echo "== node start, ms after the process start; median [min–max] ($TRIALS trials; cold: 3 nodes per trial)"
head -2 "$RAW"
grep '^# sys=' "$RAW"
printf "%-7s %-16s %20s %20s %20s %20s %16s %16s %10s\n" kind system socket joined "formed (log)" "CPU to joined" "jvm->main" "jvm->fw started" "joined/cs"
for k in $KINDS; do
  csj=$(colm cs "$k" - joined_ms)
  for sv in "cs -" $(for v in $VARIANTS; do echo "vg:$v"; done); do
    sys=${sv%%[ :]*}; var=${sv#*[ :]}
    grep -q "^RESULT sys=$sys kind=$k variant=$var " "$RAW" || continue
    printf "%-7s %-16s %20s %20s %20s %20s %16s %16s %10s\n" "$k" "$([ "$sys" = cs ] && echo corosync || echo "Vigil $var")" \
      "$(col "$sys" "$k" "$var" socket_ms)" "$(col "$sys" "$k" "$var" joined_ms)" "$(col "$sys" "$k" "$var" formed_ms)" \
      "$(col "$sys" "$k" "$var" cpu_ms)" \
      "$(col "$sys" "$k" "$var" jvm_main_ms)" "$(col "$sys" "$k" "$var" jvm_fw_ms)" \
      "$(ratio "$(colm "$sys" "$k" "$var" joined_ms)" "${csj:-NA}")"
  done
done
echo "raw: $RAW"
} | tee "$OUTT"
