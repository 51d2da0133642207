// bexy-zygote: a pre-initialised Python interpreter that forks pre-isolated, single-use sandboxes.
// See bexy_zygote_wire.h (protocol) and bexy_spawn.h (the isolation steps, shared with the cold path).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bexy_spawn.h"

/// Memory of one decoded plan; everything in it is released with bz_arena_free.
struct bz_arena {
    uint8_t *base;
    size_t used, size;
};

/// Decode a plan (bexy_zygote_wire.h) into `plan`; strings and arrays live in `arena`.
/// Returns 0, or -1 if the bytes are malformed.
int bz_decode_plan(const uint8_t *bytes, size_t length, struct bj_plan *plan, struct bz_arena *arena);

void bz_arena_free(struct bz_arena *arena);

/// In a warm program (bj_spawn returned 1): announce readiness, receive the one job, write its files, seal
/// the sandbox and run the job's script in the inherited interpreter. `prefix`: the interpreter's command line
/// up to the script (`python3 -B`); sys.orig_argv is that, the script and the job's arguments. Never returns.
__attribute__((noreturn)) void bz_run_warm_job(const struct bj_plan *plan, int prefix_count, char **prefix);
