// The warm program's side of the handover: wait for the one job, place its files, seal, run it.
// This process is single-threaded (forked from the single-threaded zygote), isolated by bj_spawn, and
// has run no untrusted byte yet; everything here runs before the job's code.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bexy_host.h"
#include "bexy_zygote_wire.h"

struct bz_job {
    uint8_t *bytes;
    size_t length, offset;
};

static int bz_job_take(struct bz_job *job, void *out, size_t n) {
    if (job->length - job->offset < n) return -1;
    memcpy(out, job->bytes + job->offset, n);
    job->offset += n;
    return 0;
}

/// A pointer into the job's bytes and its length (not NUL-terminated), or NULL when malformed.
static const uint8_t *bz_job_span(struct bz_job *job, uint64_t n) {
    if (job->length - job->offset < n) return NULL;
    const uint8_t *p = job->bytes + job->offset;
    job->offset += n;
    return p;
}

static char *bz_job_string(struct bz_job *job) {
    uint32_t n;
    if (bz_job_take(job, &n, sizeof n) < 0) return NULL;
    const uint8_t *p = bz_job_span(job, n);
    if (p == NULL || memchr(p, 0, n) != NULL) return NULL;
    char *s = malloc((size_t)n + 1);
    if (s == NULL) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/// Receive 'J' with the job memfd and the stdin memfd.
static void bz_receive(int *job_fd, int *stdin_fd) {
    char byte = 0;
    int fds[2], count = 0;
    long n = bj_receive_message(BJ_WARM_HANDOVER_FD, &byte, 1, fds, 2, &count);
    if (n == 0) _exit(0);  // the host recycled this sandbox before using it
    if (n < 0) {
        errno = (int)-n;
        bj_warm_fail(BJ_STAGE_HANDOVER, -1);
    }
    if (byte != 'J' || count != 2) {
        errno = EBADMSG;
        bj_warm_fail(BJ_STAGE_HANDOVER, -1);
    }
    *job_fd = fds[0];
    *stdin_fd = fds[1];
}

static void bz_read_all(int fd, struct bz_job *job) {
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size < 12) {
        errno = EBADMSG;
        bj_warm_fail(BJ_STAGE_HANDOVER, -1);
    }
    job->length = (size_t)st.st_size;
    job->offset = 0;
    job->bytes = malloc(job->length);
    if (job->bytes == NULL) bj_warm_fail(BJ_STAGE_HANDOVER, -1);
    size_t done = 0;
    while (done < job->length) {
        ssize_t n = pread(fd, job->bytes + done, job->length - done, (off_t)done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) bj_warm_fail(BJ_STAGE_HANDOVER, -1);
        done += (size_t)n;
    }
}

/// Create `path` (relative to the working directory, checked by the host) with its parent directories,
/// exactly as the cold path's mount plan does: directories 0755, the file `mode`, owned by the job.
static int bz_write_file(char *path, uint32_t mode, const uint8_t *contents, uint64_t length) {
    for (char *slash = strchr(path, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        int rc = mkdir(path, 0755);
        if (rc == 0) rc = chmod(path, 0755);
        *slash = '/';
        if (rc < 0 && errno != EEXIST) return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
    if (fd < 0) return -1;
    while (length > 0) {
        ssize_t n = write(fd, contents, length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        contents += n;
        length -= (uint64_t)n;
    }
    if (fchmod(fd, mode & 07777) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

/// The exit status of an uncaught exception, as CPython's own `handle_system_exit` and `PyErr_Print` give it:
/// SystemExit(None) 0, SystemExit(int) the int, SystemExit(other) prints it and 1; anything else prints the
/// traceback (sys.excepthook) and 1. `*interrupted` is set for KeyboardInterrupt.
static int bz_exit_status(int *interrupted) {
    if (!PyErr_ExceptionMatches(PyExc_SystemExit)) {
        *interrupted = PyErr_ExceptionMatches(PyExc_KeyboardInterrupt);
        PyErr_Print();
        return 1;
    }
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    int status = 0;
    PyObject *code = value;
    Py_XINCREF(code);
    if (value != NULL && PyExceptionInstance_Check(value)) {
        Py_DECREF(code);
        code = PyObject_GetAttrString(value, "code");
        if (code == NULL) PyErr_Clear();
    }
    if (code == NULL || code == Py_None) {
        status = 0;
    } else if (PyLong_Check(code)) {
        status = (int)PyLong_AsLong(code);
        PyErr_Clear();
    } else {
        PyObject *err = PySys_GetObject("stderr");
        if (err != NULL && err != Py_None) {
            PyFile_WriteObject(code, err, Py_PRINT_RAW);
        } else {
            PyObject_Print(code, stderr, Py_PRINT_RAW);
        }
        PyErr_Clear();
        PySys_WriteStderr("\n");
        status = 1;
    }
    Py_XDECREF(code);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return status;
}

/// Call `module.function()` if the module is loaded; errors go to sys.unraisablehook, as at interpreter exit.
static void bz_call_if_loaded(const char *module, const char *function) {
    PyObject *name = PyUnicode_FromString(module);
    PyObject *loaded = name ? PyImport_GetModule(name) : NULL;
    Py_XDECREF(name);
    if (loaded == NULL) {
        PyErr_Clear();
        return;
    }
    PyObject *result = PyObject_CallMethod(loaded, function, NULL);
    if (result == NULL) PyErr_WriteUnraisable(loaded);
    Py_XDECREF(result);
    Py_DECREF(loaded);
}

static int bz_flush(const char *stream) {
    PyObject *file = PySys_GetObject(stream);
    if (file == NULL || file == Py_None) return 0;
    PyObject *result = PyObject_CallMethod(file, "flush", NULL);
    if (result == NULL) {
        PyErr_WriteUnraisable(file);
        return -1;
    }
    Py_DECREF(result);
    return 0;
}

/// Run the script as `python3 SCRIPT` does (sys.path[0] is its directory, it runs as __main__ with __file__
/// set, exceptions end it as above), then end the process the way Py_FinalizeEx starts: join non-daemon
/// threads, run atexit callbacks, flush stdout and stderr (status 120 if stdout cannot be flushed). The rest
/// of Py_FinalizeEx (collecting and tearing down every module) is skipped: in a forked interpreter it would
/// copy most of the zygote's pages for nothing, since the process and its namespaces are destroyed next.
static int bz_run_script(const char *script) {
    int status = 0, interrupted = 0;
    char directory[4096];
    snprintf(directory, sizeof directory, "%s", script);
    char *slash = strrchr(directory, '/');
    if (slash != NULL) *(slash == directory ? slash + 1 : slash) = '\0';
    PyObject *path = PySys_GetObject("path");
    PyObject *entry = PyUnicode_DecodeFSDefault(directory);
    PyObject *main_module = PyImport_AddModule("__main__");
    PyObject *globals = main_module ? PyModule_GetDict(main_module) : NULL;
    PyObject *file_name = PyUnicode_DecodeFSDefault(script);
    FILE *fp = fopen(script, "rb");
    if (path == NULL || entry == NULL || globals == NULL || file_name == NULL || fp == NULL ||
        PyList_Insert(path, 0, entry) < 0 || PyDict_SetItemString(globals, "__file__", file_name) < 0 ||
        PyDict_SetItemString(globals, "__cached__", Py_None) < 0) {
        if (!PyErr_Occurred()) PyErr_SetFromErrnoWithFilename(PyExc_OSError, script);
        PyErr_Print();
        status = 2;
    } else {
        PyCompilerFlags flags = _PyCompilerFlags_INIT;
        PyObject *result = PyRun_FileExFlags(fp, script, Py_file_input, globals, globals, 1, &flags);
        fp = NULL;
        if (result == NULL) status = bz_exit_status(&interrupted);
        Py_XDECREF(result);
    }
    if (fp != NULL) fclose(fp);
    Py_XDECREF(entry);
    Py_XDECREF(file_name);
    bz_call_if_loaded("threading", "_shutdown");
    bz_call_if_loaded("atexit", "_run_exitfuncs");
    if (bz_flush("stdout") < 0 && status == 0) status = 120;
    (void)bz_flush("stderr");
    fflush(stdout);
    fflush(stderr);
    if (interrupted) {
        // As CPython does for an unhandled KeyboardInterrupt: die of SIGINT.
        signal(SIGINT, SIG_DFL);
        kill(getpid(), SIGINT);
    }
    return status & 0xff;
}

static PyObject *bz_string_list(char **items, int count) {
    PyObject *list = PyList_New(0);
    if (list == NULL) return NULL;
    for (int i = 0; i < count; i++) {
        PyObject *item = PyUnicode_DecodeFSDefault(items[i]);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

void bz_run_warm_job(const struct bj_plan *plan, int prefix_count, char **prefix) {
    char ready = 'R';
    if (send(BJ_WARM_HANDOVER_FD, &ready, 1, MSG_NOSIGNAL) != 1) _exit(0);

    int job_fd, stdin_fd;
    bz_receive(&job_fd, &stdin_fd);
    struct bz_job job;
    bz_read_all(job_fd, &job);
    close(job_fd);

    uint32_t header[3];
    char *script = NULL;
    if (bz_job_take(&job, header, sizeof header) < 0 || header[0] != BJ_WIRE_JOB || header[1] > 65536 ||
        (script = bz_job_string(&job)) == NULL || script[0] == '\0' || strchr(script, '/') != NULL) {
        errno = EBADMSG;
        bj_warm_fail(BJ_STAGE_HANDOVER, -1);
    }
    // sys.orig_argv: the interpreter's command line as the cold path runs it (python3 -B main.py ARGS...);
    // sys.argv: the script's name as given there, then the job's arguments.
    int argc = 1 + (int)header[1], full = prefix_count + argc;
    char **argv = calloc((size_t)full + 1, sizeof *argv);
    if (argv == NULL) bj_warm_fail(BJ_STAGE_HANDOVER, -1);
    for (int i = 0; i < prefix_count; i++) argv[i] = prefix[i];
    argv[prefix_count] = script;
    for (uint32_t i = 0; i < header[1]; i++) {
        argv[prefix_count + 1 + (int)i] = bz_job_string(&job);
        if (argv[prefix_count + 1 + (int)i] == NULL) {
            errno = EBADMSG;
            bj_warm_fail(BJ_STAGE_HANDOVER, (int)i);
        }
    }
    for (uint32_t i = 0; i < header[2]; i++) {
        char *path = bz_job_string(&job);
        uint32_t mode;
        uint64_t length;
        const uint8_t *contents = NULL;
        if (path != NULL && bz_job_take(&job, &mode, sizeof mode) == 0 &&
            bz_job_take(&job, &length, sizeof length) == 0)
            contents = bz_job_span(&job, length);
        if (contents == NULL) {
            errno = EBADMSG;
            bj_warm_fail(BJ_STAGE_JOB_FILES, (int)i);
        }
        if (bz_write_file(path, mode, contents, length) < 0) bj_warm_fail(BJ_STAGE_JOB_FILES, (int)i);
        free(path);
    }
    free(job.bytes);
    if (dup2(stdin_fd, 0) < 0) bj_warm_fail(BJ_STAGE_STDIO, -1);
    close(stdin_fd);

    PyObject *sys_argv = bz_string_list(argv + prefix_count, argc);
    PyObject *sys_orig_argv = bz_string_list(argv, full);
    if (sys_argv == NULL || sys_orig_argv == NULL || PySys_SetObject("argv", sys_argv) < 0 ||
        PySys_SetObject("orig_argv", sys_orig_argv) < 0) {
        errno = ENOMEM;
        bj_warm_fail(BJ_STAGE_INTERPRETER, -1);
    }
    Py_DECREF(sys_argv);
    Py_DECREF(sys_orig_argv);

    bj_warm_seal(plan);
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", plan->workdir, script) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        bj_warm_fail(BJ_STAGE_HANDOVER, -1);
    }
    _exit(bz_run_script(path));
}
