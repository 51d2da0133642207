// The plan encoding: the one conversion of a sandbox plan from Swift to C.
//
// The Swift side (`SandboxPlan.encoded()` in Jail) writes a plan's isolation part (namespaces, id maps, root,
// mount plan, rlimits, seccomp program) as bytes in this format, once; `bj_plan_decode` turns those bytes into
// the `struct bj_plan` that bj_spawn executes. The cold path does both in the host process; the warm path
// sends the bytes to bexy-zygote, which decodes them with this same function. No other code builds a plan's
// mount list, rlimits or seccomp program in C.
//
// Format: u64 clone flags; str root_dir, root_options, hostname, workdir, uid_map, gid_map; u32 job uid, job gid;
//   i32 cap_last_cap, seccomp_notify; blob bpf; u32 rlimit count, each {i32 resource, u64 soft, u64 hard};
//   u32 mount count, each {i32 kind, i32 source_is_dir, str source, str target, blob data, u64 flags, u32 mode,
//   i32 chown_job}.
//   str and blob: u32 length (BJ_WIRE_NULL = absent), then the bytes. Integers in host byte order.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bexy_spawn.h"

#define BJ_WIRE_NULL 0xffffffffu

/// The memory of one decoded plan (its strings and arrays); released with bj_plan_arena_free.
struct bj_plan_arena {
    uint8_t *base;
    size_t used, size;
};

/// Decode `length` bytes of a plan into `plan` (every other field zero, fds -1); strings and arrays live in
/// `arena`. The caller then adds the fds, the capabilities and (cold) the program. Returns 0, or -1 if the
/// bytes are malformed or memory is short. Allocates: call it before a fork, never after.
int bj_plan_decode(const uint8_t *bytes, size_t length, struct bj_plan *plan, struct bj_plan_arena *arena);

void bj_plan_arena_free(struct bj_plan_arena *arena);
