// SQLite, from Debian's libsqlite3-dev: the durable local audit spool.
#include <sqlite3.h>
