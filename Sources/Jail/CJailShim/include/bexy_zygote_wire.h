// The wire format between bexy-server (Swift, JailWarm: `Zygote`/`WarmSandbox`) and libbexyzygote (C, in the
// profile's python3).
//
// Control socket (SOCK_SEQPACKET, fd 3 of the zygote), one message per request or reply:
//   zygote -> host, once, after the interpreter is initialised:
//     u32 BJ_WIRE_READY, then the interpreter's "MAJOR.MINOR" version as text.
//   host -> zygote, per sandbox:
//     u32 BJ_WIRE_SPAWN, u32 number of cgroup v1 join fds, u32 1 if a cgroup v2 directory fd follows, then a
//     plan (the plan encoding, bexy_plan.h); SCM_RIGHTS fds in this order: stdin, stdout, stderr, handover,
//     workdir socket, seccomp socket, [cgroup v2 directory], [cgroup v1 join fds...].
//   zygote -> host, per sandbox:
//     struct bj_wire_spawn_reply; SCM_RIGHTS on success: pidfd, error fd, status fd, lifeline fd.
//
// str and blob as in bexy_plan.h: u32 length, then the bytes. Integers in host byte order.
//
// Handover socket (SOCK_SEQPACKET, per sandbox):
//   program -> host: one byte 'R' once the sandbox is isolated and waiting.
//   host -> program: one byte 'J' with SCM_RIGHTS: job memfd, stdin memfd.
//   Job memfd: u32 BJ_WIRE_JOB, u32 argument count, u32 file count; str script (a file name in the working
//   directory); each argument a str; each file
//   {str path (relative, checked by the host), u32 mode, blob contents (u64 length)}.
#pragma once

#include <stdint.h>

#include "bexy_plan.h"

#define BJ_WIRE_READY 0x59445242u  /* "BRDY" */
#define BJ_WIRE_SPAWN 0x4e505342u  /* "BSPN" */
#define BJ_WIRE_JOB 0x424f4a42u    /* "BJOB" */
#define BJ_WIRE_MAX_MESSAGE (256 * 1024)
#define BJ_WIRE_SPAWN_FDS 6

/// The zygote's answer to BJ_WIRE_SPAWN.
struct bj_wire_spawn_reply {
    int32_t rc;          ///< 0, or a negative errno
    int32_t pid;         ///< host pid of the sandbox's init
    char step[32];       ///< on failure: the failed step ("clone3", "uid_map", "plan", ...)
};
