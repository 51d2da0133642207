// libcap, from Debian's libcap-dev: capability sets for the job and for `bexy doctor`.
#include <sys/capability.h>
