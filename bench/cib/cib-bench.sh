#!/bin/bash
# cib-bench.sh: the CIB's admin round trips, Pacemaker 2.1.5 (on corosync 3.1.7) vs Vigil, in one run, one
# system at a time, in the corosync anchor's namespaces csn1..3 (bench/cluster/lib.sh: udpu, seed timing,
# crypto off; Pacemaker on corosync port 5405 with the anchor's gen-conf.sh/cluster-start.sh/pcmk-start.sh/
# node-exec.sh, Vigil nodes on port 5505). Every client runs inside node1's namespace (Pacemaker's through the
# anchor's node-exec.sh, Vigil's `./vigil --state-dir DIR cibadmin` through `ip netns exec csn1`).
#
# Phase "small" (the anchor's measure-admin.sh method, for both systems): a fresh cluster, then the same CIB
# content made with the same cibadmin commands on both: stonith-enabled=false, cluster-recheck-interval=15min,
# resource-stickiness=100, nodes node1..3, 10 ocf:pacemaker:Dummy primitives d01..d10 (monitor 10 s; Pacemaker
# starts them, as in the anchor; Vigil has no controller yet, so for it they are configuration only).
#   modify: hyperfine -N --warmup WARMUP --runs RUNS of `cibadmin --modify --xml-text '<nvpair
#           id="cib-bootstrap-options-cluster-recheck-interval" ... value="14min"/>'`, with a --prepare that sets
#           15min and sleeps 1 s (untimed), so every timed run is a real change, 1 s apart as in the anchor.
#           Checked: the CIB's epoch grew by at least 2 per timed run (prepare + run) and the value reads back
#           14min (hyperfine 1.15 runs no prepare before its warm-up runs).
#   query : hyperfine -N of `cibadmin --query` and of `cibadmin --query --scope configuration` (the status
#           sections differ: Pacemaker's holds the operation history its controller writes; Vigil's is empty).
# Phase "big": the anchor's cib/gen-cib.py --nodes BIG_NODES --resources BIG_RESOURCES (16 x 1000). Only its
# <configuration> is loaded, into the running 3-node cluster of each system (`cibadmin --replace --scope
# configuration --xml-file F`): its <status> claims all 16 nodes online and in the membership, which would
# contradict a live 3-node cluster (Pacemaker's controller owns the status and rewrites it). Two cluster options
# are added to the generated configuration, the same file for both: maintenance-mode=true and
# enable-startup-probes=false, so Pacemaker neither probes, starts nor monitors 1000 Dummy resources while the
# CIB is timed (its scheduler still runs on the DC after every change: that is in its figures and its CPU).
# Before the replace d01..d10 are deleted (Pacemaker stops them). The replace is first tried with Pacemaker's
# defaults; if it is refused, the error is recorded and it is retried with PCMK_ipc_buffer raised (the knob
# admins set for large CIBs), and the result says what was needed.
#   idle : IDLE_SECS s of an idle ring, captured the same way (the wire baseline: the token keeps circulating).
#   loop : MODIFIES sequential `cibadmin --modify --xml-text '<op id="rscNNNNN-monitor-10s" timeout="21s"/>'`
#          in one shell inside node1 (the k-th modify changes resource k's monitor timeout 20s -> 21s; past
#          BIG_RESOURCES it alternates back), each timed with bash $EPOCHREALTIME: total wall time, per-update
#          median/p90/max, and every exit status. Checked afterwards: all three copies hold exactly the
#          expected number of 21s monitors (a copy may lag behind the one that answered: waited for, up to
#          300 s, and the time recorded).
#   wire : tcpdump on the three veth ports in the bridge namespace (`-i vnI -Q in`: what node I sends; all IPv4,
#          so IP fragments are counted too) during the loop: frames and bytes (Ethernet frame length) of all
#          three nodes / MODIFIES; also net of the idle baseline (idle bytes/s x loop time, approximate: the
#          token's rate under load differs from its idle rate); cross-checks: the veth byte counters, and for
#          Vigil stats.cib.sent_bytes (its CIB messages' payload, before the ring's framing) summed over nodes;
#          and the bytes of the frames longer than any seen on the idle ring (the messages, not the token).
#   cpu  : CPU of every daemon in the three namespaces over the loop, by name (Pacemaker: corosync + its 7
#          processes per node; Vigil: the node JVMs), exact across respawned daemons (see cpu_start), and of
#          the loop's clients (bash `times`). The daemons that died during the loop are listed, with pacemakerd's
#          log lines about them (it kills and respawns a subdaemon that stops answering its IPC checks).
# Deliberate difference to keep in mind: Vigil confirms a configuration change once it is on disk (fsync);
# Pacemaker's cibadmin returns before pacemaker-based's (forked, asynchronous) disk write.
#
# Env: SYSTEMS="pcmk vg" PHASES="small big" RUNS=20 WARMUP=3 MODIFIES=1000 BIG_NODES=16 BIG_RESOURCES=1000
#      IDLE_SECS=10 SETTLE=5 LOOP_TIMEOUT=3600 BENCH_RT (default /tmp/vigil-cluster-bench) VIGIL_JAVA_OPTS
#      CS_SCHED_RR=no (corosync without realtime), KEEP_NETNS=1.
# Needs: root, the anchor installed (../shared/anchors/corosync/install.sh: corosync, pacemaker,
#      pacemaker-cli-utils, hyperfine), tcpdump, python3; Vigil built (./vigil build).
# Output: the table on stdout; raw lines in $BENCH_RT/results/cib-<time>.raw, the table in .txt, the packet
#      captures and loop logs in $BENCH_RT/work (never in the repository).
# Bounded: every wait has a limit, every client runs under `timeout`; everything started is stopped by pid.
source "$(dirname "$0")/../cluster/lib.sh"
SYSTEMS=${SYSTEMS:-pcmk vg}; PHASES=${PHASES:-small big}
RUNS=${RUNS:-20}; WARMUP=${WARMUP:-3}; MODIFIES=${MODIFIES:-1000}
BIG_NODES=${BIG_NODES:-16}; BIG_RESOURCES=${BIG_RESOURCES:-1000}
IDLE_SECS=${IDLE_SECS:-10}; SETTLE=${SETTLE:-5}; LOOP_TIMEOUT=${LOOP_TIMEOUT:-3600}
CPG_TOOLS=0
for t in pacemakerd cibadmin crm_mon crmadmin hyperfine tcpdump python3; do
  command -v "$t" >/dev/null || die "$t is not installed (the anchor's install.sh; apt-get install -y tcpdump)"
done
preflight
eval "lib_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() { pcmk_stop; lib_cleanup; }
trap cleanup EXIT

STAMP=$(date +%Y%m%d-%H%M%S)
RAW="$RESULTS/cib-$STAMP.raw"
OUTT="$RESULTS/cib-$STAMP.txt"
W="$BRT/work/cib-$STAMP"; mkdir -p "$W"
header "cib runs=$RUNS warmup=$WARMUP modifies=$MODIFIES big=${BIG_NODES}x$BIG_RESOURCES idle=$IDLE_SECS transport=udpu profile=seed pacemaker=$(pacemakerd --version 2>/dev/null | head -1 | awk '{print $2}') hyperfine=$(hyperfine --version | awk '{print $2}')" > "$RAW"
log "raw output: $RAW"
raw() { echo "$*" >> "$RAW"; }
result() { echo "RESULT $*" >> "$RAW"; log "RESULT $*"; }
HZ=$(getconf CLK_TCK)
NVID=cib-bootstrap-options-cluster-recheck-interval
nvpair() { echo "<nvpair id=\"$NVID\" name=\"cluster-recheck-interval\" value=\"$1\"/>"; }

# ---- the two systems behind one interface ----------------------------------------------------------------

# cib_cmd SYS I: the cibadmin command line (words) for node I, to run inside node I's namespace
cib_cmd() { if [ "$1" = pcmk ]; then echo cibadmin; else echo "$VIGIL --state-dir $(vnode_dir "$2") cibadmin"; fi; }
# in_node SYS I CMD...: run CMD inside node I (Pacemaker: the anchor's node-exec.sh; Vigil: its namespace)
in_node_of() {
  local sys=$1 i=$2; shift 2
  if [ "$sys" = pcmk ]; then "$ANCHOR/node-exec.sh" "$i" "$@"; else ip netns exec "$(node_ns "$i")" "$@"; fi
}
# cib SYS I ARGS...: cibadmin ARGS on node I (bounded)
cib() { local sys=$1 i=$2; shift 2; in_node_of "$sys" "$i" timeout -k 5 120 $(cib_cmd "$sys" "$i") "$@"; }
# cib_version SYS I: "admin_epoch.epoch.num_updates" of node I's copy (Pacemaker: --local, the node's own copy)
cib_version() {
  local l
  if [ "$1" = pcmk ]; then l=$(cib pcmk "$2" --query --local --no-children 2>/dev/null | head -1)
  else l=$(cib vg "$2" --query --no-children 2>/dev/null | head -1); fi
  python3 -c 'import re,sys
l=sys.argv[1]; g=lambda k: (re.search(r"\b%s=\"(\d+)\"" % k, l) or [None, "?"])[1]
print("%s.%s.%s" % (g("admin_epoch"), g("epoch"), g("num_updates")))' "$l"
}
epoch_of() { cib_version "$1" "$2" | cut -d. -f2; }

# ---- Pacemaker --------------------------------------------------------------------------------------------

pcmk_pid() { cat "$(node_dir "$1")/pacemakerd.pid" 2>/dev/null; }
# pcmk_stop: pacemakerd TERM on all nodes at once, 60 s, then every process left in the node namespaces except
# corosync is ours (preflight refused namespaces with processes): TERM, 5 s, KILL, by pid. Then corosync.
pcmk_stop() {
  local i p end left
  for i in $(seq 1 "$NODES"); do p=$(pcmk_pid "$i"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill "$p"; done
  end=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    left=""; for i in $(seq 1 "$NODES"); do p=$(pcmk_pid "$i"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && left+=" $p"; done
    [ -z "$left" ] && break; sleep 0.5
  done
  for sig in TERM KILL; do
    left=""
    for i in $(seq 1 "$NODES"); do
      for p in $(ip netns pids "$(node_ns "$i")" 2>/dev/null); do
        [ "$p" = "$(cs_pid "$i")" ] && continue
        [ "$p" = "$(vigil_pid "$i")" ] && continue
        left+=" $p"
      done
    done
    [ -z "$left" ] && break
    log "Pacemaker processes left after pacemakerd stopped ($sig):$left"
    # shellcheck disable=SC2086
    kill -"$sig" $left 2>/dev/null; sleep 5
  done
  for i in $(seq 1 "$NODES"); do rm -f "$(node_dir "$i")/pacemakerd.pid"; done
  cs_stop
}
pcmk_dc() { "$ANCHOR/node-exec.sh" 1 timeout 30 crmadmin -D -q 2>/dev/null | tail -1; }
# pcmk_dc_idle TIMEOUT_S: the DC is in S_IDLE
pcmk_dc_idle() {
  local end=$(( $(date +%s) + $1 )) dc
  while [ "$(date +%s)" -lt "$end" ]; do
    dc=$(pcmk_dc)
    [ -n "$dc" ] && [ "$("$ANCHOR/node-exec.sh" 1 timeout 30 crmadmin -S "$dc" -q 2>/dev/null | tail -1)" = S_IDLE ] && return 0
    sleep 0.5
  done
  log "Pacemaker's DC not idle after $1 s"; return 1
}
pcmk_start() {
  local i o
  pcmk_stop
  SCHED_RR="${CS_SCHED_RR:-}" "$ANCHOR/gen-conf.sh" udpu seed || die "gen-conf.sh failed"
  for i in $(seq 1 "$NODES"); do   # a fresh CIB, as the anchor's measure-admin.sh
    rm -rf "$(node_dir "$i")"/lib-pacemaker/{cib,pengine,blackbox}/* "$(node_dir "$i")"/log-pacemaker/*; wipe_run "$i"
  done
  "$ANCHOR/cluster-start.sh" 2>/dev/null
  wait_all_members 3 60 || die "corosync did not form a 3-node membership"
  "$ANCHOR/pcmk-start.sh" 2>/dev/null
  local end=$(( $(date +%s) + 180 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    o=$("$ANCHOR/node-exec.sh" 1 timeout 30 crm_mon -1 2>/dev/null)
    echo "$o" | grep -qE "Online: \[ node1 node2 node3 \]" && echo "$o" | grep -q 'Current DC: node' && return 0
    sleep 0.5
  done
  die "Pacemaker: no DC with 3 nodes online after 180 s (logs: $(node_dir 1)/log-pacemaker/pacemaker.log)"
}
pcmk_log() { echo "$(node_dir "$1")/log-pacemaker/pacemaker.log"; }

# ---- setup shared by both -----------------------------------------------------------------------------------

start_sys() {
  if [ "$1" = pcmk ]; then log "Pacemaker: starting corosync + pacemakerd (udpu, seed) on 3 nodes"; pcmk_start
  else log "Vigil: starting 3 nodes (udpu, seed)"; vigil_start seed; fi
}
stop_sys() { if [ "$1" = pcmk ]; then pcmk_stop; else vigil_stop; fi; }
name_of() { [ "$1" = pcmk ] && echo Pacemaker || echo Vigil; }

small_cib() { # SYS: the same commands on both systems
  local sys=$1 n rc=0
  cib "$sys" 1 --modify --allow-create --scope crm_config --xml-text "<cluster_property_set id=\"cib-bootstrap-options\"><nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"/>$(nvpair 15min)</cluster_property_set>" || rc=1
  cib "$sys" 1 --modify --allow-create --scope rsc_defaults --xml-text '<meta_attributes id="rsc-options"><nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/></meta_attributes>' || rc=1
  for n in 1 2 3; do cib "$sys" 1 --modify --allow-create --scope nodes --xml-text "<node id=\"$n\" uname=\"node$n\"/>" || rc=1; done
  for n in $(seq -w 1 10); do
    cib "$sys" 1 --create --scope resources --xml-text "<primitive id=\"d$n\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations><op id=\"d$n-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations></primitive>" || rc=1
  done
  [ "$rc" = 0 ] || die "$(name_of "$sys"): setting up the small CIB failed"
  if [ "$sys" = pcmk ]; then   # as in the anchor: wait until the 10 resources run
    local end=$(( $(date +%s) + 180 ))
    until [ "$("$ANCHOR/node-exec.sh" 1 timeout 30 crm_mon -1 -r 2>/dev/null | grep -cE '\* d[0-9]+.*Started node')" = 10 ]; do
      [ "$(date +%s)" -lt "$end" ] || die "Pacemaker: d01..d10 not all Started after 180 s"
      sleep 0.5
    done
    pcmk_dc_idle 120
  fi
  sleep "$SETTLE"
}

# hf SYS LABEL PREPARE CMD: hyperfine -N inside node1; RESULT line with median/min/max (ms) and exit codes
hf_stats() {
  python3 - "$1" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = [x * 1000 for x in r["times"]]
codes = sorted(set(r.get("exit_codes", [])))
print("median=%.1f min=%.1f max=%.1f mean=%.1f runs=%d exit_codes=%s" % (
    statistics.median(t), min(t), max(t), statistics.mean(t), len(t), ",".join(map(str, codes))))
print("# times_ms " + " ".join("%.1f" % x for x in t))
EOF
}
# hf SYS LABEL PREPARE ARGS: hyperfine -N inside node1 of `cibadmin ARGS` (ARGS: one string, shell-quoted);
# RESULT line with median/min/max (ms) and exit codes
hf() {
  local sys=$1 label=$2 prep=$3 args=$4 j="$W/hf-$1-$2.json"
  raw ""; raw "## $sys $label: cibadmin $args$([ -n "$prep" ] && echo "   (prepare: $prep: $(sed -n 2p "$prep"))")"
  raw "$(bg_load)"
  rm -f "$j"
  in_node_of "$sys" 1 timeout -k 5 900 hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
    ${prep:+--prepare "$prep"} --export-json "$j" "$(cib_cmd "$sys" 1) $args" >> "$RAW" 2>&1
  raw "$(bg_load)"
  if [ -s "$j" ]; then
    local st; st=$(hf_stats "$j")
    result "sys=$sys what=$label $(echo "$st" | head -1)"
    raw "$(echo "$st" | tail -1)"
  else result "sys=$sys what=$label failed"; fi
}

phase_small() {
  local sys=$1 e0 e1 v
  small_cib "$sys"
  result "sys=$sys what=query_size whole=$(cib "$sys" 1 --query 2>/dev/null | wc -c) configuration=$(cib "$sys" 1 --query --scope configuration 2>/dev/null | wc -c)"
  hf "$sys" query "" "--query"
  hf "$sys" query_configuration "" "--query --scope configuration"
  # --prepare: set 15min (untimed) and wait 1 s, so each timed run changes 15min -> 14min, 1 s after the last
  printf '#!/bin/bash\n%s --modify --xml-text %q >/dev/null || exit 1\nsleep 1\n' "$(cib_cmd "$sys" 1)" "$(nvpair 15min)" > "$W/prep-$sys.sh"
  chmod +x "$W/prep-$sys.sh"
  e0=$(epoch_of "$sys" 1)
  hf "$sys" modify "$W/prep-$sys.sh" "--modify --xml-text '$(nvpair 14min)'"
  e1=$(epoch_of "$sys" 1)
  v=$(cib "$sys" 1 --query --xpath "//nvpair[@id='$NVID']" 2>/dev/null | sed -n 's/.* value="\([^"]*\)".*/\1/p' | head -1)
  # each timed run follows its prepare: at least 2 real changes per timed run (hyperfine 1.15 runs no prepare
  # before its warm-up runs, so only the first warm-up changes something)
  result "sys=$sys what=modify_check epoch_before=$e0 epoch_after=$e1 expected_delta_at_least=$(( 2 * RUNS )) value_after=$v$([ $(( e1 - e0 )) -ge $(( 2 * RUNS )) ] && [ "$v" = 14min ] || echo " MISMATCH")"
}

# ---- the big CIB -----------------------------------------------------------------------------------------

make_big() {
  BIG="$W/big-cib.xml"; BIGCONF="$W/big-configuration.xml"
  python3 "$ANCHOR/cib/gen-cib.py" --nodes "$BIG_NODES" --resources "$BIG_RESOURCES" > "$BIG" || die "gen-cib.py failed"
  python3 - "$BIG" "$BIGCONF" <<'EOF' || die "cannot extract the configuration"
import sys, xml.etree.ElementTree as ET
conf = ET.parse(sys.argv[1]).getroot().find("configuration")
props = conf.find("crm_config/cluster_property_set[@id='cib-bootstrap-options']")
for k, v in [("maintenance-mode", "true"), ("enable-startup-probes", "false")]:
    ET.SubElement(props, "nvpair", {"id": "opt-" + k, "name": k, "value": v})
ET.ElementTree(conf).write(sys.argv[2], encoding="unicode")
EOF
  chmod 644 "$BIG" "$BIGCONF"   # Pacemaker's cibadmin runs as root but the file must be readable anyway
  raw "# big CIB: gen-cib.py --nodes $BIG_NODES --resources $BIG_RESOURCES: $(wc -c < "$BIG") bytes ($(grep -c '<primitive' "$BIG") primitives, $(grep -c '<node_state' "$BIG") node_state); loaded: its <configuration> + maintenance-mode=true, enable-startup-probes=false: $(wc -c < "$BIGCONF") bytes, bzip2 $(bzip2 -c "$BIGCONF" | wc -c) bytes"
}

# pcap_sum FILE [LIMIT]: "frames bytes big_frames big_bytes max_len sizes" of a pcap file (Ethernet frame lengths
# as captured: orig_len); big = frames longer than LIMIT; sizes = the most frequent lengths (length:frames,...)
pcap_sum() {
  python3 - "$1" "${2:-0}" <<'EOF'
import collections, struct, sys
d = open(sys.argv[1], "rb").read(); limit = int(sys.argv[2])
o, n, b, bn, bb, mx, h = 24, 0, 0, 0, 0, 0, collections.Counter()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
while o + 16 <= len(d):
    _, _, incl, orig = struct.unpack(e + "IIII", d[o:o + 16]); o += 16 + incl
    n += 1; b += orig; mx = max(mx, orig); h[orig] += 1
    if orig > limit: bn += 1; bb += orig
print(n, b, bn, bb, mx, ",".join("%d:%d" % kv for kv in h.most_common(6)) or "-")
EOF
}
# capture_start TAG / capture_stop: tcpdump on vn1..3 in the bridge namespace, what each node sends (all IPv4)
CAP_PIDS=()
capture_start() {
  local i f; CAP_PIDS=()
  for i in $(seq 1 "$NODES"); do
    f="$W/$1-vn$i"
    timeout -k 10 $(( LOOP_TIMEOUT + 600 )) ip netns exec "$NS_BR" tcpdump -i "vn$i" -Q in -nn -s 96 -B 16384 \
      -w "$f.pcap" ip > "$f.err" 2>&1 &
    CAP_PIDS+=($!); BG_PIDS+=($!)
  done
  for i in $(seq 1 "$NODES"); do
    local end=$(( $(date +%s) + 20 ))
    until grep -q 'listening on' "$W/$1-vn$i.err" 2>/dev/null; do
      [ "$(date +%s)" -lt "$end" ] || die "tcpdump on vn$i did not start: $(cat "$W/$1-vn$i.err")"; sleep 0.1
    done
  done
}
capture_stop() { # TAG [LIMIT]: stops the captures; prints "frames bytes dropped big_frames big_bytes max_len"
  local p i fr=0 by=0 dr=0 bf=0 bb=0 mx=0 s f b n1 b1 m1 sz
  for p in "${CAP_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${CAP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for i in $(seq 1 "$NODES"); do
    read -r f b n1 b1 m1 sz <<< "$(pcap_sum "$W/$1-vn$i.pcap" "${2:-0}")"
    fr=$((fr + f)); by=$((by + b)); bf=$((bf + n1)); bb=$((bb + b1)); [ "$m1" -gt "$mx" ] && mx=$m1
    s=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$W/$1-vn$i.err"); dr=$((dr + ${s:-0}))
    raw "# capture $1 vn$i: $f frames $b bytes, longest $m1, most frequent lengths (length:frames) $sz; longer than ${2:-0}: $n1 frames $b1 bytes; tcpdump: $(grep -E 'captured|dropped' "$W/$1-vn$i.err" | tr '\n' ' ')"
  done
  echo "$fr $by $dr $bf $bb $mx"
}
veth_bytes() { local i s=0; for i in $(seq 1 "$NODES"); do s=$((s + $(tx_bytes "$i"))); done; echo "$s"; }
vg_sent() { local i s=0 v; for i in $(seq 1 "$NODES"); do v=$(vadmin "$i" corosync-cmapctl -m stats -g stats.cib.sent_bytes 2>/dev/null | sed -n 's/.*= //p'); s=$((s + ${v:-0})); done; echo "$s"; }
# daemon_pids: every process in the node namespaces now (only this run's daemons: preflight checked)
daemon_pids() { local i; for i in $(seq 1 "$NODES"); do ip netns pids "$(node_ns "$i")"; done | sort -n | tr '\n' ' '; }
# CPU of the daemons over the loop, exact even when daemons die or are respawned meanwhile (pacemakerd kills and
# respawns a subdaemon that stops answering its IPC checks). A process's ticks here are utime+stime+cutime+cstime:
# a child's whole CPU moves into its parent's cutime when the parent reaps it (pacemakerd reaps its subdaemons,
# pacemaker-based its forked disk writers). So over the loop: a daemon alive throughout counts end - start; a
# daemon that died counts -start (its lifetime is in its parent's figure, which counts end - start, so only the
# part before the loop must come off); a process born during the loop and alive at its end counts its ticks; one
# born and reaped within the loop is in its parent's cutime.
#   cpu_start PIDS: "B pid ppid comm ticks"; cpu_end PIDS: "A pid ticks" for those alive, and "N pid ppid comm
#   ticks" for every process in the namespaces now whose parent is one of PIDS (the loop's clients have other
#   parents); cpu_account FILE N sums them by process name (a dead daemon's -start goes to its parent's name).
proc_stat() { # PID: "ppid comm ticks"
  local l f c; read -r l 2>/dev/null < "/proc/$1/stat" || return 1
  c=${l#*(}; c=${c%%)*}; f=(${l##*) })
  echo "${f[1]} $c $(( f[11] + f[12] + f[13] + f[14] ))"
}
cpu_start() { local p s; for p in $*; do s=$(proc_stat "$p") && echo "B $p $s"; done; }
cpu_end() {
  local set=" $* " i p s
  for p in $*; do s=$(proc_stat "$p") && echo "A $p ${s##* }"; done
  for i in $(seq 1 "$NODES"); do
    for p in $(ip netns pids "$(node_ns "$i")" 2>/dev/null); do
      [[ "$set" == *" $p "* ]] && continue
      s=$(proc_stat "$p") || continue
      [[ "$set" == *" ${s%% *} "* ]] && echo "N $p $s"
    done
  done
}
# cpu_account FILE N: "total_s per_update_ms|name=s(ms_per_update) ...|died name:pid ...|new name:pid ..."
cpu_account() {
  awk -v hz="$HZ" -v n="$2" '
    $1 == "B" { ppid[$2] = $3; comm[$2] = $4; base[$2] = $5 }
    $1 == "A" { last[$2] = $3; alive[$2] = 1 }
    $1 == "N" { nb[$2] = $5; nc[$2] = $4 }
    END {
      for (p in comm) {
        if (alive[p]) by[comm[p]] += last[p] - base[p]
        else { died = died comm[p] ":" p " "; if (ppid[p] in comm) by[comm[ppid[p]]] -= base[p]; else lost = 1 }
      }
      for (p in nb) { by[nc[p]] += nb[p]; nw = nw nc[p] ":" p " " }
      for (c in by) tot += by[c]
      printf "%.2f %.2f|", tot / hz, tot * 1000 / hz / n
      for (c in by) printf "%s=%.2fs(%.2fms) ", (c == "pacemakerd" ? "pacemakerd+reaped" : c), by[c] / hz, by[c] * 1000 / hz / n
      if (lost) printf "(a daemon without a parent here died: its CPU is missing) "
      printf "|%s|%s\n", (died == "" ? "none" : died), (nw == "" ? "none" : nw) }' "$1"
}

# wait_replicated SYS TIMEOUT_S: all nodes hold the same version, with BIG_RESOURCES+1 primitives
wait_replicated() {
  local sys=$1 end=$(( $(date +%s) + $2 )) v1 v2 v3 np
  while [ "$(date +%s)" -lt "$end" ]; do
    v1=$(cib_version "$sys" 1); v2=$(cib_version "$sys" 2); v3=$(cib_version "$sys" 3)
    if [ "$v1" = "$v2" ] && [ "$v2" = "$v3" ]; then
      if [ "$sys" = pcmk ]; then np=$(cib pcmk 3 --query --local --scope resources 2>/dev/null | grep -c '<primitive')
      else np=$(cib vg 3 --query --scope resources 2>/dev/null | grep -c '<primitive'); fi
      [ "$np" = $(( BIG_RESOURCES + 1 )) ] && { raw "# replicated: version $v1 on all nodes, $np primitives on node3"; return 0; }
    fi
    sleep 1
  done
  raw "# NOT replicated after $2 s: versions $v1 / $v2 / $v3"; return 1
}

# the loop run inside node1: loop.sh N R OUT CIBADMIN-WORDS...
cat > "$W/loop.sh" <<'EOF'
#!/bin/bash
n=$1 r=$2 out=$3; shift 3
: > "$out"
t0=${EPOCHREALTIME/./}
for ((k = 1; k <= n; k++)); do
  j=$(( (k - 1) % r + 1 )); pass=$(( (k - 1) / r ))
  v=$(( pass % 2 ? 20 : 21 ))s
  id=$(printf 'rsc%05d-monitor-10s' "$j")
  s=${EPOCHREALTIME/./}
  "$@" --modify --xml-text "<op id=\"$id\" timeout=\"$v\"/>" > /dev/null 2>> "$out.err"; rc=$?
  e=${EPOCHREALTIME/./}
  echo "MOD k=$k id=$id value=$v rc=$rc us=$((e - s))" >> "$out"
done
t1=${EPOCHREALTIME/./}
echo "TOTAL n=$n us=$((t1 - t0))" >> "$out"
times > "$out.times"   # (not in a pipeline: a subshell has no children's times)
echo "CLIENT_CPU $(tail -1 "$out.times")" >> "$out"
EOF
chmod +x "$W/loop.sh"
# expected number of resources whose monitor timeout is 21s after the loop
expected_21s() {
  awk -v n="$MODIFIES" -v r="$BIG_RESOURCES" 'BEGIN { for (k = 1; k <= n; k++) { j = (k - 1) % r + 1; v[j] = (int((k - 1) / r) % 2) ? 20 : 21 }
    c = 0; for (j in v) if (v[j] == 21) c++; print c }'
}
count_21s() { # SYS I
  if [ "$1" = pcmk ]; then cib pcmk "$2" --query --local --scope resources 2>/dev/null
  else cib vg "$2" --query --scope resources 2>/dev/null; fi | grep -E '<op id="rsc[0-9]+-monitor-10s"' | grep -c 'timeout="21s"'
}
# secs "A B" -> "mins:secs" helper not needed; ms from us
us2ms() { awk '{printf "%.1f\n", $1 / 1000}'; }
pctl() { # P: the P-th percentile (nearest rank) of the numbers on stdin
  sort -g | awk -v p="$1" '{a[NR]=$1} END { if (NR == 0) { print "NA"; exit } i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; print a[i] }'
}

phase_big() {
  local sys=$1 n rc t0 t1 err knob=none
  # d01..d10 out first (Pacemaker stops them), then the big configuration in
  for n in $(seq -w 1 10); do cib "$sys" 1 --delete --scope resources --xml-text "<primitive id=\"d$n\"/>" >/dev/null 2>&1; done
  if [ "$sys" = pcmk ]; then
    local end=$(( $(date +%s) + 120 ))
    while "$ANCHOR/node-exec.sh" 1 timeout 30 crm_mon -1 -r 2>/dev/null | grep -qE '\* d[0-9]+.*Started'; do
      [ "$(date +%s)" -lt "$end" ] || { log "Pacemaker: d01..d10 still running after 120 s"; break; }; sleep 0.5
    done
    pcmk_dc_idle 120
  fi
  raw ""; raw "## $sys replace --scope configuration --xml-file $BIGCONF"; raw "$(bg_load)"
  t0=${EPOCHREALTIME/./}
  in_node_of "$sys" 1 timeout -k 5 300 $(cib_cmd "$sys" 1) --replace --scope configuration --xml-file "$BIGCONF" > "$W/replace-$sys.out" 2>&1; rc=$?
  t1=${EPOCHREALTIME/./}
  err=$(head -c 600 "$W/replace-$sys.out" | tr '\n' ' ')
  raw "# replace with defaults: exit $rc in $(( (t1 - t0) / 1000 )) ms ${err:+: $err}"
  if [ "$rc" != 0 ] && [ "$sys" = pcmk ]; then
    # refused with Pacemaker's defaults: the admin's knob for large CIBs (the client's IPC buffer)
    knob="PCMK_ipc_buffer=$(( $(wc -c < "$BIGCONF") * 2 ))"
    log "Pacemaker refused the replace with its defaults (exit $rc: $err); retrying with $knob"
    grep -iE 'ipc|compress|too (big|large)|EMSGSIZE' "$(pcmk_log 1)" | tail -5 | sed 's/^/# pacemaker.log: /' >> "$RAW"
    t0=${EPOCHREALTIME/./}
    in_node_of pcmk 1 env "$knob" timeout -k 5 300 cibadmin --replace --scope configuration --xml-file "$BIGCONF" > "$W/replace-$sys.out" 2>&1; rc=$?
    t1=${EPOCHREALTIME/./}
    raw "# replace with $knob: exit $rc in $(( (t1 - t0) / 1000 )) ms $(head -c 600 "$W/replace-$sys.out" | tr '\n' ' ')"
  fi
  result "sys=$sys what=big_replace rc=$rc ms=$(( (t1 - t0) / 1000 )) knob=$knob bytes=$(wc -c < "$BIGCONF")"
  if [ "$rc" != 0 ]; then
    raw "# $sys: the big CIB was not accepted; phase big skipped. Node logs: $([ "$sys" = pcmk ] && pcmk_log 1 || vigil_log 1)"
    return 1
  fi
  wait_replicated "$sys" 300 || { result "sys=$sys what=big_replicated failed"; return 1; }
  [ "$sys" = pcmk ] && pcmk_dc_idle 600
  sleep "$SETTLE"
  [ "$(count_21s "$sys" 1)" = 0 ] || log "$sys: 21s monitors present before the loop?"

  # idle baseline on the wire
  local idle_us wb0 wb1 cap frames bytes drop
  raw "$(bg_load)"
  capture_start "idle-$sys"; t0=${EPOCHREALTIME/./}; sleep "$IDLE_SECS"; t1=${EPOCHREALTIME/./}
  local bigf bigb maxlen idle_max
  read -r frames bytes drop bigf bigb idle_max <<< "$(capture_stop "idle-$sys")"
  idle_us=$(( t1 - t0 ))
  result "sys=$sys what=idle_wire secs=$(awk -v u="$idle_us" 'BEGIN{printf "%.1f", u/1e6}') frames=$frames bytes=$bytes dropped=$drop bytes_per_s=$(awk -v b="$bytes" -v u="$idle_us" 'BEGIN{printf "%.0f", b*1e6/u}') longest_frame=$idle_max"
  local idle_bps; idle_bps=$(awk -v b="$bytes" -v u="$idle_us" 'BEGIN{printf "%.3f", b*1e6/u}')

  # the loop
  local pids sent0 sent1 out="$W/loop-$sys.out" cpuf="$W/cpu-$sys.txt" logoff=()
  pids=$(daemon_pids)
  raw "# daemons: $(for p in $pids; do printf '%s:%s ' "$p" "$(cat /proc/$p/comm 2>/dev/null)"; done)"
  raw "$(bg_load)"
  [ "$sys" = vg ] && sent0=$(vg_sent)
  capture_start "loop-$sys"
  if [ "$sys" = pcmk ]; then for i in $(seq 1 "$NODES"); do logoff[$i]=$(stat -c %s "$(pcmk_log "$i")"); done; fi
  wb0=$(veth_bytes); cpu_start $pids > "$cpuf"
  log "$(name_of "$sys"): $MODIFIES sequential modifies on the big CIB (bounded by $LOOP_TIMEOUT s)"
  t0=${EPOCHREALTIME/./}
  in_node_of "$sys" 1 timeout -k 10 "$LOOP_TIMEOUT" bash "$W/loop.sh" "$MODIFIES" "$BIG_RESOURCES" "$out" $(cib_cmd "$sys" 1)
  rc=$?
  t1=${EPOCHREALTIME/./}
  wb1=$(veth_bytes)
  cpu_end $pids >> "$cpuf"
  read -r frames bytes drop bigf bigb maxlen <<< "$(capture_stop "loop-$sys" "$idle_max")"
  [ "$sys" = vg ] && sent1=$(vg_sent)
  raw "$(bg_load)"
  raw "# loop exit $rc"
  local acc; acc=$(cpu_account "$cpuf" "$MODIFIES")
  result "sys=$sys what=big_cpu_by_process $(echo "$acc" | cut -d'|' -f2)"
  local restarts=""
  if [ "$sys" = pcmk ]; then
    for i in $(seq 1 "$NODES"); do
      tail -c +"$(( ${logoff[$i]} + 1 ))" "$(pcmk_log "$i")" | grep -E 'unresponsive to ipc|Respawning|terminated with signal' \
        | sed "s/^/# node$i log: /" | head -20 >> "$RAW"
      restarts+="node$i:$(tail -c +"$(( ${logoff[$i]} + 1 ))" "$(pcmk_log "$i")" | grep -c 'Respawning') "
    done
  fi
  result "sys=$sys what=big_daemons died=$(echo "$acc" | cut -d'|' -f3 | tr ' ' ',') new=$(echo "$acc" | cut -d'|' -f4 | tr ' ' ',')${restarts:+ respawn_log_lines=$(echo $restarts | tr ' ' ',')}"
  local done_n ok_n fails total_us med p90 mx cl
  done_n=$(grep -c '^MOD ' "$out"); ok_n=$(grep -c '^MOD .* rc=0 ' "$out")
  fails=$(grep '^MOD ' "$out" | grep -v ' rc=0 ' | sed -n 's/.* rc=\([0-9]*\).*/\1/p' | sort | uniq -c | awk '{printf "%sx%s,", $1, $2}')
  total_us=$(sed -n 's/^TOTAL .* us=\([0-9]*\).*/\1/p' "$out"); [ -n "$total_us" ] || total_us=$(( t1 - t0 ))
  med=$(sed -n 's/^MOD .* us=\([0-9]*\).*/\1/p' "$out" | med | us2ms)
  p90=$(sed -n 's/^MOD .* us=\([0-9]*\).*/\1/p' "$out" | pctl 90 | us2ms)
  mx=$(sed -n 's/^MOD .* us=\([0-9]*\).*/\1/p' "$out" | sort -n | tail -1 | us2ms)
  cl=$(sed -n 's/^CLIENT_CPU //p' "$out")
  [ -s "$out.err" ] && { raw "# loop stderr (first lines):"; head -5 "$out.err" | sed 's/^/#   /' >> "$RAW"; }
  # every copy must hold exactly the expected changes; a copy may lag behind the one that answered cibadmin
  # (Pacemaker replies once the originating node applied the change): wait for it, bounded, and record how long
  local c1 c2 c3 exp conv_ms=NA tc0 tend; exp=$(expected_21s); tc0=${EPOCHREALTIME/./}; tend=$(( $(date +%s) + 300 ))
  c1=$(count_21s "$sys" 1); c2=$(count_21s "$sys" 2); c3=$(count_21s "$sys" 3)
  raw "# right after the loop: 21s monitors on node1 $c1, node2 $c2, node3 $c3 (expected $exp)"
  while [ "$c1" != "$exp" ] || [ "$c2" != "$exp" ] || [ "$c3" != "$exp" ]; do
    [ "$(date +%s)" -lt "$tend" ] || break
    sleep 1; c1=$(count_21s "$sys" 1); c2=$(count_21s "$sys" 2); c3=$(count_21s "$sys" 3)
  done
  [ "$c1" = "$exp" ] && [ "$c2" = "$exp" ] && [ "$c3" = "$exp" ] && conv_ms=$(( (${EPOCHREALTIME/./} - tc0) / 1000 ))
  local loop_s; loop_s=$(awk -v u="$((t1 - t0))" 'BEGIN{printf "%.3f", u/1e6}')
  result "sys=$sys what=big_loop n=$MODIFIES done=$done_n ok=$ok_n failed=${fails:-none} total_s=$(awk -v u="$total_us" 'BEGIN{printf "%.2f", u/1e6}') per_update_ms_median=$med p90=$p90 max=$mx check_21s_expected=$exp node1=$c1 node2=$c2 node3=$c3 all_copies_after_ms=$conv_ms$([ "$conv_ms" != NA ] && [ "$ok_n" = "$MODIFIES" ] || echo " MISMATCH")"
  result "sys=$sys what=big_wire frames=$frames bytes=$bytes dropped=$drop per_update=$(awk -v b="$bytes" -v n="$MODIFIES" 'BEGIN{printf "%.0f", b/n}') net_of_idle_per_update=$(awk -v b="$bytes" -v i="$idle_bps" -v s="$loop_s" -v n="$MODIFIES" 'BEGIN{printf "%.0f", (b - i*s)/n}') frames_per_update=$(awk -v f="$frames" -v n="$MODIFIES" 'BEGIN{printf "%.1f", f/n}') msg_frames_longer_than=$idle_max msg_frames_per_update=$(awk -v f="$bigf" -v n="$MODIFIES" 'BEGIN{printf "%.1f", f/n}') msg_bytes_per_update=$(awk -v b="$bigb" -v n="$MODIFIES" 'BEGIN{printf "%.0f", b/n}') veth_bytes=$((wb1 - wb0)) veth_per_update=$(awk -v b="$((wb1 - wb0))" -v n="$MODIFIES" 'BEGIN{printf "%.0f", b/n}')$([ "$sys" = vg ] && echo " cib_sent_bytes=$((sent1 - sent0)) cib_sent_per_update=$(awk -v b="$((sent1 - sent0))" -v n="$MODIFIES" 'BEGIN{printf "%.0f", b/n}')")"
  result "sys=$sys what=big_cpu daemons_s=$(echo "$acc" | cut -d'|' -f1 | cut -d' ' -f1) per_update_ms=$(echo "$acc" | cut -d'|' -f1 | cut -d' ' -f2) clients='$cl'"
}

# ---- the run ---------------------------------------------------------------------------------------------

case " $PHASES " in *" big "*) make_big ;; esac
for sys in $SYSTEMS; do
  case "$sys" in pcmk|vg) ;; *) die "unknown system $sys (pcmk, vg)" ;; esac
  raw ""; raw "# ===== $(name_of "$sys") $(date -Is) $(bg_load | sed 's/^# //')"
  start_sys "$sys"
  [ "$sys" = pcmk ] && pcmk_dc_idle 120
  case " $PHASES " in *" small "*) log "$(name_of "$sys"): small CIB"; phase_small "$sys" ;; esac
  case " $PHASES " in *" big "*) log "$(name_of "$sys"): big CIB"; phase_big "$sys" || log "$(name_of "$sys"): big CIB phase failed (see $RAW)" ;; esac
  raw "# node logs: $([ "$sys" = pcmk ] && echo "$(node_dir 1)/log-pacemaker/pacemaker.log (and node2, node3)" || echo "$(vigil_log 1) (and node2, node3)")"
  log "$(name_of "$sys"): stopping"
  stop_sys "$sys"
done

# ---- the table ---------------------------------------------------------------------------------------------
get() { # SYS WHAT KEY
  grep "^RESULT sys=$1 what=$2 " "$RAW" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p" | head -1
}
row() { # LABEL PCMK VIGIL [RATIO]
  printf '%-58s | %-22s | %-22s | %s\n' "$1" "${2:-NA}" "${3:-NA}" "${4:-$(ratio "${3%% *}" "${2%% *}")}"
}
cpu_ms() { grep "^RESULT sys=$1 what=big_cpu_by_process " "$RAW" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=.*(\(.*\)ms)$/\1/p"; }
died_summary() { # SYS: "none" or "N (name xK, ...)" from the big_daemons RESULT
  get "$1" big_daemons died | tr ',' '\n' | grep ':' | cut -d: -f1 | sort | uniq -c \
    | awk '{n += $1; s = s (s == "" ? "" : ", ") $2 " x" $1} END { if (NR == 0) print "none"; else printf "%d (%s)\n", n, s }'
}
ms3() { local m; m=$(get "$1" "$2" median); [ -n "$m" ] && echo "$m [$(get "$1" "$2" min)–$(get "$1" "$2" max)]"; }
{
  head -2 "$RAW"
  echo
  printf '%-58s | %-22s | %-22s | %s\n' "what (3 nodes, udpu, inside node1)" "Pacemaker 2.1.5" "Vigil" "Vigil/Pacemaker"
  printf '%s\n' "-----------------------------------------------------------+------------------------+------------------------+----------------"
  row "cibadmin --modify, small CIB: median ms [min-max] (goal <= 10)" "$(ms3 pcmk modify)" "$(ms3 vg modify)"
  row "cibadmin --query (whole CIB): median ms [min-max] (goal <= 10)" "$(ms3 pcmk query)" "$(ms3 vg query)"
  row "  its output, bytes" "$(get pcmk query_size whole)" "$(get vg query_size whole)"
  row "cibadmin --query --scope configuration: median ms [min-max]" "$(ms3 pcmk query_configuration)" "$(ms3 vg query_configuration)"
  row "  its output, bytes" "$(get pcmk query_size configuration)" "$(get vg query_size configuration)"
  row "big CIB ${BIG_NODES}x$BIG_RESOURCES: --replace --scope configuration, ms" "$(get pcmk big_replace ms)" "$(get vg big_replace ms)"
  row "  size knob needed" "$(get pcmk big_replace knob)" "$(get vg big_replace knob)" "-"
  row "  $MODIFIES sequential modifies: total s" "$(get pcmk big_loop total_s)" "$(get vg big_loop total_s)"
  row "  per update: median ms (p90)" "$(get pcmk big_loop per_update_ms_median) ($(get pcmk big_loop p90))" "$(get vg big_loop per_update_ms_median) ($(get vg big_loop p90))"
  row "  updates ok; all 3 copies complete, ms after the loop" "$(get pcmk big_loop ok); $(get pcmk big_loop all_copies_after_ms)" "$(get vg big_loop ok); $(get vg big_loop all_copies_after_ms)" "-"
  row "  daemons that died during the loop" "$(died_summary pcmk)" "$(died_summary vg)" "-"
  row "  wire bytes per update, all nodes (tcpdump)" "$(get pcmk big_wire per_update)" "$(get vg big_wire per_update)"
  row "  same, net of the idle ring" "$(get pcmk big_wire net_of_idle_per_update)" "$(get vg big_wire net_of_idle_per_update)"
  row "  frames per update" "$(get pcmk big_wire frames_per_update)" "$(get vg big_wire frames_per_update)"
  row "  message frames (longer than any on the idle ring): bytes" "$(get pcmk big_wire msg_bytes_per_update)" "$(get vg big_wire msg_bytes_per_update)"
  row "  message frames per update" "$(get pcmk big_wire msg_frames_per_update)" "$(get vg big_wire msg_frames_per_update)"
  row "  veth counters: bytes per update (cross-check)" "$(get pcmk big_wire veth_per_update)" "$(get vg big_wire veth_per_update)"
  row "  Vigil stats.cib.sent_bytes per update (payload)" "-" "$(get vg big_wire cib_sent_per_update)" "-"
  row "  idle ring, bytes/s (baseline)" "$(get pcmk idle_wire bytes_per_s)" "$(get vg idle_wire bytes_per_s)"
  row "  daemon CPU per update, ms (all nodes)" "$(get pcmk big_cpu per_update_ms)" "$(get vg big_cpu per_update_ms)"
  row "    of which the CIB daemons (pacemaker-based / java)" "$(cpu_ms pcmk pacemaker-based)" "$(cpu_ms vg java)"
  row "    of which Pacemaker's scheduler (pacemaker-schedulerd)" "$(cpu_ms pcmk pacemaker-sched)" "-" "-"
  row "    of which Pacemaker's fencer (pacemaker-fenced)" "$(cpu_ms pcmk pacemaker-fence)" "-" "-"
  row "    of which subdaemons killed by pacemakerd (+ its own)" "$(cpu_ms pcmk 'pacemakerd+reaped')" "-" "-"
  echo
  for g in modify query; do
    m=$(get vg "$g" median)
    [ -n "$m" ] && echo "Vigil goal: cibadmin --$g median <= 10 ms: $m ms, $(awk -v m="$m" 'BEGIN { print (m <= 10) ? "met" : "NOT met" }')"
  done
  grep -E '^RESULT .*( MISMATCH| failed)$' "$RAW" | sed 's/^/CHECK FAILED: /'
  echo "loadavg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUTT"
log "table: $OUTT; raw: $RAW; captures and loop logs: $W"
