// libbexyzygote: the warm path's fork server, a CPython extension module loaded into the profile's own
// interpreter by bexy-zygote (Sources/Jail/BexyZygoteLauncher). Its init function never returns: it makes the
// interpreter look like a fresh `python3 PYTHON_ARGS script.py` start, then forks pre-isolated single-use
// sandboxes on request from the control socket (fd 3). It never runs a job itself, and holds nothing but what
// the interpreter's start made (bexy-server starts it with the profile's environment and nothing else).
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "zygote.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bexy_host.h"
#include "bexy_zygote_wire.h"

#define BZ_CONTROL_FD 3
#define BZ_MAX_FDS 64

static void bz_die(const char *what) {
    fprintf(stderr, "bexy-zygote: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void bz_fail_python(const char *what) {
    fprintf(stderr, "bexy-zygote: %s:\n", what);
    if (PyErr_Occurred()) PyErr_Print();
    exit(1);
}

/// Remove what loading this module left in the interpreter, so that a job sees a fresh script start:
/// the launcher's directory in sys.path (and `''`, which `-c` inserts unless safe_path), their
/// sys.path_importer_cache entries; returns the interpreter's command line minus `-c COMMAND` in `*prefix`.
static void bz_clean_start(int *prefix_count, char ***prefix) {
    PyObject *path = PySys_GetObject("path");
    PyObject *cache = PySys_GetObject("path_importer_cache");
    PyObject *first = path && PyList_Size(path) > 0 ? PyList_GetItem(path, 0) : NULL;
    PyObject *launcher = first ? Py_NewRef(first) : NULL;
    if (launcher == NULL || PySequence_DelItem(path, 0) < 0) bz_fail_python("sys.path");
    if (cache && PyDict_Check(cache) && PyDict_DelItem(cache, launcher) < 0) PyErr_Clear();
    Py_DECREF(launcher);
    PyObject *flags = PySys_GetObject("flags");
    PyObject *safe = flags ? PyObject_GetAttrString(flags, "safe_path") : NULL;
    if (safe == NULL) bz_fail_python("sys.flags.safe_path");
    int safe_path = PyObject_IsTrue(safe);
    Py_DECREF(safe);
    if (!safe_path && PyList_Size(path) > 0) {
        PyObject *empty = PyList_GetItem(path, 0);
        if (PyUnicode_Check(empty) && PyUnicode_GetLength(empty) == 0) {
            if (PySequence_DelItem(path, 0) < 0) bz_fail_python("sys.path");
            PyObject *key = PyUnicode_FromString("");
            if (cache && key && PyDict_Check(cache) && PyDict_DelItem(cache, key) < 0) PyErr_Clear();
            Py_XDECREF(key);
        }
    }
    PyObject *orig = PySys_GetObject("orig_argv");
    Py_ssize_t count = orig ? PyList_Size(orig) : -1;
    if (count < 3) bz_fail_python("sys.orig_argv");
    *prefix_count = (int)count - 2;
    *prefix = calloc((size_t)count, sizeof **prefix);
    if (*prefix == NULL) bz_die("calloc");
    for (int i = 0; i < *prefix_count; i++) {
        PyObject *bytes = PyUnicode_EncodeFSDefault(PyList_GetItem(orig, i));
        if (bytes == NULL) bz_fail_python("sys.orig_argv");
        (*prefix)[i] = strdup(PyBytes_AsString(bytes));
        Py_DECREF(bytes);
    }
    // Every object made so far goes out of the collector's reach (gc.freeze), so a sandbox's collections never
    // walk, and copy, the zygote's heap; sys.modules is left as a fresh start has it.
    PyObject *modules = PyImport_GetModuleDict();
    int had_gc = PyDict_GetItemString(modules, "gc") != NULL;
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *frozen = gc ? PyObject_CallMethod(gc, "freeze", NULL) : NULL;
    if (frozen == NULL) bz_fail_python("gc.freeze");
    Py_DECREF(frozen);
    Py_DECREF(gc);
    if (!had_gc && PyDict_DelItemString(modules, "gc") < 0) PyErr_Clear();
    // The launcher hid the host's /etc while the interpreter started; the sandboxes' mount plans need it back.
    if (umount2("/etc", MNT_DETACH) < 0) bz_die("restore /etc");
}

static void bz_send_ready(void) {
    char message[64];
    uint32_t magic = BJ_WIRE_READY;
    memcpy(message, &magic, sizeof magic);
    int n = snprintf(message + 4, sizeof message - 4, "%d.%d", PY_MAJOR_VERSION, PY_MINOR_VERSION);
    if (send(BZ_CONTROL_FD, message, 4 + (size_t)n, MSG_NOSIGNAL) < 0) bz_die("send ready");
}

static void bz_reply(int32_t rc, pid_t pid, const char *step, const int *fds, int nfds) {
    struct bj_wire_spawn_reply reply;
    memset(&reply, 0, sizeof reply);
    reply.rc = rc;
    reply.pid = pid;
    if (step) snprintf(reply.step, sizeof reply.step, "%s", step);
    int sent = bj_send_message(BZ_CONTROL_FD, &reply, sizeof reply, fds, nfds);
    if (sent < 0) {
        errno = -sent;
        bz_die("send reply");
    }
}

/// One BJ_WIRE_SPAWN: decode, fork the sandbox, hand its fds to the host.
static void bz_spawn(const uint8_t *message, size_t length, const int *fds, int nfds, cap_t empty_caps,
                     int prefix_count, char **prefix) {
    uint32_t header[3];
    struct bj_plan plan;
    struct bj_plan_arena arena = {0};
    if (length < sizeof header) {
        bz_reply(-EBADMSG, 0, "message", NULL, 0);
        return;
    }
    memcpy(header, message, sizeof header);
    int expected = BJ_WIRE_SPAWN_FDS + (header[2] ? 1 : 0) + (int)header[1];
    if (header[0] != BJ_WIRE_SPAWN || header[1] > 16 || nfds != expected ||
        bj_plan_decode(message + sizeof header, length - sizeof header, &plan, &arena) < 0) {
        bj_plan_arena_free(&arena);
        bz_reply(-EBADMSG, 0, "plan", NULL, 0);
        return;
    }
    plan.stdin_fd = fds[0];
    plan.stdout_fd = fds[1];
    plan.stderr_fd = fds[2];
    plan.handover_fd = fds[3];
    plan.workdir_socket = fds[4];
    plan.seccomp_socket = fds[5];
    plan.cgroup_dir_fd = header[2] ? fds[6] : -1;
    plan.cgroup_join_fds = fds + BJ_WIRE_SPAWN_FDS + (header[2] ? 1 : 0);
    plan.cgroup_join_count = (int)header[1];
    plan.empty_caps = empty_caps;

    struct bj_child child;
    const char *step = NULL;
    PyOS_BeforeFork();
    int rc = bj_spawn(&plan, &child, &step);
    if (rc == 1) {
        PyOS_AfterFork_Child();
        bz_run_warm_job(&plan, prefix_count, prefix);
    }
    PyOS_AfterFork_Parent();
    bj_plan_arena_free(&arena);
    if (rc < 0) {
        bz_reply(rc, 0, step, NULL, 0);
        return;
    }
    int out[4] = {child.pidfd, child.error_fd, child.status_fd, child.lifeline_fd};
    bz_reply(0, child.pid, NULL, out, 4);
    for (int i = 0; i < 4; i++) close(out[i]);
}

/// The module's init: never returns (the process ends when bexy-server closes the control socket).
PyMODINIT_FUNC PyInit_libbexyzygote(void) {
    if (PY_MAJOR_VERSION != Py_Version >> 24 || PY_MINOR_VERSION != ((Py_Version >> 16) & 0xff)) {
        fprintf(stderr, "bexy-zygote: built for Python %d.%d, loaded into %lu.%lu\n", PY_MAJOR_VERSION,
                PY_MINOR_VERSION, Py_Version >> 24, (Py_Version >> 16) & 0xff);
        exit(1);
    }
    int prefix_count = 0;
    char **prefix = NULL;
    bz_clean_start(&prefix_count, &prefix);
    cap_t empty_caps = cap_init();
    if (empty_caps == NULL) bz_die("cap_init");
    bz_send_ready();

    // Reap the inits of finished sandboxes as soon as they exit: the host frees a sandbox's identity slot only
    // once its init is gone (reaped), not merely a zombie. SIGCHLD is blocked here and read from a signalfd;
    // a warm program unblocks it again (bj_spawn).
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) bz_die("block SIGCHLD");
    int children = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (children < 0) bz_die("signalfd");

    static uint8_t message[BJ_WIRE_MAX_MESSAGE];
    for (;;) {
        struct pollfd watched[2] = {{.fd = BZ_CONTROL_FD, .events = POLLIN}, {.fd = children, .events = POLLIN}};
        int ready = poll(watched, 2, -1);
        if (ready < 0 && errno != EINTR) bz_die("poll");
        if (watched[1].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(children, &info, sizeof info) == sizeof info) {}
            while (waitpid(-1, NULL, WNOHANG) > 0) {}
        }
        if (ready <= 0 || !(watched[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        int fds[BZ_MAX_FDS], nfds = 0;
        long n = bj_receive_message(BZ_CONTROL_FD, message, sizeof message, fds, BZ_MAX_FDS, &nfds);
        if (n == -EINTR) continue;
        if (n == -EMSGSIZE) {
            bz_reply(-EMSGSIZE, 0, "message", NULL, 0);
            continue;
        }
        if (n <= 0) exit(0);  // the host closed the control socket: stop
        bz_spawn(message, (size_t)n, fds, nfds, empty_caps, prefix_count, prefix);
        for (int i = 0; i < nfds; i++) close(fds[i]);
    }
}
