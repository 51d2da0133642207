// The job's init once the program runs (see child.h): pid 1 reaps every process and reports the program's end.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

void bj_reap_until_program_exits(const struct bj_plan *plan, pid_t program, int error_fd, int status_fd) {
    // init keeps nothing of the job: no stdio, no error pipe, not dumpable, no capabilities, and default
    // signal handling (as pid 1 it then ignores every signal sent from inside the job).
    close(error_fd);
    close(plan->stdin_fd);
    close(plan->stdout_fd);
    close(plan->stderr_fd);
    if (plan->seccomp_notify) close(plan->seccomp_socket);
    if (plan->handover_fd >= 0) close(plan->handover_fd);
    (void)bj_reset_signals();
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    for (int cap = 0; cap <= plan->cap_last_cap; cap++) (void)cap_drop_bound((cap_value_t)cap);
    (void)cap_set_proc(plan->empty_caps);

    for (;;) {
        int status = 0;
        struct rusage ru;
        pid_t got = wait4(-1, &status, __WALL, &ru);
        if (got < 0) {
            if (errno == EINTR) continue;
            _exit(126);
        }
        if (got == program) {
            struct bj_exit_report report = {
                .wait_status = status,
                .utime_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                .stime_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
                .maxrss_kb = ru.ru_maxrss,
            };
            (void)bj_write_all(status_fd, &report, sizeof report);
            // Leaving pid 1 kills every other process of the job (daemons included) with SIGKILL.
            _exit(0);
        }
    }
}
