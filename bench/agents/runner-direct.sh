#!/usr/bin/env bash
# The two agent runner helpers side by side without the JVM: ROUNDS alternating batches of N sequential
# monitors of ocf:heartbeat:Dummy through the native vigil-runner (compiled here from the source) and through
# vigil-runner.py; median round trip and helper CPU per action for each batch.
#   bench/agents/runner-direct.sh [N] [ROUNDS]        (defaults 2000, 3; needs cc, python3, resource-agents)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
N="${1:-2000}"
ROUNDS="${2:-3}"
AGENT=/usr/lib/ocf/resource.d/heartbeat/Dummy
SRC="$ROOT/agents-bundle/src/main"
[[ -x "$AGENT" ]] || { echo "runner-direct: $AGENT missing (apt-get install -y resource-agents)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/vigil-runner-direct.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cc -O2 -o "$WORK/vigil-runner" "$SRC/c/vigil-runner.c"
for r in $(seq 1 "$ROUNDS"); do
    printf 'round %s native  ' "$r"
    python3 "$ROOT/bench/agents/runner-direct.py" "$N" "$AGENT" "$WORK/vigil-runner"
    printf 'round %s python  ' "$r"
    python3 "$ROOT/bench/agents/runner-direct.py" "$N" "$AGENT" python3 -I -S \
        "$SRC/resources/org/vigil/agents/internal/exec/vigil-runner.py"
done
