// fd hygiene of the child path (see child.h): the init keeps only the fds its plan names, the program gets a
// fixed layout. Async-signal-safe.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BJ_MAX_KEEP 32

/// Close every fd except those in keep[0..n) (close_range between them).
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

void bj_close_unplanned_fds(const struct bj_plan *plan, int sync_fd, int error_fd, int status_fd) {
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
    if (plan->workspace_tree_fd >= 0) keep[nkeep++] = plan->workspace_tree_fd;
    for (int i = 0; i < plan->cgroup_join_count && nkeep < BJ_MAX_KEEP; i++) keep[nkeep++] = plan->cgroup_join_fds[i];
    if (bj_close_all_except(keep, nkeep) < 0) bj_fail(error_fd, BJ_STAGE_CLOSE_FDS, -1);
}

/// Move fd to a number >= 100 (so that dup2 onto 0..5 cannot clobber another needed fd).
static int bj_lift(int fd) {
    if (fd < 0) return fd;
    return fcntl(fd, F_DUPFD_CLOEXEC, 100);
}

int bj_place_program_fds(const struct bj_plan *plan, int error_fd) {
    // Lift every fd we keep above 100, then place them.
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
    return error_fd;
}
