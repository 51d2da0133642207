// User and group ids of a job (see child.h): the parent writes the slot's id maps, the child switches ids.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/// "/proc/<pid>/<name>" := text. (Parent side; written without snprintf all the same, in one style.)
static int bj_write_proc_file(pid_t pid, const char *name, const char *text) {
    char path[64];
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

int bj_write_id_maps(pid_t pid, const struct bj_plan *plan, const char **failed_step) {
    int rc = bj_write_proc_file(pid, "uid_map", plan->uid_map);
    if (rc < 0) {
        *failed_step = "uid_map";
        return rc;
    }
    rc = bj_write_proc_file(pid, "gid_map", plan->gid_map);
    if (rc < 0) *failed_step = "gid_map";
    return rc;
}

// glibc's setgroups/setresgid/setresuid are not usable here: in a process cloned from a multi-threaded
// parent they try to broadcast the change to the parent's threads (SIGSETXID) and wait for them forever.
int bj_set_ids(uid_t uid, gid_t gid, int *failed_stage) {
    *failed_stage = BJ_STAGE_SETGROUPS;
    if (syscall(SYS_setgroups, 0, NULL) < 0) return -1;
    *failed_stage = BJ_STAGE_SETGID;
    if (syscall(SYS_setresgid, gid, gid, gid) < 0) return -1;
    *failed_stage = BJ_STAGE_SETUID;
    if (syscall(SYS_setresuid, uid, uid, uid) < 0) return -1;
    return 0;
}
