// See orchestration_spawn.h: thin exports of _GNU_SOURCE-only posix_spawn flags and file actions.
#define _GNU_SOURCE
#include "orchestration_spawn.h"

short orch_spawn_flag_setsid(void) { return POSIX_SPAWN_SETSID; }

int orch_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}
