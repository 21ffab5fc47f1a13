#!/usr/bin/env bash
# The README's test command (./vigil test): installs the Debian packages the tests need (.ci/packages; root
# and network required for a first install) and runs the whole suite with the system tests switched on.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
command -v java >/dev/null || { echo "vigil test: a JDK 17 is required (apt-get install -y openjdk-17-jdk-headless)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "vigil test: Maven is required (apt-get install -y maven)" >&2; exit 1; }
mapfile -t wanted < <(grep -v -e '^#' -e '^[[:space:]]*$' .ci/packages)
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        echo "vigil test: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "vigil test: missing packages (${missing[*]}); the system tests that need them will be skipped" >&2
    fi
fi
SYSTEM=true
[[ $(id -u) -eq 0 ]] || SYSTEM=false
rc=0
mvn -B verify -Dvigil.systemTests="$SYSTEM" "$@" || rc=$?
if [[ $rc -ne 0 ]] && command -v git >/dev/null; then
    # A fuzz target's finding is written to its Inputs directory in this (throw-away) clone: print it so that it
    # can be kept as a regression input from the log (docs/design/fuzzing.md).
    git ls-files --others --exclude-standard -- '*Inputs/*' 2>/dev/null | while read -r f; do
        echo "vigil test: new fuzz finding $f; to keep it, decode the next line into it (base64 -d):"
        base64 -w 0 "$f"; echo
    done
fi
exit "$rc"
