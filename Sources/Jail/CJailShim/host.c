// Parent-side helpers (see bexy_host.h; bj_receive_fd and bj_pidfd_signal are in bexy_spawn.h). Not used after
// fork of a multi-threaded process (the warm program, forked from the single-threaded zygote, may use them).
#define _GNU_SOURCE
#include "bexy_host.h"
#include "bexy_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
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

int bj_open_directory(const char *path) {
    int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int bj_open_directory_beneath(int dirfd, const char *path) {
    struct open_how how = {
        .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    return fd >= 0 ? (int)fd : -errno;
}

int bj_detached_bind(int dirfd, const char **failed_step) {
    *failed_step = "open_tree";
    long tree = syscall(SYS_open_tree, dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree < 0) return -errno;
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
        .propagation = MS_PRIVATE,
    };
    if (syscall(SYS_mount_setattr, (int)tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
        int e = errno;
        close((int)tree);
        *failed_step = "mount_setattr";
        return -e;
    }
    *failed_step = NULL;
    return (int)tree;
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

int bj_send_message(int socket_fd, const void *bytes, size_t length, const int *fds, int fd_count) {
    char control[CMSG_SPACE(64 * sizeof(int))];
    if (fd_count < 0 || fd_count > 64) return -EINVAL;
    memset(control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)bytes, .iov_len = length};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd_count > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE((size_t)fd_count * sizeof(int));
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN((size_t)fd_count * sizeof(int));
        memcpy(CMSG_DATA(cm), fds, (size_t)fd_count * sizeof(int));
    }
    ssize_t n;
    do {
        n = sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : 0;
}

long bj_receive_message(int socket_fd, void *buffer, size_t capacity, int *fds, int max_fds, int *fd_count) {
    char control[CMSG_SPACE(64 * sizeof(int))];
    struct iovec iov = {.iov_base = buffer, .iov_len = capacity};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    *fd_count = 0;
    ssize_t n;
    do {
        n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    int truncated = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + (size_t)i * sizeof(int), sizeof fd);
            if (*fd_count < max_fds && !truncated) {
                fds[(*fd_count)++] = fd;
            } else {
                close(fd);
                truncated = 1;
            }
        }
    }
    if (truncated) {
        for (int i = 0; i < *fd_count; i++) close(fds[i]);
        *fd_count = 0;
        return -EMSGSIZE;
    }
    return (long)n;
}

int bj_seqpacket_pair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

int bj_spawn_process(const char *path, char *const argv[], char *const envp[], const int *fd_map, int fd_map_count) {
    // Lift every source above the targets first, so that placing fd i cannot clobber a later source.
    int lifted[16];
    if (fd_map_count < 0 || fd_map_count > 16) return -EINVAL;
    int rc = 0, made = 0;
    for (; made < fd_map_count; made++) {
        lifted[made] = fd_map[made] >= 0 ? fcntl(fd_map[made], F_DUPFD_CLOEXEC, 100) : -1;
        if (fd_map[made] >= 0 && lifted[made] < 0) {
            rc = -errno;
            break;
        }
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    pid_t pid = 0;
    if (rc == 0) {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
        for (int i = 0; i < fd_map_count; i++) {
            if (lifted[i] >= 0) {
                posix_spawn_file_actions_adddup2(&actions, lifted[i], i);
            } else {
                posix_spawn_file_actions_addopen(&actions, i, "/dev/null", O_RDWR, 0);
            }
        }
        posix_spawn_file_actions_addclosefrom_np(&actions, fd_map_count);
        int err = posix_spawn(&pid, path, &actions, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (err != 0) rc = -err;
    }
    for (int i = 0; i < made; i++) {
        if (lifted[i] >= 0) close(lifted[i]);
    }
    return rc < 0 ? rc : (int)pid;
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

int bj_pidfd_signal(int pidfd, int sig) {
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) return -errno;
    return 0;
}
