// CJailShim: the child side of a BEXY job, in C because Swift cannot run safely after fork/clone.
//
// Why this exists: between clone3() and execve() the child of a multi-threaded Swift process may only call
// async-signal-safe functions (no allocation, no locks, no Swift runtime). The Swift parent therefore prepares
// a complete plan (mount list, id maps, rlimits, seccomp BPF, argv/envp, file contents; it reaches C through
// the plan encoding, bexy_plan.h) and this code only executes it with raw system calls. spawn.c is the list of
// stages in order; each kernel concern is its own file (mounts.c, identity.c, capabilities.c, seccomp.c, fds.c,
// signals.c, reaper.c; see child.h). All symbols carry the `bj_` prefix.
//
// Process tree of one job:
//   host parent (bexy) --clone3(NEWUSER|NEWPID|NEWNS|NEWNET|NEWIPC|NEWUTS)--> init (pid 1 in the job)
//   init: joins the cgroup, waits for the id maps, builds the new root, pivot_root, forks the program,
//         then reaps zombies and forwards the program's wait status over a pipe.
//   program (pid 2): setsid, stdio, rlimits, drops every capability, no_new_privs, seccomp, execve.
//
// Warm variant (plan->handover_fd >= 0, used by bexy-zygote): the parent is a single-threaded, pre-initialised
// Python interpreter. The program does every step above except seccomp and execve, then bj_spawn returns 1
// in it: the caller waits for its one job on the handover socket, writes the job's files, calls
// bj_warm_seal (seccomp, close the setup fds) and runs the job in the interpreter it inherited.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/capability.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What one entry of the mount plan does. Paths are relative to the new root.
enum bj_mount_kind {
    BJ_MOUNT_DIR = 1,        ///< mkdir(target, mode)
    BJ_MOUNT_BIND_RO = 2,    ///< bind `source` read-only, nosuid, nodev (+ `flags`: locked flags of the source)
    BJ_MOUNT_BIND_DEV = 3,   ///< bind a device node `source` onto an empty file (keeps the source's flags)
    BJ_MOUNT_TMPFS = 4,      ///< tmpfs with options `data`, nosuid, nodev (+ `flags`)
    BJ_MOUNT_PROC = 5,       ///< a fresh proc for the job's pid namespace, nosuid, nodev, noexec
    BJ_MOUNT_SYMLINK = 6,    ///< symlink(source, target)
    BJ_MOUNT_FILE = 7,       ///< create `target` (O_EXCL|O_NOFOLLOW) with `data_len` bytes of `data`
    BJ_MOUNT_REMOUNT_RO = 8, ///< remount `target` read-only (+ `flags`); an empty target is the new root
    BJ_MOUNT_WORKSPACE = 9,  ///< mkdir `target` and move the plan's detached workspace tree onto it (read-write)
};

/// One step of the mount plan, executed in order by the job's init.
struct bj_mount {
    int kind;                ///< enum bj_mount_kind
    int source_is_dir;       ///< BJ_MOUNT_BIND_RO: create a directory (1) or an empty file (0) as mount point
    const char *source;      ///< host path (binds) or link target (symlinks)
    const char *target;      ///< path inside the new root, without a leading slash ("" = the root itself)
    const char *data;        ///< tmpfs options or file contents
    size_t data_len;         ///< length of `data` for BJ_MOUNT_FILE
    unsigned long flags;     ///< extra MS_* flags
    unsigned int mode;       ///< mode for directories and files
    int chown_job;           ///< chown the result to the job's uid/gid
};

/// One resource limit applied to the program before execve.
struct bj_rlimit {
    int resource;            ///< RLIMIT_*
    uint64_t soft;
    uint64_t hard;
};

/// The whole plan for one job. Everything is owned by the caller and must stay valid during bj_spawn.
struct bj_plan {
    uint64_t clone_flags;            ///< CLONE_NEW* flags for clone3
    int cgroup_dir_fd;               ///< cgroup v2 directory for CLONE_INTO_CGROUP, or -1
    const int *cgroup_join_fds;      ///< cgroup v1 `tasks` files the init writes "0" into
    int cgroup_join_count;
    const char *uid_map;             ///< written to /proc/<pid>/uid_map by the parent, e.g. "0 900000 1\n1000 900001 1\n"
    const char *gid_map;
    const char *root_dir;            ///< host directory the new root's tmpfs is mounted on (in the job's mount ns)
    const char *root_options;        ///< tmpfs options for the new root
    const struct bj_mount *mounts;
    int mount_count;
    const char *hostname;
    uid_t job_uid;                   ///< uid inside the job
    gid_t job_gid;
    int stdin_fd;                    ///< becomes fd 0 of the program
    int stdout_fd;                   ///< becomes fd 1
    int stderr_fd;                   ///< becomes fd 2
    const struct bj_rlimit *rlimits;
    int rlimit_count;
    int cap_last_cap;                ///< /proc/sys/kernel/cap_last_cap, read by the parent
    cap_t empty_caps;                ///< cap_init() result prepared by the parent (libcap)
    const void *bpf;                 ///< seccomp program (struct sock_filter[]), installed just before execve
    size_t bpf_instructions;
    int seccomp_notify;              ///< 1: install with SECCOMP_FILTER_FLAG_NEW_LISTENER and send the fd back
    int seccomp_socket;              ///< child end of a socketpair receiving the listener fd (SCM_RIGHTS)
    const char *workdir;             ///< chdir target inside the new root
    int workspace_tree_fd;           ///< -1, or a detached mount of a host directory (bj_detached_bind, made
                                     ///< by the parent in the host's mount namespace) that BJ_MOUNT_WORKSPACE
                                     ///< moves into the new root; the init closes it once the root is built
    int workdir_socket;              ///< -1, or the child end of a socketpair: init sends an O_PATH fd of
                                     ///< `workdir` over it (SCM_RIGHTS) before the program starts
    int handover_fd;                 ///< -1 (cold: execve `path`), or the child end of the warm handover
                                     ///< socket: it becomes fd 5 of the program and bj_spawn returns 1 there
    const char *path;                ///< program to execve
    char *const *argv;
    char *const *envp;
};

/// What the parent holds of a started job.
struct bj_child {
    pid_t pid;                       ///< host pid of the job's init
    int pidfd;                       ///< pidfd of the init (CLONE_PIDFD)
    int error_fd;                    ///< read end: a struct bj_child_error if setup failed, EOF once the program exec'd
    int status_fd;                   ///< read end: a struct bj_exit_report once the program ended
    int lifeline_fd;                 ///< write end of the sync pipe: keep it open until the job has ended
};

/// Sent by the child when a setup stage fails.
struct bj_child_error {
    int32_t stage;                   ///< enum bj_stage
    int32_t err;                     ///< errno
    int32_t index;                   ///< mount/rlimit index, or -1
};

/// Sent by init when the program (pid 2) has been reaped.
struct bj_exit_report {
    int32_t wait_status;             ///< as from wait4
    int32_t reserved;
    int64_t utime_us;                ///< user CPU time of the program and its reaped children
    int64_t stime_us;                ///< system CPU time
    int64_t maxrss_kb;
};

/// Setup stages, reported in bj_child_error.stage; bj_stage_name gives the text.
enum bj_stage {
    BJ_STAGE_PDEATHSIG = 1, BJ_STAGE_CGROUP_JOIN, BJ_STAGE_SYNC, BJ_STAGE_CGROUP_NS, BJ_STAGE_MOUNT_PRIVATE,
    BJ_STAGE_ROOT_TMPFS, BJ_STAGE_MOUNT, BJ_STAGE_PIVOT_ROOT, BJ_STAGE_DETACH_OLD_ROOT, BJ_STAGE_HOSTNAME,
    BJ_STAGE_FORK, BJ_STAGE_SETSID, BJ_STAGE_STDIO, BJ_STAGE_CLOSE_FDS, BJ_STAGE_RLIMIT, BJ_STAGE_CAP_BOUND,
    BJ_STAGE_CAP_AMBIENT, BJ_STAGE_SETGROUPS, BJ_STAGE_SETGID, BJ_STAGE_SETUID, BJ_STAGE_CAPS,
    BJ_STAGE_NO_NEW_PRIVS, BJ_STAGE_CHDIR, BJ_STAGE_SECCOMP, BJ_STAGE_SECCOMP_SEND, BJ_STAGE_EXEC,
    BJ_STAGE_NOT_DUMPABLE, BJ_STAGE_SIGNALS, BJ_STAGE_WORKDIR_SEND, BJ_STAGE_HANDOVER, BJ_STAGE_JOB_FILES,
    BJ_STAGE_INTERPRETER,
};

/// File descriptors of a warm program between bj_spawn's return and bj_warm_seal.
enum bj_warm_fd { BJ_WARM_ERROR_FD = 3, BJ_WARM_SECCOMP_FD = 4, BJ_WARM_HANDOVER_FD = 5 };

/// The readable name of a stage ("mount", "pivot_root", ...).
const char *bj_stage_name(int32_t stage);

/// Start a job: clone3 into fresh namespaces, write the id maps, release the child.
/// Returns 0 and fills `out`, or a negative errno; `*failed_step` then names the parent-side step
/// ("clone3", "uid_map", "gid_map", "pipe2", "sync").
/// With a warm plan (handover_fd >= 0) it also returns 1, in the program, once it is isolated (see above).
int bj_spawn(const struct bj_plan *plan, struct bj_child *out, const char **failed_step);

/// Warm program only: install the plan's seccomp filter (sending the listener if asked), then close the
/// handover socket and the error pipe, which tells the host the job has started. Reports a failure on the
/// error pipe and exits 125; returns only on success.
void bj_warm_seal(const struct bj_plan *plan);

/// Warm program only: report that `stage` failed (errno, `index`) on the error pipe and exit 125.
__attribute__((noreturn)) void bj_warm_fail(int stage, int index);

/// Receive the seccomp listener fd sent by the program over `socket_fd`; returns the fd or a negative errno.
int bj_receive_fd(int socket_fd);

/// seccomp user notification: receive one pending notification and return its syscall number
/// (or a negative errno). The caller then kills the whole job.
int bj_seccomp_notification_syscall(int listener_fd);

/// pidfd_send_signal(pidfd, sig).
int bj_pidfd_signal(int pidfd, int sig);

#ifdef __cplusplus
}
#endif
