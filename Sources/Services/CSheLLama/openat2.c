#define _GNU_SOURCE
#include "shellama_openat2.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int shellama_open_beneath(int dirfd, const char *path, uint64_t flags, uint64_t mode) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = flags;
    how.mode = mode;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    long fd;
    do {
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    } while (fd < 0 && errno == EINTR);
    return (int)fd;
}

int shellama_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int noreplace) {
    long result;
    do {
        result = syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, noreplace ? RENAME_NOREPLACE : 0u);
    } while (result < 0 && errno == EINTR);
    return (int)result;
}

int shellama_o_path(void) { return O_PATH; }
