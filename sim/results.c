/*
** This file implements the results store (results.h, docs/results.md) on
** SQLite: schema creation, the experiment row a sweep writes into (found
** again on a re-run so stored configurations are skipped), and one
** BEGIN IMMEDIATE ... COMMIT per configuration holding its configuration,
** metrics and stage_busy rows. Seeds are 64-bit unsigned and SQLite's
** integers are signed, so seeds are stored as decimal text.
*/
#include "results.h"

#include <inttypes.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SIM_REVISION
#define SIM_REVISION "unknown"
#endif

#define RESULTS_SCHEMA_VERSION 4

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS experiments ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " file TEXT NOT NULL,"
    " file_hash TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " seed TEXT NOT NULL,"
    " model_path TEXT NOT NULL,"
    " model_name TEXT NOT NULL,"
    " model_hash TEXT NOT NULL,"
    " model_calibrated INTEGER NOT NULL,"
    " model_parsl_version TEXT NOT NULL,"
    " revision TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS experiments_key"
    " ON experiments(name, file_hash, model_hash, seed);"
    "CREATE TABLE IF NOT EXISTS configurations ("
    " id INTEGER PRIMARY KEY,"
    " experiment_id INTEGER NOT NULL REFERENCES experiments(id),"
    " workload TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " tasks INTEGER NOT NULL,"
    " executor TEXT NOT NULL,"
    " workers INTEGER NOT NULL,"
    " workers_started INTEGER NOT NULL,"
    " logging TEXT NOT NULL,"
    " cores INTEGER NOT NULL,"
    " replication INTEGER NOT NULL,"
    " seed TEXT NOT NULL,"
    " overrides TEXT NOT NULL,"
    " UNIQUE (experiment_id, workload, size, executor, workers, logging,"
    "         cores, replication, seed));"
    "CREATE TABLE IF NOT EXISTS metrics ("
    " configuration_id INTEGER PRIMARY KEY REFERENCES configurations(id),"
    " makespan_s REAL NOT NULL,"
    " throughput_tps REAL NOT NULL,"
    " latency_mean_s REAL NOT NULL,"
    " latency_p50_s REAL NOT NULL,"
    " latency_p99_s REAL NOT NULL,"
    " logging_busy_s REAL NOT NULL,"
    " gil_busy_s REAL NOT NULL,"
    " handler_busy_s REAL NOT NULL,"
    " core_utilization REAL NOT NULL,"
    " events INTEGER NOT NULL,"
    " wakeups INTEGER NOT NULL DEFAULT 0,"
    " record_handoffs REAL NOT NULL DEFAULT 0,"
    " gc_full_collections INTEGER NOT NULL DEFAULT 0,"
    " gc_busy_s REAL NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS stage_busy ("
    " configuration_id INTEGER NOT NULL REFERENCES configurations(id),"
    " stage TEXT NOT NULL,"
    " busy_s REAL NOT NULL,"
    " PRIMARY KEY (configuration_id, stage));"
    "CREATE TABLE IF NOT EXISTS thread_busy ("
    " configuration_id INTEGER NOT NULL REFERENCES configurations(id),"
    " role TEXT NOT NULL,"
    " cpu_s REAL NOT NULL,"
    " dead_s REAL NOT NULL,"
    " logging_s REAL NOT NULL DEFAULT 0,"
    " PRIMARY KEY (configuration_id, role));";

/* Version 1 stores lack what version 2 added to metrics; their rows read
** back with 0 there. */
static const char upgrade_1_to_2[] =
    "ALTER TABLE metrics ADD COLUMN wakeups INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE metrics ADD COLUMN record_handoffs REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE metrics ADD COLUMN gc_full_collections INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE metrics ADD COLUMN gc_busy_s REAL NOT NULL DEFAULT 0;";

/* Version 3 stores have thread_busy without its logging time; their rows
** read back with 0 there. (Older ones get the whole table from schema.) */
static const char upgrade_3_to_4[] =
    "ALTER TABLE thread_busy ADD COLUMN logging_s REAL NOT NULL DEFAULT 0;";

struct results {
    sqlite3 *db;                  /* the open store */
    char path[512];               /* its file name, for errors */
    sqlite3_int64 experiment_id;  /* current experiment row; 0 = not yet written */
    char name[128];               /* the experiment row to write, when new */
    char file[512];               /* experiment file path, "" for the command line */
    char file_hash[17];           /* its hash */
    char seed[24];                /* experiment seed, decimal */
    char model_path[512];         /* the model */
    char model_name[128];
    char model_hash[17];
    int model_calibrated;
    char model_parsl[64];
    char *overrides;              /* JSON object of the overrides; owned */
};

static int db_fail(results *r, sim_error *err, const char *what)
{
    return error_set(err, SIM_EDB, r->path, 0, 0, "%s: %s", what,
                     sqlite3_errmsg(r->db));
}

int results_open(results **out, const char *path, sim_error *err)
{
    results *r;
    sqlite3_stmt *st = NULL;
    int version, rc;

    *out = NULL;
    if ((r = calloc(1, sizeof *r)) == NULL)
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    snprintf(r->path, sizeof r->path, "%s", path);
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE |
                        SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = r->db ? db_fail(r, err, "cannot open")
                   : error_set(err, SIM_EDB, path, 0, 0, "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(r->db, 10000);
    if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) !=
            SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        rc = db_fail(r, err, "cannot read the schema version");
        goto fail;
    }
    version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (version > RESULTS_SCHEMA_VERSION) {
        rc = error_set(err, SIM_EDB, path, 0, 0, "results store schema "
                       "version %d is newer than this sim's %d", version,
                       RESULTS_SCHEMA_VERSION);
        goto fail;
    }
    if (sqlite3_exec(r->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(r, err, "cannot open");
        goto fail;
    }
    if ((version == 1 && sqlite3_exec(r->db, upgrade_1_to_2, NULL, NULL, NULL) != SQLITE_OK) ||
        (version == 3 && sqlite3_exec(r->db, upgrade_3_to_4, NULL, NULL, NULL) != SQLITE_OK) ||
        sqlite3_exec(r->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(r->db, "PRAGMA user_version = 4", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(r, err, "cannot create the tables");
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        goto fail;
    }
    *out = r;
    return 0;
fail:
    sqlite3_finalize(st);
    results_close(r);
    return rc;
}

void results_close(results *r)
{
    if (r == NULL)
        return;
    sqlite3_close(r->db);
    free(r->overrides);
    free(r);
}

static char *overrides_json(const experiment *e)
{
    json_t *o = json_object();
    char *text;
    int i;

    if (o == NULL)
        return NULL;
    for (i = 0; i < e->n_overrides; i++)
        json_object_set_new(o, e->overrides[i].key,
                            json_string(e->overrides[i].value));
    text = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(o);
    return text;
}

int results_begin(results *r, const experiment *e, const model *m,
                  int fresh, sim_error *err)
{
    static const char find[] =
        "SELECT id FROM experiments WHERE name = ?1 AND file_hash = ?2"
        " AND model_hash = ?3 AND seed = ?4 ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    free(r->overrides);
    if ((r->overrides = overrides_json(e)) == NULL)
        return error_set(err, SIM_ENOMEM, r->path, 0, 0, "out of memory");
    snprintf(r->name, sizeof r->name, "%s", e->name);
    snprintf(r->file, sizeof r->file, "%s", e->path);
    memcpy(r->file_hash, e->hash, sizeof r->file_hash);
    snprintf(r->seed, sizeof r->seed, "%" PRIu64, e->seed);
    snprintf(r->model_path, sizeof r->model_path, "%s", m->path);
    snprintf(r->model_name, sizeof r->model_name, "%s", m->name);
    memcpy(r->model_hash, m->hash, sizeof r->model_hash);
    r->model_calibrated = m->calibrated;
    snprintf(r->model_parsl, sizeof r->model_parsl, "%s", m->parsl_version);
    r->experiment_id = 0;
    if (fresh)
        return 0;
    if (sqlite3_prepare_v2(r->db, find, -1, &st, NULL) != SQLITE_OK)
        return db_fail(r, err, "cannot look the experiment up");
    sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->file_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->model_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->seed, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r->experiment_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(r, err, "cannot look the experiment up");
    return 0;
}

/* The WHERE clause naming one configuration of the current experiment. */
#define CONFIG_KEY \
    " c.experiment_id = ?1 AND c.workload = ?2 AND c.size = ?3" \
    " AND c.executor = ?4 AND c.workers = ?5 AND c.logging = ?6" \
    " AND c.cores = ?7 AND c.replication = ?8 AND c.seed = ?9"

/* Bind CONFIG_KEY's parameters; seed is storage for the seed's text. */
static void bind_key(sqlite3_stmt *st, const results *r,
                     const experiment_config *c, char seed[24])
{
    snprintf(seed, 24, "%" PRIu64, c->seed);
    sqlite3_bind_int64(st, 1, r->experiment_id);
    sqlite3_bind_text(st, 2, sim_workload_name(c->workload), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->size);
    sqlite3_bind_text(st, 4, sim_executor_name(c->executor), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, c->workers);
    sqlite3_bind_text(st, 6, sim_logging_name(c->logging), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, c->cores);
    sqlite3_bind_int(st, 8, c->replication);
    sqlite3_bind_text(st, 9, seed, -1, SQLITE_STATIC);
}

/* 1 when c is stored in the current experiment, 0 when not, -1 on error. */
static int config_exists(results *r, const experiment_config *c)
{
    sqlite3_stmt *st;
    char seed[24];
    int rc;

    if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM configurations c WHERE"
                           CONFIG_KEY, -1, &st, NULL) != SQLITE_OK)
        return -1;
    bind_key(st, r, c, seed);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int results_find(results *r, const experiment_config *c, sim_result *res,
                 sim_error *err)
{
    static const char find[] =
        "SELECT c.id, c.tasks, c.workers_started, c.cores, m.makespan_s,"
        " m.throughput_tps, m.latency_mean_s, m.latency_p50_s,"
        " m.latency_p99_s, m.logging_busy_s, m.gil_busy_s, m.handler_busy_s,"
        " m.core_utilization, m.events, m.wakeups, m.gc_full_collections, m.gc_busy_s,"
        " m.record_handoffs"
        " FROM configurations c JOIN metrics m ON m.configuration_id = c.id"
        " WHERE" CONFIG_KEY;
    static const char stages[] =
        "SELECT stage, busy_s FROM stage_busy WHERE configuration_id = ?1";
    static const char threads[] =
        "SELECT role, cpu_s, dead_s, logging_s FROM thread_busy WHERE configuration_id = ?1";
    sqlite3_stmt *st;
    sqlite3_int64 id;
    char seed[24];
    int rc, s;

    if (r->experiment_id == 0)
        return 0;
    if (sqlite3_prepare_v2(r->db, find, -1, &st, NULL) != SQLITE_OK)
        return db_fail(r, err, "cannot look a configuration up");
    bind_key(st, r, c, seed);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? 0 :
               db_fail(r, err, "cannot look a configuration up");
    }
    memset(res, 0, sizeof *res);
    id = sqlite3_column_int64(st, 0);
    res->tasks = (long)sqlite3_column_int64(st, 1);
    res->workers_started = sqlite3_column_int(st, 2);
    res->cores = sqlite3_column_int(st, 3);
    res->makespan_s = sqlite3_column_double(st, 4);
    res->throughput_tps = sqlite3_column_double(st, 5);
    res->latency_mean_s = sqlite3_column_double(st, 6);
    res->latency_p50_s = sqlite3_column_double(st, 7);
    res->latency_p99_s = sqlite3_column_double(st, 8);
    res->logging_busy_s = sqlite3_column_double(st, 9);
    res->gil_busy_s = sqlite3_column_double(st, 10);
    res->handler_busy_s = sqlite3_column_double(st, 11);
    res->core_utilization = sqlite3_column_double(st, 12);
    res->events = (long)sqlite3_column_int64(st, 13);
    res->wakeups = (long)sqlite3_column_int64(st, 14);
    res->gc_full_collections = (long)sqlite3_column_int64(st, 15);
    res->gc_busy_s = sqlite3_column_double(st, 16);
    res->record_handoffs = sqlite3_column_double(st, 17);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(r->db, stages, -1, &st, NULL) != SQLITE_OK)
        return db_fail(r, err, "cannot read stage_busy");
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s = model_stage_lookup((const char *)sqlite3_column_text(st, 0));
        if (s >= 0)
            res->stage_busy_s[s] = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(r, err, "cannot read stage_busy");
    /* A configuration stored before version 3 has none: 0 here. */
    if (sqlite3_prepare_v2(r->db, threads, -1, &st, NULL) != SQLITE_OK)
        return db_fail(r, err, "cannot read thread_busy");
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        for (s = 0; s < SIM_ROLE_COUNT; s++)
            if (name && !strcmp(name, sim_role_name(s))) {
                res->role_cpu_s[s] = sqlite3_column_double(st, 1);
                res->role_dead_s[s] = sqlite3_column_double(st, 2);
                res->role_logging_s[s] = sqlite3_column_double(st, 3);
            }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(r, err, "cannot read thread_busy");
    return 1;
}

/* Insert the experiment row; sets r->experiment_id. Inside a transaction. */
static int insert_experiment(results *r)
{
    static const char sql[] =
        "INSERT INTO experiments (name, file, file_hash, created_at, seed,"
        " model_path, model_name, model_hash, model_calibrated,"
        " model_parsl_version, revision) VALUES (?1, ?2, ?3,"
        " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->file_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->seed, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->model_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->model_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->model_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, r->model_calibrated);
    sqlite3_bind_text(st, 9, r->model_parsl, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, SIM_REVISION, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -1;
    r->experiment_id = sqlite3_last_insert_rowid(r->db);
    return 0;
}

/* Insert c's configuration, metrics and stage rows. Inside a transaction. */
static int insert_rows(results *r, const experiment_config *c,
                       const sim_result *res)
{
    static const char conf[] =
        "INSERT INTO configurations (experiment_id, workload, size, tasks,"
        " executor, workers, workers_started, logging, cores, replication,"
        " seed, overrides) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
        " ?11, ?12)";
    static const char metr[] =
        "INSERT INTO metrics (configuration_id, makespan_s, throughput_tps,"
        " latency_mean_s, latency_p50_s, latency_p99_s, logging_busy_s,"
        " gil_busy_s, handler_busy_s, core_utilization, events, wakeups,"
        " gc_full_collections, gc_busy_s, record_handoffs)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
    static const char stage[] =
        "INSERT INTO stage_busy (configuration_id, stage, busy_s)"
        " VALUES (?1, ?2, ?3)";
    static const char thread[] =
        "INSERT INTO thread_busy (configuration_id, role, cpu_s, dead_s, logging_s)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st = NULL;
    sqlite3_int64 id;
    char seed[24];
    int s;

    snprintf(seed, sizeof seed, "%" PRIu64, c->seed);
    if (sqlite3_prepare_v2(r->db, conf, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, r->experiment_id);
    sqlite3_bind_text(st, 2, sim_workload_name(c->workload), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->size);
    sqlite3_bind_int64(st, 4, res->tasks);
    sqlite3_bind_text(st, 5, sim_executor_name(c->executor), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, c->workers);
    sqlite3_bind_int(st, 7, res->workers_started);
    sqlite3_bind_text(st, 8, sim_logging_name(c->logging), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, c->cores);
    sqlite3_bind_int(st, 10, c->replication);
    sqlite3_bind_text(st, 11, seed, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, r->overrides, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    id = sqlite3_last_insert_rowid(r->db);
    if (sqlite3_prepare_v2(r->db, metr, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_double(st, 2, res->makespan_s);
    sqlite3_bind_double(st, 3, res->throughput_tps);
    sqlite3_bind_double(st, 4, res->latency_mean_s);
    sqlite3_bind_double(st, 5, res->latency_p50_s);
    sqlite3_bind_double(st, 6, res->latency_p99_s);
    sqlite3_bind_double(st, 7, res->logging_busy_s);
    sqlite3_bind_double(st, 8, res->gil_busy_s);
    sqlite3_bind_double(st, 9, res->handler_busy_s);
    sqlite3_bind_double(st, 10, res->core_utilization);
    sqlite3_bind_int64(st, 11, res->events);
    sqlite3_bind_int64(st, 12, res->wakeups);
    sqlite3_bind_int64(st, 13, res->gc_full_collections);
    sqlite3_bind_double(st, 14, res->gc_busy_s);
    sqlite3_bind_double(st, 15, res->record_handoffs);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(r->db, stage, -1, &st, NULL) != SQLITE_OK)
        return -1;
    for (s = 0; s < STAGE_COUNT; s++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, model_stage_name(s), -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, res->stage_busy_s[s]);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(r->db, thread, -1, &st, NULL) != SQLITE_OK)
        return -1;
    for (s = 0; s < SIM_ROLE_COUNT; s++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, sim_role_name(s), -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, res->role_cpu_s[s]);
        sqlite3_bind_double(st, 4, res->role_dead_s[s]);
        sqlite3_bind_double(st, 5, res->role_logging_s[s]);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    return 0;
fail:
    sqlite3_finalize(st);
    return -1;
}

int results_store(results *r, const experiment_config *c,
                  const sim_result *res, sim_error *err)
{
    int is_new = r->experiment_id == 0, exists = 0;

    if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(r, err, "cannot begin a transaction");
    /* Another sim running the same experiment may have stored c since
    ** results_find; runs are deterministic, so its rows stand. */
    if (!is_new)
        exists = config_exists(r, c);
    if (exists < 0 || (is_new && insert_experiment(r) < 0) ||
        (!exists && insert_rows(r, c, res) < 0) ||
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(r, err, "cannot store a configuration");
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        if (is_new)
            r->experiment_id = 0;
        return SIM_EDB;
    }
    return 0;
}
