// The job's new root (see child.h): a tmpfs built from the mount plan, then pivot_root into it. Runs in the
// init, root of the job's user namespace. Async-signal-safe.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/// Create an empty regular file to bind onto.
static int bj_create_file(const char *path, unsigned int mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

/// BJ_MOUNT_FILE: create `path` with the step's contents (and owner).
static int bj_write_new_file(const struct bj_plan *plan, const struct bj_mount *m, const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m->mode);
    if (fd < 0) return -1;
    if (bj_write_all(fd, m->data, m->data_len) < 0 ||
        (m->chown_job && fchown(fd, plan->job_uid, plan->job_gid) < 0)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    return 0;
}

/// One step of the mount plan at `path` (the step's target under the new root); 0 or -1 with errno.
static int bj_mount_one(const struct bj_plan *plan, const struct bj_mount *m, const char *path) {
    const unsigned long base = MS_NOSUID | MS_NODEV;
    switch (m->kind) {
    case BJ_MOUNT_DIR:
        if (mkdir(path, m->mode) < 0 && errno != EEXIST) return -1;
        break;
    case BJ_MOUNT_BIND_RO:
        if (m->source_is_dir) {
            if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
        } else if (bj_create_file(path, 0644) < 0) {
            return -1;
        }
        if (mount(m->source, path, NULL, MS_BIND, NULL) < 0) return -1;
        return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | base | m->flags, NULL);
    case BJ_MOUNT_BIND_DEV:
        if (bj_create_file(path, 0666) < 0) return -1;
        return mount(m->source, path, NULL, MS_BIND, NULL);
    case BJ_MOUNT_TMPFS:
        if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
        if (mount("tmpfs", path, "tmpfs", base | m->flags, m->data) < 0) return -1;
        break;
    case BJ_MOUNT_PROC:
        if (mkdir(path, 0555) < 0 && errno != EEXIST) return -1;
        return mount("proc", path, "proc", base | MS_NOEXEC, m->data);
    case BJ_MOUNT_SYMLINK:
        return symlink(m->source, path);
    case BJ_MOUNT_FILE:
        return bj_write_new_file(plan, m, path);
    case BJ_MOUNT_REMOUNT_RO:
        return mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY | base | m->flags, m->data);
    case BJ_MOUNT_WORKSPACE:
        // The tree was cloned by the parent (nosuid, nodev, private already): a path or /proc/self/fd bind of
        // the host directory would fail here, its mount being the host namespace's, not this namespace's copy.
        if (plan->workspace_tree_fd < 0) {
            errno = EBADF;
            return -1;
        }
        if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
        return (int)syscall(SYS_move_mount, plan->workspace_tree_fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
    default:
        errno = EINVAL;
        return -1;
    }
    // Directories and tmpfs mounts: owner and mode (mkdir's mode is masked by the umask).
    if (m->chown_job && lchown(path, plan->job_uid, plan->job_gid) < 0) return -1;
    return chmod(path, m->mode);
}

void bj_enter_new_root(const struct bj_plan *plan, int error_fd) {
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
        if (bj_mount_one(plan, m, target) < 0) bj_fail(error_fd, BJ_STAGE_MOUNT, i);
    }
    if (plan->workspace_tree_fd >= 0) close(plan->workspace_tree_fd);
    // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the new root.
    if (chdir(plan->root_dir) < 0) bj_fail(error_fd, BJ_STAGE_PIVOT_ROOT, -1);
    if (syscall(SYS_pivot_root, ".", ".") < 0) bj_fail(error_fd, BJ_STAGE_PIVOT_ROOT, -1);
    if (umount2(".", MNT_DETACH) < 0) bj_fail(error_fd, BJ_STAGE_DETACH_OLD_ROOT, -1);
    if (chdir("/") < 0) bj_fail(error_fd, BJ_STAGE_DETACH_OLD_ROOT, -1);
}
