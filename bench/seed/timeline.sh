#!/bin/bash
# timeline.sh DIR [FROM [TO]]: where a seed cluster's start went: Vigil's own time vs the services' agents.
#
# DIR holds the nodes' state directories (DIR/node1..3/vigil.log: SeedClusterIT's directory kept with
# -Dvigil.keep=true, or `vigil demo --seed`'s /tmp/vigil-seed-demo). FROM/TO (HH:MM:SS[.mmm], default: the first
# line of the earliest log .. the last agent operation) bound the window, e.g. a cold start or a reboot.
# From the executor's "Result of <rsc>_<op>_<interval> (...): ... (N ms)" lines (end time and run time, so its
# start = end - N) it prints, in ms from FROM:
#   each node's first log line, its ring formed with all three ("was formed" with 3 members known), its first
#   agent operation;
#   agents busy: the union of the intervals during which at least one agent operation ran on some node;
#   Vigil only: the rest of the window (no agent running anywhere: node start, ring, election, CIB, scheduling,
#   transition latency between one operation's end and the next one's start);
#   the longest operations.
set -u
D=${1:?usage: timeline.sh DIR [FROM [TO]]}
FROM=${2:-}; TO=${3:-}
day=$(head -1 "$D"/node1/vigil.log | awk '{print $1" "$2}')
ms_of() { date -u -d "$day $1" +%s%3N; }
{
for n in 1 2 3; do
  f="$D/node$n/vigil.log"; [ -f "$f" ] || continue
  awk -v n="$n" '
    { t = $3 }
    NR == 1 { print "FIRST", n, t }
    /A new membership .* was formed/ { print "FORMED", n, t }
    /Result of .*_[0-9]+ .*\(([0-9]+) ms\)$/ {
      m = $0; sub(/.*Result of /, "", m); op = m; sub(/ .*/, "", op)
      d = $NF; gsub(/[()]/, "", d); sub(/ ms$/, "", d)
      ms = $(NF-1); gsub(/[(]/, "", ms)
      print "OP", n, t, ms, op
    }' "$f"
done
} > /tmp/timeline.$$
f0=$(awk '$1=="FIRST"{print $3}' /tmp/timeline.$$ | sort | head -1)
[ -n "$FROM" ] || FROM=$f0
t0=$(ms_of "$FROM"); tend=""
[ -n "$TO" ] && tend=$(ms_of "$TO")
python3 - "$t0" "${tend:-0}" "$day" /tmp/timeline.$$ <<'EOF'
import sys, datetime
t0, tend, day, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def ms(hms):
    d = datetime.datetime.strptime(f"{datetime.datetime.utcnow().year} {day} {hms}", "%Y %b %d %H:%M:%S.%f")
    return int(d.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
first, formed, ops = {}, {}, []
for line in open(path):
    p = line.split()
    if p[0] == "FIRST": first[p[1]] = ms(p[2])
    elif p[0] == "FORMED": formed.setdefault(p[1], []).append(ms(p[2]))
    elif p[0] == "OP":
        end = ms(p[2]); dur = int(p[3]); ops.append((end - dur, end, p[1], p[4]))
ops = [o for o in ops if o[1] > t0 and (tend == 0 or o[0] < tend)]
if tend == 0: tend = max(o[1] for o in ops) if ops else t0
print(f"window {tend - t0} ms")
for n in sorted(first):
    fo = [f for f in formed.get(n, []) if f >= t0]
    fop = min((o[0] for o in ops if o[2] == n), default=None)
    print(f"  node{n}: log starts {first[n] - t0:+d}, first membership {fo[0] - t0 if fo else 'NA'}, "
          f"last membership before the first agent op {max([f for f in fo if fop is None or f <= fop], default=t0) - t0}, "
          f"first agent op starts {fop - t0 if fop else 'NA'}")
iv = sorted((max(a, t0), min(b, tend)) for a, b, _, _ in ops)
busy, cur = 0, None
for a, b in iv:
    if cur is None or a > cur[1]:
        if cur: busy += cur[1] - cur[0]
        cur = [a, b]
    else: cur[1] = max(cur[1], b)
if cur: busy += cur[1] - cur[0]
print(f"agents busy (some agent operation running on some node): {busy} ms ({100 * busy // max(1, tend - t0)}%)")
print(f"Vigil only (no agent running anywhere): {tend - t0 - busy} ms")
# the gaps on the way: no agent running, longer than 300 ms
gaps, last = [], t0
for a, b in iv:
    if a - last > 300: gaps.append((last - t0, a - t0))
    last = max(last, b)
print("gaps > 300 ms with no agent running (from, to): " + ", ".join(f"{a}-{b}" for a, b in gaps))
print("longest operations:")
for a, b, n, op in sorted(ops, key=lambda o: o[0] - o[1])[:8]:
    print(f"  node{n} {op}: {b - a} ms ({a - t0}..{b - t0})")
EOF
rm -f /tmp/timeline.$$
