#!/usr/bin/env python3
"""cib-status.py [--since EPOCH_S]: what a CIB (``cibadmin --query`` output on stdin) says runs where.

Used by crm-bench.sh for a system without ``crm_mon``/``crm_resource --locate`` (Vigil before those tools exist),
and for both systems in the cold-start phase. Prints:

    dc=<uname of the root's dc-uuid, or ->
    online=<unames of node_state entries with in_ccm, crmd online and join member, comma separated, or ->
    rsc=<id> on=<unames where it runs, comma separated, or ->      (one line per lrm_resource id seen)

A resource runs on a node when the node is online (above) and the resource's completed result there with the
highest call-id (as Pacemaker's unpack orders them; pending records, op-status -1, are skipped) is a ``start``,
``promote`` or ``migrate_from`` with rc 0 (8 for promote), or a ``monitor`` (probe or recurring) that found it
running (rc 0 or 8). With ``--since S`` only results whose
``last-rc-change`` is at least S count: a CIB read back from disk after a restart still holds the history of the
previous run until the DC's join replaces it.
"""
import sys
import xml.etree.ElementTree as ET


def truthy(v):
    return v is not None and v not in ("", "false", "0", "no")


def main():
    since = None
    if len(sys.argv) == 3 and sys.argv[1] == "--since":
        since = int(sys.argv[2])
    data = sys.stdin.read()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        print("error=unparsable CIB (%s)" % e)
        return 1
    states = root.findall("./status/node_state")
    uname_of = {ns.get("id"): ns.get("uname") for ns in states}
    for n in root.findall("./configuration/nodes/node"):
        uname_of.setdefault(n.get("id"), n.get("uname"))
    dc = uname_of.get(root.get("dc-uuid") or "", None) or "-"
    online = []
    running = {}
    for ns in states:
        up = (truthy(ns.get("in_ccm")) and ns.get("crmd") not in (None, "", "offline")
              and ns.get("join") == "member")
        if up:
            online.append(ns.get("uname"))
        for lr in ns.findall("./lrm/lrm_resources/lrm_resource"):
            rid = lr.get("id")
            running.setdefault(rid, [])
            # Pacemaker's unpack order: the operations by call-id, the last completed one decides (a recurring
            # monitor keeps the call-id of its first run, so a monitor after the start means running; a stop
            # removes it)
            ops = [o for o in lr.findall("./lrm_rsc_op")
                   if o.get("op-status") != "-1" and int(o.get("call-id", "-1")) >= 0]
            if not ops:
                continue
            op = max(ops, key=lambda o: int(o.get("call-id", "-1")))
            if since is not None and int(op.get("last-rc-change", "0")) < since:
                continue
            rc, st, name = op.get("rc-code"), op.get("op-status"), op.get("operation")
            ok = st == "0" and (
                (name in ("start", "migrate_from") and rc == "0")
                or (name == "promote" and rc in ("0", "8"))
                or (name == "monitor" and rc in ("0", "8")))
            if ok and up:
                running[rid].append(ns.get("uname"))
    print("dc=%s" % dc)
    print("online=%s" % (",".join(sorted(online)) or "-"))
    for rid in sorted(running):
        print("rsc=%s on=%s" % (rid, ",".join(sorted(running[rid])) or "-"))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:   # the reader (grep -q) stopped early
        sys.exit(0)
