# vigil-runner: the process side of Vigil's agent executor (agents-bundle), Python build.
#
# The native vigil-runner (src/main/c/vigil-runner.c, same protocol and behaviour) is used instead wherever the
# bundle was built with a C compiler; this one is the fallback (vigil.agents.runner=auto|native|python).
#
# One instance runs per agents-bundle revision, as a child of the node's JVM, and starts every external agent
# (OCF, LSB, systemctl, fence_*) the bundle runs. Why a helper process and not java.lang.ProcessBuilder:
#   * each agent must lead its own session/process group so that a timeout can kill the whole group; Java
#     cannot call setsid() in the child, and an extra exec of /usr/bin/setsid per action costs as much as a
#     quarter of a short monitor;
#   * a select loop reads stdout/stderr of all agents without a thread per pipe, so an agent that leaves a
#     daemon holding its stdout open cannot hang anything: the result is sent when the agent process exits;
#   * agents keep running, and their results are still delivered, while the bundle that started them is
#     being replaced: the helper only exits once its standard input is closed AND nothing is in flight.
#
# Protocol on stdin/stdout, both directions: frames of a 4-byte big-endian length and a payload; a payload is a
# list of fields, each a 4-byte big-endian length and the bytes. Requests:
#   RUN  id timeout_ms grace_ms max_output cwd stdin argc argv... env...   (env entries are NAME=VALUE)
#   KILL id                                                                (cancel: TERM the group, then KILL)
# Replies:
#   HELLO python                       (once, at start: the helper runs)
#   STARTED id pid                     (only for an action still running ANNOUNCE seconds after its start)
#   DONE id how code elapsed_us stdout_total stderr_total stdout stderr message pid
# where how is exit (code = exit status), signal (code = signal number), timeout, cancelled (code = exit
# status or -signal of the leader) or failed (code = errno: the agent could not be started).
# Nothing here interprets agent parameters: argv and the environment go to execve() as given.
import os
import selectors
import signal
import struct
import subprocess
import sys
import time

CTL_IN = sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, "raw") else sys.stdin.buffer
CTL_OUT = sys.stdout
GROUP_POLL = 0.01     # seconds between checks that a killed process group has gone
GROUP_WAIT = 2.0      # seconds to wait for a KILLed group to disappear before reporting anyway
ANNOUNCE = 0.02       # a short action is reported once (DONE carries its pid); a longer one is announced first


def now():
    return time.monotonic()


class Action:
    __slots__ = ("id", "pid", "pidfd", "announced", "streams", "out", "err", "out_total", "err_total", "max_out",
                 "started", "deadline", "grace", "kill_reason", "kill_at", "killed_hard", "status", "reaped_at")

    def __init__(self, aid, pid, max_out, timeout, grace):
        self.id = aid
        self.pid = pid
        self.pidfd = None
        self.announced = False
        self.streams = {}
        self.out = bytearray()
        self.err = bytearray()
        self.out_total = 0
        self.err_total = 0
        self.max_out = max_out
        self.started = now()
        self.deadline = self.started + timeout if timeout > 0 else None
        self.grace = grace
        self.kill_reason = None   # None, "timeout" or "cancelled"
        self.kill_at = None       # when to send KILL to the group
        self.killed_hard = False
        self.status = None        # wait status once reaped
        self.reaped_at = None


DEVNULL = os.open(os.devnull, os.O_RDONLY)
# Dispositions the helper changes (Python ignores SIGPIPE) that an agent must get back as defaults.
DEFAULT_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def spawn(argv, env, cwd, data):
    """Starts argv as leader of a new session; returns (pid, [stdout_read_fd, stderr_read_fd])."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_fd = DEVNULL
    in_r = None
    try:
        if data:
            in_r, in_w = os.pipe()
            # Small (the Java side caps it well below a pipe's capacity), so this never blocks.
            os.write(in_w, data)
            os.close(in_w)
            in_fd = in_r
        if cwd is None:
            pid = os.posix_spawn(argv[0], argv, env,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, in_fd, 0), (os.POSIX_SPAWN_DUP2, out_w, 1),
                                               (os.POSIX_SPAWN_DUP2, err_w, 2)],
                                 setsid=True, setsigdef=DEFAULT_SIGNALS, setsigmask=())
        else:
            proc = subprocess.Popen(argv, executable=argv[0], stdin=in_fd, stdout=out_w, stderr=err_w, cwd=cwd,
                                    env=env, close_fds=True, restore_signals=True, start_new_session=True)
            proc.returncode = 0  # reaped by the runner, not by Popen
            pid = proc.pid
    except BaseException:
        os.close(out_r)
        os.close(err_r)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
        if in_r is not None:
            os.close(in_r)
    return pid, [out_r, err_r]


class Runner:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.actions = {}
        self.inbuf = bytearray()
        self.stdin_open = True
        self.java_gone = False
        self.outbuf = bytearray()
        self.out_registered = False
        os.set_blocking(CTL_IN.fileno(), False)
        os.set_blocking(CTL_OUT.fileno(), False)
        self.sel.register(CTL_IN.fileno(), selectors.EVENT_READ, ("ctl", None))
        self.send("HELLO", "python")

    # ---- replies -----------------------------------------------------------------------------------------
    def send(self, *fields):
        if self.java_gone:
            return
        body = bytearray()
        for f in fields:
            if isinstance(f, int):
                f = str(f).encode()
            elif isinstance(f, str):
                f = f.encode("utf-8", "surrogateescape")
            body += struct.pack(">I", len(f))
            body += f
        self.outbuf += struct.pack(">I", len(body))
        self.outbuf += body
        self.flush()

    def flush(self):
        # Never block on the JVM: a reply it is not reading yet waits here while requests keep being read, so
        # neither side can wait for the other with both pipes full.
        fd = CTL_OUT.fileno()
        try:
            while self.outbuf:
                n = os.write(fd, self.outbuf)
                del self.outbuf[:n]
        except BlockingIOError:
            pass
        except OSError:
            # The JVM is gone: keep running what is in flight (never kill an agent for that), report nothing.
            self.java_gone = True
            self.outbuf.clear()
        want = bool(self.outbuf)
        if want != self.out_registered:
            if want:
                self.sel.register(fd, selectors.EVENT_WRITE, ("out", None))
            else:
                self.sel.unregister(fd)
            self.out_registered = want

    # ---- requests ----------------------------------------------------------------------------------------
    def read_control(self):
        try:
            chunk = os.read(CTL_IN.fileno(), 65536)
        except BlockingIOError:
            return
        if not chunk:
            self.stdin_open = False
            self.sel.unregister(CTL_IN.fileno())
            return
        self.inbuf += chunk
        while len(self.inbuf) >= 4:
            (n,) = struct.unpack_from(">I", self.inbuf, 0)
            if len(self.inbuf) < 4 + n:
                break
            payload = bytes(self.inbuf[4:4 + n])
            del self.inbuf[:4 + n]
            fields = []
            pos = 0
            while pos < len(payload):
                (k,) = struct.unpack_from(">I", payload, pos)
                fields.append(payload[pos + 4:pos + 4 + k])
                pos += 4 + k
            self.request(fields)

    def request(self, f):
        kind = f[0]
        if kind == b"RUN":
            self.run(f)
        elif kind == b"KILL":
            a = self.actions.get(f[1].decode())
            if a is not None and a.status is None and a.kill_reason is None:
                self.start_kill(a, "cancelled")

    def run(self, f):
        aid = f[1].decode()
        timeout = int(f[2]) / 1000.0
        grace = int(f[3]) / 1000.0
        max_out = int(f[4])
        cwd = f[5] or None
        data = f[6]
        argc = int(f[7])
        argv = f[8:8 + argc]
        env = {}
        for entry in f[8 + argc:]:
            k, _, v = entry.partition(b"=")
            env[k] = v
        started = now()
        try:
            pid, fds = spawn(argv, env, cwd, data)
        except (OSError, ValueError, TypeError) as e:
            code = getattr(e, "errno", None) or 0
            self.send("DONE", aid, "failed", code, int((now() - started) * 1e6), 0, 0, b"", b"",
                      "%s: %s" % (argv[0].decode("utf-8", "replace"), getattr(e, "strerror", None) or str(e)), 0)
            return
        a = Action(aid, pid, max_out, timeout, grace)
        a.started = started
        self.actions[aid] = a
        for name, fd in (("out", fds[0]), ("err", fds[1])):
            os.set_blocking(fd, False)
            a.streams[fd] = name
            self.sel.register(fd, selectors.EVENT_READ, ("pipe", a))
        a.pidfd = os.pidfd_open(pid)
        self.sel.register(a.pidfd, selectors.EVENT_READ, ("exit", a))

    # ---- agent output and exit ---------------------------------------------------------------------------
    def read_pipe(self, fd, a):
        name = a.streams.get(fd)
        if name is None:
            return
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self.sel.unregister(fd)
                os.close(fd)
                del a.streams[fd]
                return
            if a.out is None:
                continue  # result already sent: a left-over daemon still writes; drain and discard
            buf = a.out if name == "out" else a.err
            if name == "out":
                a.out_total += len(chunk)
            else:
                a.err_total += len(chunk)
            room = a.max_out - len(buf)
            if room > 0:
                buf += chunk[:room]

    def reap(self, a):
        try:
            _, status = os.waitpid(a.pid, 0)
        except ChildProcessError:
            status = 0
        a.status = status
        a.reaped_at = now()
        self.sel.unregister(a.pidfd)
        os.close(a.pidfd)
        a.pidfd = None
        # What the agent wrote before it exited is in the pipes now; take it without waiting for EOF, which a
        # daemon it left behind may hold off forever.
        for fd in list(a.streams):
            self.read_pipe(fd, a)

    def group_alive(self, a):
        try:
            os.killpg(a.pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def start_kill(self, a, reason):
        a.kill_reason = reason
        a.kill_at = now() + a.grace
        try:
            os.killpg(a.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass

    def kill_hard(self, a):
        a.killed_hard = True
        try:
            os.killpg(a.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def finish(self, a):
        st = a.status
        if os.WIFEXITED(st):
            how, code = "exit", os.WEXITSTATUS(st)
        else:
            how, code = "signal", os.WTERMSIG(st)
        msg = ""
        if a.kill_reason is not None:
            msg = "exit status %d" % code if how == "exit" else "signal %d" % code
            if how == "signal":
                code = -code
            how = a.kill_reason
            if a.killed_hard:
                msg += " after SIGKILL"
        elapsed = int(((a.reaped_at or now()) - a.started) * 1e6)
        del self.actions[a.id]
        self.send("DONE", a.id, how, code, elapsed, a.out_total, a.err_total, bytes(a.out), bytes(a.err), msg, a.pid)
        a.out = a.err = None
        # Left-over streams (a daemon holding the agent's stdout) stay registered and are drained and discarded.

    def timers(self):
        t = now()
        nearest = None
        for a in list(self.actions.values()):
            if a.status is None:
                if not a.announced:
                    if t >= a.started + ANNOUNCE:
                        a.announced = True
                        self.send("STARTED", a.id, a.pid)
                    else:
                        nearest = a.started + ANNOUNCE if nearest is None else min(nearest, a.started + ANNOUNCE)
                if a.kill_reason is None and a.deadline is not None:
                    if t >= a.deadline:
                        self.start_kill(a, "timeout")
                    else:
                        nearest = a.deadline if nearest is None else min(nearest, a.deadline)
                if a.kill_reason is not None and not a.killed_hard:
                    if t >= a.kill_at:
                        self.kill_hard(a)
                    else:
                        nearest = a.kill_at if nearest is None else min(nearest, a.kill_at)
                continue
            # Reaped. A normal exit reports at once; after a kill, the rest of the group must be gone too.
            if a.kill_reason is None:
                self.finish(a)
                continue
            if not self.group_alive(a):
                self.finish(a)
                continue
            if not a.killed_hard and t >= a.kill_at:
                self.kill_hard(a)
            if a.killed_hard and t - max(a.kill_at, a.reaped_at) > GROUP_WAIT:
                self.finish(a)
                continue
            poll = t + GROUP_POLL
            nearest = poll if nearest is None else min(nearest, poll)
        return nearest

    def loop(self):
        while True:
            nearest = self.timers()
            if not self.stdin_open and not self.actions and not self.outbuf:
                return
            timeout = None if nearest is None else max(0.0, nearest - now())
            for key, _ in self.sel.select(timeout):
                kind, a = key.data
                if kind == "ctl":
                    self.read_control()
                elif kind == "pipe":
                    self.read_pipe(key.fd, a)
                elif kind == "exit":
                    self.reap(a)
                elif kind == "out":
                    self.flush()


def main():
    # Its own session: a Ctrl-C on the node's terminal must not reach the helper (nor, through it, the agents).
    try:
        os.setsid()
    except OSError:
        pass
    Runner().loop()


if __name__ == "__main__":
    main()
