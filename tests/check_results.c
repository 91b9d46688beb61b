/*
** Tests of the results store (sim/results.c): exact store/find round
** trips, one transaction per configuration (a failure injected by a
** trigger leaves nothing of that configuration), nothing written before
** the first configuration is stored, resume and --fresh, and errors that
** name the database file.
*/
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/results.h"
#include "suites.h"

static char dir[64], db[128];
static model m;

static void setup(void)
{
    sim_error err;

    snprintf(dir, sizeof dir, "/tmp/sim_check_results_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/r.db", dir);
    ck_assert_int_eq(model_load(&m, "models/default.yaml", &err), 0);
}

static void teardown(void)
{
    char p[160];

    unlink(db);
    snprintf(p, sizeof p, "%s-journal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s/junk.db", dir);
    unlink(p);
    rmdir(dir);
}

/* Run sql on the database directly; returns the first column of the
** first row as an integer (or 0). */
static long query(const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    long v = 0;
    int rc;

    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
    rc = sqlite3_step(st);
    ck_assert(rc == SQLITE_ROW || rc == SQLITE_DONE);
    if (rc == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void fake_result(sim_result *r, const experiment_config *c, int k)
{
    int s;

    memset(r, 0, sizeof *r);
    r->tasks = c->tasks;
    r->workers_started = c->workers;
    r->cores = c->cores;
    r->makespan_s = 0.1 + k / 3.0;
    r->throughput_tps = r->tasks / r->makespan_s;
    r->latency_mean_s = 1e-3 / 7;
    r->latency_p50_s = 1e-3 / 9;
    r->latency_p99_s = 1e-2 / 11;
    for (s = 0; s < STAGE_COUNT; s++)
        r->stage_busy_s[s] = (s + 1) * 1e-4 / 3 + k;
    r->logging_busy_s = 0.3 + k;
    r->gil_busy_s = 0.2 + k;
    r->handler_busy_s = 0.05 + k;
    r->core_utilization = 0.75;
    r->events = 123456789L + k;
    r->wakeups = 4321 + k;
    r->record_handoffs = 1234.5 / 7 + k;
    r->gc_full_collections = 3 + k;
    r->gc_busy_s = 0.25 / 3 + k;
    for (s = 0; s < SIM_ROLE_COUNT; s++) {
        r->role_cpu_s[s] = (s + 1) * 1e-3 / 7 + k;
        r->role_dead_s[s] = (s + 2) * 1e-3 / 13 + k;
        r->role_logging_s[s] = (s + 3) * 1e-3 / 17 + k;
    }
}

static experiment *single(int reps, uint64_t seed)
{
    experiment *e;
    sim_error err;

    ck_assert_int_eq(experiment_single(&e, WORKLOAD_DOUBLE, 100,
                                       EXECUTOR_HTEX, 4, LOGGING_ON, 2, seed,
                                       reps, &err), 0);
    return e;
}

START_TEST(test_store_find_exact)
{
    experiment *e = single(1, 18446744073709551615ULL);
    results *r;
    sim_result in, out;
    sim_error err;

    ck_assert_int_eq(results_open(&r, db, &err), 0);
    ck_assert_int_eq(results_begin(r, e, &m, 0, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[0], &out, &err), 0);
    fake_result(&in, &e->configs[0], 0);
    ck_assert_int_eq(results_store(r, &e->configs[0], &in, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[0], &out, &err), 1);
    ck_assert_int_eq(memcmp(&in, &out, sizeof in), 0);
    results_close(r);
    ck_assert_int_eq(query("SELECT count(*) FROM experiments WHERE name = 'run'"
                           " AND seed = '18446744073709551615' AND model_name"
                           " = '5bce98f73f3e' AND model_calibrated = 1 AND"
                           " length(model_hash) = 16 AND file = ''"), 1);
    ck_assert_int_eq(query("SELECT count(*) FROM configurations WHERE"
                           " workload = 'double' AND size = 100 AND tasks ="
                           " 100 AND executor = 'htex' AND logging = 'on' AND"
                           " cores = 2 AND overrides = '{}'"), 1);
    ck_assert_int_eq(query("SELECT events FROM metrics"), 123456789L);
    ck_assert_int_eq(query("SELECT count(*) FROM stage_busy"), STAGE_COUNT);
    ck_assert_int_eq(query("SELECT gc_full_collections FROM metrics"), 3);
    ck_assert_int_eq(query("SELECT count(*) FROM thread_busy"), SIM_ROLE_COUNT);
    ck_assert_int_eq(query("PRAGMA user_version"), 4);
    experiment_free(e);
}
END_TEST

/* An old store made by old_sql is upgraded when opened: a result stored
** in it after reads back whole, and the version is this sim's. */
static void store_in_upgraded(const char *old_sql)
{
    experiment *e = single(2, 5);
    results *r;
    sim_result in, out;
    sim_error err;
    sqlite3 *old;

    ck_assert_int_eq(sqlite3_open(db, &old), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(old, old_sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(old);
    ck_assert_int_eq(results_open(&r, db, &err), 0);
    ck_assert_int_eq(results_begin(r, e, &m, 0, &err), 0);
    fake_result(&in, &e->configs[0], 1);
    ck_assert_int_eq(results_store(r, &e->configs[0], &in, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[0], &out, &err), 1);
    ck_assert_int_eq(memcmp(&in, &out, sizeof in), 0);
    results_close(r);
    ck_assert_int_eq(query("PRAGMA user_version"), 4);
    experiment_free(e);
}

/* A version 1 store (no wakeups or collections in metrics, no
** thread_busy): its rows read back with 0 there, new ones are whole. */
START_TEST(test_upgrade_from_version_1)
{
    store_in_upgraded(
        "CREATE TABLE metrics (configuration_id INTEGER PRIMARY KEY, makespan_s REAL NOT NULL,"
        " throughput_tps REAL NOT NULL, latency_mean_s REAL NOT NULL, latency_p50_s REAL NOT NULL,"
        " latency_p99_s REAL NOT NULL, logging_busy_s REAL NOT NULL, gil_busy_s REAL NOT NULL,"
        " handler_busy_s REAL NOT NULL, core_utilization REAL NOT NULL, events INTEGER NOT NULL);"
        "PRAGMA user_version = 1;");
    ck_assert_int_eq(query("SELECT wakeups FROM metrics"), 4322);
}
END_TEST

/* A version 3 store (thread_busy without logging_s): its rows keep their
** values and read 0 there. */
START_TEST(test_upgrade_from_version_3)
{
    store_in_upgraded(
        "CREATE TABLE thread_busy (configuration_id INTEGER NOT NULL, role TEXT NOT NULL,"
        " cpu_s REAL NOT NULL, dead_s REAL NOT NULL, PRIMARY KEY (configuration_id, role));"
        "INSERT INTO thread_busy VALUES (99, 'main', 0.5, 0.25);"
        "PRAGMA user_version = 3;");
    ck_assert_int_eq(query("SELECT count(*) FROM thread_busy WHERE configuration_id = 99"
                           " AND cpu_s = 0.5 AND logging_s = 0"), 1);
}
END_TEST

START_TEST(test_nothing_before_first_store)
{
    experiment *e = single(1, 1);
    results *r;
    sim_error err;

    ck_assert_int_eq(results_open(&r, db, &err), 0);
    ck_assert_int_eq(results_begin(r, e, &m, 0, &err), 0);
    results_close(r);
    ck_assert_int_eq(query("SELECT count(*) FROM experiments"), 0);
    ck_assert_int_eq(query("SELECT count(*) FROM configurations"), 0);
    experiment_free(e);
}
END_TEST

START_TEST(test_transaction_per_configuration)
{
    experiment *e = single(2, 5);
    results *r;
    sim_result res;
    sim_error err;
    sqlite3 *h;

    ck_assert_int_eq(results_open(&r, db, &err), 0);
    ck_assert_int_eq(results_begin(r, e, &m, 0, &err), 0);
    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "CREATE TRIGGER fail BEFORE INSERT ON"
                                  " stage_busy WHEN NEW.stage = 'collect'"
                                  " BEGIN SELECT RAISE(ABORT, 'injected');"
                                  " END", NULL, NULL, NULL), SQLITE_OK);
    fake_result(&res, &e->configs[0], 0);
    ck_assert_int_eq(results_store(r, &e->configs[0], &res, &err), SIM_EDB);
    ck_assert_str_eq(err.file, db);
    ck_assert_str_eq(err.message, "cannot store a configuration: injected");
    ck_assert_int_eq(query("SELECT count(*) FROM experiments"), 0);
    ck_assert_int_eq(query("SELECT count(*) FROM configurations"), 0);
    ck_assert_int_eq(query("SELECT count(*) FROM metrics"), 0);
    ck_assert_int_eq(query("SELECT count(*) FROM stage_busy"), 0);

    ck_assert_int_eq(sqlite3_exec(h, "DROP TRIGGER fail", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(results_store(r, &e->configs[0], &res, &err), 0);
    ck_assert_int_eq(sqlite3_exec(h, "CREATE TRIGGER fail BEFORE INSERT ON"
                                  " metrics BEGIN SELECT RAISE(ABORT, 'x');"
                                  " END", NULL, NULL, NULL), SQLITE_OK);
    fake_result(&res, &e->configs[1], 1);
    ck_assert_int_eq(results_store(r, &e->configs[1], &res, &err), SIM_EDB);
    ck_assert_int_eq(query("SELECT count(*) FROM experiments"), 1);
    ck_assert_int_eq(query("SELECT count(*) FROM configurations"), 1);
    ck_assert_int_eq(query("SELECT count(*) FROM metrics"), 1);
    ck_assert_int_eq(query("SELECT count(*) FROM stage_busy"), STAGE_COUNT);
    sqlite3_close(h);
    results_close(r);
    experiment_free(e);
}
END_TEST

START_TEST(test_resume_and_fresh)
{
    experiment *e = single(4, 9);
    results *r;
    sim_result res;
    sim_error err;
    model other;
    int i;

    ck_assert_int_eq(results_open(&r, db, &err), 0);
    ck_assert_int_eq(results_begin(r, e, &m, 0, &err), 0);
    for (i = 0; i < 2; i++) {
        fake_result(&res, &e->configs[i], i);
        ck_assert_int_eq(results_store(r, &e->configs[i], &res, &err), 0);
    }
    results_close(r);

    /* The same experiment again: the first two are found. */
    ck_assert_int_eq(results_open(&r, db, &err), 0);
    ck_assert_int_eq(results_begin(r, e, &m, 0, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[0], &res, &err), 1);
    ck_assert_double_eq(res.makespan_s, 0.1);
    ck_assert_int_eq(results_find(r, &e->configs[1], &res, &err), 1);
    ck_assert_int_eq(results_find(r, &e->configs[2], &res, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[3], &res, &err), 0);
    fake_result(&res, &e->configs[2], 2);
    ck_assert_int_eq(results_store(r, &e->configs[2], &res, &err), 0);
    ck_assert_int_eq(query("SELECT count(*) FROM experiments"), 1);
    ck_assert_int_eq(query("SELECT count(*) FROM configurations"), 3);
    /* Stored meanwhile by another sim: storing again keeps the one row. */
    ck_assert_int_eq(results_store(r, &e->configs[2], &res, &err), 0);
    ck_assert_int_eq(query("SELECT count(*) FROM configurations"), 3);
    ck_assert_int_eq(query("SELECT count(*) FROM stage_busy"), 3 * STAGE_COUNT);

    /* --fresh: a new experiment row, nothing found. */
    ck_assert_int_eq(results_begin(r, e, &m, 1, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[0], &res, &err), 0);
    fake_result(&res, &e->configs[3], 3);
    ck_assert_int_eq(results_store(r, &e->configs[3], &res, &err), 0);
    ck_assert_int_eq(query("SELECT count(*) FROM experiments"), 2);

    /* Without --fresh the newest row is the one resumed. */
    ck_assert_int_eq(results_begin(r, e, &m, 0, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[0], &res, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[3], &res, &err), 1);

    /* Another model is another experiment. */
    other = m;
    snprintf(other.hash, sizeof other.hash, "0123456789abcdef");
    ck_assert_int_eq(results_begin(r, e, &other, 0, &err), 0);
    ck_assert_int_eq(results_find(r, &e->configs[3], &res, &err), 0);
    results_close(r);
    experiment_free(e);
}
END_TEST

START_TEST(test_open_errors)
{
    char junk[160];
    results *r = (results *)1;
    sim_error err;
    FILE *f;

    ck_assert_int_eq(results_open(&r, "/nonexistent/dir/r.db", &err), SIM_EDB);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err.file, "/nonexistent/dir/r.db");
    ck_assert_str_eq(err.message, "cannot open: unable to open database file");

    snprintf(junk, sizeof junk, "%s/junk.db", dir);
    f = fopen(junk, "w");
    fputs("this is not a database, but it is long enough to look like one "
          "to a reader that only checks the size of the header", f);
    fclose(f);
    ck_assert_int_eq(results_open(&r, junk, &err), SIM_EDB);
    ck_assert_str_eq(err.file, junk);
    ck_assert_str_eq(err.message, "cannot read the schema version: file is "
                     "not a database");
}
END_TEST

Suite *results_suite(void)
{
    Suite *s = suite_create("results");
    TCase *tc = tcase_create("results");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_store_find_exact);
    tcase_add_test(tc, test_nothing_before_first_store);
    tcase_add_test(tc, test_transaction_per_configuration);
    tcase_add_test(tc, test_resume_and_fresh);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_upgrade_from_version_1);
    tcase_add_test(tc, test_upgrade_from_version_3);
    suite_add_tcase(s, tc);
    return s;
}
