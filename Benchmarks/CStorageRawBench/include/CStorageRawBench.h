#ifndef VERITAS_CSTORAGE_RAW_BENCH_H
#define VERITAS_CSTORAGE_RAW_BENCH_H
// Raw SQLite and raw file writes, written directly against the C APIs, so that `veritas-bench` can compare the
// writer's ingest with what SQLite itself allows on this machine, in the same run.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double seconds;  // wall time of the inserts (after the schema exists)
    uint64_t rows;   // rows inserted
    int error;       // 0, or the SQLite result code of the first failure
} veritas_sqlite_result;

// Opens `path` (created fresh by the caller) in WAL mode with the given `synchronous`
// ("FULL" or "NORMAL"), creates a table keyed by a 36-character text id (like the writer's
// processed_events: time-ordered UUIDv7-style ids) with a ~100-byte payload column, and
// inserts `rows` rows, `per_transaction` rows per transaction, with one prepared statement.
veritas_sqlite_result veritas_raw_sqlite_insert(const char *path, const char *synchronous,
                                                uint64_t rows, uint64_t per_transaction);

// Writes `count` files of `size` bytes into `directory` the way the writer stores screenshots:
// temporary file, write, fsync, rename, fsync the directory.
veritas_sqlite_result veritas_raw_file_writes(const char *directory, uint64_t count, size_t size);

// SELECT COUNT(*) FROM `table` in the database at `path`; -1 on any failure. (A reading of the
// writer's database after a run, not a timed workload.)
int64_t veritas_raw_sqlite_count(const char *path, const char *table);

#ifdef __cplusplus
}
#endif

#endif // VERITAS_CSTORAGE_RAW_BENCH_H
