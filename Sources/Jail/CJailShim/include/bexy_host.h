// Parent-side helpers for calls Swift's Glibc module does not expose (they need _GNU_SOURCE).
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// pipe2(fds, O_CLOEXEC); 0 or -errno.
int bj_pipe_cloexec(int fds[2]);

/// memfd_create(name, MFD_CLOEXEC); fd or -errno.
int bj_memfd(const char *name);

/// The MS_* flags of the mount holding `path` that a bind remount inside a user namespace must keep
/// (noexec and the atime flags, which the kernel locks); 0 if `path` cannot be read.
unsigned long bj_locked_mount_flags(const char *path);

/// openat2(dirfd, path, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC) resolved strictly below `dirfd`:
/// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV (no "..", no symlink at any step,
/// no mount crossing). Swift's Glibc has neither openat2 nor the RESOLVE_* flags. fd or -errno.
int bj_open_beneath(int dirfd, const char *path);

/// clone3 with CLONE_PIDFD is available (probe with an invalid call: ENOSYS means absent).
int bj_has_clone3(void);

#ifdef __cplusplus
}
#endif

#include <stdint.h>

/// CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWNET|CLONE_NEWIPC|CLONE_NEWUTS: a job's fresh namespaces
/// (the cgroup namespace is entered by the init after it joined its cgroup).
uint64_t bj_job_clone_flags(void);

/// RLIMIT_MEMLOCK and RLIMIT_NPROC, which Swift's Glibc module hides behind __USE_MISC.
int bj_rlimit_memlock(void);
int bj_rlimit_nproc(void);
