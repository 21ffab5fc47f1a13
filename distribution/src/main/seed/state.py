#!/usr/bin/env python3
"""Summarise `crm_mon -1 -r --output-as=xml` (stdin) in one line:
  online=node1,node2,node3 dc=node2 vip__public=node1 vip__management=node1
  clone_p_mysql=Promoted:node1,node2,node3 ... active=14/14 failed=0 all=yes
all=yes when: every online node runs every clone instance, promotable clones are
Promoted everywhere, every primitive is Started, nothing failed, and EXPECT_NODES
(env, default 3) nodes are online.
With -q: nothing printed, exit status 0 when all=yes."""
import os, sys, xml.etree.ElementTree as ET
try:
    root = ET.fromstring(sys.stdin.read())
except Exception:
    print("crm_mon=unreadable all=no"); sys.exit(0 if "-q" not in sys.argv else 1)
exp = int(os.environ.get("EXPECT_NODES", "3"))
online = sorted(n.get("name") for n in root.iter("node")
                if n.get("online") == "true" and n.get("type", "member") == "member" and n.get("id"))
online = sorted(set(x for x in online if x))
dc = root.find("summary/current_dc")
dcn = dc.get("name") if dc is not None and dc.get("present") == "true" else "none"
res = root.find("resources")
out, ok, active, total, failed = [], True, 0, 0, 0
if res is None:
    print("online=%s dc=%s resources=none all=no" % (",".join(online), dcn)); sys.exit(0 if "-q" not in sys.argv else 1)
for el in res:
    if el.tag == "resource":
        total += 1
        nodes = [n.get("name") for n in el.findall("node")]
        if el.get("failed") == "true": failed += 1
        if el.get("role") == "Started" and len(nodes) == 1:
            active += 1
        else:
            ok = False
        out.append("%s=%s" % (el.get("id"), ",".join(nodes) if el.get("role") == "Started" else el.get("role")))
    elif el.tag == "clone":
        want = "Promoted" if el.get("multi_state") == "true" else "Started"
        total += exp
        on = sorted(n.get("name") for r in el.findall("resource") if r.get("role") == want
                    for n in r.findall("node"))
        other = sorted("%s@%s" % (r.get("role"), n.get("name")) for r in el.findall("resource")
                       if r.get("role") not in (want, "Stopped") for n in r.findall("node"))
        failed += sum(1 for r in el.findall("resource") if r.get("failed") == "true")
        active += len(on)
        if len(on) != exp: ok = False
        out.append("%s=%s:%s%s" % (el.get("id"), want, ",".join(on) or "-", (" (" + " ".join(other) + ")") if other else ""))
if len(online) != exp or failed: ok = False
fails = root.find("failures")
nfail_ops = len(list(fails)) if fails is not None else 0
line = ("online=%s dc=%s %s active=%d/%d failed=%d failed_ops=%d all=%s" % (
    ",".join(online), dcn, " ".join(out), active, total, failed, nfail_ops, "yes" if ok else "no"))
if "-q" in sys.argv:
    sys.exit(0 if ok else 1)
print(line)
