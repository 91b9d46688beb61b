/*
** Tests of the experiment file (sim/experiment.c): the sweep's cartesian
** product and its order, per-workload sizes, seeds per replication, the
** shipped experiment files, overrides, single command-line runs, and
** every bad-input case with its code, line and column.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/experiment.h"
#include "../sim/sim.h"
#include "suites.h"

static char path[64];

static void setup(void)
{
    int fd;

    snprintf(path, sizeof path, "/tmp/sim_check_exp_XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void teardown(void)
{
    unlink(path);
}

static const char *put(const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Lines 1-4; the sweep's keys on lines 5-9, values at columns 13, 9, 13,
** 12 and 12. */
#define HEAD "name: t\nseed: 1\nreplications: 1\nsweep:\n"
#define SW(w, s, e, k, l) \
    "  workload: " w "\n  size: " s "\n  executor: " e "\n  workers: " k \
    "\n  logging: " l "\n"
#define OK SW("[double]", "[10]", "[threads]", "[4]", "[on]")

START_TEST(test_product)
{
    experiment *e;
    sim_error err;
    const experiment_config *c;

    ck_assert_int_eq(experiment_load(&e, put(
        "name: t\ndescription: d\nseed: 7\nreplications: 2\nsweep:\n"
        SW("[double, fibonacci]", "[10, 20]", "[threads, htex]",
           "[1, 2, 3]", "[on, off]")), &err), 0);
    ck_assert_int_eq(e->n_configs, 2 * 2 * 2 * 3 * 2 * 2);
    ck_assert_str_eq(e->name, "t");
    ck_assert_str_eq(e->description, "d");
    ck_assert_str_eq(e->model_path, "");
    ck_assert_int_eq(e->compare_logging, 0);
    c = &e->configs[0];
    ck_assert_int_eq(c->workload, WORKLOAD_DOUBLE);
    ck_assert_int_eq(c->size, 10);
    ck_assert_int_eq(c->tasks, 10);
    ck_assert_int_eq(c->executor, EXECUTOR_THREADS);
    ck_assert_int_eq(c->workers, 1);
    ck_assert_int_eq(c->logging, LOGGING_ON);
    ck_assert_int_eq(c->cores, 0);
    ck_assert_int_eq(c->replication, 0);
    ck_assert_uint_eq(c->seed, 7);
    c = &e->configs[1];
    ck_assert_int_eq(c->replication, 1);
    ck_assert_uint_eq(c->seed, 7 + EXPERIMENT_SEED_STEP);
    ck_assert_int_eq(e->configs[2].logging, LOGGING_OFF);
    ck_assert_uint_eq(e->configs[2].seed, 7);
    ck_assert_int_eq(e->configs[4].workers, 2);
    ck_assert_int_eq(e->configs[12].executor, EXECUTOR_HTEX);
    ck_assert_int_eq(e->configs[24].size, 20);
    c = &e->configs[e->n_configs - 1];
    ck_assert_int_eq(c->workload, WORKLOAD_FIBONACCI);
    ck_assert_int_eq(c->size, 20);
    ck_assert_int_eq(c->tasks, 43782);
    ck_assert_int_eq(c->replication, 1);
    experiment_free(e);
}
END_TEST

START_TEST(test_size_mapping)
{
    experiment *e;
    sim_error err;

    ck_assert_int_eq(experiment_load(&e, put(HEAD
        SW("[increment, fibonacci]", "{fibonacci: [5], increment: [11, 101, 1001]}",
           "[htex]", "[8]", "[off_all]") "cores: 4\ncompare: logging\n"),
        &err), 0);
    ck_assert_int_eq(e->n_configs, 4);
    ck_assert_int_eq(e->configs[0].workload, WORKLOAD_INCREMENT);
    ck_assert_int_eq(e->configs[0].tasks, 10);
    ck_assert_int_eq(e->configs[1].tasks, 100);
    ck_assert_int_eq(e->configs[2].size, 1001);
    ck_assert_int_eq(e->configs[2].tasks, 1000);
    ck_assert_int_eq(e->configs[3].workload, WORKLOAD_FIBONACCI);
    ck_assert_int_eq(e->configs[3].size, 5);
    ck_assert_int_eq(e->configs[3].tasks, 30);
    ck_assert_int_eq(e->configs[3].cores, 4);
    ck_assert_int_eq(e->configs[3].logging, LOGGING_OFF_ALL);
    ck_assert_int_eq(e->compare_logging, 1);
    experiment_free(e);
}
END_TEST

START_TEST(test_shipped)
{
    static const long fib_tasks[] = {10, 82, 930, 10334, 114626, 1271242};
    experiment *e;
    sim_error err;
    long i, n = 0;

    ck_assert_int_eq(experiment_load(&e, "experiments/logging_off.yaml",
                                     &err), 0);
    ck_assert_int_eq(e->n_configs, 3 * 6 * 2 * 4 * 2);
    ck_assert_int_eq(e->compare_logging, 1);
    ck_assert_str_eq(e->model_path, "models/default.yaml");
    for (i = 0; i < e->n_configs; i++) {
        const experiment_config *c = &e->configs[i];

        if (c->workload == WORKLOAD_FIBONACCI && c->executor == EXECUTOR_HTEX &&
            c->workers == 24 && c->logging == LOGGING_ON)
            ck_assert_int_eq(c->tasks, fib_tasks[n++]);
        if (c->workload != WORKLOAD_FIBONACCI && c->workers == 24 &&
            c->executor == EXECUTOR_THREADS && c->logging == LOGGING_OFF)
            ck_assert(c->tasks == 10 || c->tasks == 100 || c->tasks == 1000 ||
                      c->tasks == 10000 || c->tasks == 100000 ||
                      c->tasks == 1000000);
    }
    ck_assert_int_eq(n, 6);
    experiment_free(e);
    ck_assert_int_eq(experiment_load(&e, "experiments/quick.yaml", &err), 0);
    ck_assert_int_gt(e->n_configs, 0);
    experiment_free(e);
}
END_TEST

START_TEST(test_overrides)
{
    experiment *e;
    sim_error err;
    model m;

    ck_assert_int_eq(experiment_load(&e, put(HEAD OK
        "overrides:\n  stages.submit.mean_s: 1e-3\n"
        "  logging.record_enabled_s: 0\n"), &err), 0);
    ck_assert_int_eq(e->n_overrides, 2);
    ck_assert_str_eq(e->overrides[0].key, "stages.submit.mean_s");
    ck_assert_str_eq(e->overrides[0].value, "1e-3");
    ck_assert_int_eq(e->overrides[0].line, 11);
    ck_assert_int_eq(model_load(&m, "models/default.yaml", &err), 0);
    ck_assert_int_eq(experiment_apply(e, &m, &err), 0);
    ck_assert_double_eq(m.stage[STAGE_SUBMIT].mean_s, 1e-3);
    ck_assert_double_eq(m.record_enabled_s, 0);
    experiment_free(e);
}
END_TEST

START_TEST(test_expand_again)
{
    experiment *e;
    sim_error err;

    ck_assert_int_eq(experiment_load(&e, put(HEAD OK), &err), 0);
    ck_assert_int_eq(e->n_configs, 1);
    e->replications = 3;
    e->seed = 100;
    e->cores = 8;
    ck_assert_int_eq(experiment_expand(e, &err), 0);
    ck_assert_int_eq(e->n_configs, 3);
    ck_assert_uint_eq(e->configs[2].seed, 100 + 2 * EXPERIMENT_SEED_STEP);
    ck_assert_int_eq(e->configs[2].cores, 8);
    e->replications = 0;
    ck_assert_int_eq(experiment_expand(e, &err), SIM_EINPUT);
    ck_assert_int_eq(e->n_configs, 3);
    experiment_free(e);
}
END_TEST

START_TEST(test_too_many_configurations)
{
    char text[2048];
    experiment *e;
    sim_error err;
    int n, k;

    n = snprintf(text, sizeof text, "name: t\nseed: 1\nreplications: 10000\n"
                 "sweep:\n  workload: [double]\n  size: [10]\n"
                 "  executor: [threads]\n  logging: [on]\n  workers: [1");
    for (k = 2; k <= 101; k++)
        n += snprintf(text + n, sizeof text - n, ", %d", k);
    snprintf(text + n, sizeof text - n, "]\n");
    ck_assert_int_eq(experiment_load(&e, put(text), &err), SIM_EINPUT);
    ck_assert_ptr_null(e);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 0);
    ck_assert_str_eq(err.message,
                     "the sweep expands to more than 1000000 configurations");
}
END_TEST

START_TEST(test_single)
{
    experiment *e;
    sim_error err;

    ck_assert_int_eq(experiment_single(&e, WORKLOAD_FIBONACCI, 5, EXECUTOR_HTEX,
                                       4, LOGGING_OFF, 0, 42, 2, &err), 0);
    ck_assert_int_eq(e->n_configs, 2);
    ck_assert_int_eq(e->configs[0].tasks, 30);
    ck_assert_uint_eq(e->configs[0].seed, 42);
    ck_assert_uint_eq(e->configs[1].seed, 42 + EXPERIMENT_SEED_STEP);
    ck_assert_str_eq(e->path, "");
    ck_assert_int_eq(strlen(e->hash), 16);
    experiment_free(e);

    ck_assert_int_eq(experiment_single(&e, WORKLOAD_DOUBLE, 10, EXECUTOR_HTEX,
                                       0, LOGGING_ON, 0, 1, 1, &err), SIM_EINPUT);
    ck_assert_ptr_null(e);
    ck_assert_str_eq(err.message, "workers must be >= 1, not 0");
    ck_assert_int_eq(experiment_single(&e, WORKLOAD_DOUBLE, 10, EXECUTOR_HTEX,
                                       -1, LOGGING_ON, 0, 1, 1, &err), SIM_EINPUT);
    ck_assert_str_eq(err.message, "workers must be >= 1, not -1");
    ck_assert_int_eq(experiment_single(&e, WORKLOAD_DOUBLE, 50000001,
                                       EXECUTOR_THREADS, 4, LOGGING_ON, 0, 1,
                                       1, &err), SIM_EINPUT);
    ck_assert_str_eq(err.message, "size 50000001 of double makes 50000001 "
                     "tasks, more than the 50000000 one run can hold in memory");
    ck_assert_int_eq(experiment_single(&e, WORKLOAD_DOUBLE, 0,
                                       EXECUTOR_THREADS, 4, LOGGING_ON, 0, 1,
                                       1, &err), SIM_EINPUT);
    ck_assert_str_eq(err.message, "size must be >= 1, not 0");
    ck_assert_int_eq(experiment_single(&e, 7, 10, EXECUTOR_THREADS, 4,
                                       LOGGING_ON, 0, 1, 1, &err), SIM_EINPUT);
}
END_TEST

START_TEST(test_missing_file)
{
    experiment *e;
    sim_error err;

    ck_assert_int_eq(experiment_load(&e, "/nonexistent/x.yaml", &err), SIM_EIO);
    ck_assert_ptr_null(e);
    ck_assert_str_eq(err.message,
                     "cannot open '/nonexistent/x.yaml': No such file or directory");
}
END_TEST

static const struct bad {
    const char *text;
    int line, column;
    const char *message;
} bad[] = {
    {HEAD OK "bogus: 1\n", 10, 1, "unknown key 'bogus'"},
    {HEAD OK "  wokers: [1]\n", 10, 3, "unknown key 'wokers' in 'sweep'"},
    {HEAD SW("[double]", "[10]", "[threads]", "[0]", "[on]"), 8, 13,
     "workers must be from 1 to 1000000, not 0"},
    {HEAD SW("[double]", "[10]", "[threads]", "[-1]", "[on]"), 8, 13,
     "workers must be from 1 to 1000000, not -1"},
    {HEAD SW("[double]", "[10]", "[threads]", "4", "[on]"), 8, 12,
     "'workers' must be a list"},
    {HEAD SW("[double]", "[10]", "[threads]", "[]", "[on]"), 8, 12,
     "'workers' must not be empty"},
    {HEAD SW("[double]", "[10]", "[threads]", "[four]", "[on]"), 8, 13,
     "'workers' must be an integer"},
    {HEAD SW("[double]", "[10]", "[threads]", "[4, 4]", "[on]"), 8, 16,
     "workers 4 listed twice"},
    {HEAD SW("[double]", "[0]", "[threads]", "[4]", "[on]"), 6, 10,
     "size must be >= 1, not 0"},
    {HEAD SW("[double]", "[10, -5]", "[threads]", "[4]", "[on]"), 6, 14,
     "size must be >= 1, not -5"},
    {HEAD SW("[double]", "[60000000]", "[threads]", "[4]", "[on]"), 6, 10,
     "size 60000000 of double makes 60000000 tasks, more than the 50000000 "
     "one run can hold in memory"},
    {HEAD SW("[double, fibonacci]", "[40]", "[threads]", "[4]", "[on]"), 6, 10,
     "size 40 of fibonacci makes 662320562 tasks, more than the 50000000 "
     "one run can hold in memory"},
    {HEAD SW("[fibonacci]", "[60]", "[threads]", "[4]", "[on]"), 6, 10,
     "size 60 is out of range for fibonacci (a run makes 1 to 50000000 tasks)"},
    {HEAD SW("[increment]", "[1]", "[threads]", "[4]", "[on]"), 6, 10,
     "size 1 is out of range for increment (a run makes 1 to 50000000 tasks)"},
    {HEAD SW("[double]", "[]", "[threads]", "[4]", "[on]"), 6, 9,
     "'size' must not be empty"},
    {HEAD SW("[]", "[10]", "[threads]", "[4]", "[on]"), 5, 13,
     "'workload' must not be empty"},
    {HEAD SW("[dubble]", "[10]", "[threads]", "[4]", "[on]"), 5, 14,
     "unknown workload 'dubble' (double, increment or fibonacci)"},
    {HEAD SW("[double]", "[10]", "[processes]", "[4]", "[on]"), 7, 14,
     "unknown executor 'processes' (threads or htex)"},
    {HEAD SW("[double]", "[10]", "[threads]", "[4]", "[maybe]"), 9, 13,
     "unknown logging 'maybe' (on, off, off_all or info)"},
    {HEAD SW("[double]", "[10]", "[threads]", "[4]", "[on, on]"), 9, 17,
     "logging 'on' listed twice"},
    {HEAD SW("[double]", "{double: [10], fibonacci: [5]}", "[threads]", "[4]",
             "[on]"), 6, 24,
     "size given for workload 'fibonacci', which 'workload' does not list"},
    {HEAD SW("[double, increment]", "{double: [10]}", "[threads]", "[4]",
             "[on]"), 6, 9, "missing key 'increment' in 'size'"},
    {HEAD SW("[double]", "{doubel: [10]}", "[threads]", "[4]", "[on]"), 6, 10,
     "unknown workload 'doubel' in 'size' (double, increment or fibonacci)"},
    {HEAD "  workload: [double]\n", 5, 3, "missing key 'size' in 'sweep'"},
    {"name: t\nseed: abc\nreplications: 1\nsweep:\n" OK, 2, 7,
     "'seed' must be an integer from 0 to 2^64-1"},
    {"name: t\nseed: -1\nreplications: 1\nsweep:\n" OK, 2, 7,
     "'seed' must be an integer from 0 to 2^64-1"},
    {"name: t\nseed: 1\nreplications: 0\nsweep:\n" OK, 3, 15,
     "replications must be from 1 to 10000, not 0"},
    {"name: t\nseed: 1\nreplications: 1\n", 1, 1, "missing key 'sweep'"},
    {"name: [a]\nseed: 1\nreplications: 1\nsweep:\n" OK, 1, 7,
     "'name' must be a string, not a list"},
    {"name: t\nseed: 1\nreplications: 1\nsweep: []\n", 4, 8,
     "'sweep' must be a mapping, not a list"},
    {HEAD OK "cores: 0\n", 10, 8, "cores must be from 1 to 1000000, not 0"},
    {HEAD OK "compare: speed\n", 10, 10, "unknown comparison 'speed' (logging)"},
    {HEAD OK "overrides:\n  stages.submit.mean: 1\n", 11, 3,
     "unknown model key 'stages.submit.mean'"},
    {HEAD OK "overrides: {stages.submit.mean_s: -1}\n", 10, 13,
     "model key 'stages.submit.mean_s' must be a finite number >= 0, not '-1'"},
    {HEAD OK "overrides: [1]\n", 10, 12,
     "'overrides' must be a mapping of model keys to values"},
};

START_TEST(test_bad_input)
{
    const struct bad *b = &bad[_i];
    experiment *e = (experiment *)1;
    sim_error err;

    error_clear(&err);
    ck_assert_int_eq(experiment_load(&e, put(b->text), &err), SIM_EINPUT);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(err.code, SIM_EINPUT);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, b->line);
    ck_assert_int_eq(err.column, b->column);
    ck_assert_str_eq(err.message, b->message);
}
END_TEST

Suite *experiment_suite(void)
{
    Suite *s = suite_create("experiment");
    TCase *tc = tcase_create("experiment");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_product);
    tcase_add_test(tc, test_size_mapping);
    tcase_add_test(tc, test_shipped);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_expand_again);
    tcase_add_test(tc, test_too_many_configurations);
    tcase_add_test(tc, test_single);
    tcase_add_test(tc, test_missing_file);
    tcase_add_loop_test(tc, test_bad_input, 0, sizeof bad / sizeof bad[0]);
    suite_add_tcase(s, tc);
    return s;
}
