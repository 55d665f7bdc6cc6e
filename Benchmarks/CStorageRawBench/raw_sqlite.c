#include "CStorageRawBench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

veritas_sqlite_result veritas_raw_sqlite_insert(const char *path, const char *synchronous,
                                                uint64_t rows, uint64_t per_transaction) {
    veritas_sqlite_result r = {0, 0, 0};
    sqlite3 *db = NULL;
    sqlite3_stmt *insert = NULL;
    char pragma[64];
    if (per_transaction == 0) per_transaction = 1;
    if ((r.error = sqlite3_open(path, &db)) != SQLITE_OK) goto done;
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous=%s", synchronous);
    if ((r.error = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL)) != SQLITE_OK) goto done;
    if ((r.error = sqlite3_exec(db, pragma, NULL, NULL, NULL)) != SQLITE_OK) goto done;
    if ((r.error = sqlite3_exec(db, "CREATE TABLE events(id TEXT PRIMARY KEY, audit_id TEXT, payload TEXT)",
                                NULL, NULL, NULL)) != SQLITE_OK) goto done;
    if ((r.error = sqlite3_prepare_v2(db, "INSERT INTO events(id, audit_id, payload) VALUES(?, ?, ?)", -1,
                                      &insert, NULL)) != SQLITE_OK) goto done;
    static const char payload[] = "{\"phase\":\"fetching\",\"percent\":42.0,\"message\":\"fetching the page and its headers\"}";
    char id[40];
    double start = now_seconds();
    for (uint64_t i = 0; i < rows; i++) {
        if (i % per_transaction == 0 && (r.error = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK) goto done;
        // Time-ordered ids, as UUIDv7 gives: increasing prefix, fixed length.
        snprintf(id, sizeof id, "0190%08llx-7000-8000-%012llx", (unsigned long long)i, (unsigned long long)i);
        sqlite3_bind_text(insert, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 2, "01900000-0000-7000-8000-000000000001", -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, payload, -1, SQLITE_STATIC);
        if ((r.error = sqlite3_step(insert)) != SQLITE_DONE) goto done;
        r.error = 0;
        sqlite3_reset(insert);
        r.rows++;
        if ((i + 1) % per_transaction == 0 || i + 1 == rows) {
            if ((r.error = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) goto done;
        }
    }
    r.seconds = now_seconds() - start;
done:
    if (insert) sqlite3_finalize(insert);
    if (db) sqlite3_close(db);
    return r;
}

int64_t veritas_raw_sqlite_count(const char *path, const char *table) {
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    char sql[128];
    int64_t count = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) goto done;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) goto done;
    if (sqlite3_step(statement) == SQLITE_ROW) count = sqlite3_column_int64(statement, 0);
done:
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return count;
}
