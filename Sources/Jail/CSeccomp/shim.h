// libseccomp, from Debian's libseccomp-dev: builds and exports the job's seccomp BPF filter.
#include <seccomp.h>
