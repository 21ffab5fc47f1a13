#!/usr/bin/env bash
# bench/http/measure-http.sh [RESOURCES] [SCRAPES]
# The HTTP endpoint's cost on the demo cluster (3 nodes on 127.0.0.1, ./vigil demo):
#  1. the nodes' memory (PSS, /proc/PID/smaps_rollup) with the endpoint on and off (--http-port 0), 60 s after the
#     cluster is up, the page not open;
#  2. with RESOURCES (default 1000) more Dummy primitives in the CIB (target-role Stopped: they are in every
#     status but no agent runs), the time of one /metrics scrape and one /api/status (the dashboard's poll), curl's
#     time_total, median and max of SCRAPES (default 30) one after the other (each after the 250 ms crm_mon cache
#     expired: every one runs crm_mon).
# Prints one line per figure. Needs the distribution built (./vigil build).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
N=${1:-1000}
SCRAPES=${2:-30}
DIR="$(mktemp -d /tmp/vigil-http-bench.XXXXXX)"
DEMO=""
cleanup() { [[ -z "$DEMO" ]] || { kill "$DEMO" 2>/dev/null; wait "$DEMO" 2>/dev/null || true; }; }
trap cleanup EXIT

start_demo() { # NAME HTTP_PORT BASE_PORT
    "$ROOT/vigil" demo --for 900 --dir "$DIR/$1" --base-port "$3" --http-port "$2" >"$DIR/$1.out" 2>&1 &
    DEMO=$!
    until grep -q "The cluster is running." "$DIR/$1.out"; do
        kill -0 "$DEMO" 2>/dev/null || { echo "demo $1 failed:"; tail -20 "$DIR/$1.out"; exit 1; }
        sleep 1
    done
}
stop_demo() { kill "$DEMO"; wait "$DEMO" 2>/dev/null || true; DEMO=""; }
pss_total() { # NAME: the 3 nodes' PSS in MB
    local t=0 p
    for i in 1 2 3; do
        p=$(cat "$DIR/$1/node$i/vigil.pid")
        t=$((t + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup")))
    done
    awk -v t="$t" 'BEGIN{printf "%.1f", t/1024}'
}
timing() { # URL: median and max of SCRAPES, ms
    local i
    for i in $(seq 1 "$SCRAPES"); do
        sleep 0.3
        curl -s -o /dev/null -w '%{time_total}\n' "$1"
    done | sort -n | awk '{a[NR]=$1} END{printf "median %.1f ms, max %.1f ms (%d scrapes)", a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'
}

start_demo off 0 47310
sleep 60
echo "memory, endpoint off: $(pss_total off) MB PSS (3 nodes)"
stop_demo
start_demo on 47664 47320
sleep 60
echo "memory, endpoint on:  $(pss_total on) MB PSS (3 nodes)"
curl -s http://127.0.0.1:47664/metrics >/dev/null
echo "memory, endpoint on, after scrapes: $(pss_total on) MB PSS (3 nodes)"
{
    echo "<resources>"
    for i in $(seq 1 "$N"); do
        echo "<primitive id=\"bench$i\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><meta_attributes id=\"bench$i-meta\"><nvpair id=\"bench$i-role\" name=\"target-role\" value=\"Stopped\"/></meta_attributes></primitive>"
    done
    echo "</resources>"
} >"$DIR/resources.xml"
"$ROOT/vigil" --state-dir "$DIR/on/node1" cibadmin -M -o resources -x "$DIR/resources.xml" >/dev/null
"$ROOT/vigil" --state-dir "$DIR/on/node1" wait --ready --timeout 120s >/dev/null || true
lines=$(curl -s http://127.0.0.1:47664/metrics | grep -c '^vigil_resource_role{' || true)
bytes=$(curl -s http://127.0.0.1:47664/metrics | wc -c)
echo "with $N more resources: /metrics is $bytes bytes, $lines vigil_resource_role series"
echo "/metrics scrape: $(timing http://127.0.0.1:47664/metrics)"
echo "/api/status (dashboard poll): $(timing http://127.0.0.1:47664/api/status)"
# what most of a scrape is: crm_mon's XML of the same cluster, through the admin socket
for i in $(seq 1 "$SCRAPES"); do
    s=$(date +%s%N)
    "$ROOT/vigil" --state-dir "$DIR/on/node1" crm_mon --output-as=xml -r -f >/dev/null
    echo $(( ($(date +%s%N) - s) / 1000 ))
done | sort -n | awk '{a[NR]=$1} END{printf "crm_mon --output-as=xml -r -f (admin socket): median %.1f ms, max %.1f ms\n", a[int((NR+1)/2)]/1000, a[NR]/1000}'
echo "memory, endpoint on, $N more resources: $(pss_total on) MB PSS (3 nodes)"
