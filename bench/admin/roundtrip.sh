#!/bin/bash
# bench/admin/roundtrip.sh: issue 17's admin round trips, Pacemaker 2.1.5 + corosync 3.1.7 vs Vigil, side by side
# in one run on a running 3-node cluster in the corosync anchor's namespaces csn1..3 (one system at a time):
#   pcs status, crm configure show, crm_mon -1   hyperfine -N, median of RUNS (default 20) after WARMUP (3)
#   pcs resource create -> Started                CREATES (5) times, until the first crm_mon -1 shows it Started
# Vigil runs ./vigil --state-dir <node1> ... (the perl admin client); Pacemaker its own pcs/crmsh/crm_mon, all
# inside node 1. Goals (issue 17): pcs status <= 50 ms, crm configure show <= 50 ms, crm_mon -1 <= 14 ms.
# It is the crm benchmark's phase "roundtrip" (bench/crm/crm-bench.sh, which documents the method, the
# environment and where the results go); it takes /tmp/vigil-netns.lock itself (LOCK=none if the caller holds it).
# Root, the anchor installed (../shared/anchors/corosync/install.sh), pcs and crmsh (.ci/packages), ./vigil build.
export PHASES=roundtrip RUNS="${RUNS:-20}" WARMUP="${WARMUP:-3}" CREATES="${CREATES:-5}"
exec "$(dirname "$(readlink -f "$0")")/../crm/crm-bench.sh" "$@"
