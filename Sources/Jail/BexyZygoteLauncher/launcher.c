// bexy-zygote: start the warm path's fork server in the profile's own interpreter.
//
//   bexy-zygote PYTHON [PYTHON_ARGS...]      (fd 3: the control socket, see bexy_zygote_wire.h)
//
// Runs PYTHON PYTHON_ARGS -c "<load libbexyzygote>" in a private mount namespace where /etc is an empty tmpfs
// while the interpreter starts (a job's root has a synthesized /etc, so `site` must not find e.g. Debian's
// /etc/python3.X/sitecustomize.py here either; the module restores /etc before forking any sandbox).
// libbexyzygote.so is the CPython extension next to this launcher (see Sources/Jail/BexyZygote). The
// interpreter is the real python3, not an embedded libpython: Debian's shared libpython runs Python code
// about half as fast as its PGO+LTO-built python3 binary.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "bexy-zygote: %s: %s\n", what, strerror(errno));
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bexy-zygote PYTHON [PYTHON_ARGS...] (control socket on fd 3)\n");
        return 2;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) die("readlink /proc/self/exe");
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL) die("locate libbexyzygote.so");
    *slash = '\0';
    char command[8192];
    // No name is bound in __main__: the job's globals stay those of a fresh script.
    if (snprintf(command, sizeof command, "__import__('sys').path.insert(0, %s%s%s) or __import__('libbexyzygote')",
                 "'", self, "'") >= (int)sizeof command || strchr(self, '\'') != NULL || strchr(self, '\\') != NULL) {
        errno = ENAMETOOLONG;
        die("launcher directory");
    }
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tmpfs", "/etc", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0755") < 0)
        die("hide /etc while the interpreter starts");
    char **python = calloc((size_t)argc + 3, sizeof *python);
    if (python == NULL) die("calloc");
    for (int i = 1; i < argc; i++) python[i - 1] = argv[i];
    python[argc - 1] = "-c";
    python[argc] = command;
    execv(python[0], python);
    die(python[0]);
}
