#!/usr/bin/env python3
"""Drives one agent runner helper directly over its protocol, without the JVM: N sequential RUNs of PROGRAM
(argv: PROGRAM monitor, a Dummy-like OCF environment), each sent when the previous DONE arrived.
Prints the median round trip and the helper's own CPU time per action (from /proc/PID/stat).

    runner-direct.py N PROGRAM HELPER-COMMAND...
"""
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time


def frame(fields):
    body = b"".join(struct.pack(">I", len(f)) + f for f in fields)
    return struct.pack(">I", len(body)) + body


def main():
    n, program, command = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3:]
    work = tempfile.mkdtemp(prefix="vigil-runner-direct.")
    state = os.path.join(work, "state")
    open(state, "w").close()
    env = [b"OCF_ROOT=/usr/lib/ocf", b"OCF_RESOURCE_INSTANCE=bench", b"OCF_RESOURCE_TYPE=Dummy",
           b"OCF_RESOURCE_PROVIDER=heartbeat", b"OCF_RA_VERSION_MAJOR=1", b"OCF_RA_VERSION_MINOR=1",
           b"OCF_RESKEY_state=" + state.encode(), b"OCF_RESKEY_CRM_meta_timeout=20000",
           b"OCF_RESKEY_CRM_meta_interval=10000", b"HA_RSCTMP=" + work.encode(),
           b"PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
    p = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read_frame():
        head = p.stdout.read(4)
        if len(head) < 4:
            sys.exit("runner-direct: the helper exited")
        (k,) = struct.unpack(">I", head)
        body = p.stdout.read(k)
        fields, pos = [], 0
        while pos < len(body):
            (m,) = struct.unpack_from(">I", body, pos)
            fields.append(body[pos + 4:pos + 4 + m])
            pos += 4 + m
        return fields

    if read_frame()[0] != b"HELLO":
        sys.exit("runner-direct: no HELLO from the helper")
    times = []
    for i in range(n):
        t = time.perf_counter()
        p.stdin.write(frame([b"RUN", str(i).encode(), b"20000", b"5000", b"65536", b"", b"", b"2", program,
                             b"monitor"] + env))
        p.stdin.flush()
        while True:
            f = read_frame()
            if f[0] == b"DONE":
                break
        if f[2] != b"exit":
            sys.exit("runner-direct: action ended %s: %s" % (f[2], f[9]))
        times.append(time.perf_counter() - t)
    with open("/proc/%d/stat" % p.pid) as s:
        st = s.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    utime, stime = int(st[11]) / tick, int(st[12]) / tick
    p.stdin.close()
    p.wait()
    print("median_ms=%.3f helper_cpu_ms_per_action=%.3f (user %.3f, system %.3f) actions=%d"
          % (statistics.median(times) * 1e3, (utime + stime) * 1e3 / n, utime * 1e3 / n, stime * 1e3 / n, n))


if __name__ == "__main__":
    main()
