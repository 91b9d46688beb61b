/*
** Tests of the trace store (calibrate/tracestore.c): a real HTEX run
** (parsl.log, worker logs, profile) ingested and queried; re-ingesting is
** a no-op; a failed ingest leaves the store exactly as it was.
*/
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../calibrate/tracestore.h"

#define DATA "tests/data/calibrate/"
#define WORKERS DATA "htex_100/htex/block-0/94868c9eb4ea/"

static char store_path[64];

static void setup(void)
{
    int fd;

    snprintf(store_path, sizeof store_path, "/tmp/check_ts_XXXXXX");
    fd = mkstemp(store_path);
    close(fd);
    unlink(store_path);
}

static void teardown(void)
{
    char p[80];

    unlink(store_path);
    snprintf(p, sizeof p, "%s-wal", store_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", store_path);
    unlink(p);
}

static long long query(tracestore *ts, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;

    ck_assert_int_eq(sqlite3_prepare_v2(tracestore_db(ts), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Every row of every table, as one number that changes when any row does. */
static long long fingerprint(tracestore *ts)
{
    return query(ts, "SELECT (SELECT count(*) FROM files) * 1000000000"
                     " + (SELECT count(*) FROM task_events) * 100000"
                     " + (SELECT count(*) FROM tasks) * 1000"
                     " + (SELECT count(*) FROM log_counts) * 10"
                     " + (SELECT count(*) FROM profile_summary)");
}

static int64_t add_run(tracestore *ts)
{
    tracestore_run r;
    int64_t id = 0;
    sim_error err;

    memset(&r, 0, sizeof r);
    snprintf(r.bundle, sizeof r.bundle, "tests/data/calibrate");
    snprintf(r.name, sizeof r.name, "htex_100");
    snprintf(r.workload, sizeof r.workload, "double");
    r.size = 100;
    r.tasks = 100;
    snprintf(r.executor, sizeof r.executor, "htex");
    r.workers_requested = 2;
    r.workers_started = 2;
    snprintf(r.logging, sizeof r.logging, "on");
    r.makespan_s = -1;
    r.load_s = r.shutdown_s = -1;
    ck_assert_int_eq(tracestore_run_add(ts, &r, &id, &err), 0);
    return id;
}

START_TEST(ingest_htex_run)
{
    tracestore *ts;
    sim_error err;
    int64_t run;
    int skipped = -1;

    ck_assert_int_eq(tracestore_open(&ts, store_path, &err), 0);
    run = add_run(ts);
    ck_assert_int_eq(add_run(ts), run);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, DATA "htex_100/parsl.log.gz", &skipped, &err), 0);
    ck_assert_int_eq(skipped, 0);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, WORKERS "worker_0.log", &skipped, &err), 0);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, WORKERS "worker_1.log", &skipped, &err), 0);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, WORKERS "manager.log", &skipped, &err), 0);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, DATA "htex_100/htex/interchange.log", &skipped, &err), 0);
    ck_assert_int_eq(tracestore_ingest_profile(ts, run, DATA "htex_100.pyi.json", &skipped, &err), 0);

    ck_assert_int_eq(query(ts, "SELECT count(*) FROM files"), 6);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM tasks"), 100);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM tasks WHERE final_state='exec_done'"
                               " AND submit_time < launch_time AND launch_time < done_time"), 100);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM tasks WHERE executor_id = task_id + 1"), 100);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM tasks WHERE app='double' AND deps=0"), 100);
    /* 7 events per task in parsl.log, 3 in the worker logs */
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM task_events"), 1000);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM task_events WHERE role='htex_worker'"
                               " AND task_id = executor_id - 1"), 300);
    ck_assert_int_eq(query(ts, "SELECT sum(records) FROM log_counts WHERE task_id >= 0 AND role='main'"), 800);
    ck_assert_int_eq(query(ts, "SELECT sum(records) FROM log_counts WHERE task_id >= 0 AND role='htex_worker'"), 300);
    ck_assert_int_eq(query(ts, "SELECT sum(records) FROM log_counts WHERE task_id = -1"), 86 + 4 + 21 + 2 + 8 + 8);
    ck_assert_int_eq(query(ts, "SELECT sum(records) FROM files"), 2211 + 302 + 8 + 8);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM runs WHERE parsl_version='2026.10.26'"), 1);
    ck_assert_int_eq(query(ts, "SELECT CAST(round(seconds * 1e6) AS INTEGER) FROM profile_summary"
                               " WHERE bucket='submit'"), 44651);

    /* the same content again is a no-op */
    {
        long long before = fingerprint(ts);
        ck_assert_int_eq(tracestore_ingest_log(ts, run, DATA "htex_100/parsl.log.gz", &skipped, &err), 0);
        ck_assert_int_eq(skipped, 1);
        ck_assert_int_eq(tracestore_ingest_profile(ts, run, DATA "htex_100.pyi.json", &skipped, &err), 0);
        ck_assert_int_eq(skipped, 1);
        ck_assert_int_eq(fingerprint(ts), before);
    }
    tracestore_close(ts);

    /* it persists, and reopening keeps the schema */
    ck_assert_int_eq(tracestore_open(&ts, store_path, &err), 0);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM tasks"), 100);
    ck_assert_int_eq(query(ts, "PRAGMA user_version"), 1);
    tracestore_close(ts);
}
END_TEST

/* A log that fails after hundreds of events were written, a bad profile
** and an unknown format: each leaves every table as it was. */
START_TEST(failed_ingest_unchanged)
{
    const char *trunc = "/tmp/check_ts_trunc.log.gz";
    const char *bad = "/tmp/check_ts_bad.log";
    const char *badjson = "/tmp/check_ts_bad.json";
    char cmd[256];
    tracestore *ts;
    sim_error err;
    int64_t run;
    long long before;
    FILE *f;

    ck_assert_int_eq(tracestore_open(&ts, store_path, &err), 0);
    run = add_run(ts);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, DATA "threads_100/parsl.log.gz", NULL, &err), 0);
    before = fingerprint(ts);
    ck_assert(before > 0);

    snprintf(cmd, sizeof cmd, "head -c 10000 %s > %s", DATA "htex_100/parsl.log.gz", trunc);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, trunc, NULL, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 1007);
    ck_assert_int_eq(fingerprint(ts), before);

    f = fopen(bad, "w");
    fputs("hello\n", f);
    fclose(f);
    ck_assert_int_eq(tracestore_ingest_log(ts, run, bad, NULL, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(fingerprint(ts), before);

    f = fopen(badjson, "w");
    fputs("{\"start_time\": 1.0,\n \"duration\": 2.0", f);
    fclose(f);
    ck_assert_int_eq(tracestore_ingest_profile(ts, run, badjson, NULL, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(fingerprint(ts), before);

    /* the failed files can be ingested later once fixed: nothing remembered */
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM files"), 1);
    tracestore_close(ts);
    remove(trunc);
    remove(bad);
    remove(badjson);
}
END_TEST

/* A Parsl monitoring.db: its status rows become task events with Unix
** times; a database without a status table is refused, store unchanged. */
START_TEST(monitoring_db)
{
    tracestore *ts;
    sim_error err;
    sqlite3 *db;
    char mon[80], bad[80];
    long long before;
    int skipped = -1;

    snprintf(mon, sizeof mon, "%s.mon.db", store_path);
    snprintf(bad, sizeof bad, "%s.bad.db", store_path);
    ck_assert_int_eq(sqlite3_open(mon, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
        "CREATE TABLE status(task_id INTEGER NOT NULL, task_status_name TEXT NOT NULL,"
        " timestamp DATETIME NOT NULL, run_id TEXT NOT NULL, try_id INTEGER NOT NULL);"
        "INSERT INTO status VALUES(0, 'pending', '2026-11-24 04:11:56.010453', 'r', 0);"
        "INSERT INTO status VALUES(0, 'launched', '2026-11-24 04:11:56.016005', 'r', 0);"
        "INSERT INTO status VALUES(0, 'exec_done', '2026-11-24 04:11:56.5', 'r', 0);",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(sqlite3_open(bad, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE other(x);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    ck_assert_int_eq(tracestore_open(&ts, store_path, &err), 0);
    ck_assert_int_eq(tracestore_ingest_monitoring(ts, add_run(ts), mon, &skipped, &err), 0);
    ck_assert_int_eq(skipped, 0);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM task_events WHERE event = 'monitoring'"), 3);
    /* 2026-11-24 04:11:56.5 UTC is Unix 1795493516.5 */
    ck_assert_int_eq(query(ts, "SELECT round(max(time) * 10) FROM task_events"), 17954935165LL);
    ck_assert_int_eq(query(ts, "SELECT count(*) FROM task_events WHERE state = 'launched'"), 1);
    before = fingerprint(ts);
    ck_assert_int_eq(tracestore_ingest_monitoring(ts, 1, bad, NULL, &err), SIM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.file, ".bad.db"));
    ck_assert_ptr_nonnull(strstr(err.message, "not a Parsl monitoring database"));
    ck_assert_int_eq(fingerprint(ts), before);
    ck_assert_int_eq(tracestore_ingest_monitoring(ts, 1, mon, &skipped, &err), 0);
    ck_assert_int_eq(skipped, 1);
    ck_assert_int_eq(fingerprint(ts), before);
    tracestore_close(ts);
    unlink(mon);
    unlink(bad);
}
END_TEST

START_TEST(hash_and_micro)
{
    tracestore *ts;
    sim_error err;
    char hex[17];
    int64_t size;
    FILE *f = fopen("/tmp/check_ts_hash", "w");

    fputs("a", f);
    fclose(f);
    ck_assert_int_eq(tracestore_file_hash("/tmp/check_ts_hash", hex, &size, &err), 0);
    ck_assert_str_eq(hex, "af63dc4c8601ec8c");   /* FNV-1a 64 of "a" */
    ck_assert_int_eq(size, 1);
    remove("/tmp/check_ts_hash");
    ck_assert_int_eq(tracestore_file_hash("/nonexistent", hex, &size, &err), SIM_EIO);

    ck_assert_int_eq(tracestore_open(&ts, store_path, &err), 0);
    ck_assert_int_eq(tracestore_micro_add(ts, "micro.json", "log_record_enabled", 8e-6, 1e-6, 1000, &err), 0);
    ck_assert_int_eq(tracestore_micro_add(ts, "micro.json", "log_record_enabled", 9e-6, 1e-6, 2000, &err), 0);
    ck_assert_int_eq(query(ts, "SELECT n FROM micro WHERE bench='log_record_enabled'"), 2000);
    tracestore_close(ts);
}
END_TEST

Suite *tracestore_suite(void)
{
    Suite *s = suite_create("tracestore");
    TCase *tc = tcase_create("store");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, ingest_htex_run);
    tcase_add_test(tc, failed_ingest_unchanged);
    tcase_add_test(tc, hash_and_micro);
    tcase_add_test(tc, monitoring_db);
    suite_add_tcase(s, tc);
    return s;
}
