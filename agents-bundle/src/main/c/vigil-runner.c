/*
 * vigil-runner: the process side of Vigil's agent executor (agents-bundle), native build.
 *
 * Same job and same protocol as vigil-runner.py (the portable fallback; read its header for the why): one
 * instance runs per agents-bundle revision as a child of the node's JVM and starts every external agent (OCF,
 * LSB, systemctl, fence_*) the bundle runs, each as the leader of a new session and process group. This build
 * exists for speed: a monitor of a shell agent takes ~2.5 ms, and the interpreter's per-action work was a
 * tenth of that.
 *
 * Protocol on stdin/stdout, both directions: frames of a 4-byte big-endian length and a payload; a payload is a
 * list of fields, each a 4-byte big-endian length and the bytes. Requests:
 *   RUN  id timeout_ms grace_ms max_output cwd stdin argc argv... env...   (env entries are NAME=VALUE)
 *   KILL id                                                                (cancel: TERM the group, then KILL)
 * Replies:
 *   HELLO native                       (once, at start: the helper runs)
 *   STARTED id pid                     (only for an action still running ANNOUNCE_US after its start)
 *   DONE id how code elapsed_us stdout_total stderr_total stdout stderr message pid
 * how: exit (code = exit status), signal (code = signal number), timeout, cancelled (code = exit status or
 * -signal of the leader) or failed (code = errno: the agent could not be started).
 * Nothing here interprets agent parameters: argv and the environment go to execve() as given.
 *
 * The helper exits once its standard input is closed AND nothing is in flight; if the JVM goes away, what is
 * in flight keeps running (an agent is never killed for that) and nothing more is reported.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ANNOUNCE_US 20000     /* a short action is reported once; a longer one is announced first */
#define GROUP_POLL_US 10000   /* between checks that a killed process group has gone */
#define GROUP_WAIT_US 2000000 /* how long to wait for a KILLed group to disappear before reporting anyway */
#define MAX_FRAME (64u << 20) /* a request larger than this is a protocol error */

enum kill_reason { NOT_KILLED, TIMEOUT, CANCELLED };

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
} buf;

typedef struct action {
    struct action *next;
    char *id;
    pid_t pid;
    int fd[2];             /* stdout, stderr read ends; -1 once at EOF */
    buf out[2];            /* kept bytes (at most max_out each) */
    uint64_t total[2];     /* bytes read */
    size_t max_out;
    int64_t started, deadline, grace, kill_at, reaped_at; /* us, CLOCK_MONOTONIC; 0 = not set */
    int announced, killed_hard, reaped, finished, status;
    enum kill_reason kill_reason;
} action;

static action *actions;
static buf inbuf, outbuf;
static int stdin_open = 1, java_gone = 0, sigfd = -1, devnull = -1;
static sigset_t all_signals, empty_signals;
static unsigned char scratch[65536];

static void die(const char *what) {
    fprintf(stderr, "vigil-runner: %s: %s\n", what, strerror(errno));
    exit(70);
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        die("out of memory");
    }
    return q;
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void buf_add(buf *b, const void *s, size_t n) {
    if (n == 0) {
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_drop(buf *b, size_t n) {
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

static uint32_t get32(const unsigned char *p) {
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* ---- replies ------------------------------------------------------------------------------------------- */

typedef struct field {
    const void *p;
    size_t n;
} field;

static field str(const char *s) {
    field f = {s, strlen(s)};
    return f;
}

static void flush_out(void) {
    /* Never blocks on the JVM: what it does not take now waits in outbuf while requests keep being read. */
    while (outbuf.len > 0 && !java_gone) {
        ssize_t n = write(1, outbuf.p, outbuf.len);
        if (n > 0) {
            buf_drop(&outbuf, (size_t) n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return;
        } else {
            java_gone = 1; /* keep running what is in flight, report nothing */
            outbuf.len = 0;
        }
    }
}

static void send_reply(const field *f, int nf) {
    if (java_gone) {
        return;
    }
    size_t len = 0;
    for (int i = 0; i < nf; i++) {
        len += 4 + f[i].n;
    }
    unsigned char h[4];
    put32(h, (uint32_t) len);
    buf_add(&outbuf, h, 4);
    for (int i = 0; i < nf; i++) {
        put32(h, (uint32_t) f[i].n);
        buf_add(&outbuf, h, 4);
        buf_add(&outbuf, f[i].p, f[i].n);
    }
    flush_out();
}

static void send_done(const char *id, const char *how, long long code, long long elapsed_us, uint64_t out_total,
                      uint64_t err_total, const buf *out, const buf *err, const char *msg, pid_t pid) {
    char c[24], e[24], ot[24], et[24], p[24];
    snprintf(c, sizeof c, "%lld", code);
    snprintf(e, sizeof e, "%lld", elapsed_us);
    snprintf(ot, sizeof ot, "%llu", (unsigned long long) out_total);
    snprintf(et, sizeof et, "%llu", (unsigned long long) err_total);
    snprintf(p, sizeof p, "%d", (int) pid);
    field f[11] = {str("DONE"), str(id), str(how), str(c), str(e), str(ot), str(et),
                   {out ? out->p : NULL, out ? out->len : 0}, {err ? err->p : NULL, err ? err->len : 0},
                   str(msg), str(p)};
    send_reply(f, 11);
}

/* ---- agent processes ----------------------------------------------------------------------------------- */

static void set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
}

/* Starts argv as the leader of a new session; returns 0 or an errno. */
static int spawn(char **argv, char **envp, const char *cwd, const field *data, pid_t *pid, int fds[2]) {
    int out[2], err[2], in[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC)) {
        return errno;
    }
    if (pipe2(err, O_CLOEXEC)) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        return e;
    }
    int in_fd = devnull;
    if (data->n > 0) {
        if (pipe2(in, O_CLOEXEC)) {
            int e = errno;
            close(out[0]), close(out[1]), close(err[0]), close(err[1]);
            return e;
        }
        /* Small (the Java side caps it well below a pipe's capacity), so this never blocks. */
        ssize_t w = write(in[1], data->p, data->n);
        (void) w;
        close(in[1]);
        in_fd = in[0];
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    if (cwd) {
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
    }
    posix_spawnattr_init(&at);
    /* A new session, every signal at its default disposition and none blocked (the helper blocks SIGCHLD). */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigdefault(&at, &all_signals);
    posix_spawnattr_setsigmask(&at, &empty_signals);
    int rc = posix_spawn(pid, argv[0], &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(out[1]);
    close(err[1]);
    if (in[0] >= 0) {
        close(in[0]);
    }
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        return rc;
    }
    set_nonblock(out[0]);
    set_nonblock(err[0]);
    fds[0] = out[0];
    fds[1] = err[0];
    return 0;
}

static void read_pipe(action *a, int s) {
    for (;;) {
        ssize_t n = read(a->fd[s], scratch, sizeof scratch);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        if (n <= 0) {
            close(a->fd[s]);
            a->fd[s] = -1;
            return;
        }
        if (a->finished) {
            continue; /* result sent already: a left-over daemon still writes; drain and discard */
        }
        a->total[s] += (uint64_t) n;
        size_t room = a->max_out > a->out[s].len ? a->max_out - a->out[s].len : 0;
        buf_add(&a->out[s], scratch, (size_t) n < room ? (size_t) n : room);
    }
}

static void start_kill(action *a, enum kill_reason why) {
    a->kill_reason = why;
    a->kill_at = now_us() + a->grace;
    kill(-a->pid, SIGTERM);
}

static void kill_hard(action *a) {
    a->killed_hard = 1;
    kill(-a->pid, SIGKILL);
}

static int group_alive(const action *a) {
    return kill(-a->pid, 0) == 0 || errno == EPERM;
}

static void reap_children(void) {
    struct signalfd_siginfo si;
    while (read(sigfd, &si, sizeof si) > 0) {
    }
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) {
            return;
        }
        for (action *a = actions; a; a = a->next) {
            if (a->pid == pid && !a->reaped) {
                a->reaped = 1;
                a->status = status;
                a->reaped_at = now_us();
                /* What the agent wrote before it exited is in the pipes now; take it without waiting for EOF,
                 * which a daemon it left behind may hold off forever. */
                for (int s = 0; s < 2; s++) {
                    if (a->fd[s] >= 0) {
                        read_pipe(a, s);
                    }
                }
                break;
            }
        }
    }
}

static void finish(action *a) {
    const char *how;
    long long code;
    char msg[64] = "";
    if (WIFEXITED(a->status)) {
        how = "exit";
        code = WEXITSTATUS(a->status);
    } else {
        how = "signal";
        code = WTERMSIG(a->status);
    }
    if (a->kill_reason != NOT_KILLED) {
        if (how[0] == 'e') {
            snprintf(msg, sizeof msg, "exit status %lld", code);
        } else {
            snprintf(msg, sizeof msg, "signal %lld", code);
            code = -code;
        }
        if (a->killed_hard) {
            strcat(msg, " after SIGKILL");
        }
        how = a->kill_reason == TIMEOUT ? "timeout" : "cancelled";
    }
    int64_t elapsed = (a->reaped_at ? a->reaped_at : now_us()) - a->started;
    send_done(a->id, how, code, elapsed, a->total[0], a->total[1], &a->out[0], &a->out[1], msg, a->pid);
    a->finished = 1;
    free(a->out[0].p);
    free(a->out[1].p);
    memset(a->out, 0, sizeof a->out);
    /* Left-over streams (a daemon holding the agent's stdout) stay open and are drained and discarded. */
}

/* ---- requests ------------------------------------------------------------------------------------------ */

static char *dup_field(const field *f) {
    char *s = xrealloc(NULL, f->n + 1);
    memcpy(s, f->p, f->n);
    s[f->n] = 0;
    return s;
}

static long long num(const field *f) {
    char tmp[32];
    size_t n = f->n < sizeof tmp - 1 ? f->n : sizeof tmp - 1;
    memcpy(tmp, f->p, n);
    tmp[n] = 0;
    return strtoll(tmp, NULL, 10);
}

static int is(const field *f, const char *s) {
    return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

static void run(field *f, int nf, int64_t started_us) {
    char *id = dup_field(&f[1]);
    long long argc = nf >= 8 ? num(&f[7]) : -1;
    if (argc < 1 || argc > nf - 8) {
        send_done(id, "failed", EINVAL, 0, 0, 0, NULL, NULL, "malformed RUN request", 0);
        free(id);
        return;
    }
    for (int i = 5; i < nf; i++) {
        if (i != 6 && memchr(f[i].p, 0, f[i].n) != NULL) {
            /* execve() would silently cut the string there */
            send_done(id, "failed", EINVAL, 0, 0, 0, NULL, NULL,
                      "an argument, environment entry or directory contains a NUL byte", 0);
            free(id);
            return;
        }
    }
    long long timeout = num(&f[2]), grace = num(&f[3]), max_out = num(&f[4]);
    char **argv = xrealloc(NULL, sizeof(char *) * (size_t) (argc + 1));
    char **envp = xrealloc(NULL, sizeof(char *) * (size_t) (nf - 8 - argc + 1));
    for (int i = 0; i < argc; i++) {
        argv[i] = dup_field(&f[8 + i]);
    }
    argv[argc] = NULL;
    int ne = 0;
    for (int i = 8 + (int) argc; i < nf; i++) {
        envp[ne++] = dup_field(&f[i]);
    }
    envp[ne] = NULL;
    char *cwd = f[5].n > 0 ? dup_field(&f[5]) : NULL;
    pid_t pid = 0;
    int fds[2] = {-1, -1};
    int rc = spawn(argv, envp, cwd, &f[6], &pid, fds);
    if (rc != 0) {
        char msg[4200];
        snprintf(msg, sizeof msg, "%.4000s: %s", argv[0], strerror(rc));
        send_done(id, "failed", rc, now_us() - started_us, 0, 0, NULL, NULL, msg, 0);
        free(id);
    } else {
        action *a = xrealloc(NULL, sizeof *a);
        memset(a, 0, sizeof *a);
        a->id = id;
        a->pid = pid;
        a->fd[0] = fds[0];
        a->fd[1] = fds[1];
        a->max_out = max_out > 0 ? (size_t) max_out : 0;
        a->started = started_us;
        a->deadline = timeout > 0 ? started_us + timeout * 1000 : 0;
        a->grace = grace > 0 ? grace * 1000 : 0;
        a->next = actions;
        actions = a;
    }
    for (int i = 0; i < argc; i++) {
        free(argv[i]);
    }
    for (int i = 0; i < ne; i++) {
        free(envp[i]);
    }
    free(argv);
    free(envp);
    free(cwd);
}

static void request(field *f, int nf, int64_t arrived) {
    if (nf >= 2 && is(&f[0], "RUN")) {
        run(f, nf, arrived);
    } else if (nf >= 2 && is(&f[0], "KILL")) {
        for (action *a = actions; a; a = a->next) {
            if (!a->finished && !a->reaped && a->kill_reason == NOT_KILLED && strlen(a->id) == f[1].n
                && memcmp(a->id, f[1].p, f[1].n) == 0) {
                start_kill(a, CANCELLED);
            }
        }
    } else {
        fprintf(stderr, "vigil-runner: unknown request ignored (%d fields)\n", nf);
    }
}

static void read_control(void) {
    for (;;) {
        ssize_t n = read(0, scratch, sizeof scratch);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            break;
        }
        if (n <= 0) {
            stdin_open = 0;
            break;
        }
        buf_add(&inbuf, scratch, (size_t) n);
        if ((size_t) n < sizeof scratch) {
            break;
        }
    }
    int64_t arrived = now_us();
    size_t pos = 0;
    field *f = NULL;
    int cap = 0;
    while (inbuf.len - pos >= 4) {
        uint32_t n = get32(inbuf.p + pos);
        if (n > MAX_FRAME) {
            fprintf(stderr, "vigil-runner: request of %u bytes is over the limit; protocol broken, exiting\n", n);
            exit(65);
        }
        if (inbuf.len - pos - 4 < n) {
            break;
        }
        const unsigned char *p = inbuf.p + pos + 4, *end = p + n;
        int nf = 0;
        while (end - p >= 4) {
            uint32_t k = get32(p);
            if (k > (uint32_t) (end - p - 4)) {
                fprintf(stderr, "vigil-runner: malformed request field; protocol broken, exiting\n");
                exit(65);
            }
            if (nf == cap) {
                cap = cap ? cap * 2 : 64;
                f = xrealloc(f, sizeof(field) * (size_t) cap);
            }
            f[nf].p = p + 4;
            f[nf].n = k;
            nf++;
            p += 4 + k;
        }
        if (nf > 0) {
            request(f, nf, arrived);
        }
        pos += 4 + n;
    }
    free(f);
    buf_drop(&inbuf, pos);
}

/* Runs due timers, reports finished actions; returns the next time something is due (0: nothing). */
static int64_t timers(void) {
    int64_t t = now_us(), nearest = 0;
#define DUE(x) (nearest = (nearest == 0 || (x) < nearest) ? (x) : nearest)
    for (action **pp = &actions; *pp;) {
        action *a = *pp;
        if (a->finished) {
            if (a->fd[0] < 0 && a->fd[1] < 0) {
                *pp = a->next;
                free(a->id);
                free(a);
                continue;
            }
            pp = &a->next;
            continue;
        }
        if (!a->reaped) {
            if (!a->announced) {
                if (t >= a->started + ANNOUNCE_US) {
                    char pid[24];
                    snprintf(pid, sizeof pid, "%d", (int) a->pid);
                    field f[3] = {str("STARTED"), str(a->id), str(pid)};
                    a->announced = 1;
                    send_reply(f, 3);
                } else {
                    DUE(a->started + ANNOUNCE_US);
                }
            }
            if (a->kill_reason == NOT_KILLED && a->deadline) {
                if (t >= a->deadline) {
                    start_kill(a, TIMEOUT);
                } else {
                    DUE(a->deadline);
                }
            }
            if (a->kill_reason != NOT_KILLED && !a->killed_hard) {
                if (t >= a->kill_at) {
                    kill_hard(a);
                } else {
                    DUE(a->kill_at);
                }
            }
        } else if (a->kill_reason == NOT_KILLED || !group_alive(a)) {
            /* A normal exit reports at once; after a kill, the rest of the group must be gone too. */
            finish(a);
        } else {
            if (!a->killed_hard && t >= a->kill_at) {
                kill_hard(a);
            }
            int64_t since = a->kill_at > a->reaped_at ? a->kill_at : a->reaped_at;
            if (a->killed_hard && t - since > GROUP_WAIT_US) {
                finish(a);
            } else {
                DUE(t + GROUP_POLL_US);
            }
        }
        pp = &a->next;
    }
    return nearest;
#undef DUE
}

static int unfinished(void) {
    for (action *a = actions; a; a = a->next) {
        if (!a->finished) {
            return 1;
        }
    }
    return 0;
}

static void loop(void) {
    struct pollfd *pf = NULL;
    action **owner = NULL;
    size_t cap = 0;
    for (;;) {
        int64_t due = timers();
        if (!stdin_open && !unfinished() && (outbuf.len == 0 || java_gone)) {
            return;
        }
        size_t n = 0;
        for (action *a = actions; a; a = a->next) {
            n += 2;
        }
        if (n + 3 > cap) {
            cap = n + 3 + 16;
            pf = xrealloc(pf, sizeof *pf * cap);
            owner = xrealloc(owner, sizeof *owner * cap);
        }
        n = 0;
        pf[n].fd = stdin_open ? 0 : -1;
        pf[n].events = POLLIN;
        owner[n++] = NULL;
        pf[n].fd = outbuf.len > 0 && !java_gone ? 1 : -1;
        pf[n].events = POLLOUT;
        owner[n++] = NULL;
        pf[n].fd = sigfd;
        pf[n].events = POLLIN;
        owner[n++] = NULL;
        for (action *a = actions; a; a = a->next) {
            for (int s = 0; s < 2; s++) {
                pf[n].fd = a->fd[s];
                pf[n].events = POLLIN;
                owner[n++] = a;
            }
        }
        int timeout = -1;
        if (due) {
            int64_t wait = due - now_us();
            timeout = wait <= 0 ? 0 : (int) ((wait + 999) / 1000);
        }
        int r = poll(pf, n, timeout);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll");
        }
        if (r == 0) {
            continue;
        }
        if (pf[2].revents) {
            reap_children();
        }
        for (size_t i = 3; i < n; i++) {
            if (pf[i].revents && pf[i].fd >= 0) {
                action *a = owner[i];
                int s = (i - 3) % 2;
                if (a->fd[s] == pf[i].fd) {
                    read_pipe(a, s);
                }
            }
        }
        if (pf[0].revents) {
            read_control();
        }
        if (pf[1].revents) {
            flush_out();
        }
    }
}

int main(void) {
    /* Its own session: a Ctrl-C on the node's terminal must not reach the helper (nor, through it, the agents). */
    setsid();
    sigfillset(&all_signals);
    sigdelset(&all_signals, SIGKILL);
    sigdelset(&all_signals, SIGSTOP);
    sigemptyset(&empty_signals);
    signal(SIGPIPE, SIG_IGN); /* a JVM that went away is seen as EPIPE; agents get SIGPIPE back by SETSIGDEF */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd < 0) {
        die("signalfd");
    }
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) {
        die("/dev/null");
    }
    /* Descriptors the JVM let us inherit must not reach the agents. */
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            int fd = atoi(e->d_name);
            if (fd > 2 && fd != dirfd(d)) {
                fcntl(fd, F_SETFD, FD_CLOEXEC);
            }
        }
        closedir(d);
    }
    set_nonblock(0);
    set_nonblock(1);
    field hello[2] = {str("HELLO"), str("native")};
    send_reply(hello, 2);
    loop();
    return 0;
}
