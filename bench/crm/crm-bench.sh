#!/bin/bash
# crm-bench.sh: the CRM runtime, Pacemaker 2.1.5 (on corosync 3.1.7) vs Vigil, side by side in one run, one system
# at a time, in the corosync anchor's namespaces csn1..3 (bench/cluster/lib.sh: udpu, crypto off; Pacemaker on
# corosync port 5405 with the anchor's gen-conf.sh/cluster-start.sh/pcmk-start.sh/node-exec.sh, Vigil nodes on
# port 5505). Both systems run "as node I" through the anchor's node-exec.sh: node I's network namespace plus a
# private mount namespace in which $ANCHOR_RT/nodeI/run is /run. Pacemaker needs that for its own daemons; for
# both it gives every node its own resource-agent state (ocf:pacemaker:Dummy keeps its state in
# /run/Dummy-<rsc>.state, ocf:heartbeat:Dummy in /run/resource-agents/): three nodes sharing the host's /run
# would see each other's resources running. A "reboot" empties the node's /run (the anchor's wipe_run).
# Vigil's admin commands reach a node through the socket file in its state directory.
#
# The same configuration on both, made with the same cibadmin commands: stonith-enabled=false,
# resource-stickiness=100, d1 = ocf:pacemaker:Dummy and d2 = ocf:heartbeat:Dummy, each with a 10 s monitor (the
# anchor's measure-pcmk-failover.sh). Each phase runs Pacemaker, then Vigil:
#
# failover  per timing profile (PROFILES, the anchor's gen-conf.sh: seed = token 3000 (3650 with 3 nodes),
#           consensus 3600; fast = token 1000, consensus 1200), TRIALS trials on one cluster: wait until 3 nodes
#           are online, a DC is idle and d1, d2 run; TRIAL_SETTLE s; then the node hosting d1 "loses power":
#           kill -9 of every process in its namespace, each by pid; t0 = just before the kills. On a survivor,
#           ms after t0:
#             membership = the ring's log line "A new membership (...) was formed. Members left: <victim>"
#                          (corosync.log / Vigil's vigil.log, the daemons' own ms timestamps)
#             located    = first poll (back to back, ~50 ms apart) showing d1 running on a survivor. Pacemaker:
#                          `crm_resource --locate -r d1`; Vigil: the same command if it exists, else `crm_mon -1`
#                          if it exists, else `cibadmin --query` read by cib-status.py (the result line and the
#                          table say which)
#             crm_mon    = first `crm_mon -1` showing "d1 ... Started <survivor>" (only where crm_mon exists)
#             crm share  = located - membership: what the CRM adds to the ring's failure detection
#           Then the victim reboots (its /run emptied, its stack restarted) and rejoins: rejoin = restart until the
#           survivor's CIB shows it online (node_state in_ccm, crmd online, join member).
# fencing   as failover, with fencing (not in the default PHASES: it installs /usr/sbin/fence_bench for the phase):
#           stonith-enabled=true and a device `fence-bench` (class stonith, type fence_bench, pcmk_host_list
#           "node1 node2 node3", netns_map) made with the same cibadmin commands on both. The agent is
#           bench/crm/fence_bench: "off"/"reboot" of plug nodeN = kill -KILL of every process in csnN (the set the
#           failover phase kills; found by namespace inode through a map the phase writes), "status" = on while any
#           lives. Vigil's nodes find it through -Dvigil.agents.fence.dir (added to VIGIL_JAVA_OPTS for the phase),
#           Pacemaker's fenced in /usr/sbin (installed for the phase only, removed at its end and by the exit trap;
#           an existing different /usr/sbin/fence_bench is never touched). Per profile, TRIALS trials: ready (as
#           failover, and fence-bench running), TRIAL_SETTLE s, then kill -STOP of every process of the node
#           hosting d1 (t0 just before). On a survivor, ms after t0: membership and located (as failover),
#             fenced         = the victim's namespace has no process left (10 ms poll from the host: the pids
#                              known at t0 by the shell's own test, then `ip netns pids` once they are gone)
#             fence_logged   = the DC's log says so (the DC after the failover; Pacemaker: "<victim> was terminated
#                              (", Vigil: "<victim> was fenced")
#             agent_started  = d1's state file on a survivor; order = fence_first unless it came before the
#                              fence's first evidence (fenced or fence_logged: START_BEFORE_FENCE) or without a fence
#                              (START_WITHOUT_FENCE): both are NOTE lines
#             crm share      = located - membership; located - fenced
#           Vigil: the DC's `crmadmin --timeline --incidents 1` goes into the raw file, and from it ring formed ->
#           "fencing <victim>", -> "<victim> was fenced", -> d1 started. Then the victim (killed now if it was not
#           fenced) reboots and rejoins as in failover.
# cold      COLD_TRIALS cold starts of a configured cluster (d1 and d2 in the CIB, kept on disk; /run emptied):
#           t0 = just before the three nodes start (Pacemaker: corosync on the three nodes, then pacemakerd on
#           each as soon as its corosync answers IPC; Vigil: the three node processes). Measured from node1:
#             dc      = first poll where crmadmin -D names a DC and the CIB shows 3 nodes online
#             started = ... and d1 and d2 have a start result since t0 (cib-status.py --since; the CIB read back
#                       from disk still holds the previous run's history until the DC's join replaces it)
# admin     inside node1: hyperfine -N --warmup WARMUP --runs RUNS of `crm_mon -1`; MOVES round trips of
#           `crm_resource --resource d1 --move --node <another node>` until the first `crm_mon -1` (or, without
#           crm_mon, the CIB) shows "d1 ... Started <target>" (the anchor's measure-admin.sh method: between
#           moves --clear, wait for the DC to be idle, sleep 3). For Vigil each part runs only if the command
#           exists (detected: crm_mon -1 prints "Current DC", crm_resource --help lists --move); else the result
#           says "not available".
# idle      after SETTLE s idle with d1, d2 running (seed profile): CPU over IDLE_SECS s (utime+stime of every
#           process in the node's namespace) and then RSS (VmRSS) and PSS (/proc/PID/smaps_rollup) of each process,
#           summed per node (Pacemaker: corosync + pacemakerd and its 6 daemons; Vigil: the node JVM and any agent
#           process running at that moment).
#
# roundtrip (not in the default PHASES; bench/admin/roundtrip.sh runs it): the admin round trips of issue 17, on a
#           fresh configured cluster (seed profile), inside node1, hyperfine -N --warmup WARMUP --runs RUNS of
#           `pcs status`, `crm configure show` and `crm_mon -1` (Vigil: ./vigil --state-dir node1 ..., its perl
#           client); CREATES times `pcs resource create rtK ocf:pacemaker:Dummy` until the first `crm_mon -1`
#           (polled back to back) showing rtK Started. For Vigil also the floor every command pays (launcher + perl
#           client + socket + `corosync-cmapctl -g totem.token`) and `perl -e 1`, to tell client start from the
#           node's work.
#
# Env: PHASES="failover cold admin idle" (and fencing, roundtrip) SYSTEMS="pcmk vg" PROFILES="seed fast" TRIALS=5 TRIAL_SETTLE=5
#      READY_WAIT=45 COLD_TRIALS=3 COLD_TIMEOUT=120 UP_ATTEMPTS=3 UP_TIMEOUT=120 RUNS=10 WARMUP=2 MOVES=5 CREATES=5 SETTLE=30 IDLE_SECS=30 BENCH_RT (default /tmp/vigil-crm-bench: not
#      the other benchmarks' directory, since the namespace lock is released between phases) VIGIL_JAVA_OPTS
#      CS_SCHED_RR=no (corosync without realtime) KEEP_NETNS=1
#      TABLE_ONLY=RAWFILE: only print the table of an earlier (interrupted) run's raw file.
#      LOCK (default /tmp/vigil-netns.lock): taken for each phase and released between phases, so other namespace
#      tests can run in between; LOCK=none if the caller already holds it (flock LOCK crm-bench.sh would deadlock).
# Needs: root, the anchor installed (../shared/anchors/corosync/install.sh: corosync, pacemaker,
#      pacemaker-cli-utils, resource-agents, hyperfine), python3; Vigil built (./vigil build).
# Output: the table on stdout; raw lines in $BENCH_RT/results/crm-<time>.raw, the table in .txt, logs and CIB
#      excerpts of anything that went wrong in $BENCH_RT/work (never in the repository).
# Bounded: every wait has a limit, every command runs under `timeout`; everything started is stopped by pid.
export BENCH_RT="${BENCH_RT:-/tmp/vigil-crm-bench}"
source "$(dirname "$0")/../cluster/lib.sh"
CRM_BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
PARSER="$CRM_BENCH_DIR/cib-status.py"
PHASES=${PHASES:-failover cold admin idle}; SYSTEMS=${SYSTEMS:-pcmk vg}; PROFILES=${PROFILES:-seed fast}
TRIALS=${TRIALS:-5}; TRIAL_SETTLE=${TRIAL_SETTLE:-5}; COLD_TRIALS=${COLD_TRIALS:-3}
RUNS=${RUNS:-10}; WARMUP=${WARMUP:-2}; MOVES=${MOVES:-5}; CREATES=${CREATES:-5}; SETTLE=${SETTLE:-30}; IDLE_SECS=${IDLE_SECS:-30}
COLD_TIMEOUT=${COLD_TIMEOUT:-120}; READY_WAIT=${READY_WAIT:-45}
LOCK=${LOCK:-/tmp/vigil-netns.lock}; LOCK_WAIT=${LOCK_WAIT:-3600}

if [ -n "${TABLE_ONLY:-}" ]; then   # TABLE_ONLY=RAW: print the table of an earlier (e.g. interrupted) run again
  RAW=$TABLE_ONLY; OUTT=${RAW%.raw}.txt; PHASES=""; VG_MON=no
  [ -f "$RAW" ] || die "no such raw file $RAW"
fi
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in corosync pacemakerd cibadmin crm_mon crm_resource crmadmin hyperfine python3 flock; do
  command -v "$t" >/dev/null || die "$t is not installed (the anchor's install.sh)"
done
mkdir -p "$BRT" "$VRT" "$RESULTS" "$ANCHOR_RT"
vigil_conf seed >/dev/null
"$VIGIL" config check "$VRT/vigil.conf" >/dev/null 2>&1 || die "vigil config check failed (build: ./vigil build)"

STAMP=$(date +%Y%m%d-%H%M%S)
W="$BRT/work/crm-$STAMP"
if [ -z "${TABLE_ONLY:-}" ]; then
RAW="$RESULTS/crm-$STAMP.raw"
OUTT="$RESULTS/crm-$STAMP.txt"
mkdir -p "$W"
header "crm phases='$PHASES' systems='$SYSTEMS' profiles='$PROFILES' trials=$TRIALS cold_trials=$COLD_TRIALS runs=$RUNS moves=$MOVES settle=$SETTLE idle_secs=$IDLE_SECS transport=udpu pacemaker=$(pacemakerd --version 2>/dev/null | head -1 | awk '{print $2}') hyperfine=$(hyperfine --version | awk '{print $2}')" > "$RAW"
log "raw output: $RAW"
fi
raw() { echo "$*" >> "$RAW"; }
result() { echo "RESULT $*" >> "$RAW"; log "RESULT $*"; }
name_of() { [ "$1" = pcmk ] && echo Pacemaker || echo Vigil; }

# ---- the namespaces, under the shared lock, one phase at a time ----------------------------------------------

NETNS_CREATED=0; LOCKED=0; HOLD=0   # HOLD: this run owns the namespaces now (only then does it stop or reap anything)
netns_acquire() {
  local i
  if [ "$LOCK" != none ]; then
    exec 8>>"$LOCK"
    log "waiting for $LOCK (up to $LOCK_WAIT s)"
    flock -w "$LOCK_WAIT" 8 || die "could not take $LOCK within $LOCK_WAIT s"
    LOCKED=1
  fi
  for i in $(seq 1 "$NODES"); do
    if ip netns list | grep -qw "$(node_ns "$i")" && [ -n "$(ip netns pids "$(node_ns "$i")")" ]; then
      die "namespace $(node_ns "$i") already has processes ($(ip netns pids "$(node_ns "$i")" | tr '\n' ' ')): another run?"
    fi
  done
  NETNS_CREATED=0; ip netns list | grep -qw "$(node_ns 1)" || NETNS_CREATED=1
  HOLD=1
  "$ANCHOR/netns-up.sh" 2>/dev/null || die "netns-up.sh failed"
}
netns_release() {
  [ "$HOLD" = 1 ] || { [ "$LOCKED" = 1 ] && { flock -u 8; exec 8>&-; LOCKED=0; }; return 0; }
  stop_all; HOLD=0
  if [ "$NETNS_CREATED" = 1 ] && [ "${KEEP_NETNS:-0}" != 1 ]; then "$ANCHOR/netns-down.sh" 2>/dev/null; NETNS_CREATED=0; fi
  if [ "$LOCKED" = 1 ]; then flock -u 8; exec 8>&-; LOCKED=0; fi
}
cleanup() {
  local p
  for p in "${BG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  netns_release
  declare -F fence_teardown >/dev/null && fence_teardown
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ns_reap: every process still in the node namespaces is this run's (netns_acquire found them empty): TERM, 5 s,
# KILL, by pid
ns_reap() {
  local sig i p left
  for sig in TERM KILL; do
    left=""
    for i in $(seq 1 "$NODES"); do
      for p in $(ip netns pids "$(node_ns "$i")" 2>/dev/null); do left+=" $p"; done
    done
    [ -z "$left" ] && return 0
    log "processes left in the node namespaces ($sig):$left"
    # shellcheck disable=SC2086
    kill -"$sig" $left 2>/dev/null; sleep 5
  done
}

# ---- one interface to both systems ------------------------------------------------------------------------

# X SYS I CMD...: an admin command as node I (Pacemaker: inside node I with node-exec.sh; Vigil: through node I's
# socket file), bounded
X() {
  local s=$1 i=$2; shift 2
  if [ "$s" = pcmk ]; then timeout -k 5 60 "$ANCHOR/node-exec.sh" "$i" "$@"
  else timeout -k 5 60 "$VIGIL" --state-dir "$(vnode_dir "$i")" "$@"; fi
}
# cstat SYS I [SINCE_S]: cib-status.py on node I's CIB
cstat() { X "$1" "$2" cibadmin --query 2>/dev/null | python3 "$PARSER" ${3:+--since "$3"}; }
dc_of() { X "$1" "$2" crmadmin -D -q 2>/dev/null | tail -1 | grep -E '^node[0-9]+$'; }
# dc_state SYS I DC: the DC's state, asked on the DC node itself (Vigil's crmadmin -S answers for the node it runs
# on whatever node is named; Pacemaker's asks the named node's controller: on the DC node both mean the same)
dc_state() { X "$1" "${3#node}" crmadmin -S "$3" -q 2>/dev/null | tail -1; }
mon() { X "$1" "$2" crm_mon -1 2>/dev/null; }
members_log() { if [ "$1" = pcmk ]; then cs_log "$2"; else vigil_log "$2"; fi; }

# the Vigil tools present on this build (another branch adds crm_mon and crm_resource --locate/--move)
VG_MON=no; VG_LOCATE=no; VG_MOVE=no; VG_DETECTED=0
vg_detect() {
  [ "$VG_DETECTED" = 1 ] && return 0
  local out
  out=$(X vg 1 crm_mon -1 2>&1) && echo "$out" | grep -q 'Current DC' && VG_MON=yes
  out=$(X vg 1 crm_resource --locate -r d1 2>&1) && echo "$out" | grep -qE 'is (NOT )?running' && VG_LOCATE=yes
  X vg 1 crm_resource --help 2>&1 | grep -q -- '--move' && VG_MOVE=yes
  VG_DETECTED=1
  raw "# Vigil tools on this build: crm_mon -1: $VG_MON; crm_resource --locate: $VG_LOCATE; crm_resource --move: $VG_MOVE"
  [ "$VG_MON" = yes ] || raw "#   crm_mon -1 answered: $(X vg 1 crm_mon -1 2>&1 | head -2 | tr '\n' ' ')"
  [ "$VG_LOCATE" = yes ] || raw "#   crm_resource --locate -r d1 answered: $(X vg 1 crm_resource --locate -r d1 2>&1 | head -2 | tr '\n' ' ')"
}
has_mon() { [ "$1" = pcmk ] || [ "$VG_MON" = yes ]; }
locate_method() {
  if [ "$1" = pcmk ] || [ "$VG_LOCATE" = yes ]; then echo crm_resource--locate
  elif [ "$VG_MON" = yes ]; then echo crm_mon-1; else echo cibadmin--query+cib-status.py; fi
}
# where SYS I RSC: the nodes (comma separated) where node I sees RSC running, empty if none
where() {
  case "$(locate_method "$1")" in
    crm_resource--locate) X "$1" "$2" crm_resource --locate -r "$3" 2>/dev/null \
                            | sed -n 's/.*is running on: \(node[0-9]*\).*/\1/p' | paste -sd, ;;
    crm_mon-1) mon "$1" "$2" | grep -E "^[[:space:]]*\* $3[[:space:]]" | sed -n 's/.*Started \(node[0-9]*\).*/\1/p' | paste -sd, ;;
    *) cstat "$1" "$2" | sed -n "s/^rsc=$3 on=//p" | sed 's/^-$//' ;;
  esac
}
# what really runs: the agents' state files in the nodes' /run (ocf:pacemaker:Dummy: /run/Dummy-d1.state;
# ocf:heartbeat:Dummy: $HA_RSCTMP/Dummy-d2.state, HA_RSCTMP = /run/resource-agents for both systems)
statefile() { case "$2" in d1) echo "$(node_dir "$1")/run/Dummy-d1.state" ;; *) echo "$(node_dir "$1")/run/resource-agents/Dummy-$2.state" ;; esac; }
actual() { local i o=""; for i in $(seq 1 "$NODES"); do [ -e "$(statefile "$i" "$1")" ] && o+="${o:+,}node$i"; done; echo "$o"; }
# ready SYS I: 3 nodes online, a DC in S_IDLE, d1 and d2 each on exactly one node (as node I sees it), and that
# view matches the agents' state files
ready() {
  local s dc
  s=$(cstat "$1" "$2") || return 1
  echo "$s" | grep -qx 'online=node1,node2,node3' || return 1
  echo "$s" | grep -qE '^rsc=d1 on=node[0-9]+$' && echo "$s" | grep -qE '^rsc=d2 on=node[0-9]+$' || return 1
  [ "$FENCING" = 1 ] && { echo "$s" | grep -qE '^rsc=fence-bench on=node[0-9]+$' || return 1; }
  # and the cluster's view is what really runs
  echo "$s" | grep -qx "rsc=d1 on=$(actual d1)" && echo "$s" | grep -qx "rsc=d2 on=$(actual d2)" || return 1
  dc=$(dc_of "$1" "$2") && [ -n "$dc" ] && [ "$(dc_state "$1" "$2" "$dc")" = S_IDLE ]
}
wait_ready() { # SYS I TIMEOUT_S
  local end=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -lt "$end" ]; do ready "$1" "$2" && return 0; sleep 0.5; done
  log "$(name_of "$1"): not ready (3 online, DC idle, d1 and d2 running) after $3 s"; return 1
}
# dump SYS I TAG: what a failure looks like: node I's view (cib-status.py, crm_mon, the CIB's status section and
# the nodes' log tails) into $W/TAG-*, and a summary into the raw file
dump() {
  local s=$1 i=$2 tag=$3 j
  cstat "$s" "$i" > "$W/$tag-status.txt" 2>&1
  X "$s" "$i" cibadmin --query > "$W/$tag-cib.xml" 2>&1
  has_mon "$s" && mon "$s" "$i" > "$W/$tag-crm_mon.txt" 2>&1
  [ "$s" = vg ] && X vg "$i" crmadmin --timeline --incidents 2 > "$W/$tag-timeline.txt" 2>&1
  for j in $(seq 1 "$NODES"); do
    if [ "$s" = pcmk ]; then tail -200 "$(node_dir "$j")/log-pacemaker/pacemaker.log" > "$W/$tag-node$j.log" 2>/dev/null
    else tail -300 "$(vigil_log "$j")" > "$W/$tag-node$j.log" 2>/dev/null; fi
  done
  raw "# DUMP $tag (node$i's view; files $W/$tag-*): $(tr '\n' ' ' < "$W/$tag-status.txt") | agents' state files (what really runs): d1 on '$(actual d1)', d2 on '$(actual d2)'"
  grep -oE '<lrm_rsc_op id="d[12]_[a-z_0-9]*"[^>]*' "$W/$tag-cib.xml" \
    | sed -E 's/ (crm-debug-origin|crm_feature_set|transition-magic|op-digest|exec-time|queue-time|on_node)="[^"]*"//g; s/^/#   /' >> "$RAW"
  grep -oE '<node_state [^>]*' "$W/$tag-cib.xml" | sed 's/^/#   /' >> "$RAW"
}

# ---- Pacemaker ------------------------------------------------------------------------------------------------

pcmk_pid() { cat "$(node_dir "$1")/pacemakerd.pid" 2>/dev/null; }
# pcmk_stop: pacemakerd TERM on all nodes at once (60 s), then corosync (the anchor's cluster-stop.sh), then any
# process left in the namespaces (ns_reap). The CIB stays on disk.
pcmk_stop() {
  local i p end left
  for i in $(seq 1 "$NODES"); do p=$(pcmk_pid "$i"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill "$p"; done
  end=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    left=""; for i in $(seq 1 "$NODES"); do p=$(pcmk_pid "$i"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && left+=" $p"; done
    [ -z "$left" ] && break; sleep 0.5
  done
  for i in $(seq 1 "$NODES"); do rm -f "$(node_dir "$i")/pacemakerd.pid"; done
  cs_stop; ns_reap
}
# pcmk_boot I...: corosync on the nodes, then pacemakerd on each as soon as its corosync answers IPC
pcmk_boot() {
  local i end
  "$ANCHOR/cluster-start.sh" "$@" 2>/dev/null
  for i in "$@"; do
    end=$(( $(date +%s) + 20 ))
    until "$ANCHOR/node-exec.sh" "$i" corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1; do
      [ "$(date +%s)" -lt "$end" ] || { log "node$i: corosync not answering after 20 s"; break; }; sleep 0.05
    done
  done
  "$ANCHOR/pcmk-start.sh" "$@" 2>/dev/null
}

# ---- Vigil ----------------------------------------------------------------------------------------------------

# vg_start_node I: node I as the anchor's node-exec.sh runs a node (netns csnI, private /run); every step execs,
# so $! is the JVM
vg_start_node() {
  local i=$1 d; d=$(vnode_dir "$i")
  mkdir -p "$d"
  if [ -n "$(vigil_pid "$i")" ] && kill -0 "$(vigil_pid "$i")" 2>/dev/null; then return 0; fi
  setsid "$ANCHOR/node-exec.sh" "$i" "$VIGIL" node -c "$VRT/vigil.conf" --state-dir "$d" --node-id "$i" \
    >> "$VRT/node$i.out" 2>&1 < /dev/null &
  echo $! > "$VRT/node$i.pid"
  disown $!
}
vg_stop() { vigil_stop; ns_reap; }

stop_all() { pcmk_stop >/dev/null 2>&1; vg_stop >/dev/null 2>&1; }

# ---- a running, configured cluster ------------------------------------------------------------------------------

CONFIGURE=(
  "--modify --allow-create --scope crm_config --xml-text <cluster_property_set id=\"cib-bootstrap-options\"><nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set>"
  "--modify --allow-create --scope rsc_defaults --xml-text <meta_attributes id=\"rsc-options\"><nvpair id=\"rsc-options-resource-stickiness\" name=\"resource-stickiness\" value=\"100\"/></meta_attributes>"
  "--create --scope resources --xml-text <primitive id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations><op id=\"d1-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations></primitive>"
  "--create --scope resources --xml-text <primitive id=\"d2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"d2-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations></primitive>"
)
# the fencing phase (FENCING=1): stonith-enabled=true and the device fence-bench (bench/crm/fence_bench), configured
# before d1 and d2 so that they are never placed without it; vigil-fence-loop-max=0 turns off Vigil's fence-loop
# guard (by default a node fenced 3 times within an hour is kept out of the cluster, and the trials fence the same
# nodes again and again; Pacemaker has no such guard and ignores the option)
FENCE_MAP="$BRT/fence/netns.map"
CONFIGURE_FENCING=(
  "--create --scope resources --xml-text <primitive id=\"fence-bench\" class=\"stonith\" type=\"fence_bench\"><instance_attributes id=\"fence-bench-ia\"><nvpair id=\"fence-bench-ia-hosts\" name=\"pcmk_host_list\" value=\"node1 node2 node3\"/><nvpair id=\"fence-bench-ia-map\" name=\"netns_map\" value=\"$FENCE_MAP\"/></instance_attributes><operations><op id=\"fence-bench-monitor-60s\" name=\"monitor\" interval=\"60s\" timeout=\"20s\"/></operations></primitive>"
  "--modify --allow-create --scope crm_config --xml-text <cluster_property_set id=\"cib-bootstrap-options\"><nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" value=\"true\"/><nvpair id=\"cib-bootstrap-options-vigil-fence-loop-max\" name=\"vigil-fence-loop-max\" value=\"0\"/></cluster_property_set>"
)
FENCING=0
configure() { # SYS: the same cibadmin commands on both
  local c rc=0 a b cmds=("${CONFIGURE[0]}")
  [ "$FENCING" = 1 ] && cmds+=("${CONFIGURE_FENCING[@]}")
  cmds+=("${CONFIGURE[@]:1}")
  for c in "${cmds[@]}"; do
    a=${c%% --xml-text *}; b=${c#* --xml-text }
    # shellcheck disable=SC2086
    X "$1" 1 cibadmin $a --xml-text "$b" || rc=1
  done
  return $rc
}

# sys_up SYS PROFILE: a fresh cluster (empty CIB, empty /run), configured, d1 and d2 running, the DC idle.
# Prints the ms from start to "3 online with a DC" (the fresh start, for the record).
# A fresh start that does not get there within UP_TIMEOUT s is recorded (RESULT ... phase=up ok=no, with a dump of
# the CIB and logs) and tried again from scratch, up to UP_ATTEMPTS times: how often it fails is a result too.
sys_up() {
  local a
  for a in $(seq 1 "${UP_ATTEMPTS:-3}"); do
    if sys_up_once "$@" "$a"; then result "sys=$1 phase=up profile=$2 attempt=$a ok=yes"; return 0; fi
    result "sys=$1 phase=up profile=$2 attempt=$a ok=no"
  done
  return 1
}
sys_up_once() {
  local sys=$1 prof=$2 att=$3 i t0 end
  stop_all
  SCHED_RR="${CS_SCHED_RR:-}" "$ANCHOR/gen-conf.sh" udpu "$prof" >/dev/null || die "gen-conf.sh failed"
  for i in $(seq 1 "$NODES"); do
    rm -rf "$(node_dir "$i")"/lib-pacemaker/{cib,pengine,blackbox}/* "$(node_dir "$i")"/log-pacemaker/* "$(node_dir "$i")"/corosync.log
    wipe_run "$i"
  done
  t0=$(ms_now)
  if [ "$sys" = pcmk ]; then
    "$ANCHOR/cluster-start.sh" 2>/dev/null
    wait_all_members 3 60 || { log "corosync did not form a 3-node membership"; return 1; }
    "$ANCHOR/pcmk-start.sh" 2>/dev/null
  else
    rm -rf "$VRT"/node[0-9]* "$VRT"/node[0-9].out
    vigil_conf "$prof" >/dev/null
    for i in $(seq 1 "$NODES"); do vg_start_node "$i"; done
    for i in $(seq 1 "$NODES"); do vigil_wait_members "$i" "1 2 3" 90 || return 1; done
  fi
  end=$(( $(date +%s) + ${UP_TIMEOUT:-120} ))
  until [ -n "$(dc_of "$sys" 1)" ] && cstat "$sys" 1 | grep -qx 'online=node1,node2,node3'; do
    [ "$(date +%s)" -lt "$end" ] || { log "$(name_of "$sys"): no DC with 3 nodes online after ${UP_TIMEOUT:-120} s"; dump "$sys" 1 "up-$sys-$prof-$att-$SECONDS"; return 1; }
    sleep 0.2
  done
  raw "# $(name_of "$sys") $prof: fresh start -> 3 online with a DC: $(( $(ms_now) - t0 )) ms (empty CIB)"
  configure "$sys" || { log "$(name_of "$sys"): configuring failed"; return 1; }
  wait_ready "$sys" 1 "${UP_TIMEOUT:-120}" || { dump "$sys" 1 "up-$sys-$prof-$att-$SECONDS"; return 1; }
  [ "$sys" = vg ] && vg_detect
  return 0
}
sys_stop() { if [ "$1" = pcmk ]; then pcmk_stop; else vg_stop; fi; }
sys_pids() { ip netns pids "$(node_ns "$1")"; }

# logts FILE PATTERN OFFSET: epoch ms of the first line matching PATTERN after byte OFFSET
logts() {
  tail -c +"$(( $3 + 1 ))" "$1" 2>/dev/null | grep -m1 -- "$2" | awk '{print $1" "$2" "$3}' \
    | { read -r d && date -d "$d" +%s%3N; }
}
dt() { [ -n "$1" ] && echo $(( $1 - t0 )) || echo NA; }

# vg_internal I: from the DC's timeline (crmadmin --timeline, last incident): ms from "ring ... formed" to the end
# of d1's start (and to its transition), Vigil's own account of the CRM share (no polling in it)
vg_internal() {
  X vg "$1" crmadmin --timeline --incidents 1 2>/dev/null | awk '
    /ring .* formed/ && f == "" { f = $1 + 0 }
    /transition [0-9]+ \(CIB/ && t == "" && f != "" { t = $1 + 0 }
    /d1_start_0 on .* done/ && d == "" && f != "" { d = $1 + 0 }
    END { printf "vg_formed_to_transition_ms=%s vg_formed_to_d1_started_ms=%s", (t == "" ? "NA" : t - f), (d == "" ? "NA" : d - f) }'
}

# ---- phase failover ---------------------------------------------------------------------------------------------

failover_sys() {
  local sys=$1 prof=$2 r host vi dc sv mlog off pids p ts tm tmem h end newh share tok cons np pstart pcost
  log "$(name_of "$sys") $prof: fresh cluster"
  sys_up "$sys" "$prof" || { result "sys=$sys phase=failover profile=$prof setup=failed"; return 1; }
  tok=$(X "$sys" 1 corosync-cmapctl -g runtime.config.totem.token 2>/dev/null | awk '{print $NF}')
  cons=$(X "$sys" 1 corosync-cmapctl -g runtime.config.totem.consensus 2>/dev/null | awk '{print $NF}')
  raw "# sys=$sys profile=$prof runtime.config.totem.token=$tok consensus=$cons located_by=$(locate_method "$sys") $(bg_load | sed 's/^# //')"
  for r in $(seq 1 "$TRIALS"); do
    # not ready (after the previous trial's rejoin): recorded with a dump, then a fresh cluster for the next trial
    if ! wait_ready "$sys" 1 "$READY_WAIT"; then
      raw "# sys=$sys profile=$prof trial=$r: cluster NOT ready (3 online, DC idle, d1 and d2 running where the agents' state files are) $READY_WAIT s after the previous trial's rejoin"
      dump "$sys" 1 "notready-$sys-$prof-$r"
      result "sys=$sys phase=ready_after_rejoin profile=$prof trial=$r ok=no"
      sys_up "$sys" "$prof" || { result "sys=$sys phase=failover profile=$prof setup=failed"; break; }
    elif [ "$r" -gt 1 ]; then result "sys=$sys phase=ready_after_rejoin profile=$prof trial=$r ok=yes"; fi
    sleep "$TRIAL_SETTLE"
    host=$(where "$sys" 1 d1); vi=${host#node}
    [[ "$vi" =~ ^[0-9]+$ ]] || { raw "# sys=$sys profile=$prof trial=$r: d1 not on one node ('$host')"; dump "$sys" 1 "where-$sys-$prof-$r"; break; }
    dc=$(dc_of "$sys" 1)
    sv=1; [ "$vi" = 1 ] && sv=2
    mlog=$(members_log "$sys" "$sv"); off=$(stat -c %s "$mlog" 2>/dev/null || echo 0)
    pids=$(sys_pids "$vi")
    # watcher: the first moment d1's agent state file exists on a survivor (the agent's start ran), 10 ms steps
    local sf="" j; for j in $(seq 1 "$NODES"); do [ "$j" != "$vi" ] && sf+=" $(statefile "$j" d1)"; done
    ( end=$(( ${EPOCHREALTIME%.*} + 120 ))
      while (( ${EPOCHREALTIME%.*} < end )); do
        for f in $sf; do [ -e "$f" ] && { ms_now; exit 0; }; done
        sleep 0.01
      done ) > "$W/agent-$sys-$prof-$r.txt" &
    local apid=$!; BG_PIDS+=($apid)
    t0=$(ms_now)
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -f "$(node_dir "$vi")"/{corosync,pacemakerd}.pid "$VRT/node$vi.pid"
    ts=""; tm=""; end=$(( $(date +%s) + 120 )); np=0; pstart=$(ms_now)
    while [ "$(date +%s)" -lt "$end" ]; do
      h=$(where "$sys" "$sv" d1); np=$((np + 1))
      echo "$(( $(ms_now) - t0 )) ${h:--}" >> "$W/poll-$sys-$prof-$r.txt"
      if [ -n "$h" ] && [[ ",$h," != *",$host,"* ]]; then ts=$(ms_now); break; fi
      sleep 0.05
    done
    # a poll's cost (the tool's own time, plus the 50 ms sleep between polls) sets the resolution of "located"
    pcost=$(( ( $(ms_now) - pstart ) / np ))
    if [ -n "$ts" ] && has_mon "$sys"; then
      end=$(( $(date +%s) + 30 ))
      while [ "$(date +%s)" -lt "$end" ]; do
        mon "$sys" "$sv" | grep -E '^[[:space:]]*\* d1[[:space:]]' | grep -q "Started node" \
          && ! mon "$sys" "$sv" | grep -E '^[[:space:]]*\* d1[[:space:]]' | grep -q "$host" && { tm=$(ms_now); break; }
        sleep 0.05
      done
    fi
    sleep 0.5
    kill "$apid" 2>/dev/null; wait "$apid" 2>/dev/null
    local ta; ta=$(head -1 "$W/agent-$sys-$prof-$r.txt")
    tmem=$(logts "$mlog" "Members left: $vi" "$off")
    newh=$(where "$sys" "$sv" d1)
    share=NA; [ -n "$ts" ] && [ -n "$tmem" ] && share=$(( ts - tmem ))
    result "sys=$sys phase=failover profile=$prof trial=$r victim=$host dc_before=$dc was_dc=$([ "$host" = "$dc" ] && echo yes || echo no) victim_pids=$(echo $pids | wc -w) new_host=${newh:-none} membership_ms=$(dt "$tmem") located_ms=$(dt "$ts") crm_mon_ms=$(if has_mon "$sys"; then dt "$tm"; else echo NA; fi) crm_share_ms=$share agent_started_ms=$(dt "$ta") poll_period_ms=$pcost$([ "$sys" = vg ] && echo " $(vg_internal "$sv")")"
    [ -n "$ts" ] || { log "$(name_of "$sys") $prof trial $r: d1 NOT running on a survivor 120 s after the kill"; dump "$sys" "$sv" "nofailover-$sys-$prof-$r"; }
    [ "$sys" = vg ] && X vg "$sv" crmadmin --timeline --incidents 1 2>&1 | head -60 | sed "s/^/# sys=vg profile=$prof trial=$r timeline: /" >> "$RAW"
    # the victim reboots: /run emptied, its stack restarted; rejoin = until the survivor shows it online
    rejoin "$sys" "$vi" "$sv" "$host" "$prof" "$r" "" ""
  done
  # the last trial's rejoin is checked too
  ready_after_rejoin "$sys" "$prof" "" ""
  sys_stop "$sys"
}

# rejoin SYS VICTIM SURVIVOR HOST PROFILE TRIAL PREFIX LABEL: the victim reboots (its /run emptied, its stack
# restarted); rejoin = until the survivor's CIB shows all three nodes online. PREFIX ("" or "f") starts the result's
# phase name and the dump's name, LABEL ("" or "fencing ") the raw line's trial.
rejoin() {
  local sys=$1 vi=$2 sv=$3 host=$4 prof=$5 r=$6 pre=$7 label=$8 tr0 trj="" end
  wipe_run "$vi"
  tr0=$(ms_now)
  if [ "$sys" = pcmk ]; then pcmk_boot "$vi"; else vg_start_node "$vi"; fi
  end=$(( $(date +%s) + 180 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    cstat "$sys" "$sv" | grep -qx 'online=node1,node2,node3' && { trj=$(ms_now); break; }
    sleep 0.2
  done
  if [ -n "$trj" ]; then raw "# sys=$sys profile=$prof ${label}trial=$r: $host restarted, online again (seen from node$sv) after $(( trj - tr0 )) ms"
    result "sys=$sys phase=${pre}rejoin profile=$prof trial=$r ms=$(( trj - tr0 ))"
  else raw "# sys=$sys profile=$prof ${label}trial=$r: $host did NOT rejoin within 180 s"; dump "$sys" "$sv" "${pre}norejoin-$sys-$prof-$r"
    result "sys=$sys phase=${pre}rejoin profile=$prof trial=$r ms=NA"; fi
}

# ready_after_rejoin SYS PROFILE PREFIX LABEL: after the last trial's rejoin the cluster is ready again
ready_after_rejoin() {
  local sys=$1 prof=$2 pre=$3 label=$4
  if wait_ready "$sys" 1 "$READY_WAIT"; then result "sys=$sys phase=${pre}ready_after_rejoin profile=$prof trial=end ok=yes"
  else raw "# sys=$sys profile=$prof ${label}after the last trial: cluster NOT ready $READY_WAIT s after the rejoin"; dump "$sys" 1 "${pre}notready-$sys-$prof-end"
    result "sys=$sys phase=${pre}ready_after_rejoin profile=$prof trial=end ok=no"; fi
}

# ---- phase fencing ----------------------------------------------------------------------------------------------

# The fence agent, bench/crm/fence_bench, for both systems: Vigil's nodes find it in $BRT/fence/sbin
# (-Dvigil.agents.fence.dir), Pacemaker's fenced in /usr/sbin, where it is installed for the phase only (removed at
# its end and by the exit trap). Its map names each node's network namespace by inode (inside node-exec.sh /run, so
# /run/netns, is the node's own), and the host's, which it refuses to act on.
FENCE_INSTALLED=0; FENCE_SBIN=/usr/sbin/fence_bench; FENCE_JAVA_SAVED=""
fence_setup() {
  local i ino host
  mkdir -p "$BRT/fence/sbin"
  cp "$CRM_BENCH_DIR/fence_bench" "$BRT/fence/sbin/fence_bench" && chmod 755 "$BRT/fence/sbin/fence_bench" || return 1
  host=$(stat -L -c %i /proc/self/ns/net) || return 1
  { echo "host $host"
    for i in $(seq 1 "$NODES"); do
      ino=$(stat -L -c %i "/run/netns/$(node_ns "$i")") || return 1
      [ "$ino" != "$host" ] || { log "namespace $(node_ns "$i") has the host's inode"; return 1; }
      echo "node$i $ino"
    done; } > "$FENCE_MAP.new" && mv "$FENCE_MAP.new" "$FENCE_MAP"
  raw "# fence_bench map ($FENCE_MAP): $(tr '\n' ' ' < "$FENCE_MAP")"
  if [ -e "$FENCE_SBIN" ] && ! cmp -s "$FENCE_SBIN" "$CRM_BENCH_DIR/fence_bench"; then
    log "$FENCE_SBIN exists and is not bench/crm/fence_bench: not touching it"; return 1
  fi
  install -m 755 "$CRM_BENCH_DIR/fence_bench" "$FENCE_SBIN" || return 1
  FENCE_INSTALLED=1
  FENCE_JAVA_SAVED=${VIGIL_JAVA_OPTS-__unset__}
  export VIGIL_JAVA_OPTS="${VIGIL_JAVA_OPTS:-} -Dvigil.agents.fence.dir=$BRT/fence/sbin"
  raw "# fencing: $FENCE_SBIN installed for the phase; Vigil's VIGIL_JAVA_OPTS for the phase: '$VIGIL_JAVA_OPTS'"
  FENCING=1
}
fence_teardown() {
  if [ "$FENCE_INSTALLED" = 1 ]; then rm -f "$FENCE_SBIN"; FENCE_INSTALLED=0; fi
  if [ -n "$FENCE_JAVA_SAVED" ]; then
    if [ "$FENCE_JAVA_SAVED" = __unset__ ]; then unset VIGIL_JAVA_OPTS; else export VIGIL_JAVA_OPTS="$FENCE_JAVA_SAVED"; fi
    FENCE_JAVA_SAVED=""
  fi
  FENCING=0
}
# fence_check SYS: the agent as each system sees it, into the raw file (Pacemaker: stonith_admin inside node1)
fence_check() {
  if [ "$1" = pcmk ]; then
    raw "# pcmk: stonith_admin --list-installed | grep fence_bench: $(X pcmk 1 stonith_admin --list-installed 2>&1 | grep -c fence_bench) line(s)"
    raw "# pcmk: stonith_admin -M -a fence_bench: $(X pcmk 1 stonith_admin -M -a fence_bench 2>&1 | grep -o '<resource-agent name="[^"]*"' | head -1)"
    raw "# pcmk: stonith_admin --list-registered: $(X pcmk 1 stonith_admin --list-registered 2>&1 | tr '\n' ' ')"
  else
    raw "# vg: stonith_admin --list-installed | grep fence_bench: $(X vg 1 stonith_admin --list-installed 2>&1 | grep -c fence_bench) line(s)"
    raw "# vg: stonith_admin --list-registered: $(X vg 1 stonith_admin --list-registered 2>&1 | tr '\n' ' ')"
  fi
}
# crm_log SYS I: node I's CRM log; fence_log_ms SYS I VICTIM OFFSET: epoch ms of node I's log line (I = the DC after
# the failover: Vigil's DC alone logs it) saying the victim was fenced
crm_log() { if [ "$1" = pcmk ]; then echo "$(node_dir "$2")/log-pacemaker/pacemaker.log"; else vigil_log "$2"; fi; }
fence_log_ms() {
  if [ "$1" = pcmk ]; then logts "$(crm_log "$1" "$2")" "$3 was terminated (" "$4"
  else logts "$(crm_log "$1" "$2")" "$3 was fenced" "$4"; fi
}
# vg_fence_internal I: from node I's timeline (the last incident): ms from "ring ... formed" to "fencing <victim>",
# to "<victim> was fenced" and to the end of d1's start
vg_fence_internal() {
  X vg "$1" crmadmin --timeline --incidents 1 2>/dev/null | awk -v v="$2" '
    /ring .* formed/ && f == "" { f = $1 + 0 }
    $0 ~ ("fencing " v " ") && s == "" && f != "" { s = $1 + 0 }
    $0 ~ (v " was fenced") && d == "" && f != "" { d = $1 + 0 }
    /d1_start_0 on .* done/ && r == "" && f != "" { r = $1 + 0 }
    function x(a) { return (a == "" ? "NA" : a - f) }
    END { printf "vg_formed_to_fencing_ms=%s vg_formed_to_fenced_ms=%s vg_formed_to_d1_started_ms=%s", x(s), x(d), x(r) }'
}
# ns_stop I / ns_kill I: SIGSTOP / SIGKILL of every process in node I's namespace, twice (a process forked while
# the first signals landed)
ns_signal() { local k p; for k in 1 2; do for p in $(sys_pids "$2"); do kill -"$1" "$p" 2>/dev/null; done; done; }

fencing_sys() {
  local sys=$1 prof=$2 r host vi dc sv mlog off pids p ts tm tmem tflog h end newh share tok cons np pstart pcost ndc j
  log "$(name_of "$sys") $prof: fresh cluster with fencing (fence_bench)"
  sys_up "$sys" "$prof" || { result "sys=$sys phase=fencing profile=$prof setup=failed"; return 1; }
  fence_check "$sys"
  tok=$(X "$sys" 1 corosync-cmapctl -g runtime.config.totem.token 2>/dev/null | awk '{print $NF}')
  cons=$(X "$sys" 1 corosync-cmapctl -g runtime.config.totem.consensus 2>/dev/null | awk '{print $NF}')
  raw "# sys=$sys profile=$prof fencing runtime.config.totem.token=$tok consensus=$cons located_by=$(locate_method "$sys") $(bg_load | sed 's/^# //')"
  for r in $(seq 1 "$TRIALS"); do
    if ! wait_ready "$sys" 1 "$READY_WAIT"; then
      raw "# sys=$sys profile=$prof fencing trial=$r: cluster NOT ready (3 online, DC idle, d1, d2 and fence-bench running) $READY_WAIT s after the previous trial's rejoin"
      dump "$sys" 1 "fnotready-$sys-$prof-$r"
      result "sys=$sys phase=fready_after_rejoin profile=$prof trial=$r ok=no"
      sys_up "$sys" "$prof" || { result "sys=$sys phase=fencing profile=$prof setup=failed"; break; }
    elif [ "$r" -gt 1 ]; then result "sys=$sys phase=fready_after_rejoin profile=$prof trial=$r ok=yes"; fi
    sleep "$TRIAL_SETTLE"
    host=$(where "$sys" 1 d1); vi=${host#node}
    [[ "$vi" =~ ^[0-9]+$ ]] || { raw "# sys=$sys profile=$prof fencing trial=$r: d1 not on one node ('$host')"; dump "$sys" 1 "fwhere-$sys-$prof-$r"; break; }
    dc=$(dc_of "$sys" 1)
    sv=1; [ "$vi" = 1 ] && sv=2
    mlog=$(members_log "$sys" "$sv"); off=$(stat -c %s "$mlog" 2>/dev/null || echo 0)
    declare -A poff=(); for j in $(seq 1 "$NODES"); do poff[$j]=$(stat -c %s "$(crm_log "$sys" "$j")" 2>/dev/null || echo 0); done
    pids=$(sys_pids "$vi")
    # watchers, 10 ms steps: d1's agent state file on a survivor (its start ran), and the victim's namespace empty
    local sf=""; for j in $(seq 1 "$NODES"); do [ "$j" != "$vi" ] && sf+=" $(statefile "$j" d1)"; done
    ( end=$(( ${EPOCHREALTIME%.*} + 180 ))
      while (( ${EPOCHREALTIME%.*} < end )); do
        for f in $sf; do [ -e "$f" ] && { ms_now; exit 0; }; done
        sleep 0.01
      done ) > "$W/fagent-$sys-$prof-$r.txt" &
    local apid=$!; BG_PIDS+=($apid)
    # (the pids known now, by the shell's own test: /proc/PID/ns/net of an exited process, zombie or reaped, is
    # gone; once they are, `ip netns pids` confirms that nothing forked before the STOP is left)
    ( end=$(( ${EPOCHREALTIME%.*} + 180 )); ns=$(node_ns "$vi")
      while (( ${EPOCHREALTIME%.*} < end )); do
        t=$(ms_now); left=0
        for q in $pids; do [ -e "/proc/$q/ns/net" ] && { left=1; break; }; done
        [ "$left" = 0 ] && [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && { echo "$t"; exit 0; }
        sleep 0.01
      done ) > "$W/ffenced-$sys-$prof-$r.txt" &
    local fpid=$!; BG_PIDS+=($fpid)
    t0=$(ms_now)
    ns_signal STOP "$vi"
    ts=""; tm=""; end=$(( $(date +%s) + 150 )); np=0; pstart=$(ms_now)
    while [ "$(date +%s)" -lt "$end" ]; do
      h=$(where "$sys" "$sv" d1); np=$((np + 1))
      echo "$(( $(ms_now) - t0 )) ${h:--} fenced=$([ -s "$W/ffenced-$sys-$prof-$r.txt" ] && echo yes || echo no)" >> "$W/fpoll-$sys-$prof-$r.txt"
      if [ -n "$h" ] && [[ ",$h," != *",$host,"* ]]; then ts=$(ms_now); break; fi
      sleep 0.05
    done
    pcost=$(( ( $(ms_now) - pstart ) / np ))
    if [ -n "$ts" ] && has_mon "$sys"; then
      end=$(( $(date +%s) + 30 ))
      while [ "$(date +%s)" -lt "$end" ]; do
        mon "$sys" "$sv" | grep -E '^[[:space:]]*\* d1[[:space:]]' | grep -q "Started node" \
          && ! mon "$sys" "$sv" | grep -E '^[[:space:]]*\* d1[[:space:]]' | grep -q "$host" && { tm=$(ms_now); break; }
        sleep 0.05
      done
    fi
    # the fence may come after d1 was located (it must not): up to 30 s more for it
    end=$(( $(date +%s) + 30 ))
    while [ ! -s "$W/ffenced-$sys-$prof-$r.txt" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done
    sleep 0.5
    kill "$apid" "$fpid" 2>/dev/null; wait "$apid" "$fpid" 2>/dev/null
    local ta tf; ta=$(head -1 "$W/fagent-$sys-$prof-$r.txt"); tf=$(head -1 "$W/ffenced-$sys-$prof-$r.txt")
    tmem=$(logts "$mlog" "Members left: $vi" "$off")
    ndc=$(dc_of "$sys" "$sv")
    tflog=""; [ -n "$ndc" ] && tflog=$(fence_log_ms "$sys" "${ndc#node}" "$host" "${poff[${ndc#node}]}")
    newh=$(where "$sys" "$sv" d1)
    share=NA; [ -n "$ts" ] && [ -n "$tmem" ] && share=$(( ts - tmem ))
    # the fence's first evidence: the namespace empty (the watcher may be late on a loaded machine) or the DC's log
    # line (written only after the agent, which returns once its own scan finds the namespace empty)
    local tfe=$tf; [ -n "$tflog" ] && { [ -z "$tfe" ] || [ "$tflog" -lt "$tfe" ]; } && tfe=$tflog
    local order=NA; [ -n "$ta" ] && [ -n "$tfe" ] && order=$([ "$ta" -ge "$tfe" ] && echo fence_first || echo START_BEFORE_FENCE)
    [ -n "$ta" ] && [ -z "$tfe" ] && order=START_WITHOUT_FENCE
    result "sys=$sys phase=fencing profile=$prof trial=$r victim=$host dc_before=$dc was_dc=$([ "$host" = "$dc" ] && echo yes || echo no) dc_after=${ndc:-none} victim_pids=$(echo $pids | wc -w) new_host=${newh:-none} membership_ms=$(dt "$tmem") fenced_ms=$(dt "$tf") fence_logged_ms=$(dt "$tflog") located_ms=$(dt "$ts") crm_mon_ms=$(if has_mon "$sys"; then dt "$tm"; else echo NA; fi) crm_share_ms=$share after_fence_ms=$([ -n "$ts" ] && [ -n "$tf" ] && echo $(( ts - tf )) || echo NA) agent_started_ms=$(dt "$ta") order=$order poll_period_ms=$pcost$([ "$sys" = vg ] && [ -n "$ndc" ] && echo " $(vg_fence_internal "${ndc#node}" "$host")")"
    [ -n "$ts" ] || { log "$(name_of "$sys") $prof fencing trial $r: d1 NOT running on a survivor 150 s after the STOP"; dump "$sys" "$sv" "nofence-$sys-$prof-$r"; }
    [ -n "$tf" ] || { log "$(name_of "$sys") $prof fencing trial $r: $host NOT fenced"; raw "# sys=$sys profile=$prof fencing trial=$r: $host NOT fenced (its processes still there: $(sys_pids "$vi" | tr '\n' ' '))"; [ -n "$ts" ] && dump "$sys" "$sv" "nofence-$sys-$prof-$r"; }
    [ "$order" = fence_first ] || [ "$order" = NA ] || raw "# sys=$sys profile=$prof fencing trial=$r: ORDER $order: d1's start ran on a survivor at +$(dt "$ta") ms, the victim's processes gone at +$(dt "$tf") ms, the DC logged the fence at +$(dt "$tflog") ms"
    if [ "$sys" = vg ] && [ -n "$ndc" ]; then
      X vg "${ndc#node}" crmadmin --timeline --incidents 1 2>&1 | head -80 | sed "s/^/# sys=vg profile=$prof fencing trial=$r timeline ($ndc, the DC): /" >> "$RAW"
    fi
    # the victim (fenced or not: a STOPped one is killed now) reboots: /run emptied, its stack restarted
    ns_signal KILL "$vi"
    for _ in $(seq 1 50); do [ -z "$(sys_pids "$vi")" ] && break; sleep 0.1; done
    rm -f "$(node_dir "$vi")"/{corosync,pacemakerd}.pid "$VRT/node$vi.pid"
    rejoin "$sys" "$vi" "$sv" "$host" "$prof" "$r" f "fencing "
  done
  ready_after_rejoin "$sys" "$prof" f "fencing "
  sys_stop "$sys"
}

# ---- phase cold ---------------------------------------------------------------------------------------------

cold_sys() {
  local sys=$1 k i t0 t0s end s dc tdc tst trs
  log "$(name_of "$sys"): fresh configured cluster for the cold starts"
  sys_up "$sys" seed || { result "sys=$sys phase=cold setup=failed"; return 1; }
  for k in $(seq 1 "$COLD_TRIALS"); do
    sys_stop "$sys"
    for i in $(seq 1 "$NODES"); do wipe_run "$i"; done
    sleep 2
    raw "# sys=$sys cold trial $k $(bg_load | sed 's/^# //')"
    t0=$(ms_now); t0s=$(( t0 / 1000 )); tdc=""; tst=""; trs=""
    if [ "$sys" = pcmk ]; then pcmk_boot 1 2 3; else for i in $(seq 1 "$NODES"); do vg_start_node "$i"; done; fi
    end=$(( $(date +%s) + COLD_TIMEOUT ))
    while [ "$(date +%s)" -lt "$end" ]; do
      dc=$(dc_of "$sys" 1)
      if [ -n "$dc" ]; then
        s=$(cstat "$sys" 1 "$t0s")
        # (d1 and d2 started, however many nodes are online: for the record when a node does not join)
        [ -z "$trs" ] && echo "$s" | grep -qE '^rsc=d1 on=node[0-9]+$' && echo "$s" | grep -qE '^rsc=d2 on=node[0-9]+$' && trs=$(ms_now)
        if echo "$s" | grep -qx 'online=node1,node2,node3'; then
          [ -n "$tdc" ] || tdc=$(ms_now)
          echo "$s" | grep -qE '^rsc=d1 on=node[0-9]+$' && echo "$s" | grep -qE '^rsc=d2 on=node[0-9]+$' && { tst=$(ms_now); break; }
        fi
      fi
      sleep 0.1
    done
    result "sys=$sys phase=cold trial=$k dc_ms=$(dt "$tdc") started_ms=$(dt "$tst") rsc_started_any_online_ms=$(dt "$trs") online=$(echo "$s" | sed -n 's/^online=//p') dc=${dc:-none}"
    for i in $(seq 1 "$NODES"); do   # the logs of the cold start, kept (the next fresh start empties them)
      if [ "$sys" = pcmk ]; then cp "$(node_dir "$i")/log-pacemaker/pacemaker.log" "$W/cold-$sys-$k-node$i-pacemaker.log" 2>/dev/null
        cp "$(cs_log "$i")" "$W/cold-$sys-$k-node$i-corosync.log" 2>/dev/null
      else cp "$(vigil_log "$i")" "$W/cold-$sys-$k-node$i-vigil.log" 2>/dev/null; fi
    done
    [ -n "$tst" ] || { log "$(name_of "$sys"): cold start $k: not 3 online with a DC and d1, d2 started after $COLD_TIMEOUT s"; dump "$sys" 1 "cold-$sys-$k"; }
  done
  sys_stop "$sys"
}

# ---- phase admin --------------------------------------------------------------------------------------------

# the move loop, run inside node1: RES MON CIBQ ADM (command words), CHECK (mon|cib), PARSER, MOVES
[ -d "$W" ] && cat > "$W/moves.sh" <<'EOF'
#!/bin/bash
# the DC's state, asked on the DC node (VG_STATE: Vigil's state directories, $VG_STATE/<node>)
adm_on() { if [ -n "${VG_STATE:-}" ]; then "$VIGIL" --state-dir "$VG_STATE/$1" crmadmin "${@:2}"; else $ADM "${@:2}"; fi; }
dc_idle() { local dc; for _ in $(seq 1 150); do dc=$($ADM -D -q 2>/dev/null | tail -1); [ -n "$dc" ] && [ "$(adm_on "$dc" -S "$dc" -q 2>/dev/null | tail -1)" = S_IDLE ] && return 0; sleep 0.2; done; return 1; }
started_on() {
  if [ "$CHECK" = mon ]; then $MON -1 2>/dev/null | grep -qE "^[[:space:]]*\* d1[[:space:]].*Started $1[[:space:]]*$"
  else $CIBQ --query 2>/dev/null | python3 "$PARSER" | grep -qx "rsc=d1 on=$1"; fi
}
located() {
  if [ "$CHECK" = mon ]; then $MON -1 2>/dev/null | grep -E "^[[:space:]]*\* d1[[:space:]]" | sed -n 's/.*Started \(node[0-9]*\).*/\1/p'
  else $CIBQ --query 2>/dev/null | python3 "$PARSER" | sed -n 's/^rsc=d1 on=//p'; fi
}
next=2
for r in $(seq 1 "$MOVES"); do
  dc_idle || echo "# DC not idle after 30 s"
  from=$(located)
  tgt=node$next; [ "$tgt" = "$from" ] && { next=$(( next % 3 + 1 )); tgt=node$next; }
  next=$(( next % 3 + 1 ))
  s=${EPOCHREALTIME/./}
  $RES --resource d1 --move --node "$tgt" >/dev/null 2>"$ERRF"; rc=$?
  c=${EPOCHREALTIME/./}; e=""; polls=0; end=$(( s + 60000000 ))
  while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
    polls=$((polls + 1))
    if started_on "$tgt"; then e=${EPOCHREALTIME/./}; break; fi
  done
  [ "$rc" = 0 ] || sed "s/^/# crm_resource: /" "$ERRF"
  echo "MOVE run=$r from=$from to=$tgt rc=$rc cmd_us=$((c - s)) started_us=$([ -n "$e" ] && echo $((e - s)) || echo NA) polls=$polls dc=$($ADM -D -q 2>/dev/null | tail -1)"
  $RES --resource d1 --clear >/dev/null 2>&1
  for _ in $(seq 1 100); do $CIBQ --query --scope constraints 2>/dev/null | grep -q cli-prefer-d1 || break; sleep 0.1; done
  dc_idle; sleep 3
done
EOF
[ -f "$W/moves.sh" ] && chmod +x "$W/moves.sh"

hf_stats() {
  python3 - "$1" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = [x * 1000 for x in r["times"]]
codes = sorted(set(r.get("exit_codes", [])))
print("median=%.1f min=%.1f max=%.1f runs=%d exit_codes=%s" % (statistics.median(t), min(t), max(t), len(t), ",".join(map(str, codes))))
EOF
}
admin_sys() {
  local sys=$1 j="$W/hf-$1-crm_mon.json" pre cmd check mv
  log "$(name_of "$sys"): fresh configured cluster for the admin commands"
  sys_up "$sys" seed || { result "sys=$sys phase=admin setup=failed"; return 1; }
  wait_ready "$sys" 1 60
  if [ "$sys" = pcmk ]; then pre=""; else pre="$VIGIL --state-dir $(vnode_dir 1) "; fi
  if has_mon "$sys"; then
    raw ""; raw "## $sys crm_mon -1 (hyperfine -N inside node1) $(bg_load | sed 's/^# //')"
    mon "$sys" 1 | sed 's/^/#   | /' >> "$RAW"
    if [ "$sys" = pcmk ]; then
      "$ANCHOR/node-exec.sh" 1 timeout -k 5 600 hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$j" "crm_mon -1" >> "$RAW" 2>&1
    else
      ip netns exec "$(node_ns 1)" timeout -k 5 600 hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$j" "${pre}crm_mon -1" >> "$RAW" 2>&1
    fi
    if [ -s "$j" ]; then result "sys=$sys phase=crm_mon $(hf_stats "$j")"; else result "sys=$sys phase=crm_mon failed"; fi
  else
    result "sys=$sys phase=crm_mon not_available"
  fi
  mv=yes; [ "$sys" = vg ] && mv=$VG_MOVE
  if [ "$mv" = yes ]; then
    check=cib; has_mon "$sys" && check=mon
    raw ""; raw "## $sys crm_resource --resource d1 --move --node <other> -> first $([ $check = mon ] && echo 'crm_mon -1' || echo 'cibadmin --query (cib-status.py)') showing d1 Started there $(bg_load | sed 's/^# //')"
    local envs=(RES="${pre}crm_resource" MON="${pre}crm_mon" CIBQ="${pre}cibadmin" ADM="${pre}crmadmin" CHECK="$check" PARSER="$PARSER" MOVES="$MOVES" ERRF="$W/move-$sys.err")
    [ "$sys" = vg ] && envs+=(VIGIL="$VIGIL" VG_STATE="$VRT")
    if [ "$sys" = pcmk ]; then "$ANCHOR/node-exec.sh" 1 env "${envs[@]}" timeout -k 5 900 bash "$W/moves.sh" >> "$RAW" 2>&1
    else ip netns exec "$(node_ns 1)" env "${envs[@]}" timeout -k 5 900 bash "$W/moves.sh" >> "$RAW" 2>&1; fi
    local v; v=$(grep "^MOVE " "$RAW" | tail -n "$MOVES" | kv started_us | grep -v NA | awk '{printf "%.1f\n", $1 / 1000}')
    result "sys=$sys phase=move median=$(echo "$v" | grep . | med) min=$(echo "$v" | grep . | sort -g | head -1) max=$(echo "$v" | grep . | sort -g | tail -1) runs=$(echo "$v" | grep -c .) of=$MOVES check=$check"
  else
    result "sys=$sys phase=move not_available"
  fi
  sys_stop "$sys"
}

# ---- phase roundtrip ------------------------------------------------------------------------------------------

# the create loop, run inside node1: CMD (pcs command words), MON (crm_mon command words), CREATES, PREFIX
[ -d "$W" ] && cat > "$W/creates.sh" <<'EOF'
#!/bin/bash
# pcs resource create PREFIXk ocf:pacemaker:Dummy, then crm_mon -1 polled back to back until "PREFIXk ... Started"
for r in $(seq 1 "$CREATES"); do
  id="$PREFIX$r"
  s=${EPOCHREALTIME/./}
  $CMD resource create "$id" ocf:pacemaker:Dummy >/dev/null 2>"$ERRF"; rc=$?
  c=${EPOCHREALTIME/./}; e=""; polls=0; end=$(( s + 60000000 ))
  while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
    polls=$((polls + 1))
    if $MON -1 2>/dev/null | grep -qE "^[[:space:]]*\* $id[[:space:]].*Started node[0-9]+[[:space:]]*$"; then e=${EPOCHREALTIME/./}; break; fi
  done
  [ "$rc" = 0 ] || sed "s/^/# pcs: /" "$ERRF"
  echo "CREATE run=$r id=$id rc=$rc cmd_us=$((c - s)) started_us=$([ -n "$e" ] && echo $((e - s)) || echo NA) polls=$polls"
  sleep 2
done
EOF
[ -f "$W/creates.sh" ] && chmod +x "$W/creates.sh"

# rt_hf SYS LABEL COMMAND...: hyperfine -N inside node1 (Pacemaker: node-exec.sh 1; Vigil: netns csn1, its perl
# client through ./vigil), one plain run first (exit status and the first lines into the raw file)
rt_hf() {
  local sys=$1 label=$2 cmd=$3 j="$W/hf-$1-$2.json" rc
  raw ""; raw "## $sys $label: $cmd (hyperfine -N --warmup $WARMUP --runs $RUNS inside node1) $(bg_load | sed 's/^# //')"
  if [ "$sys" = pcmk ]; then
    "$ANCHOR/node-exec.sh" 1 timeout -k 5 60 bash -c "$cmd" > "$W/rt-out" 2>&1; rc=$?
  else
    ip netns exec "$(node_ns 1)" timeout -k 5 60 bash -c "$cmd" > "$W/rt-out" 2>&1; rc=$?
  fi
  raw "# one run: exit $rc, $(wc -l < "$W/rt-out") lines"; head -n 12 "$W/rt-out" | sed 's/^/#   | /' >> "$RAW"
  rm -f "$j"
  if [ "$sys" = pcmk ]; then
    "$ANCHOR/node-exec.sh" 1 timeout -k 5 900 hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$j" "$cmd" >> "$RAW" 2>&1
  else
    ip netns exec "$(node_ns 1)" timeout -k 5 900 hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$j" "$cmd" >> "$RAW" 2>&1
  fi
  if [ -s "$j" ]; then result "sys=$sys phase=rt_$label $(hf_stats "$j")"; else result "sys=$sys phase=rt_$label failed"; fi
}
roundtrip_sys() {
  local sys=$1 pre v
  log "$(name_of "$sys"): fresh configured cluster for the admin round trips"
  sys_up "$sys" seed || { result "sys=$sys phase=roundtrip setup=failed"; return 1; }
  wait_ready "$sys" 1 60
  if [ "$sys" = pcmk ]; then pre=""; else pre="$VIGIL --state-dir $(vnode_dir 1) "; fi
  rt_hf "$sys" pcs_status "${pre}pcs status"
  rt_hf "$sys" crm_configure_show "${pre}crm configure show"
  rt_hf "$sys" crm_mon "${pre}crm_mon -1"
  if [ "$sys" = vg ]; then
    # where a Vigil command's time goes: the launcher + perl client + socket + a trivial command (the floor every
    # command pays), and the perl interpreter alone; the rest of a command's time is the node's work
    rt_hf vg floor_cmapctl "${pre}corosync-cmapctl -g totem.token"
    rt_hf vg perl_alone "perl -e 1"
  fi
  raw ""; raw "## $sys pcs resource create rtK ocf:pacemaker:Dummy -> first crm_mon -1 showing rtK Started (inside node1, $CREATES runs) $(bg_load | sed 's/^# //')"
  local envs=(CMD="${pre}pcs" MON="${pre}crm_mon" CREATES="$CREATES" PREFIX=rt ERRF="$W/create-$sys.err")
  if [ "$sys" = pcmk ]; then "$ANCHOR/node-exec.sh" 1 env "${envs[@]}" timeout -k 5 900 bash "$W/creates.sh" >> "$RAW" 2>&1
  else ip netns exec "$(node_ns 1)" env "${envs[@]}" timeout -k 5 900 bash "$W/creates.sh" >> "$RAW" 2>&1; fi
  v=$(grep "^CREATE " "$RAW" | tail -n "$CREATES" | kv started_us | grep -v NA | awk '{printf "%.1f\n", $1 / 1000}')
  result "sys=$sys phase=rt_create median=$(echo "$v" | grep . | med) min=$(echo "$v" | grep . | sort -g | head -1) max=$(echo "$v" | grep . | sort -g | tail -1) runs=$(echo "$v" | grep -c .) of=$CREATES"
  v=$(grep "^CREATE " "$RAW" | tail -n "$CREATES" | kv cmd_us | awk '{printf "%.1f\n", $1 / 1000}')
  result "sys=$sys phase=rt_create_cmd median=$(echo "$v" | grep . | med) min=$(echo "$v" | grep . | sort -g | head -1) max=$(echo "$v" | grep . | sort -g | tail -1) runs=$(echo "$v" | grep -c .)"
  X "$sys" 1 crm_mon -1 2>&1 | sed 's/^/#   | /' >> "$RAW"
  sys_stop "$sys"
}

# ---- phase idle ---------------------------------------------------------------------------------------------

idle_sys() {
  local sys=$1 i p el t0 t1 hz; hz=$(getconf CLK_TCK)
  declare -A T0
  log "$(name_of "$sys"): fresh configured cluster, idle $SETTLE s, then $IDLE_SECS s of CPU"
  sys_up "$sys" seed || { result "sys=$sys phase=idle setup=failed"; return 1; }
  wait_ready "$sys" 1 60
  sleep "$SETTLE"
  raw ""; raw "## $sys idle $(bg_load | sed 's/^# //')"
  for i in $(seq 1 "$NODES"); do for p in $(sys_pids "$i"); do T0[$p]=$(cpu_ticks "$p"); done; done
  t0=$(date +%s.%N); sleep "$IDLE_SECS"; t1=$(date +%s.%N)
  el=$(echo "$t1 - $t0" | bc -l)
  ready "$sys" 1 || raw "# $sys: NOT ready at the end of the idle window"
  for i in $(seq 1 "$NODES"); do
    local trss=0 tpss=0 tcpu=0 n=0 c m comm
    for p in $(sys_pids "$i"); do
      comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
      m=$(proc_mem "$p") || continue
      c=$(echo "($(cpu_ticks "$p") - ${T0[$p]:-$(cpu_ticks "$p")}) / $hz / $el * 100" | bc -l)
      raw "# $sys node$i $comm pid=$p rss_kB=$(echo "$m" | cut -d' ' -f1) pss_kB=$(echo "$m" | cut -d' ' -f3) threads=$(echo "$m" | cut -d' ' -f4) cpu_pct=$(printf '%.2f' "$c")"
      trss=$(( trss + $(echo "$m" | cut -d' ' -f1) )); tpss=$(( tpss + $(echo "$m" | cut -d' ' -f3) ))
      tcpu=$(echo "$tcpu + $c" | bc -l); n=$((n + 1))
    done
    result "sys=$sys phase=idle node=node$i processes=$n rss_kB=$trss pss_kB=$tpss cpu_pct=$(printf '%.2f' "$tcpu")"
  done
  sys_stop "$sys"
}

# ---- the run ------------------------------------------------------------------------------------------------

for sys in $SYSTEMS; do case "$sys" in pcmk|vg) ;; *) die "unknown system $sys (pcmk, vg)" ;; esac; done
for ph in $PHASES; do
  case "$ph" in failover|fencing|cold|admin|idle|roundtrip) ;; *) die "unknown phase $ph" ;; esac
  netns_acquire
  raw ""; raw "# ===== phase $ph $(date -Is) $(bg_load | sed 's/^# //')"
  case "$ph" in
    failover) for prof in $PROFILES; do for sys in $SYSTEMS; do failover_sys "$sys" "$prof"; done; done ;;
    fencing) if fence_setup; then for prof in $PROFILES; do for sys in $SYSTEMS; do fencing_sys "$sys" "$prof"; done; done
             else result "sys=all phase=fencing setup=failed (fence_setup)"; fi
             stop_all; fence_teardown ;;
    cold) for sys in $SYSTEMS; do cold_sys "$sys"; done ;;
    admin) for sys in $SYSTEMS; do admin_sys "$sys"; done ;;
    idle) for sys in $SYSTEMS; do idle_sys "$sys"; done ;;
    roundtrip) for sys in $SYSTEMS; do roundtrip_sys "$sys"; done ;;
  esac
  raw "# ===== end of phase $ph $(date -Is) $(bg_load | sed 's/^# //')"
  netns_release
done

# ---- the table ------------------------------------------------------------------------------------------------
grep -q '^# Vigil tools on this build: crm_mon -1: yes' "$RAW" && VG_MON=yes
col() { grep "^RESULT sys=$1 phase=$2 $3" "$RAW" | kv "$4" | grep -v NA | stats; }
colm() { grep "^RESULT sys=$1 phase=$2 $3" "$RAW" | kv "$4" | grep -v NA | med; }
cnt() { grep -c "^RESULT sys=$1 phase=$2 $3" "$RAW"; }
got() { grep "^RESULT sys=$1 phase=$2 $3" "$RAW" | kv "$4" | grep -vc NA; }
colmb() { grep "^RESULT sys=$1 phase=idle " "$RAW" | kv "$2" | awk '{printf "%.1f\n", $1 / 1024}' | stats; }  # SYS KEY: kB -> MB
one() { grep "^RESULT sys=$1 phase=$2 " "$RAW" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p" | head -1; }
row() { printf '%-60s | %-24s | %-24s | %-8s | %s\n' "$1" "${2:-NA}" "${3:-NA}" "${4:-NA}" "${5:-}"; }
hfcell() { local m; m=$(one "$1" "$2" median); if grep -q "^RESULT sys=$1 phase=$2 not_available" "$RAW"; then echo "not available"; elif [ -n "$m" ]; then echo "$m [$(one "$1" "$2" min)–$(one "$1" "$2" max)]"; else echo NA; fi; }
goal() { awk -v v="$1" -v g="$2" 'BEGIN { if (v == "" || v == "NA") print "no figure"; else print (v + 0 <= g + 0) ? "met" : "NOT met" }'; }
{
  head -2 "$RAW"
  echo "Vigil located d1 by: $(grep -m1 -o 'located_by=[^ ]*' <(grep '^# sys=vg ' "$RAW") | cut -d= -f2); $(grep -m1 '^# Vigil tools' "$RAW" | sed 's/^# //')"
  echo
  row "what (3 nodes, udpu; median [min–max] ms unless said)" "Pacemaker 2.1.5" "Vigil" "Vigil/Pm" "goal"
  printf '%s\n' "-------------------------------------------------------------+--------------------------+--------------------------+----------+-----------------"
  for prof in $PROFILES; do
    grep -q "phase=failover profile=$prof " "$RAW" || continue
    row "failover $prof: d1 running on a survivor (located)" "$(col pcmk failover "profile=$prof " located_ms)" "$(col vg failover "profile=$prof " located_ms)" \
      "$(ratio "$(colm vg failover "profile=$prof " located_ms)" "$(colm pcmk failover "profile=$prof " located_ms)")" "Vigil <= 0.6x"
    row "  membership formed (log)" "$(col pcmk failover "profile=$prof " membership_ms)" "$(col vg failover "profile=$prof " membership_ms)" \
      "$(ratio "$(colm vg failover "profile=$prof " membership_ms)" "$(colm pcmk failover "profile=$prof " membership_ms)")"
    row "  CRM share (located - membership)" "$(col pcmk failover "profile=$prof " crm_share_ms)" "$(col vg failover "profile=$prof " crm_share_ms)" \
      "$(ratio "$(colm vg failover "profile=$prof " crm_share_ms)" "$(colm pcmk failover "profile=$prof " crm_share_ms)")" "Vigil <= 100 ms"
    row "  d1's agent ran its start on a survivor (state file)" "$(col pcmk failover "profile=$prof " agent_started_ms)" "$(col vg failover "profile=$prof " agent_started_ms)" \
      "$(ratio "$(colm vg failover "profile=$prof " agent_started_ms)" "$(colm pcmk failover "profile=$prof " agent_started_ms)")"
    row "  one poll of located (its resolution), ms" "$(col pcmk failover "profile=$prof " poll_period_ms)" "$(col vg failover "profile=$prof " poll_period_ms)" "-"
    row "  Vigil's timeline: ring formed -> d1 started (DC's view)" "-" "$(col vg failover "profile=$prof " vg_formed_to_d1_started_ms)" "-"
    row "  crm_mon -1 shows d1 Started on a survivor" "$(col pcmk failover "profile=$prof " crm_mon_ms)" "$(has_mon vg && col vg failover "profile=$prof " crm_mon_ms || echo 'no crm_mon')" \
      "$(ratio "$(colm vg failover "profile=$prof " crm_mon_ms)" "$(colm pcmk failover "profile=$prof " crm_mon_ms)")"
    row "  trials with d1 recovered / trials (victim was DC)" "$(got pcmk failover "profile=$prof " located_ms)/$(cnt pcmk failover "profile=$prof ") ($(grep "^RESULT sys=pcmk phase=failover profile=$prof " "$RAW" | grep -c was_dc=yes))" \
      "$(got vg failover "profile=$prof " located_ms)/$(cnt vg failover "profile=$prof ") ($(grep "^RESULT sys=vg phase=failover profile=$prof " "$RAW" | grep -c was_dc=yes))" "-"
    row "  ready again after the rejoin / rejoins (else: a fresh cluster)" "$(grep "^RESULT sys=pcmk phase=ready_after_rejoin profile=$prof " "$RAW" | grep -c ok=yes)/$(grep -c "^RESULT sys=pcmk phase=ready_after_rejoin profile=$prof " "$RAW")" \
      "$(grep "^RESULT sys=vg phase=ready_after_rejoin profile=$prof " "$RAW" | grep -c ok=yes)/$(grep -c "^RESULT sys=vg phase=ready_after_rejoin profile=$prof " "$RAW")" "-"
    row "  victim restarted -> online again" "$(col pcmk rejoin "profile=$prof " ms)" "$(col vg rejoin "profile=$prof " ms)" \
      "$(ratio "$(colm vg rejoin "profile=$prof " ms)" "$(colm pcmk rejoin "profile=$prof " ms)")"
  done
  for prof in $PROFILES; do
    grep -q "phase=fencing profile=$prof " "$RAW" || continue
    F="profile=$prof "
    row "fencing $prof (kill -STOP): d1 running on a survivor" "$(col pcmk fencing "$F" located_ms)" "$(col vg fencing "$F" located_ms)" \
      "$(ratio "$(colm vg fencing "$F" located_ms)" "$(colm pcmk fencing "$F" located_ms)")"
    row "  membership formed (log)" "$(col pcmk fencing "$F" membership_ms)" "$(col vg fencing "$F" membership_ms)" \
      "$(ratio "$(colm vg fencing "$F" membership_ms)" "$(colm pcmk fencing "$F" membership_ms)")"
    row "  fenced: the victim's processes gone (10 ms poll)" "$(col pcmk fencing "$F" fenced_ms)" "$(col vg fencing "$F" fenced_ms)" \
      "$(ratio "$(colm vg fencing "$F" fenced_ms)" "$(colm pcmk fencing "$F" fenced_ms)")"
    row "  the DC's log: victim fenced" "$(col pcmk fencing "$F" fence_logged_ms)" "$(col vg fencing "$F" fence_logged_ms)" \
      "$(ratio "$(colm vg fencing "$F" fence_logged_ms)" "$(colm pcmk fencing "$F" fence_logged_ms)")"
    row "  d1's agent ran its start on a survivor (state file)" "$(col pcmk fencing "$F" agent_started_ms)" "$(col vg fencing "$F" agent_started_ms)" \
      "$(ratio "$(colm vg fencing "$F" agent_started_ms)" "$(colm pcmk fencing "$F" agent_started_ms)")"
    row "  CRM share (located - membership)" "$(col pcmk fencing "$F" crm_share_ms)" "$(col vg fencing "$F" crm_share_ms)" \
      "$(ratio "$(colm vg fencing "$F" crm_share_ms)" "$(colm pcmk fencing "$F" crm_share_ms)")"
    row "  located - fenced" "$(col pcmk fencing "$F" after_fence_ms)" "$(col vg fencing "$F" after_fence_ms)" \
      "$(ratio "$(colm vg fencing "$F" after_fence_ms)" "$(colm pcmk fencing "$F" after_fence_ms)")"
    row "  one poll of located (its resolution), ms" "$(col pcmk fencing "$F" poll_period_ms)" "$(col vg fencing "$F" poll_period_ms)" "-"
    row "  Vigil's timeline (DC): ring formed -> fencing started" "-" "$(col vg fencing "$F" vg_formed_to_fencing_ms)" "-"
    row "  Vigil's timeline (DC): ring formed -> victim fenced" "-" "$(col vg fencing "$F" vg_formed_to_fenced_ms)" "-"
    row "  Vigil's timeline (DC): ring formed -> d1 started" "-" "$(col vg fencing "$F" vg_formed_to_d1_started_ms)" "-"
    row "  crm_mon -1 shows d1 Started on a survivor" "$(col pcmk fencing "$F" crm_mon_ms)" "$(has_mon vg && col vg fencing "$F" crm_mon_ms || echo 'no crm_mon')" \
      "$(ratio "$(colm vg fencing "$F" crm_mon_ms)" "$(colm pcmk fencing "$F" crm_mon_ms)")"
    row "  trials: d1 recovered / fenced / start after the fence / all" \
      "$(got pcmk fencing "$F" located_ms)/$(got pcmk fencing "$F" fenced_ms)/$(grep "^RESULT sys=pcmk phase=fencing $F" "$RAW" | grep -c order=fence_first)/$(cnt pcmk fencing "$F")" \
      "$(got vg fencing "$F" located_ms)/$(got vg fencing "$F" fenced_ms)/$(grep "^RESULT sys=vg phase=fencing $F" "$RAW" | grep -c order=fence_first)/$(cnt vg fencing "$F")" "-"
    row "  trials where the victim was the DC" "$(grep "^RESULT sys=pcmk phase=fencing $F" "$RAW" | grep -c was_dc=yes)" "$(grep "^RESULT sys=vg phase=fencing $F" "$RAW" | grep -c was_dc=yes)" "-"
    row "  ready again after the rejoin / rejoins (else: a fresh cluster)" "$(grep "^RESULT sys=pcmk phase=fready_after_rejoin $F" "$RAW" | grep -c ok=yes)/$(grep -c "^RESULT sys=pcmk phase=fready_after_rejoin $F" "$RAW")" \
      "$(grep "^RESULT sys=vg phase=fready_after_rejoin $F" "$RAW" | grep -c ok=yes)/$(grep -c "^RESULT sys=vg phase=fready_after_rejoin $F" "$RAW")" "-"
    row "  victim restarted -> online again" "$(col pcmk frejoin "$F" ms)" "$(col vg frejoin "$F" ms)" \
      "$(ratio "$(colm vg frejoin "$F" ms)" "$(colm pcmk frejoin "$F" ms)")"
  done
  row "fresh starts that failed / fresh starts (see NOTE lines)" "$(grep -c '^RESULT sys=pcmk phase=up .*ok=no' "$RAW")/$(grep -c '^RESULT sys=pcmk phase=up ' "$RAW")" \
    "$(grep -c '^RESULT sys=vg phase=up .*ok=no' "$RAW")/$(grep -c '^RESULT sys=vg phase=up ' "$RAW")" "-"
  if grep -q "phase=cold " "$RAW"; then
    row "cold start: 3 online with a DC" "$(col pcmk cold "" dc_ms)" "$(col vg cold "" dc_ms)" "$(ratio "$(colm vg cold "" dc_ms)" "$(colm pcmk cold "" dc_ms)")"
    row "cold start: d1, d2 started (however many nodes online)" "$(col pcmk cold "" rsc_started_any_online_ms)" "$(col vg cold "" rsc_started_any_online_ms)" "$(ratio "$(colm vg cold "" rsc_started_any_online_ms)" "$(colm pcmk cold "" rsc_started_any_online_ms)")"
    row "cold start: 3 online, a DC, d1 and d2 started" "$(col pcmk cold "" started_ms)" "$(col vg cold "" started_ms)" "$(ratio "$(colm vg cold "" started_ms)" "$(colm pcmk cold "" started_ms)")" "Vigil <= 3000 ms"
  fi
  if grep -q "phase=crm_mon \|phase=move " "$RAW"; then
    row "crm_mon -1 (hyperfine, inside node1)" "$(hfcell pcmk crm_mon)" "$(hfcell vg crm_mon)" "$(ratio "$(one vg crm_mon median)" "$(one pcmk crm_mon median)")" "Vigil <= 14 ms"
    row "crm_resource --move -> crm_mon shows d1 Started there" "$(hfcell pcmk move)" "$(hfcell vg move)" "$(ratio "$(one vg move median)" "$(one pcmk move median)")" "Vigil <= 100 ms"
  fi
  if grep -q "phase=rt_" "$RAW"; then
    row "pcs status (hyperfine, inside node1)" "$(hfcell pcmk rt_pcs_status)" "$(hfcell vg rt_pcs_status)" "$(ratio "$(one vg rt_pcs_status median)" "$(one pcmk rt_pcs_status median)")" "Vigil <= 50 ms"
    row "crm configure show" "$(hfcell pcmk rt_crm_configure_show)" "$(hfcell vg rt_crm_configure_show)" "$(ratio "$(one vg rt_crm_configure_show median)" "$(one pcmk rt_crm_configure_show median)")" "Vigil <= 50 ms"
    row "crm_mon -1" "$(hfcell pcmk rt_crm_mon)" "$(hfcell vg rt_crm_mon)" "$(ratio "$(one vg rt_crm_mon median)" "$(one pcmk rt_crm_mon median)")" "Vigil <= 14 ms"
    row "pcs resource create -> crm_mon -1 shows it Started" "$(hfcell pcmk rt_create)" "$(hfcell vg rt_create)" "$(ratio "$(one vg rt_create median)" "$(one pcmk rt_create median)")"
    row "  the pcs resource create command alone" "$(hfcell pcmk rt_create_cmd)" "$(hfcell vg rt_create_cmd)" "$(ratio "$(one vg rt_create_cmd median)" "$(one pcmk rt_create_cmd median)")"
    row "Vigil floor: launcher+perl client+socket, corosync-cmapctl -g" "-" "$(hfcell vg rt_floor_cmapctl)" "-"
    row "  of which perl -e 1" "-" "$(hfcell vg rt_perl_alone)" "-"
  fi
  if grep -q "phase=idle " "$RAW"; then
    row "idle: PSS per node, MB (all the system's processes)" "$(colmb pcmk pss_kB)" "$(colmb vg pss_kB)" \
      "$(ratio "$(colm vg idle "" pss_kB)" "$(colm pcmk idle "" pss_kB)")" "Vigil <= 0.7x"
    row "idle: RSS per node, MB" "$(colmb pcmk rss_kB)" "$(colmb vg rss_kB)" "$(ratio "$(colm vg idle "" rss_kB)" "$(colm pcmk idle "" rss_kB)")"
    row "idle: CPU per node, % of one core" "$(grep '^RESULT sys=pcmk phase=idle ' "$RAW" | kv cpu_pct | paste -sd/)" "$(grep '^RESULT sys=vg phase=idle ' "$RAW" | kv cpu_pct | paste -sd/)" \
      "$(ratio "$(grep '^RESULT sys=vg phase=idle ' "$RAW" | kv cpu_pct | awk '{s+=$1} END{print s}')" "$(grep '^RESULT sys=pcmk phase=idle ' "$RAW" | kv cpu_pct | awk '{s+=$1} END{print s}')")"
  fi
  echo
  for prof in $PROFILES; do
    v=$(colm vg failover "profile=$prof " located_ms); p=$(colm pcmk failover "profile=$prof " located_ms)
    [ "$v" != NA ] && [ "$p" != NA ] && echo "goal failover $prof Vigil <= 0.6 x Pacemaker: $(ratio "$v" "$p") x: $(goal "$(ratio "$v" "$p")" 0.6)"
    v=$(colm vg failover "profile=$prof " crm_share_ms); [ "$v" != NA ] && echo "goal CRM share $prof <= 100 ms: $v ms: $(goal "$v" 100)"
  done
  v=$(colm vg cold "" started_ms); [ "$v" != NA ] && echo "goal cold start <= 3000 ms: $v ms: $(goal "$v" 3000)"
  v=$(one vg crm_mon median); [ -n "$v" ] && echo "goal crm_mon -1 <= 14 ms: $v ms: $(goal "$v" 14)"
  v=$(one vg move median); [ -n "$v" ] && echo "goal crm_resource --move round trip <= 100 ms: $v ms: $(goal "$v" 100)"
  v=$(one vg rt_pcs_status median); [ -n "$v" ] && echo "goal pcs status <= 50 ms: $v ms: $(goal "$v" 50)"
  v=$(one vg rt_crm_configure_show median); [ -n "$v" ] && echo "goal crm configure show <= 50 ms: $v ms: $(goal "$v" 50)"
  v=$(one vg rt_crm_mon median); [ -n "$v" ] && echo "goal crm_mon -1 (roundtrip phase) <= 14 ms: $v ms: $(goal "$v" 14)"
  r=$(ratio "$(colm vg idle "" pss_kB)" "$(colm pcmk idle "" pss_kB)"); [ "$r" != NA ] && echo "goal idle PSS <= 0.7 x Pacemaker: $r x: $(goal "$r" 0.7)"
  grep -E '^RESULT .*(setup=failed| failed$|ok=no|not_available| located_ms=NA| fenced_ms=NA|order=START|phase=f?rejoin .* ms=NA| started_ms=NA)' "$RAW" | sed 's/^RESULT /NOTE: /'
  grep -E '^# (DUMP|sys=.*(NOT|not ready|not on one|ORDER))' "$RAW" | sed 's/^# /NOTE: /'
  echo "loadavg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | sed 's/–/-/g' | tee "$OUTT"
log "table: $OUTT; raw: $RAW; work files: $W"
