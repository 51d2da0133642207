// seccomp (see child.h and bexy_spawn.h): the child installs the parent's BPF program last; the parent reads
// user notifications from the listener it was sent.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

void bj_install_seccomp(const struct bj_plan *plan, int error_fd) {
    struct sock_fprog prog = {.len = (unsigned short)plan->bpf_instructions,
                              .filter = (struct sock_filter *)plan->bpf};
    unsigned int flags = plan->seccomp_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (listener < 0) bj_fail(error_fd, BJ_STAGE_SECCOMP, -1);
    if (plan->seccomp_notify) {
        int lfd = (int)listener;
        if (bj_send_fd(BJ_WARM_SECCOMP_FD, lfd) < 0) bj_fail(error_fd, BJ_STAGE_SECCOMP_SEND, -1);
        close(lfd);
        close(BJ_WARM_SECCOMP_FD);
    }
}

int bj_seccomp_notification_syscall(int listener_fd) {
    struct seccomp_notif notif;
    memset(&notif, 0, sizeof notif);
    if (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, &notif) < 0) return -errno;
    return notif.data.nr;
}
