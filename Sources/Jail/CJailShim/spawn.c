// A BEXY job's child path as a linear list of stages; each stage is one kernel concern in its own file
// (child.h). Everything after clone3() is async-signal-safe: raw system calls on memory the parent prepared,
// no malloc, no stdio, no locks. See bexy_spawn.h for the process tree.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// MARK: - the program (pid 2)

/// Every stage of the program before seccomp. Returns the error fd (3).
static int bj_program_prepare(const struct bj_plan *plan, int error_fd) {
    // A warm program keeps the signal handlers of the interpreter it continues (it never execs); only the
    // zygote's blocked SIGCHLD is undone.
    if ((plan->handover_fd < 0 ? bj_reset_signals() : bj_unblock_signals()) < 0)
        bj_fail(error_fd, BJ_STAGE_SIGNALS, -1);
    if (setsid() < 0) bj_fail(error_fd, BJ_STAGE_SETSID, -1);
    error_fd = bj_place_program_fds(plan, error_fd);
    for (int i = 0; i < plan->rlimit_count; i++) {
        struct rlimit rl = {.rlim_cur = plan->rlimits[i].soft, .rlim_max = plan->rlimits[i].hard};
        if (setrlimit(plan->rlimits[i].resource, &rl) < 0) bj_fail(error_fd, BJ_STAGE_RLIMIT, i);
    }
    bj_drop_privileges(plan, error_fd);
    if (chdir(plan->workdir) < 0) bj_fail(error_fd, BJ_STAGE_CHDIR, -1);
    return error_fd;
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
    bj_close_unplanned_fds(plan, sync_fd, error_fd, status_fd);

    // cgroup v1: writing "0" to `tasks` moves only this thread and avoids the global threadgroup lock.
    for (int i = 0; i < plan->cgroup_join_count; i++) {
        if (bj_write_all(plan->cgroup_join_fds[i], "0", 1) < 0) bj_fail(error_fd, BJ_STAGE_CGROUP_JOIN, i);
        close(plan->cgroup_join_fds[i]);
    }

    // The parent writes the id maps, then releases us.
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
    int failed_stage;
    if (bj_set_ids(0, 0, &failed_stage) < 0) bj_fail(error_fd, failed_stage, -1);

    // Die with the parent: a killed bexy must not leave a job running. Set after the id change, which
    // clears it. The parent holds the sync pipe's write end for the whole job, so a hang-up here means it
    // died before the signal was armed.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) bj_fail(error_fd, BJ_STAGE_PDEATHSIG, -1);
    struct pollfd lifeline = {.fd = sync_fd, .events = POLLIN};
    if (poll(&lifeline, 1, 0) > 0 && (lifeline.revents & POLLHUP)) _exit(125);
    close(sync_fd);

    // A cgroup namespace rooted at the job's own cgroup: /proc/self/cgroup shows "/".
    if (unshare(CLONE_NEWCGROUP) < 0) bj_fail(error_fd, BJ_STAGE_CGROUP_NS, -1);

    bj_enter_new_root(plan, error_fd);
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
    bj_reap_until_program_exits(plan, program, error_fd, status_fd);
}

// MARK: - parent side

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
    rc = bj_write_id_maps((pid_t)pid, plan, failed_step);
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
