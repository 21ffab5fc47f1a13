/*
 * Test-only LD_PRELOAD shim for corosync-vqsim (Vigil's vqsim differential test; not part of the product).
 *
 * corosync-vqsim forks one process per simulated node but starts libqb's logging thread before forking, so
 * the nodes' votequorum debug log is never written. This shim makes logging synchronous (the thread never
 * starts), turns libqb logging on, and prints every log call as one line "VQLOG <pid> <text>" on stderr, and
 * every fork as "VQFORK <child pid>", so the test can tell which simulated node wrote which line.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

struct vq_callsite {
    const char *function;
    const char *filename;
    const char *format;
};

void qb_log_init(const char *name, int facility, int priority);

static void emit(const char *text, int len)
{
    while (len > 0) {
        ssize_t n = write(2, text, (size_t) len);
        if (n <= 0) {
            return;
        }
        text += n;
        len -= (int) n;
    }
}

void qb_log_real_(struct vq_callsite *cs, ...)
{
    char buf[1024];
    int len = snprintf(buf, sizeof(buf), "VQLOG %d ", (int) getpid());
    va_list ap;
    va_start(ap, cs);
    len += vsnprintf(buf + len, sizeof(buf) - (size_t) len - 2, cs->format, ap);
    va_end(ap);
    if (len > (int) sizeof(buf) - 2) {
        len = (int) sizeof(buf) - 2;
    }
    buf[len++] = '\n';
    emit(buf, len);
}

int qb_log_thread_start(void)
{
    return -1;
}

pid_t fork(void)
{
    static pid_t (*real_fork)(void);
    if (real_fork == NULL) {
        real_fork = (pid_t (*)(void)) dlsym(RTLD_NEXT, "fork");
    }
    pid_t pid = real_fork();
    if (pid > 0) {
        char buf[64];
        int len = snprintf(buf, sizeof(buf), "VQFORK %d\n", (int) pid);
        emit(buf, len);
    }
    return pid;
}

__attribute__((constructor)) static void vq_shim_init(void)
{
    qb_log_init("vqsim", 3 << 3, 7);
}
