// SQLite, from Debian's libsqlite3-dev: the durable local audit spool.
#include <sqlite3.h>

/// Do not checkpoint the WAL when the last connection closes: every `bexy exec` opens and closes the spool,
/// and a checkpoint there costs several fsyncs on the hot path. SQLite still checkpoints automatically once
/// the WAL grows past 1000 pages. (sqlite3_db_config is variadic, which Swift cannot call.)
static inline int bexy_sqlite_skip_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
