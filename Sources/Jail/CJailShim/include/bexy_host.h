// Parent-side helpers for calls Swift's Glibc module does not expose (they need _GNU_SOURCE).
#pragma once

#include <stddef.h>

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

/// open(path, O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC): a host directory named by configuration (the root the
/// workspaces live under), held without read rights. fd or -errno.
int bj_open_directory(const char *path);

/// openat2(dirfd, path, O_PATH|O_DIRECTORY|O_CLOEXEC) with the resolution of bj_open_beneath (below `dirfd`, no
/// "..", no symlink at any step, no magic link, no mount crossing): a directory a job will see. fd or -errno.
int bj_open_directory_beneath(int dirfd, const char *path);

/// A detached bind of the directory `dirfd` for a job's mount namespace: open_tree(OPEN_TREE_CLONE) of it alone
/// (no submounts), then mount_setattr nosuid, nodev and private propagation. Made here, in the host's mount
/// namespace, because the kernel binds only mounts of the caller's own namespace (or a detached tree): the job's
/// init cannot bind the fd's mount itself. Returns the tree's fd (O_CLOEXEC) or -errno; `*failed_step` names the call.
int bj_detached_bind(int dirfd, const char **failed_step);

/// sendmsg one message of `length` bytes with `fd_count` fds (SCM_RIGHTS) on a SOCK_SEQPACKET socket.
/// 0 or -errno.
int bj_send_message(int socket_fd, const void *bytes, size_t length, const int *fds, int fd_count);

/// recvmsg one message into `buffer` and up to `max_fds` fds (O_CLOEXEC). Returns its length (0 at EOF) and
/// sets `*fd_count`, or -errno (-EMSGSIZE if the message or its fds were truncated; received fds are closed).
long bj_receive_message(int socket_fd, void *buffer, size_t capacity, int *fds, int max_fds, int *fd_count);

/// socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC); 0 or -errno.
int bj_seqpacket_pair(int fds[2]);

/// A listening AF_UNIX stream socket bound at `path` (which must not exist) with file mode `mode`, close-on-exec.
/// fd or -errno.
int bj_unix_listen(const char *path, unsigned mode, int backlog);

/// A close-on-exec AF_UNIX stream socket connected to `path`. fd or -errno (-ENOENT: nothing there,
/// -ECONNREFUSED: a socket file nobody listens on).
int bj_unix_connect(const char *path);

/// accept4 a connection on `listener`, close-on-exec (EINTR and ECONNABORTED retried). fd or -errno.
int bj_unix_accept(int listener);

/// SO_PEERCRED of a connected AF_UNIX socket: the peer's pid, uid and gid when it connected. 0 or -errno.
int bj_peer_credentials(int socket_fd, int *pid, unsigned *uid, unsigned *gid);

/// posix_spawn `path` in a new session with `argv`/`envp`, default signal handling and an empty signal mask.
/// Fd `i` of the child is `fd_map[i]` (-1: /dev/null) for i < fd_map_count; every other fd is closed.
/// Returns the pid or -errno.
int bj_spawn_process(const char *path, char *const argv[], char *const envp[], const int *fd_map, int fd_map_count);

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
