// The readable names of the setup stages (enum bj_stage in bexy_spawn.h), for error reports.
#include "bexy_spawn.h"

static const char *const bj_stage_names[] = {
    [BJ_STAGE_PDEATHSIG] = "prctl(PR_SET_PDEATHSIG)",
    [BJ_STAGE_CGROUP_JOIN] = "join cgroup",
    [BJ_STAGE_SYNC] = "wait for id maps",
    [BJ_STAGE_CGROUP_NS] = "unshare(CLONE_NEWCGROUP)",
    [BJ_STAGE_MOUNT_PRIVATE] = "make mounts private",
    [BJ_STAGE_ROOT_TMPFS] = "mount root tmpfs",
    [BJ_STAGE_MOUNT] = "mount plan",
    [BJ_STAGE_PIVOT_ROOT] = "pivot_root",
    [BJ_STAGE_DETACH_OLD_ROOT] = "detach old root",
    [BJ_STAGE_HOSTNAME] = "sethostname",
    [BJ_STAGE_FORK] = "fork program",
    [BJ_STAGE_SETSID] = "setsid",
    [BJ_STAGE_STDIO] = "set up stdio",
    [BJ_STAGE_CLOSE_FDS] = "close inherited fds",
    [BJ_STAGE_RLIMIT] = "setrlimit",
    [BJ_STAGE_CAP_BOUND] = "drop capability bounding set",
    [BJ_STAGE_CAP_AMBIENT] = "clear ambient capabilities",
    [BJ_STAGE_SETGROUPS] = "setgroups",
    [BJ_STAGE_SETGID] = "setresgid",
    [BJ_STAGE_SETUID] = "setresuid",
    [BJ_STAGE_CAPS] = "drop capabilities",
    [BJ_STAGE_NO_NEW_PRIVS] = "prctl(PR_SET_NO_NEW_PRIVS)",
    [BJ_STAGE_CHDIR] = "chdir workdir",
    [BJ_STAGE_SECCOMP] = "install seccomp filter",
    [BJ_STAGE_SECCOMP_SEND] = "send seccomp listener",
    [BJ_STAGE_EXEC] = "execve",
    [BJ_STAGE_NOT_DUMPABLE] = "prctl(PR_SET_DUMPABLE)",
    [BJ_STAGE_SIGNALS] = "reset signal handling",
    [BJ_STAGE_WORKDIR_SEND] = "send workdir to the host",
    [BJ_STAGE_HANDOVER] = "receive the job",
    [BJ_STAGE_JOB_FILES] = "write the job's files",
    [BJ_STAGE_INTERPRETER] = "prepare the interpreter",
};

const char *bj_stage_name(int32_t stage) {
    if (stage <= 0 || stage >= (int32_t)(sizeof bj_stage_names / sizeof bj_stage_names[0]) ||
        bj_stage_names[stage] == NULL) {
        return "unknown stage";
    }
    return bj_stage_names[stage];
}
