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
        # Debian's maintainer scripts start what they install (MariaDB, RabbitMQ, HAProxy) through invoke-rc.d,
        # which asks policy-rc.d first: 101 = do not start. The tests run their own copies in namespaces only.
        prc=/usr/sbin/policy-rc.d; made_prc=0
        if [[ ! -e $prc ]]; then printf '#!/bin/sh\nexit 101\n' > "$prc"; chmod 755 "$prc"; made_prc=1; fi
        rc_apt=0
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc_apt=$?
        [[ $made_prc == 1 ]] && rm -f "$prc"
        [[ $rc_apt == 0 ]] || { echo "vigil test: apt-get install failed ($rc_apt)" >&2; exit "$rc_apt"; }
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
