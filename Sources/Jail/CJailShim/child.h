// Internal to CJailShim: the steps of a job's child path, one kernel concern per file. spawn.c runs them in
// order. Everything declared here runs after clone3() in a copy of a multi-threaded process, so each function
// is async-signal-safe: raw system calls on memory the parent prepared, no malloc, no stdio, no locks.
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "bexy_spawn.h"

#define BJ_PATH_MAX 4096

// MARK: child_io.c: reporting and small I/O

size_t bj_strlen(const char *s);

/// write(2) until every byte is written (EINTR retried); 0 or -1 with errno.
int bj_write_all(int fd, const void *buf, size_t len);

/// Report a failed stage (with errno) on the error pipe and exit 125. The parent reads it from error_fd.
__attribute__((noreturn)) void bj_fail(int error_fd, int stage, int index);

/// Send `fd` over the unix socket `sock` (SCM_RIGHTS, one data byte); 0 or -1 with errno.
int bj_send_fd(int sock, int fd);

// MARK: fds.c: fd hygiene

/// The init's first step: close every inherited fd the plan does not name.
void bj_close_unplanned_fds(const struct bj_plan *plan, int sync_fd, int error_fd, int status_fd);

/// The program's fd layout: stdio at 0-2, the error pipe at 3, the seccomp socket at 4, the warm handover
/// socket at 5; everything else closed. Returns the error fd (3).
int bj_place_program_fds(const struct bj_plan *plan, int error_fd);

// MARK: identity.c: user and group ids

/// Parent side: write the plan's uid_map and gid_map of `pid`; 0 or -errno with `*failed_step` set.
int bj_write_id_maps(pid_t pid, const struct bj_plan *plan, const char **failed_step);

/// setgroups(0), setresgid, setresuid as raw system calls; 0, or -1 with errno and `*failed_stage` naming the
/// call that failed.
int bj_set_ids(uid_t uid, gid_t gid, int *failed_stage);

// MARK: mounts.c: the new root

/// Make every mount private, mount the root tmpfs, execute the mount plan, pivot_root into it and detach
/// the old root. Runs in the init (root of the job's user namespace); exits through bj_fail on error.
void bj_enter_new_root(const struct bj_plan *plan, int error_fd);

// MARK: capabilities.c: capabilities and no_new_privs

/// Drop every capability up to cap_last_cap from the bounding set; 0, or -1 with `*failed_cap`.
int bj_drop_bounding_set(int cap_last_cap, int *failed_cap);

/// The program's privilege drop, in the only order that works: bounding and ambient sets (they need
/// CAP_SETPCAP), the job's ids (a non-zero uid clears permitted and effective), then what libcap still sees,
/// then no_new_privs. Exits through bj_fail on error.
void bj_drop_privileges(const struct bj_plan *plan, int error_fd);

// MARK: seccomp.c

/// Install the plan's filter; with user notification, send the listener over fd 4 and close it.
void bj_install_seccomp(const struct bj_plan *plan, int error_fd);

// MARK: signals.c

/// Default handling for every signal and an empty mask (a clone child inherits the caller's ignored
/// signals and the blocked mask of the thread that spawned it); 0 or -1.
int bj_reset_signals(void);

/// An empty signal mask only (a warm program keeps the interpreter's handlers); 0 or -1.
int bj_unblock_signals(void);

// MARK: reaper.c: the init after the fork

/// The init's life once the program runs: keep nothing of the job, reap every process, report the
/// program's wait status and usage on `status_fd`, then exit (which ends the job's pid namespace).
__attribute__((noreturn)) void bj_reap_until_program_exits(const struct bj_plan *plan, pid_t program,
                                                            int error_fd, int status_fd);
