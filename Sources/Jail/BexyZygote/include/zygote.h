// bexy-zygote: a pre-initialised Python interpreter that forks pre-isolated, single-use sandboxes.
// See bexy_zygote_wire.h (protocol) and bexy_spawn.h (the isolation steps, shared with the cold path).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bexy_spawn.h"

/// In a warm program (bj_spawn returned 1): announce readiness, receive the one job, write its files, seal
/// the sandbox and run the job's script in the inherited interpreter. `prefix`: the interpreter's command line
/// up to the script (`python3 -B`); sys.orig_argv is that, the script and the job's arguments. Never returns.
__attribute__((noreturn)) void bz_run_warm_job(const struct bj_plan *plan, int prefix_count, char **prefix);
