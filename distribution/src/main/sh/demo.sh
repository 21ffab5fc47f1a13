#!/usr/bin/env bash
# vigil demo [--nodes N] [--base-port P] [--http-port H] [--for SECONDS] [--dir DIR]
# vigil demo --dir DIR --start-node N
# Starts a local cluster of N (default 3) Vigil nodes on 127.0.0.1, each a separate JVM with its own state
# directory and admin socket, configures resources (a group 'site' of two Dummy agents, 'web' first, and a clone
# 'health-clone', all with monitors; resource-stickiness=100) and fencing (stonith-enabled=true, a device
# 'fence-demo' of the agent fence_vigil_test, distribution/src/main/fence: it "powers a node off" by killing its
# process, DIR/nodeN/vigil.pid, and "on" with --start-node, so a fenced node comes back like a rebooted server),
# waits until they run, swaps the DC's controller bundle in place (vigil upgrade of a copy with a new version, then
# --rollback: nothing restarts), prints the cluster status and waits; Ctrl-C (or --for SECONDS) stops them all, nodes
# restarted meanwhile included.
# --start-node N (or nodeN) starts node N of the running demo in DIR again (after a kill -9) in the background, and
# returns; the fence device's "power on".
# DIR/status [N] prints the cluster status as node N (default 1) sees it.
# Each node serves its dashboard and Prometheus /metrics on 127.0.0.1, node N on port H+N-1 (default 9664), with
# the dashboard's actions enabled (loopback only); --http-port 0: no HTTP endpoint.
set -euo pipefail
VIGIL_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../../.." && pwd)"
VIGIL="$VIGIL_ROOT/vigil"
DIST="$VIGIL_ROOT/distribution/target"
# the demo's fence agent (fence_vigil_test)
FENCE_DIR="$VIGIL_ROOT/distribution/src/main/fence"
# The JVM options every demo node starts with: the user's VIGIL_JAVA_OPTS when the demo started, kept in the nodes'
# environment, so a node the fence device starts again (from another node's environment) gets the same ones.
export VIGIL_DEMO_JAVA_OPTS="${VIGIL_DEMO_JAVA_OPTS-${VIGIL_JAVA_OPTS:-}}"
NODES=3
BASE_PORT=${VIGIL_DEMO_PORT:-5411}
HTTP_PORT=${VIGIL_DEMO_HTTP_PORT:-9664}
FOR=""
DIR=""
START_NODE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --nodes) NODES="$2"; shift 2 ;;
        --base-port) BASE_PORT="$2"; shift 2 ;;
        --http-port) HTTP_PORT="$2"; shift 2 ;;
        --for) FOR="$2"; shift 2 ;;
        --dir) DIR="$2"; shift 2 ;;
        --start-node) START_NODE="$2"; shift 2 ;;
        *) echo "usage: vigil demo [--nodes N] [--base-port P] [--http-port H] [--for SECONDS] [--dir DIR]" >&2
           echo "       vigil demo --dir DIR --start-node N" >&2; exit 2 ;;
    esac
done

# Node I of the demo in DIR, in the background, with its own HA_RSCTMP (nodes on one machine would otherwise share
# the agents' state files); output appended to DIR/nodeI.out.
start_node() {
    local i="$1"
    shift
    mkdir -p "$DIR/node$i/rsctmp"
    # each node its own HA_RSCTMP and HA_VARRUN: on one machine the nodes would otherwise share the agents' state files
    VIGIL_JAVA_OPTS="$VIGIL_DEMO_JAVA_OPTS -Dvigil.agents.rsctmp=$DIR/node$i/rsctmp -Dvigil.agents.varrun=$DIR/node$i/rsctmp -Dvigil.agents.fence.dir=$FENCE_DIR" \
        "$@" "$VIGIL" node -c "$DIR/vigil.conf" --state-dir "$DIR/node$i" --node-id "$i" >>"$DIR/node$i.out" 2>&1 &
}

# Waits until node I answers on its admin socket (at most 30 s, or until process PID is gone).
await_node() {
    local i="$1" pid="$2"
    for _ in $(seq 1 300); do
        "$VIGIL" --state-dir "$DIR/node$i" status >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "node$i did not start; its output:" >&2
    tail -20 "$DIR/node$i.out" >&2
    return 1
}

# The pid of demo node I, from its pid file, if that process is still the node of this demo.
node_pid() {
    local pid
    pid="$(cat "$DIR/node$1/vigil.pid" 2>/dev/null)" || return 1
    [[ -n "$pid" ]] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "--state-dir $DIR/node$1 " \
        && echo "$pid"
}

if [[ -n "$START_NODE" ]]; then
    [[ -n "$DIR" && -f "$DIR/vigil.conf" ]] || { echo "vigil demo --start-node: --dir DIR of a running demo needed" >&2; exit 2; }
    DIR="$(cd "$DIR" && pwd)"
    START_NODE="${START_NODE#node}"   # the fence device's plug is the node's name
    [[ "$START_NODE" =~ ^[1-9][0-9]*$ && -d "$DIR/node$START_NODE" ]] \
        || { echo "vigil demo --start-node: no node '$START_NODE' in the demo in $DIR" >&2; exit 2; }
    # the demo is stopping (Ctrl-C): a node fenced meanwhile stays off
    [[ ! -e "$DIR/stopping" ]] || { echo "vigil demo --start-node: the demo in $DIR is stopping" >&2; exit 1; }
    if pid="$(node_pid "$START_NODE")"; then echo "node$START_NODE is running (pid $pid)" >&2; exit 1; fi
    # As after a machine's reboot, the agents' state is gone (HA_RSCTMP is /run/resource-agents, a tmpfs): a Dummy's
    # state file left by a node that was killed would tell its probe that the resource still runs there.
    rm -rf "$DIR/node$START_NODE/rsctmp"
    # in a session of its own (setsid -f): the node outlives this command and a Ctrl-C in its terminal
    start_node "$START_NODE" setsid -f </dev/null
    for _ in $(seq 1 300); do pid="$(node_pid "$START_NODE")" && break; sleep 0.1; done
    [[ -n "$pid" ]] || { echo "node$START_NODE did not start; its output:" >&2; tail -20 "$DIR/node$START_NODE.out" >&2; exit 1; }
    await_node "$START_NODE" "$pid" || exit 1
    # back in the ring with every configured node (at most 30 s: another node may be down)
    want="$(grep -c 'nodeid:' "$DIR/vigil.conf")"
    for _ in $(seq 1 300); do
        members="$("$VIGIL" --state-dir "$DIR/node$START_NODE" corosync-cmapctl -g runtime.totem.members 2>/dev/null)" || true
        [[ "$(echo "${members#*= }" | wc -w)" == "$want" ]] && break
        sleep 0.1
    done
    echo "node$START_NODE started again (pid $pid), ring members: ${members#*= }; the demo's Ctrl-C stops it too"
    exit 0
fi

[[ -n "$DIR" ]] || DIR="$(mktemp -d /tmp/vigil-demo.XXXXXX)"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
rm -f "$DIR/stopping"
CONF="$DIR/vigil.conf"
{
    echo "# Vigil demo cluster: $NODES nodes on 127.0.0.1 (generated by vigil demo)"
    echo "totem {"
    echo "    version: 2"
    echo "    cluster_name: vigil-demo"
    echo "    transport: udpu"
    echo "    token: 1000"
    echo "}"
    echo "nodelist {"
    for i in $(seq 1 "$NODES"); do
        echo "    node {"
        echo "        ring0_addr: 127.0.0.1"
        echo "        ring0_port: $((BASE_PORT + i - 1))"
        echo "        nodeid: $i"
        echo "        name: node$i"
        [[ "$HTTP_PORT" == 0 ]] || echo "        http_port: $((HTTP_PORT + i - 1))"
        echo "    }"
    done
    echo "}"
    echo "quorum {"
    echo "    provider: corosync_votequorum"
    echo "}"
    echo "# the dashboard and /metrics, on 127.0.0.1 (port: each node's http_port); actions on: a demo"
    echo "http {"
    if [[ "$HTTP_PORT" == 0 ]]; then echo "    enabled: no"; else echo "    actions: yes"; fi
    echo "}"
} > "$CONF"

PIDS=()
SLEEPER=""
stop_all() {
    trap - INT TERM EXIT
    [[ -z "$SLEEPER" ]] || kill "$SLEEPER" 2>/dev/null || true
    echo
    echo "Stopping the demo cluster..."
    # from now on the fence device powers nothing on (--start-node refuses)
    : >"$DIR/stopping"
    # the nodes started here, and those started again with --start-node (found by their pid files)
    local -a all=("${PIDS[@]}")
    local pid
    for i in $(seq 1 "$NODES"); do
        if pid="$(node_pid "$i")"; then all+=("$pid"); fi
    done
    for pid in "${all[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${all[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    # a node a fencing started again just before 'stopping' was there (its --start-node waits up to 30 s for it)
    for i in $(seq 1 "$NODES"); do
        if pid="$(node_pid "$i")"; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    echo "Stopped. Logs and state are in $DIR"
}
trap stop_all INT TERM EXIT

# DIR/status [N]: the cluster status as node N sees it (crm_mon -1 on that node)
cat >"$DIR/status" <<STATUS
#!/usr/bin/env bash
# The status of the Vigil demo cluster in $DIR as node N (default 1) sees it: $DIR/status [N]
N="\${1:-1}"
exec "$VIGIL" --state-dir "$DIR/node\$N" crm_mon -1
STATUS
chmod +x "$DIR/status"

echo "Starting $NODES Vigil nodes in $DIR (config $CONF)"
for i in $(seq 1 "$NODES"); do
    start_node "$i"
    PIDS+=($!)
done
for i in $(seq 1 "$NODES"); do
    await_node "$i" "${PIDS[$((i-1))]}" || exit 1
done
echo "Waiting for the ring to form..."
formed=""
for _ in $(seq 1 300); do
    formed=1
    for i in $(seq 1 "$NODES"); do
        members="$("$VIGIL" --state-dir "$DIR/node$i" corosync-cmapctl -g runtime.totem.members 2>/dev/null)" || true
        [[ "$(echo "${members#*= }" | wc -w)" == "$NODES" ]] || formed=""
    done
    [[ -n "$formed" ]] && break
    sleep 0.1
done
[[ -n "$formed" ]] || echo "The ring has not formed yet; the nodes' output is in $DIR/node*.out" >&2
for i in $(seq 1 "$NODES"); do
    echo
    echo "== node$i ($DIR/node$i, pid ${PIDS[$((i-1))]}) =="
    "$VIGIL" --state-dir "$DIR/node$i" status | sed -n '1,4p'
done
echo
echo "== membership, as node1 sees it =="
"$VIGIL" --state-dir "$DIR/node1" members

echo
echo "== resources: configured through node1's CIB =="
CIB=("$VIGIL" --state-dir "$DIR/node1" cibadmin)
# Fencing: a lost (or hung) node is powered off before its resources start elsewhere, as on real servers. The
# "power switch" is fence_vigil_test: off kills the node's process (its pid file), on starts it again the way this
# script does (--start-node, its messages in DIR/nodeN.out), so a fenced node comes back by itself; every action is
# logged in DIR/fence.log.
hosts="$(for i in $(seq 1 "$NODES"); do echo -n "node$i "; done)"
"${CIB[@]}" --create -o resources -X "<primitive id=\"fence-demo\" class=\"stonith\" type=\"fence_vigil_test\">
    <instance_attributes id=\"fence-demo-ia\">
      <nvpair id=\"fence-demo-hosts\" name=\"pcmk_host_list\" value=\"${hosts% }\"/>
      <nvpair id=\"fence-demo-pidfile\" name=\"pidfile\" value=\"$DIR/{port}/vigil.pid\"/>
      <nvpair id=\"fence-demo-start\" name=\"start_cmd\" value=\"'$VIGIL' demo --dir '$DIR' --start-node {port} &gt;&gt;'$DIR/{port}.out' 2&gt;&amp;1\"/>
      <nvpair id=\"fence-demo-log\" name=\"log\" value=\"$DIR/fence.log\"/>
    </instance_attributes>
    <operations><op id=\"fence-demo-monitor-60s\" name=\"monitor\" interval=\"60s\"/></operations>
  </primitive>"
"${CIB[@]}" --modify --allow-create -o crm_config -X '<cluster_property_set id="cib-bootstrap-options">
    <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="true"/>
  </cluster_property_set>'
# resources stay where they run when a node comes back
"${CIB[@]}" --modify --allow-create -o rsc_defaults -X '<meta_attributes id="rsc-options">
    <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/>
  </meta_attributes>'
dummy() { # ID: an ocf:heartbeat:Dummy with a 5 s monitor
    echo "<primitive id=\"$1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations>
      <op id=\"$1-monitor-5s\" name=\"monitor\" interval=\"5s\" timeout=\"20s\"/></operations></primitive>"
}
"${CIB[@]}" --create -o resources -X "<group id=\"site\">$(dummy web)$(dummy web-log)</group>"
"${CIB[@]}" --create -o resources -X "<clone id=\"health-clone\">$(dummy health)</clone>"
"${CIB[@]}" --query -o resources
echo
echo "Waiting for the resources to start..."
"$VIGIL" --state-dir "$DIR/node1" wait --ready --timeout 120s || true
echo
echo "== cluster status, as node2 sees it ($DIR/status 2) =="
"$DIR/status" 2

# The headline feature: a CRM bundle swapped in place while the resources run. The "new release" is the
# distribution's own controller jar with a new Bundle-Version (what an administrator would receive), upgraded on the
# DC, then rolled back; the report says what the node saw meanwhile.
demo_jar() { # PREFIX: a copy of the exported bundle with "demo2" added to its Bundle-Version, in $DIR
    local src out v
    src="$(ls "$DIST/export/vigil/$1"*.jar 2>/dev/null | head -1)"
    [[ -n "$src" ]] && command -v jar >/dev/null || return 1
    out="$DIR/${1}demo2.jar"
    mkdir -p "$DIR/upgrade-mf" && (cd "$DIR/upgrade-mf" && jar xf "$src" META-INF/MANIFEST.MF) || return 1
    v="$(tr -d '\r' <"$DIR/upgrade-mf/META-INF/MANIFEST.MF" | sed -n 's/^Bundle-Version: //p')"
    cp "$src" "$out" && printf 'Bundle-Version: %s\n' "${v}demo2" >"$DIR/upgrade-mf/new.mf" \
        && jar --update --file "$out" --manifest="$DIR/upgrade-mf/new.mf" 2>/dev/null && echo "$out"
}
dc="$("$VIGIL" --state-dir "$DIR/node1" crmadmin -D -q 2>/dev/null || true)"
if [[ "$dc" =~ ^node[0-9]+$ ]] && jar2="$(demo_jar crm-controller-)"; then
    echo
    echo "== live upgrade: the controller of the DC ($dc) swapped in place while the resources run =="
    echo "\$ vigil --state-dir $DIR/$dc upgrade $jar2"
    "$VIGIL" --state-dir "$DIR/$dc" upgrade "$jar2" || true
    echo "\$ vigil --state-dir $DIR/$dc upgrade --rollback org.vigil.crm.controller"
    "$VIGIL" --state-dir "$DIR/$dc" upgrade --rollback org.vigil.crm.controller || true
    echo "DC now: $("$VIGIL" --state-dir "$DIR/node1" crmadmin -D -q 2>/dev/null || echo '?')"
fi
DASHBOARD="The nodes serve no dashboard (--http-port 0)."
[[ "$HTTP_PORT" == 0 ]] || DASHBOARD="Its dashboard (live; move, ban, standby, cleanup from the page):
  http://127.0.0.1:$HTTP_PORT/          (node1's; node N serves it on port $HTTP_PORT+N-1)
  http://127.0.0.1:$HTTP_PORT/metrics   (Prometheus)"
cat <<MSG

The cluster is running. $DASHBOARD
Try, in another terminal:
  $DIR/status                                   # where each resource runs (as node1 sees it; $DIR/status 3: node3)
  $VIGIL --state-dir $DIR/node1 members
  $VIGIL --state-dir $DIR/node2 corosync-quorumtool -s
  $VIGIL --state-dir $DIR/node2 cibadmin --query            # the same CIB on every node
  $VIGIL --state-dir $DIR/node1 crmadmin --timeline         # what the cluster did, step by step
Swap a bundle in place yourself (any of crm-cib, crm-scheduler, crm-controller, crm-executor, crm-attrd,
crm-fencer, agents-bundle), on any node; nothing restarts:
  $VIGIL --state-dir $DIR/node2 upgrade $DIR/crm-controller-demo2.jar
  $VIGIL --state-dir $DIR/node2 upgrade --rollback org.vigil.crm.controller
Kill the node running 'web' and watch it restart elsewhere (README: "Kill a node and watch failover"):
  $DIR/status | grep -w web                     # e.g. "  * web (ocf:heartbeat:Dummy):  Started node2"
  kill -9 \$(cat $DIR/node2/vigil.pid)          # the node process (pids: $DIR/node*/vigil.pid)
  $DIR/status 1                                 # a few seconds later: web started on another node
Make it hang instead and watch it fence (README: "Watch it fence"):
  kill -STOP \$(cat $DIR/node2/vigil.pid)       # node2 stops answering, like a hung server
  $VIGIL --state-dir $DIR/node1 stonith_admin --history node2   # "reboot of node2 successful: ..."
  cat $DIR/fence.log                            # the fence device's actions: it killed node2 and started it again
Either way node2 comes back by itself (the fence device's "power on"); web stays where it is (resource-stickiness).
MSG
# (sleep in the background and wait: bash runs the TERM/INT trap only once its foreground command is done)
if [[ -n "$FOR" ]]; then
    sleep "$FOR" & SLEEPER=$!; wait $SLEEPER
else
    echo "Press Ctrl-C to stop all nodes."
    while true; do sleep 3600 & SLEEPER=$!; wait $SLEEPER; done
fi
