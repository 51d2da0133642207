// Signal handling of the child path (see child.h). Async-signal-safe.
#define _GNU_SOURCE
#include "child.h"

#include <signal.h>
#include <string.h>

int bj_unblock_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL);
}

int bj_reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &dfl, NULL);  // glibc's internal signals refuse with EINVAL: nothing to reset
    }
    return bj_unblock_signals();
}
