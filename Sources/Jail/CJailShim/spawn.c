// The child side of a BEXY job. Everything after clone3() here is async-signal-safe: raw system calls on
// memory the parent prepared, no malloc, no stdio, no locks. See bexy_spawn.h for the process tree.
#define _GNU_SOURCE
#include "bexy_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BJ_PATH_MAX 4096
#define BJ_MAX_KEEP 32

static const char *const bj_stage_names[] = {
    [BJ_STAGE_PDEATHSIG] = "prctl(PR_SET_PDEATHSIG)",
    [BJ_STAGE_CGROUP_JOIN] = "join cgroup",
    [BJ_STAGE_SYNC] = "wait for id maps",
    [BJ_STAGE_CGROUP_NS] = "unshare(CLONE_NEWCGROUP)",
    [BJ_STAGE_MOUNT_PRIVATE] = "make mounts private",
    [BJ_STAGE_ROOT_TMPFS] = "mount root tmpfs",
    [BJ_STAGE_MOUNT] = "mount plan",
    [BJ_STAGE_PIVOT_ROOT] = "pivot_root",
    [BJ_STAGE_DETACH_OLD_ROOT] = "detach old root",
    [BJ_STAGE_HOSTNAME] = "sethostname",
    [BJ_STAGE_FORK] = "fork program",
    [BJ_STAGE_SETSID] = "setsid",
    [BJ_STAGE_STDIO] = "set up stdio",
    [BJ_STAGE_CLOSE_FDS] = "close inherited fds",
    [BJ_STAGE_RLIMIT] = "setrlimit",
    [BJ_STAGE_CAP_BOUND] = "drop capability bounding set",
    [BJ_STAGE_CAP_AMBIENT] = "clear ambient capabilities",
    [BJ_STAGE_SETGROUPS] = "setgroups",
    [BJ_STAGE_SETGID] = "setresgid",
    [BJ_STAGE_SETUID] = "setresuid",
    [BJ_STAGE_CAPS] = "drop capabilities",
    [BJ_STAGE_NO_NEW_PRIVS] = "prctl(PR_SET_NO_NEW_PRIVS)",
    [BJ_STAGE_CHDIR] = "chdir workdir",
    [BJ_STAGE_SECCOMP] = "install seccomp filter",
    [BJ_STAGE_SECCOMP_SEND] = "send seccomp listener",
    [BJ_STAGE_EXEC] = "execve",
    [BJ_STAGE_NOT_DUMPABLE] = "prctl(PR_SET_DUMPABLE)",
    [BJ_STAGE_SIGNALS] = "reset signal handling",
    [BJ_STAGE_WORKDIR_SEND] = "send workdir to the host",
    [BJ_STAGE_HANDOVER] = "receive the job",
    [BJ_STAGE_JOB_FILES] = "write the job's files",
    [BJ_STAGE_INTERPRETER] = "prepare the interpreter",
};

const char *bj_stage_name(int32_t stage) {
    if (stage <= 0 || stage >= (int32_t)(sizeof bj_stage_names / sizeof bj_stage_names[0]) ||
        bj_stage_names[stage] == NULL) {
        return "unknown stage";
    }
    return bj_stage_names[stage];
}

// MARK: - small async-signal-safe helpers

static size_t bj_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static int bj_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/// Report a failed stage to the parent and exit. The parent reads this from error_fd.
static __attribute__((noreturn)) void bj_fail(int error_fd, int stage, int index) {
    struct bj_child_error e = {.stage = stage, .err = errno, .index = index};
    (void)bj_write_all(error_fd, &e, sizeof e);
    _exit(125);
}

/// root + "/" + rel into buf; returns buf or NULL if too long.
static char *bj_join(char *buf, const char *root, const char *rel) {
    size_t a = bj_strlen(root), b = bj_strlen(rel);
    if (a + 1 + b + 1 > BJ_PATH_MAX) return NULL;
    memcpy(buf, root, a);
    buf[a] = '/';
    memcpy(buf + a + 1, rel, b);
    buf[a + 1 + b] = '\0';
    return buf;
}

/// Send `fd` over the unix socket `sock` (SCM_RIGHTS, one data byte); 0 or -1 with errno.
static int bj_send_fd(int sock, int fd) {
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    char byte = 'F';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof control};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/// Close every fd except those in keep[0..n).
static int bj_close_all_except(int *keep, int n) {
    // insertion sort: n is tiny
    for (int i = 1; i < n; i++) {
        int v = keep[i], j = i - 1;
        while (j >= 0 && keep[j] > v) {
            keep[j + 1] = keep[j];
            j--;
        }
        keep[j + 1] = v;
    }
    unsigned int next = 0;
    for (int i = 0; i < n; i++) {
        if (keep[i] < 0) continue;
        if ((unsigned int)keep[i] > next) {
            if (syscall(SYS_close_range, next, (unsigned int)keep[i] - 1, 0) < 0) return -1;
        }
        next = (unsigned int)keep[i] + 1;
    }
    return (int)syscall(SYS_close_range, next, ~0U, 0);
}

/// Move fd to a number >= 100 (so that dup2 onto 0..4 cannot clobber another needed fd).
static int bj_lift(int fd) {
    if (fd < 0) return fd;
    return fcntl(fd, F_DUPFD_CLOEXEC, 100);
}

/// setgroups(0), setresgid, setresuid as raw system calls. glibc's wrappers are not usable here: in a
/// process cloned from a multi-threaded parent they try to broadcast the change to the parent's threads
/// (SIGSETXID) and wait for them forever. On failure bj_ids_stage names the call.
static int bj_ids_stage;
static int bj_set_ids(uid_t uid, gid_t gid) {
    bj_ids_stage = BJ_STAGE_SETGROUPS;
    if (syscall(SYS_setgroups, 0, NULL) < 0) return -1;
    bj_ids_stage = BJ_STAGE_SETGID;
    if (syscall(SYS_setresgid, gid, gid, gid) < 0) return -1;
    bj_ids_stage = BJ_STAGE_SETUID;
    if (syscall(SYS_setresuid, uid, uid, uid) < 0) return -1;
    return 0;
}

// MARK: - mount plan (runs in init, root of the job's user namespace)

static int bj_mount_one(const struct bj_plan *plan, const struct bj_mount *m, char *path) {
    const unsigned long base = MS_NOSUID | MS_NODEV;
    int fd;
    switch (m->kind) {
    case BJ_MOUNT_DIR:
        if (mkdir(path, m->mode) < 0 && errno != EEXIST) return -1;
        break;
    case BJ_MOUNT_BIND_RO:
        if (m->source_is_dir) {
            if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (fd < 0) return -1;
            close(fd);
        }
        if (mount(m->source, path, NULL, MS_BIND, NULL) < 0) return -1;
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | base | m->flags, NULL) < 0) return -1;
        return 0;
    case BJ_MOUNT_BIND_DEV:
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) return -1;
        close(fd);
        if (mount(m->source, path, NULL, MS_BIND, NULL) < 0) return -1;
        return 0;
    case BJ_MOUNT_TMPFS:
        if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
        if (mount("tmpfs", path, "tmpfs", base | m->flags, m->data) < 0) return -1;
        break;
    case BJ_MOUNT_PROC:
        if (mkdir(path, 0555) < 0 && errno != EEXIST) return -1;
        if (mount("proc", path, "proc", base | MS_NOEXEC, m->data) < 0) return -1;
        return 0;
    case BJ_MOUNT_SYMLINK:
        if (symlink(m->source, path) < 0) return -1;
        return 0;
    case BJ_MOUNT_FILE:
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m->mode);
        if (fd < 0) return -1;
        if (bj_write_all(fd, m->data, m->data_len) < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (m->chown_job && fchown(fd, plan->job_uid, plan->job_gid) < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        close(fd);
        return 0;
    case BJ_MOUNT_REMOUNT_RO:
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY | base | m->flags, m->data) < 0) return -1;
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
    if (m->chown_job && lchown(path, plan->job_uid, plan->job_gid) < 0) return -1;
    if (m->kind == BJ_MOUNT_TMPFS || m->kind == BJ_MOUNT_DIR) {
        if (chmod(path, m->mode) < 0) return -1;
    }
    return 0;
}

// MARK: - the program (pid 2)

/// Give the program default signal handling: a clone child inherits the caller's ignored signals and the
/// blocked mask of the thread that spawned it (a worker thread of a server blocks almost everything).
static int bj_reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &dfl, NULL);  // glibc's internal signals refuse with EINVAL: nothing to reset
    }
    sigset_t none;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL);
}

/// Everything the program does before seccomp: session, stdio (0-2, the error pipe at 3, the seccomp socket
/// at 4, the warm handover socket at 5), rlimits, capabilities, ids, no_new_privs, working directory.
/// Returns the error fd (3).
static int bj_program_prepare(const struct bj_plan *plan, int error_fd) {
    // A warm program keeps the signal handlers of the interpreter it continues (it never execs); only the
    // zygote's blocked SIGCHLD is undone.
    if (plan->handover_fd < 0 && bj_reset_signals() < 0) bj_fail(error_fd, BJ_STAGE_SIGNALS, -1);
    if (plan->handover_fd >= 0) {
        sigset_t none;
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) bj_fail(error_fd, BJ_STAGE_SIGNALS, -1);
    }
    if (setsid() < 0) bj_fail(error_fd, BJ_STAGE_SETSID, -1);

    // stdio: lift every fd we keep above 100, then place them.
    int in = bj_lift(plan->stdin_fd), out = bj_lift(plan->stdout_fd), err = bj_lift(plan->stderr_fd);
    int efd = bj_lift(error_fd);
    int sock = plan->seccomp_notify ? bj_lift(plan->seccomp_socket) : -1;
    int handover = plan->handover_fd >= 0 ? bj_lift(plan->handover_fd) : -1;
    if (in < 0 || out < 0 || err < 0 || efd < 0 || (plan->seccomp_notify && sock < 0) ||
        (plan->handover_fd >= 0 && handover < 0))
        bj_fail(error_fd, BJ_STAGE_STDIO, -1);
    error_fd = efd;
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) bj_fail(error_fd, BJ_STAGE_STDIO, -1);
    if (dup3(error_fd, BJ_WARM_ERROR_FD, O_CLOEXEC) < 0) bj_fail(error_fd, BJ_STAGE_STDIO, -1);
    error_fd = BJ_WARM_ERROR_FD;
    if (sock >= 0 && dup3(sock, BJ_WARM_SECCOMP_FD, O_CLOEXEC) < 0) bj_fail(error_fd, BJ_STAGE_STDIO, -1);
    if (handover >= 0 && dup3(handover, BJ_WARM_HANDOVER_FD, O_CLOEXEC) < 0) bj_fail(error_fd, BJ_STAGE_STDIO, -1);
    unsigned int first_closed = handover >= 0 ? BJ_WARM_HANDOVER_FD + 1 : sock >= 0 ? BJ_WARM_SECCOMP_FD + 1
                                                                                    : BJ_WARM_SECCOMP_FD;
    if (syscall(SYS_close_range, first_closed, ~0U, 0) < 0) bj_fail(error_fd, BJ_STAGE_CLOSE_FDS, -1);
    if (sock < 0 && handover >= 0 && close(BJ_WARM_SECCOMP_FD) < 0 && errno != EBADF)
        bj_fail(error_fd, BJ_STAGE_CLOSE_FDS, -1);

    for (int i = 0; i < plan->rlimit_count; i++) {
        struct rlimit rl = {.rlim_cur = plan->rlimits[i].soft, .rlim_max = plan->rlimits[i].hard};
        if (setrlimit(plan->rlimits[i].resource, &rl) < 0) bj_fail(error_fd, BJ_STAGE_RLIMIT, i);
    }

    // Capabilities: the bounding set and ambient set go first (they need CAP_SETPCAP), then the ids
    // (setresuid to a non-zero uid clears permitted and effective), then libcap clears what remains.
    for (int cap = 0; cap <= plan->cap_last_cap; cap++) {
        if (cap_drop_bound((cap_value_t)cap) < 0 && errno != EINVAL) bj_fail(error_fd, BJ_STAGE_CAP_BOUND, cap);
    }
    if (cap_reset_ambient() < 0) bj_fail(error_fd, BJ_STAGE_CAP_AMBIENT, -1);
    if (bj_set_ids(plan->job_uid, plan->job_gid) < 0) bj_fail(error_fd, bj_ids_stage, -1);
    if (cap_set_proc(plan->empty_caps) < 0) bj_fail(error_fd, BJ_STAGE_CAPS, -1);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) bj_fail(error_fd, BJ_STAGE_NO_NEW_PRIVS, -1);
    if (chdir(plan->workdir) < 0) bj_fail(error_fd, BJ_STAGE_CHDIR, -1);
    return error_fd;
}

/// Install the seccomp filter; with user notification, send the listener over fd 4 and close it.
static void bj_install_seccomp(const struct bj_plan *plan, int error_fd) {
    struct sock_fprog prog = {.len = (unsigned short)plan->bpf_instructions,
                              .filter = (struct sock_filter *)plan->bpf};
    unsigned int flags = plan->seccomp_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (listener < 0) bj_fail(error_fd, BJ_STAGE_SECCOMP, -1);
    if (plan->seccomp_notify) {
        int lfd = (int)listener;
        if (bj_send_fd(BJ_WARM_SECCOMP_FD, lfd) < 0) bj_fail(error_fd, BJ_STAGE_SECCOMP_SEND, -1);
        close(lfd);
        close(BJ_WARM_SECCOMP_FD);
    }
}

static __attribute__((noreturn)) void bj_program(const struct bj_plan *plan, int error_fd) {
    error_fd = bj_program_prepare(plan, error_fd);
    // seccomp goes last: from here on only the allowlisted calls below (sendmsg, close, execve) run.
    bj_install_seccomp(plan, error_fd);
    execve(plan->path, plan->argv, plan->envp);
    bj_fail(error_fd, BJ_STAGE_EXEC, -1);
}

void bj_warm_seal(const struct bj_plan *plan) {
    bj_install_seccomp(plan, BJ_WARM_ERROR_FD);
    close(BJ_WARM_HANDOVER_FD);
    close(BJ_WARM_ERROR_FD);
}

void bj_warm_fail(int stage, int index) { bj_fail(BJ_WARM_ERROR_FD, stage, index); }

// MARK: - init (pid 1 of the job)

/// Returns only in a warm program (see bexy_spawn.h); the init itself never returns.
static void bj_init(const struct bj_plan *plan, int sync_fd, int error_fd, int status_fd) {
    int keep[BJ_MAX_KEEP], nkeep = 0;
    keep[nkeep++] = sync_fd;
    keep[nkeep++] = error_fd;
    keep[nkeep++] = status_fd;
    keep[nkeep++] = plan->stdin_fd;
    keep[nkeep++] = plan->stdout_fd;
    keep[nkeep++] = plan->stderr_fd;
    if (plan->seccomp_notify) keep[nkeep++] = plan->seccomp_socket;
    if (plan->workdir_socket >= 0) keep[nkeep++] = plan->workdir_socket;
    if (plan->handover_fd >= 0) keep[nkeep++] = plan->handover_fd;
    for (int i = 0; i < plan->cgroup_join_count && nkeep < BJ_MAX_KEEP; i++) keep[nkeep++] = plan->cgroup_join_fds[i];
    if (bj_close_all_except(keep, nkeep) < 0) bj_fail(error_fd, BJ_STAGE_CLOSE_FDS, -1);

    // cgroup v1: writing "0" to `tasks` moves only this thread and avoids the global threadgroup lock.
    for (int i = 0; i < plan->cgroup_join_count; i++) {
        if (bj_write_all(plan->cgroup_join_fds[i], "0", 1) < 0) bj_fail(error_fd, BJ_STAGE_CGROUP_JOIN, i);
        close(plan->cgroup_join_fds[i]);
    }

    char byte;
    ssize_t n;
    do {
        n = read(sync_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        if (n == 0) errno = EPIPE;
        bj_fail(error_fd, BJ_STAGE_SYNC, -1);
    }

    // Become the namespace's root (host uid = the slot's base id) so that files init creates have an owner
    // that exists in the namespace; the namespace's capabilities are kept.
    if (bj_set_ids(0, 0) < 0) bj_fail(error_fd, bj_ids_stage, -1);

    // Die with the parent: a killed bexy must not leave a job running. Set after the id change, which
    // clears it. The parent holds the sync pipe's write end for the whole job, so a hang-up here means it
    // died before the signal was armed.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) bj_fail(error_fd, BJ_STAGE_PDEATHSIG, -1);
    struct pollfd lifeline = {.fd = sync_fd, .events = POLLIN};
    if (poll(&lifeline, 1, 0) > 0 && (lifeline.revents & POLLHUP)) _exit(125);
    close(sync_fd);

    // A cgroup namespace rooted at the job's own cgroup: /proc/self/cgroup shows "/".
    if (unshare(CLONE_NEWCGROUP) < 0) bj_fail(error_fd, BJ_STAGE_CGROUP_NS, -1);

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) bj_fail(error_fd, BJ_STAGE_MOUNT_PRIVATE, -1);
    if (mount("tmpfs", plan->root_dir, "tmpfs", MS_NOSUID | MS_NODEV, plan->root_options) < 0)
        bj_fail(error_fd, BJ_STAGE_ROOT_TMPFS, -1);
    static char path[BJ_PATH_MAX];
    for (int i = 0; i < plan->mount_count; i++) {
        const struct bj_mount *m = &plan->mounts[i];
        const char *target = m->target[0] ? bj_join(path, plan->root_dir, m->target) : plan->root_dir;
        if (target == NULL) {
            errno = ENAMETOOLONG;
            bj_fail(error_fd, BJ_STAGE_MOUNT, i);
        }
        if (bj_mount_one(plan, m, (char *)target) < 0) bj_fail(error_fd, BJ_STAGE_MOUNT, i);
    }
    // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the new root.
    if (chdir(plan->root_dir) < 0) bj_fail(error_fd, BJ_STAGE_PIVOT_ROOT, -1);
    if (syscall(SYS_pivot_root, ".", ".") < 0) bj_fail(error_fd, BJ_STAGE_PIVOT_ROOT, -1);
    if (umount2(".", MNT_DETACH) < 0) bj_fail(error_fd, BJ_STAGE_DETACH_OLD_ROOT, -1);
    if (chdir("/") < 0) bj_fail(error_fd, BJ_STAGE_DETACH_OLD_ROOT, -1);
    if (sethostname(plan->hostname, bj_strlen(plan->hostname)) < 0) bj_fail(error_fd, BJ_STAGE_HOSTNAME, -1);
    if (setdomainname(plan->hostname, bj_strlen(plan->hostname)) < 0) bj_fail(error_fd, BJ_STAGE_HOSTNAME, -1);

    // Artifacts: the host copies them out of the workdir after the job, through this fd. An open fd keeps the
    // tmpfs alive after the job's mount namespace is gone, so the copy runs when no job process is left to race it.
    if (plan->workdir_socket >= 0) {
        int wd = open(plan->workdir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (wd < 0 || bj_send_fd(plan->workdir_socket, wd) < 0) bj_fail(error_fd, BJ_STAGE_WORKDIR_SEND, -1);
        close(wd);
        close(plan->workdir_socket);
    }

    // A warm program continues an interpreter: glibc's fork (the parent is single-threaded) gives it a
    // consistent thread id for the interpreter's locks. The cold path keeps the raw, async-signal-safe clone.
    pid_t program = plan->handover_fd >= 0 ? fork() : (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (program < 0) bj_fail(error_fd, BJ_STAGE_FORK, -1);
    if (program == 0) {
        if (plan->handover_fd < 0) bj_program(plan, error_fd);
        (void)bj_program_prepare(plan, error_fd);
        return;
    }

    // init keeps nothing of the job: no stdio, no error pipe, not dumpable, no capabilities, and default
    // signal handling (as pid 1 it then ignores every signal sent from inside the job).
    close(error_fd);
    close(plan->stdin_fd);
    close(plan->stdout_fd);
    close(plan->stderr_fd);
    if (plan->seccomp_notify) close(plan->seccomp_socket);
    if (plan->handover_fd >= 0) close(plan->handover_fd);
    (void)bj_reset_signals();
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    for (int cap = 0; cap <= plan->cap_last_cap; cap++) (void)cap_drop_bound((cap_value_t)cap);
    (void)cap_set_proc(plan->empty_caps);

    for (;;) {
        int status = 0;
        struct rusage ru;
        pid_t got = wait4(-1, &status, __WALL, &ru);
        if (got < 0) {
            if (errno == EINTR) continue;
            _exit(126);
        }
        if (got == program) {
            struct bj_exit_report report = {
                .wait_status = status,
                .utime_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                .stime_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
                .maxrss_kb = ru.ru_maxrss,
            };
            (void)bj_write_all(status_fd, &report, sizeof report);
            // Leaving pid 1 kills every other process of the job (daemons included) with SIGKILL.
            _exit(0);
        }
    }
}

// MARK: - parent side

static int bj_write_file(pid_t pid, const char *name, const char *text) {
    char path[64];
    // "/proc/<pid>/<name>" without snprintf (this runs in the parent, but keep one style).
    char digits[16];
    int nd = 0;
    unsigned int v = (unsigned int)pid;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t p = 0;
    memcpy(path, "/proc/", 6);
    p = 6;
    while (nd) path[p++] = digits[--nd];
    path[p++] = '/';
    size_t nl = bj_strlen(name);
    memcpy(path + p, name, nl + 1);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = bj_write_all(fd, text, bj_strlen(text)) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

int bj_spawn(const struct bj_plan *plan, struct bj_child *out, const char **failed_step) {
    int sync_pipe[2], error_pipe[2], status_pipe[2];
    *failed_step = "pipe2";
    if (pipe2(sync_pipe, O_CLOEXEC) < 0) return -errno;
    if (pipe2(error_pipe, O_CLOEXEC) < 0) {
        int e = errno;
        close(sync_pipe[0]);
        close(sync_pipe[1]);
        return -e;
    }
    if (pipe2(status_pipe, O_CLOEXEC) < 0) {
        int e = errno;
        close(sync_pipe[0]);
        close(sync_pipe[1]);
        close(error_pipe[0]);
        close(error_pipe[1]);
        return -e;
    }

    int pidfd = -1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = plan->clone_flags | CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)&pidfd;
    args.exit_signal = SIGCHLD;
    if (plan->cgroup_dir_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)plan->cgroup_dir_fd;
    }
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        bj_init(plan, sync_pipe[0], error_pipe[1], status_pipe[1]);
        return 1;  // a warm program, isolated (bj_init never returns in the init)
    }
    int rc = 0;
    close(sync_pipe[0]);
    close(error_pipe[1]);
    close(status_pipe[1]);
    if (pid < 0) {
        rc = -errno;
        *failed_step = "clone3";
        close(sync_pipe[1]);
        close(error_pipe[0]);
        close(status_pipe[0]);
        return rc;
    }
    rc = bj_write_file((pid_t)pid, "uid_map", plan->uid_map);
    if (rc == 0) {
        rc = bj_write_file((pid_t)pid, "gid_map", plan->gid_map);
        if (rc < 0) *failed_step = "gid_map";
    } else {
        *failed_step = "uid_map";
    }
    if (rc == 0 && bj_write_all(sync_pipe[1], "G", 1) < 0) {
        rc = -errno;
        *failed_step = "sync";
    }
    if (rc < 0) {
        close(sync_pipe[1]);
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        siginfo_t info;
        waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED);
        close(pidfd);
        close(error_pipe[0]);
        close(status_pipe[0]);
        return rc;
    }
    out->pid = (pid_t)pid;
    out->pidfd = pidfd;
    out->error_fd = error_pipe[0];
    out->status_fd = status_pipe[0];
    out->lifeline_fd = sync_pipe[1];
    *failed_step = NULL;
    return 0;
}

int bj_receive_fd(int socket_fd) {
    char control[CMSG_SPACE(sizeof(int))];
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof control};
    ssize_t n;
    do {
        n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (n == 0) return -EPIPE;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) return -EBADMSG;
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

int bj_seccomp_notification_syscall(int listener_fd) {
    struct seccomp_notif notif;
    memset(&notif, 0, sizeof notif);
    if (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, &notif) < 0) return -errno;
    return notif.data.nr;
}

int bj_pidfd_signal(int pidfd, int sig) {
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) return -errno;
    return 0;
}
