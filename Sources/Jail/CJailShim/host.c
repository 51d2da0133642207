// Parent-side helpers (see bexy_host.h). Not used after fork.
#define _GNU_SOURCE
#include "bexy_host.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int bj_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno; }

int bj_memfd(const char *name) {
    int fd = memfd_create(name, MFD_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

unsigned long bj_locked_mount_flags(const char *path) {
    struct statvfs vfs;
    if (statvfs(path, &vfs) != 0) return 0;
    unsigned long flags = 0;
    if (vfs.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (vfs.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (vfs.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (vfs.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

int bj_open_beneath(int dirfd, const char *path) {
    struct open_how how = {
        .flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    return fd >= 0 ? (int)fd : -errno;
}

int bj_has_clone3(void) {
    // A NULL argument makes clone3 fail with EFAULT where it exists, ENOSYS where it does not.
    long rc = syscall(SYS_clone3, NULL, 0);
    return rc < 0 && errno != ENOSYS;
}

uint64_t bj_job_clone_flags(void) {
    return CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
}

int bj_rlimit_memlock(void) { return RLIMIT_MEMLOCK; }
int bj_rlimit_nproc(void) { return RLIMIT_NPROC; }
