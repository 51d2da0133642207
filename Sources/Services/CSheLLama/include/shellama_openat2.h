// openat2(2) for SheLLama's workspace file store. Why C: glibc has no openat2 wrapper (it is reached through
// syscall(2), which is variadic and so not callable from Swift), and <linux/openat2.h>'s struct open_how and
// RESOLVE_* flags are not visible to Swift's Glibc module on every distribution.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// openat2(dirfd, path, {flags, mode, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
/// RESOLVE_NO_XDEV}): `path` resolved strictly below `dirfd`, refusing every symbolic link on the way (the last
/// component too, unless `flags` holds both O_PATH and O_NOFOLLOW) and any mount crossing. Retries EINTR.
/// Returns the new fd, or -1 with errno set (EXDEV: escapes `dirfd`; ELOOP: a symlink; ENOSYS: kernel < 5.6).
int shellama_open_beneath(int dirfd, const char *path, uint64_t flags, uint64_t mode);

/// O_PATH, which Swift's Glibc module does not export (fcntl.h defines it only under _GNU_SOURCE).
int shellama_o_path(void);

/// renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE when `noreplace`): glibc declares renameat2
/// only under _GNU_SOURCE. Retries EINTR. 0, or -1 with errno set (EEXIST: `newpath` exists and `noreplace`).
int shellama_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int noreplace);

#ifdef __cplusplus
}
#endif
