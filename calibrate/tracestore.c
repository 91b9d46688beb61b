/*
** This file implements the SQLite trace store declared in tracestore.h.
** The schema is created on open (PRAGMA user_version records its version;
** a store of another version is refused). Ingests run inside BEGIN
** IMMEDIATE ... COMMIT with prepared statements bound and reset per row,
** which is what makes 10^6 log lines ingest in seconds; any failure rolls
** back, so a half-read file leaves no row behind.
**
** A log ingest keeps, per task id, the fields of its tasks row in memory
** (submit, launch and completion times, app, executor id) and writes them
** with the per-task record counts at the end of the file; events are
** written as they are read.
*/
#include "tracestore.h"
#include "parsllog.h"
#include "pyinstrument.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_VERSION 1

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS runs("
    " id INTEGER PRIMARY KEY, bundle TEXT NOT NULL, name TEXT NOT NULL,"
    " workload TEXT, size INTEGER, tasks INTEGER, executor TEXT,"
    " workers_requested INTEGER, workers_started INTEGER, logging TEXT,"
    " rep INTEGER, role TEXT, makespan_s REAL, load_s REAL, shutdown_s REAL,"
    " parsl_version TEXT, parsl_run_id TEXT, first_time REAL, last_time REAL,"
    " UNIQUE(bundle, name));"
    "CREATE TABLE IF NOT EXISTS files("
    " id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL,"
    " hash TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " run_id INTEGER REFERENCES runs(id), records INTEGER,"
    " ingested_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tasks("
    " run_id INTEGER NOT NULL REFERENCES runs(id), task_id INTEGER NOT NULL,"
    " app TEXT, executor TEXT, executor_id INTEGER, try_id INTEGER,"
    " deps INTEGER, submit_time REAL, launch_time REAL, done_time REAL,"
    " final_state TEXT, PRIMARY KEY(run_id, task_id));"
    "CREATE INDEX IF NOT EXISTS tasks_exec ON tasks(run_id, executor_id);"
    "CREATE TABLE IF NOT EXISTS task_events("
    " run_id INTEGER NOT NULL, task_id INTEGER, executor_id INTEGER,"
    " event TEXT NOT NULL, state TEXT, time REAL NOT NULL, thread TEXT,"
    " role TEXT NOT NULL, process TEXT, file_id INTEGER NOT NULL REFERENCES files(id),"
    " line INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS task_events_task ON task_events(run_id, task_id);"
    "CREATE TABLE IF NOT EXISTS log_counts("
    " run_id INTEGER NOT NULL, file_id INTEGER NOT NULL REFERENCES files(id),"
    " task_id INTEGER NOT NULL, role TEXT NOT NULL, records INTEGER NOT NULL,"
    " PRIMARY KEY(file_id, task_id, role));"
    "CREATE TABLE IF NOT EXISTS profiles("
    " file_id INTEGER PRIMARY KEY REFERENCES files(id), run_id INTEGER,"
    " start_time REAL, duration_s REAL, cpu_time_s REAL, sample_count INTEGER,"
    " target TEXT, frames INTEGER, max_depth INTEGER);"
    "CREATE TABLE IF NOT EXISTS profile_summary("
    " file_id INTEGER NOT NULL REFERENCES files(id), run_id INTEGER,"
    " bucket TEXT NOT NULL, seconds REAL NOT NULL, fraction REAL NOT NULL,"
    " PRIMARY KEY(file_id, bucket));"
    "CREATE TABLE IF NOT EXISTS micro("
    " id INTEGER PRIMARY KEY, source TEXT NOT NULL, bench TEXT NOT NULL,"
    " median_s REAL NOT NULL, spread_s REAL, n INTEGER, UNIQUE(source, bench));";

struct tracestore {
    sqlite3 *db;          /* the connection */
    char path[512];       /* the store's file */
};

typedef struct task_row {
    double submit_time;   /* state pending, or 0 */
    double launch_time;   /* state launched, or 0 */
    double done_time;     /* a final state, or 0 */
    long exec_id;         /* HTEX executor task id, or -1 */
    int try_id;           /* last try launched, or -1 */
    int deps;             /* dependencies named when submitted */
    char state[16];       /* last state seen, or "" */
    char app[64];         /* app name, or "" */
    char executor[32];    /* executor label, or "" */
    unsigned char seen;   /* 1 when a tasks row is to be written */
} task_row;

typedef struct ingest {
    tracestore *ts;        /* the store */
    int64_t run_id;        /* run the file belongs to */
    int64_t file_id;       /* its files row */
    int kind;              /* enum parsllog_file */
    sqlite3_stmt *event;   /* INSERT INTO task_events */
    task_row *rows;        /* per task id, parsl.log only */
    long nrows;            /* rows allocated */
    sim_error *err;        /* where a callback failure is reported */
    const char *path;      /* the file */
} ingest;

static int db_error(tracestore *ts, sim_error *err, const char *what)
{
    return error_set(err, SIM_EDB, ts->path, 0, 0, "%s: %s", what,
                     sqlite3_errmsg(ts->db));
}

sqlite3 *tracestore_db(tracestore *ts)
{
    return ts->db;
}

int tracestore_open(tracestore **out, const char *path, sim_error *err)
{
    tracestore *ts = calloc(1, sizeof *ts);
    sqlite3_stmt *st = NULL;
    int version = 0;

    *out = NULL;
    if (ts == NULL)
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    snprintf(ts->path, sizeof ts->path, "%s", path);
    if (sqlite3_open(path, &ts->db) != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(ts->db, 5000);
    if (sqlite3_prepare_v2(ts->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        goto fail;
    version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (version != 0 && version != SCHEMA_VERSION) {
        error_set(err, SIM_EDB, path, 0, 0,
                  "trace store schema version %d, this sim reads version %d",
                  version, SCHEMA_VERSION);
        sqlite3_close(ts->db);
        free(ts);
        return SIM_EDB;
    }
    if (sqlite3_exec(ts->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                     "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(ts->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(ts->db, "PRAGMA user_version=1; COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    *out = ts;
    return 0;
fail:
    error_set(err, SIM_EDB, path, 0, 0, "cannot open trace store: %s",
              ts->db ? sqlite3_errmsg(ts->db) : "out of memory");
    sqlite3_finalize(st);
    sqlite3_close(ts->db);
    free(ts);
    return SIM_EDB;
}

void tracestore_close(tracestore *ts)
{
    if (ts == NULL)
        return;
    sqlite3_close(ts->db);
    free(ts);
}

int tracestore_file_hash(const char *path, char hex[17], int64_t *size,
                         sim_error *err)
{
    static unsigned char block[1 << 16];
    uint64_t h = 0xcbf29ce484222325ULL;
    int64_t total = 0;
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return error_set(err, SIM_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    while ((n = fread(block, 1, sizeof block, f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            h ^= block[i];
            h *= 0x100000001b3ULL;
        }
        total += (int64_t)n;
    }
    if (ferror(f)) {
        fclose(f);
        return error_set(err, SIM_EIO, path, 0, 0, "read error");
    }
    fclose(f);
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
    *size = total;
    return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && s[0])
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (v > 0)
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

int tracestore_run_add(tracestore *ts, const tracestore_run *r, int64_t *run_id,
                       sim_error *err)
{
    static const char sql[] =
        "INSERT INTO runs(bundle, name, workload, size, tasks, executor,"
        " workers_requested, workers_started, logging, rep, role, makespan_s,"
        " load_s, shutdown_s) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"
        " ON CONFLICT(bundle, name) DO UPDATE SET workload=?3, size=?4,"
        " tasks=?5, executor=?6, workers_requested=?7, workers_started=?8,"
        " logging=?9, rep=?10, role=?11, makespan_s=?12, load_s=?13, shutdown_s=?14"
        " RETURNING id";
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(ts->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(ts, err, "cannot add run");
    bind_text(st, 1, r->bundle);
    sqlite3_bind_text(st, 2, r->name, -1, SQLITE_TRANSIENT);
    bind_text(st, 3, r->workload);
    sqlite3_bind_int64(st, 4, r->size);
    if (r->tasks >= 0) sqlite3_bind_int64(st, 5, r->tasks); else sqlite3_bind_null(st, 5);
    bind_text(st, 6, r->executor);
    sqlite3_bind_int(st, 7, r->workers_requested);
    if (r->workers_started >= 0) sqlite3_bind_int(st, 8, r->workers_started); else sqlite3_bind_null(st, 8);
    bind_text(st, 9, r->logging);
    sqlite3_bind_int(st, 10, r->rep);
    bind_text(st, 11, r->role);
    bind_real(st, 12, r->makespan_s);
    bind_real(st, 13, r->load_s);
    bind_real(st, 14, r->shutdown_s);
    if (r->bundle[0] == '\0')
        sqlite3_bind_text(st, 1, "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = db_error(ts, err, "cannot add run");
        sqlite3_finalize(st);
        return rc;
    }
    *run_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* Look the hash up; 1 when stored, 0 when not, SIM_EDB on failure. */
static int file_known(tracestore *ts, const char *hash, sim_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(ts->db, "SELECT 1 FROM files WHERE hash=?", -1, &st, NULL) != SQLITE_OK)
        return db_error(ts, err, "cannot look up file");
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_error(ts, err, "cannot look up file");
}

/* Begin the transaction and insert the files row. */
/* Hash path and look it up: 0 when it is new, 1 (with *skipped set) when
** its content is stored already, or the error. */
static int file_new(tracestore *ts, const char *path, char hash[17], int64_t *size,
                    int *skipped, sim_error *err)
{
    int rc;

    if (skipped)
        *skipped = 0;
    if ((rc = tracestore_file_hash(path, hash, size, err)) != 0)
        return rc;
    rc = file_known(ts, hash, err);
    if (rc == 1 && skipped)
        *skipped = 1;
    return rc;
}

static int file_begin(tracestore *ts, const char *path, const char *hash,
                      int64_t size, const char *kind, int64_t run_id,
                      int64_t *file_id, sim_error *err)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_exec(ts->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(ts, err, "cannot begin");
    if (sqlite3_prepare_v2(ts->db,
            "INSERT INTO files(path, size, hash, kind, run_id, ingested_at)"
            " VALUES(?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
            -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, size);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    if (run_id > 0) sqlite3_bind_int64(st, 5, run_id); else sqlite3_bind_null(st, 5);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    *file_id = sqlite3_last_insert_rowid(ts->db);
    return 0;
fail:
    db_error(ts, err, "cannot record file");
    sqlite3_finalize(st);
    sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
    return SIM_EDB;
}

static task_row *row_get(ingest *in, long task)
{
    if (task >= in->nrows) {
        long cap = in->nrows ? in->nrows : 1024;
        task_row *grown;
        while (cap <= task)
            cap *= 2;
        grown = realloc(in->rows, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        memset(grown + in->nrows, 0, (size_t)(cap - in->nrows) * sizeof *grown);
        for (long i = in->nrows; i < cap; i++)
            grown[i].exec_id = grown[i].try_id = -1;
        in->rows = grown;
        in->nrows = cap;
    }
    return &in->rows[task];
}

/* Copy src into dst of cap bytes, truncating. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int is_final(const char *state)
{
    return strcmp(state, "exec_done") == 0 || strcmp(state, "failed") == 0 ||
           strcmp(state, "dep_fail") == 0 || strcmp(state, "memo_done") == 0;
}

static int on_record(void *ud, const parsllog_record *r)
{
    ingest *in = ud;
    sqlite3_stmt *st = in->event;

    if (!r->is_event)
        return 0;
    if (in->kind == PLOG_FILE_PARSL && r->task >= 0) {
        task_row *row = row_get(in, r->task);
        if (row == NULL)
            return error_set(in->err, SIM_ENOMEM, in->path, r->line, 0, "out of memory");
        row->seen = 1;
        if (strcmp(r->event, "submitted") == 0) {
            copy_str(row->app, sizeof row->app, r->word);
            row->deps = r->deps;
        } else if (strcmp(r->event, "sent") == 0) {
            copy_str(row->executor, sizeof row->executor, r->word);
        } else if (strcmp(r->event, "launched") == 0) {
            row->try_id = r->try_id;
            if (r->exec_id >= 0)
                row->exec_id = r->exec_id;
        } else if (strcmp(r->event, "state") == 0) {
            copy_str(row->state, sizeof row->state, r->state);
            if (strcmp(r->state, "pending") == 0 && row->submit_time == 0)
                row->submit_time = r->time;
            else if (strcmp(r->state, "launched") == 0)
                row->launch_time = r->time;
            else if (is_final(r->state))
                row->done_time = r->time;
        }
    }
    if (r->task >= 0) sqlite3_bind_int64(st, 2, r->task); else sqlite3_bind_null(st, 2);
    if (r->exec_id >= 0) sqlite3_bind_int64(st, 3, r->exec_id); else sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, r->event, -1, SQLITE_STATIC);
    bind_text(st, 5, r->state);
    sqlite3_bind_double(st, 6, r->time);
    sqlite3_bind_text(st, 7, r->thread, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, parsllog_role_name(r->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->process, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, r->line);
    if (sqlite3_step(st) != SQLITE_DONE) {
        error_set(in->err, SIM_EDB, in->path, r->line, 0, "cannot store event: %s",
                  sqlite3_errmsg(in->ts->db));
        sqlite3_reset(st);
        return SIM_EDB;
    }
    sqlite3_reset(st);
    return 0;
}

/* Write the tasks rows and log counts collected from the file. */
static int ingest_finish(ingest *in, parsllog *p)
{
    sqlite3 *db = in->ts->db;
    sqlite3_stmt *task = NULL, *count = NULL, *map = NULL;
    const parsllog_stats *s = parsllog_stats_get(p);
    int rc = SIM_EDB;

    if (sqlite3_prepare_v2(db,
            "INSERT INTO tasks(run_id, task_id, app, executor, executor_id, try_id,"
            " deps, submit_time, launch_time, done_time, final_state)"
            " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT(run_id, task_id)"
            " DO UPDATE SET app=coalesce(?3,app), executor=coalesce(?4,executor),"
            " executor_id=coalesce(?5,executor_id), try_id=coalesce(?6,try_id),"
            " deps=coalesce(?7,deps), submit_time=coalesce(?8,submit_time),"
            " launch_time=coalesce(?9,launch_time), done_time=coalesce(?10,done_time),"
            " final_state=coalesce(?11,final_state)", -1, &task, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
            "INSERT INTO log_counts(run_id, file_id, task_id, role, records)"
            " VALUES(?,?,?,?,?)", -1, &count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
            "UPDATE files SET records=? WHERE id=?", -1, &map, NULL) != SQLITE_OK)
        goto done;
    for (long t = 0; t < in->nrows; t++) {
        task_row *row = &in->rows[t];
        if (!row->seen)
            continue;
        sqlite3_bind_int64(task, 1, in->run_id);
        sqlite3_bind_int64(task, 2, t);
        bind_text(task, 3, row->app);
        bind_text(task, 4, row->executor);
        if (row->exec_id >= 0) sqlite3_bind_int64(task, 5, row->exec_id); else sqlite3_bind_null(task, 5);
        if (row->try_id >= 0) sqlite3_bind_int(task, 6, row->try_id); else sqlite3_bind_null(task, 6);
        if (row->app[0]) sqlite3_bind_int(task, 7, row->deps); else sqlite3_bind_null(task, 7);
        bind_real(task, 8, row->submit_time);
        bind_real(task, 9, row->launch_time);
        bind_real(task, 10, row->done_time);
        bind_text(task, 11, row->state);
        if (sqlite3_step(task) != SQLITE_DONE)
            goto done;
        sqlite3_reset(task);
    }
    for (long t = -1; t < parsllog_task_limit(p); t++) {
        for (int role = 0; role < PLOG_ROLE_COUNT; role++) {
            long n = t < 0 ? s->unattributed[role] : parsllog_task_records(p, t, role);
            if (n == 0)
                continue;
            sqlite3_bind_int64(count, 1, in->run_id);
            sqlite3_bind_int64(count, 2, in->file_id);
            sqlite3_bind_int64(count, 3, t);
            sqlite3_bind_text(count, 4, parsllog_role_name(role), -1, SQLITE_STATIC);
            sqlite3_bind_int64(count, 5, n);
            if (sqlite3_step(count) != SQLITE_DONE)
                goto done;
            sqlite3_reset(count);
        }
    }
    sqlite3_bind_int64(map, 1, s->records);
    sqlite3_bind_int64(map, 2, in->file_id);
    if (sqlite3_step(map) != SQLITE_DONE)
        goto done;
    if (in->kind == PLOG_FILE_PARSL) {
        sqlite3_finalize(map);
        map = NULL;
        if (sqlite3_prepare_v2(db,
                "UPDATE runs SET parsl_version=coalesce(?1,parsl_version),"
                " parsl_run_id=coalesce(?2,parsl_run_id), first_time=?3, last_time=?4"
                " WHERE id=?5", -1, &map, NULL) != SQLITE_OK)
            goto done;
        bind_text(map, 1, s->parsl_version);
        bind_text(map, 2, s->run_id);
        sqlite3_bind_double(map, 3, s->first_time);
        sqlite3_bind_double(map, 4, s->last_time);
        sqlite3_bind_int64(map, 5, in->run_id);
        if (sqlite3_step(map) != SQLITE_DONE)
            goto done;
    }
    rc = 0;
done:
    if (rc != 0)
        db_error(in->ts, in->err, "cannot store log summary");
    sqlite3_finalize(task);
    sqlite3_finalize(count);
    sqlite3_finalize(map);
    return rc;
}

/* Give the reader the run's executor-id map from the tasks rows. */
static int exec_map_load(ingest *in, parsllog *p)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(in->ts->db,
            "SELECT executor_id, task_id FROM tasks WHERE run_id=? AND executor_id IS NOT NULL",
            -1, &st, NULL) != SQLITE_OK)
        return db_error(in->ts, in->err, "cannot read tasks");
    sqlite3_bind_int64(st, 1, in->run_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (parsllog_exec_map(p, (long)sqlite3_column_int64(st, 0),
                              (long)sqlite3_column_int64(st, 1)) != 0) {
            sqlite3_finalize(st);
            return error_set(in->err, SIM_ENOMEM, in->path, 0, 0, "out of memory");
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_error(in->ts, in->err, "cannot read tasks");
}

int tracestore_ingest_log(tracestore *ts, int64_t run_id, const char *path,
                          int *skipped, sim_error *err)
{
    static const char *const kinds[] = {
        "parsl_log", "worker_log", "manager_log", "interchange_log"
    };
    ingest in = { ts, run_id, 0, parsllog_kind_of(path), NULL, NULL, 0, err, path };
    parsllog *p = NULL;
    char hash[17];
    int64_t size;
    int rc;

    if ((rc = file_new(ts, path, hash, &size, skipped, err)) != 0)
        return rc == 1 ? 0 : rc;
    if ((p = parsllog_new()) == NULL)
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    if ((rc = file_begin(ts, path, hash, size, kinds[in.kind], run_id, &in.file_id, err)) != 0)
        goto out;
    if (sqlite3_prepare_v2(ts->db,
            "INSERT INTO task_events(run_id, task_id, executor_id, event, state,"
            " time, thread, role, process, file_id, line)"
            " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)", -1, &in.event, NULL) != SQLITE_OK) {
        rc = db_error(ts, err, "cannot prepare");
        goto fail;
    }
    sqlite3_bind_int64(in.event, 1, run_id);
    sqlite3_bind_int64(in.event, 10, in.file_id);
    if (in.kind == PLOG_FILE_WORKER && (rc = exec_map_load(&in, p)) != 0)
        goto fail;
    if ((rc = parsllog_read(p, path, in.kind, on_record, &in, err)) != 0)
        goto fail;
    if ((rc = ingest_finish(&in, p)) != 0)
        goto fail;
    sqlite3_finalize(in.event);
    in.event = NULL;
    if (sqlite3_exec(ts->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_error(ts, err, "cannot commit");
        goto fail;
    }
    goto out;
fail:
    sqlite3_finalize(in.event);
    sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
out:
    free(in.rows);
    parsllog_free(p);
    return rc;
}

int tracestore_ingest_profile(tracestore *ts, int64_t run_id, const char *path,
                              int *skipped, sim_error *err)
{
    pyi_summary *s = NULL;
    sqlite3_stmt *st = NULL;
    char hash[17];
    int64_t size, file_id;
    int rc;

    if ((rc = file_new(ts, path, hash, &size, skipped, err)) != 0)
        return rc == 1 ? 0 : rc;
    if ((s = malloc(sizeof *s)) == NULL)
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    /* read before the transaction: a bad profile never touches the store */
    if ((rc = pyi_load(s, path, err)) != 0)
        goto out;
    if ((rc = file_begin(ts, path, hash, size, "pyinstrument", run_id, &file_id, err)) != 0)
        goto out;
    if (sqlite3_prepare_v2(ts->db,
            "INSERT INTO profiles(file_id, run_id, start_time, duration_s, cpu_time_s,"
            " sample_count, target, frames, max_depth) VALUES(?,?,?,?,?,?,?,?,?)",
            -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, file_id);
    if (run_id > 0) sqlite3_bind_int64(st, 2, run_id); else sqlite3_bind_null(st, 2);
    sqlite3_bind_double(st, 3, s->start_time);
    sqlite3_bind_double(st, 4, s->duration_s);
    if (s->cpu_time_s >= 0) sqlite3_bind_double(st, 5, s->cpu_time_s); else sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, s->sample_count);
    sqlite3_bind_text(st, 7, s->target, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, s->frames);
    sqlite3_bind_int(st, 9, s->max_depth);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(ts->db,
            "INSERT INTO profile_summary(file_id, run_id, bucket, seconds, fraction)"
            " VALUES(?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (int b = 0; b < PYI_BUCKET_COUNT; b++) {
        double total = s->seconds[PYI_TOTAL];
        sqlite3_bind_int64(st, 1, file_id);
        if (run_id > 0) sqlite3_bind_int64(st, 2, run_id); else sqlite3_bind_null(st, 2);
        sqlite3_bind_text(st, 3, pyi_bucket_name(b), -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 4, s->seconds[b]);
        sqlite3_bind_double(st, 5, total > 0 ? s->seconds[b] / total : 0);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_exec(ts->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    rc = db_error(ts, err, "cannot store profile");
    sqlite3_finalize(st);
    sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
out:
    free(s);
    return rc;
}

int tracestore_ingest_monitoring(tracestore *ts, int64_t run_id, const char *path,
                                 int *skipped, sim_error *err)
{
    sqlite3 *mon = NULL;
    sqlite3_stmt *rd = NULL, *st = NULL;
    char hash[17];
    int64_t size, file_id;
    int rc, step;

    if ((rc = file_new(ts, path, hash, &size, skipped, err)) != 0)
        return rc == 1 ? 0 : rc;
    /* Check the monitoring database before the transaction: a file that is
    ** not one never touches the store. Parsl writes local datetime strings;
    ** julianday turns them into Unix seconds. */
    if (sqlite3_open_v2(path, &mon, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(mon,
            "SELECT task_id, task_status_name,"
            " (julianday(timestamp) - 2440587.5) * 86400.0, try_id, rowid"
            " FROM status ORDER BY timestamp, rowid", -1, &rd, NULL) != SQLITE_OK) {
        rc = error_set(err, SIM_EINPUT, path, 0, 0,
                       "not a Parsl monitoring database (%s)",
                       mon ? sqlite3_errmsg(mon) : "cannot open");
        sqlite3_close(mon);
        return rc;
    }
    if ((rc = file_begin(ts, path, hash, size, "monitoring", run_id, &file_id, err)) != 0)
        goto out;
    if (sqlite3_prepare_v2(ts->db,
            "INSERT INTO task_events(run_id, task_id, event, state, time, role,"
            " file_id, line) VALUES(?,?,'monitoring',?,?,'monitoring',?,?)",
            -1, &st, NULL) != SQLITE_OK)
        goto fail;
    while ((step = sqlite3_step(rd)) == SQLITE_ROW) {
        if (sqlite3_column_type(rd, 2) == SQLITE_NULL) {
            rc = error_set(err, SIM_EINPUT, path, 0, 0,
                           "status row %lld has an unreadable timestamp",
                           (long long)sqlite3_column_int64(rd, 4));
            sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_int64(st, 2, sqlite3_column_int64(rd, 0));
        sqlite3_bind_text(st, 3, (const char *)sqlite3_column_text(rd, 1), -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 4, sqlite3_column_double(rd, 2));
        sqlite3_bind_int64(st, 5, file_id);
        sqlite3_bind_int64(st, 6, sqlite3_column_int64(rd, 4));
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
        sqlite3_reset(st);
    }
    if (step != SQLITE_DONE) {
        rc = error_set(err, SIM_EINPUT, path, 0, 0, "cannot read status: %s",
                       sqlite3_errmsg(mon));
        sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    if (sqlite3_exec(ts->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    rc = db_error(ts, err, "cannot store monitoring events");
    sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
out:
    sqlite3_finalize(st);
    sqlite3_finalize(rd);
    sqlite3_close(mon);
    return rc;
}

int tracestore_micro_add(tracestore *ts, const char *source, const char *bench,
                         double median_s, double spread_s, long n, sim_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(ts->db,
            "INSERT INTO micro(source, bench, median_s, spread_s, n) VALUES(?,?,?,?,?)"
            " ON CONFLICT(source, bench) DO UPDATE SET median_s=excluded.median_s,"
            " spread_s=excluded.spread_s, n=excluded.n", -1, &st, NULL) != SQLITE_OK)
        return db_error(ts, err, "cannot add micro-benchmark");
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, bench, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, median_s);
    sqlite3_bind_double(st, 4, spread_s);
    sqlite3_bind_int64(st, 5, n);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(ts, err, "cannot add micro-benchmark");
    sqlite3_finalize(st);
    return rc;
}
