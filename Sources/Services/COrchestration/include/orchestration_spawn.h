// posix_spawn pieces that Swift's Glibc module does not expose: glibc declares them only under _GNU_SOURCE.
#pragma once

#include <spawn.h>

#ifdef __cplusplus
extern "C" {
#endif

/// POSIX_SPAWN_SETSID: the child calls setsid() before exec, so it leads its own session and process group.
short orch_spawn_flag_setsid(void);

/// posix_spawn_file_actions_addclosefrom_np(actions, lowest): the child closes every fd >= `lowest` before
/// exec (glibc 2.34+). 0 or an errno value.
int orch_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

#ifdef __cplusplus
}
#endif
