// Capabilities and no_new_privs (see child.h). libcap's cap_drop_bound, cap_reset_ambient and cap_set_proc
// are thin prctl/capset wrappers on memory the parent prepared (`empty_caps`): async-signal-safe.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <sys/prctl.h>

int bj_drop_bounding_set(int cap_last_cap, int *failed_cap) {
    for (int cap = 0; cap <= cap_last_cap; cap++) {
        if (cap_drop_bound((cap_value_t)cap) < 0 && errno != EINVAL) {
            *failed_cap = cap;
            return -1;
        }
    }
    return 0;
}

void bj_drop_privileges(const struct bj_plan *plan, int error_fd) {
    int failed = -1;
    if (bj_drop_bounding_set(plan->cap_last_cap, &failed) < 0) bj_fail(error_fd, BJ_STAGE_CAP_BOUND, failed);
    if (cap_reset_ambient() < 0) bj_fail(error_fd, BJ_STAGE_CAP_AMBIENT, -1);
    if (bj_set_ids(plan->job_uid, plan->job_gid, &failed) < 0) bj_fail(error_fd, failed, -1);
    if (cap_set_proc(plan->empty_caps) < 0) bj_fail(error_fd, BJ_STAGE_CAPS, -1);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) bj_fail(error_fd, BJ_STAGE_NO_NEW_PRIVS, -1);
}
