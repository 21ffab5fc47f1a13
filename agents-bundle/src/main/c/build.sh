#!/bin/sh
# Builds the native agent runner helper into the bundle's classes (called by Maven in generate-resources):
#   build.sh OUTDIR   ->  OUTDIR/linux-<uname -m>/vigil-runner
# Without a C compiler (or off Linux) it builds nothing and says so: the bundle then runs agents through
# vigil-runner.py, which does the same work more slowly. A compiler that fails on the source fails the build.
set -eu
out="$1"
src="$(dirname "$0")/vigil-runner.c"
CC="${CC:-cc}"
if [ "$(uname -s)" != Linux ]; then
    echo "vigil-runner: not Linux, no native helper built (agents run through vigil-runner.py)"
    exit 0
fi
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "vigil-runner: no C compiler ($CC), no native helper built (agents run through vigil-runner.py;" \
         "apt-get install -y gcc libc6-dev for the faster one)"
    exit 0
fi
dir="$out/linux-$(uname -m)"
mkdir -p "$dir"
"$CC" -O2 -Wall -Wextra -o "$dir/vigil-runner.tmp" "$src"
mv "$dir/vigil-runner.tmp" "$dir/vigil-runner"
echo "vigil-runner: built $dir/vigil-runner"
