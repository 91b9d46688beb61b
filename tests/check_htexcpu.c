/*
** Tests of HTEX's worker-side stages from its processes' CPU
** (calibrate/htexcpu.c): off_all runs give the work and the logging-on
** runs' excess the logging; with logging-on runs alone the logging is
** counted (INFO records at the enabled record's micro-benchmark, DEBUG
** records a worker_debug run adds at the dropped one's) and the work is
** what is left; without counts, or without CPU, the model is left alone.
*/
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/htexcpu.h"
#include "../sim/sim.h"
#include "fixture.h"
#include "suites.h"

/* CPU in seconds over 1000 tasks: interchange, manager, workers. */
static bundle_run run(int logging, double interchange, double manager, double workers)
{
    bundle_run r = {.workload = WORKLOAD_DOUBLE, .size = 1000, .tasks = 1000,
                    .executor = EXECUTOR_HTEX, .workers_requested = 2, .logging = logging,
                    .ok = 1, .makespan_s = 1, .cpu_interchange_s = interchange,
                    .cpu_manager_s = manager, .cpu_workers_s = workers,
                    .records_interchange = -1, .records_manager = -1, .records_workers = -1};

    if (logging != LOGGING_OFF_ALL) {
        r.records_interchange = 0;
        r.records_manager = 0;
        r.records_workers = 3;
    }
    return r;
}

static bundle_run debug_run(int logging)
{
    bundle_run r = run(logging, 0.5, 0.3, 0.6);

    r.worker_debug = 1;
    r.records_interchange = 12;
    r.records_manager = 5;
    r.records_workers = 3;
    return r;
}

/* Spans share the interchange's and the manager's paths 1:1. */
static void base_model(model *m)
{
    memset(m, 0, sizeof *m);
    for (int s = STAGE_INTERCHANGE_TASK; s <= STAGE_INTERCHANGE_RESULT; s++)
        m->stage[s].mean_s = 1e-3;
    m->stage[STAGE_WORKER_EXECUTE].mean_s = 2e-3;
}

static void report(fit_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->record_total_s = 10e-6;
    rep->record_dropped_s = 4e-6;
}

START_TEST(test_off_all_gives_the_work)
{
    bundle_run runs[] = {
        run(LOGGING_OFF_ALL, 0.100, 0.060, 0.500),
        run(LOGGING_OFF_ALL, 0.120, 0.080, 0.520),
        run(LOGGING_OFF_ALL, 0.140, 0.100, 0.540),
        run(LOGGING_ON, 0.220, 0.120, 0.560),
        debug_run(LOGGING_OFF),
    };
    bundle b;
    model m;
    fit_report rep;

    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    base_model(&m);
    report(&rep);
    htexcpu_apply(&m, &rep, &b, 1, 0);
    ck_assert_int_eq(rep.htex_cpu_source, HTEX_CPU_OFF_ALL);
    ck_assert_int_eq(rep.htex_cpu_runs, 3);
    /* the interchange's 120 us, half out and half back; its 100 us excess
    ** as 10 records of 10 us, shared alike */
    ck_assert_double_eq_tol(m.stage[STAGE_INTERCHANGE_TASK].mean_s, 60e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_INTERCHANGE_RESULT].mean_s, 60e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_INTERCHANGE_TASK].records, 5, 1e-9);
    ck_assert_double_eq_tol(m.stage[STAGE_WORKER_EXECUTE].mean_s, 520e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_WORKER_EXECUTE].records, 4, 1e-9);
    /* the count is reported beside the measure: 12 dropped at 4 us */
    ck_assert(rep.htex_counts);
    ck_assert_double_eq_tol(rep.htex_counted[0], 48e-6, 1e-12);
    ck_assert_double_eq_tol(rep.htex_counted[2], 30e-6, 1e-12);
    bundle_release(&b);
}
END_TEST

START_TEST(test_logging_on_only_counts_the_logging)
{
    bundle_run runs[] = {
        run(LOGGING_OFF_ALL, 0.100, 0.060, 0.500),   /* never seen */
        run(LOGGING_ON, 0.200, 0.100, 0.560),
        run(LOGGING_ON, 0.240, 0.120, 0.580),
        run(LOGGING_ON, 0.280, 0.140, 0.600),
        debug_run(LOGGING_ON),
        debug_run(LOGGING_OFF),                      /* not a logging-on run */
    };
    bundle b;
    model m;
    fit_report rep;

    runs[5].records_interchange = 40;
    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    base_model(&m);
    report(&rep);
    htexcpu_apply(&m, &rep, &b, 1, FIT_LOGGING_ON_ONLY);
    ck_assert_int_eq(rep.htex_cpu_source, HTEX_CPU_COUNTED);
    ck_assert_int_eq(rep.htex_cpu_runs, 3);
    ck_assert_double_eq_tol(rep.htex_records_dropped[0], 12, 1e-9);
    ck_assert_double_eq_tol(rep.htex_records_dropped[1], 5, 1e-9);
    ck_assert_double_eq_tol(rep.htex_records_info[2], 3, 1e-9);
    /* interchange: 240 us less 12 x 4 us = 192 us of work, half each way */
    ck_assert_double_eq_tol(m.stage[STAGE_INTERCHANGE_TASK].mean_s, 96e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_INTERCHANGE_TASK].records, 2.4, 1e-9);
    /* manager: 120 us less 20 us; workers: 580 us less 3 x 10 us */
    ck_assert_double_eq_tol(m.stage[STAGE_MANAGER_TASK].mean_s +
                            m.stage[STAGE_MANAGER_RESULT].mean_s, 100e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_WORKER_EXECUTE].mean_s, 550e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_WORKER_EXECUTE].records, 3, 1e-9);
    ck_assert(!strncmp(rep.stage_source[STAGE_WORKER_EXECUTE], "CPU per task, logging-on", 24));
    bundle_release(&b);
}
END_TEST

START_TEST(test_without_counts_the_spans_stay)
{
    bundle_run runs[] = {run(LOGGING_ON, 0.240, 0.120, 0.580), debug_run(LOGGING_ON)};
    bundle b;
    model m, before;
    fit_report rep;

    fixture_bundle(&b, runs, 1);                 /* no worker_debug run */
    base_model(&m);
    before = m;
    report(&rep);
    htexcpu_apply(&m, &rep, &b, 1, FIT_LOGGING_ON_ONLY);
    ck_assert_int_eq(rep.htex_cpu_source, HTEX_CPU_NONE);
    ck_assert_mem_eq(&m, &before, sizeof m);
    bundle_release(&b);

    fixture_bundle(&b, runs, 2);                 /* no dropped record's cost */
    report(&rep);
    rep.record_dropped_s = 0;
    htexcpu_apply(&m, &rep, &b, 1, FIT_LOGGING_ON_ONLY);
    ck_assert_int_eq(rep.htex_cpu_source, HTEX_CPU_NONE);
    ck_assert_mem_eq(&m, &before, sizeof m);

    report(&rep);                           /* both: the test above is not vacuous */
    htexcpu_apply(&m, &rep, &b, 1, FIT_LOGGING_ON_ONLY);
    ck_assert_int_eq(rep.htex_cpu_source, HTEX_CPU_COUNTED);
    bundle_release(&b);
}
END_TEST

/* A fibonacci run's CPU and records are over its add tasks, the half of
** its tasks that HTEX runs: fibonacci 12's 930 tasks hold 465 adds. */
START_TEST(test_fibonacci_per_app_task)
{
    bundle_run runs[] = {
        run(LOGGING_OFF_ALL, 0.093, 0.0465, 0.2325),
        run(LOGGING_ON, 0.186, 0.0465, 0.2325),
        debug_run(LOGGING_OFF),
    };
    bundle b;
    model m;
    fit_report rep;

    for (int i = 0; i < 3; i++) {
        runs[i].workload = WORKLOAD_FIBONACCI;
        runs[i].size = 12;
        runs[i].tasks = 930;
    }
    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    base_model(&m);
    report(&rep);
    htexcpu_apply(&m, &rep, &b, 1, 0);
    ck_assert_int_eq(rep.htex_cpu_source, HTEX_CPU_OFF_ALL);
    /* the interchange's 93 ms over 465 tasks: 200 us, not 100 */
    ck_assert_double_eq_tol(rep.htex_cpu[0], 200e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_INTERCHANGE_TASK].mean_s, 100e-6, 1e-12);
    ck_assert_double_eq_tol(m.stage[STAGE_WORKER_EXECUTE].mean_s, 500e-6, 1e-12);
    /* its logging's 200 us excess: 20 records of 10 us, half each way */
    ck_assert_double_eq_tol(m.stage[STAGE_INTERCHANGE_TASK].records, 10, 1e-9);
    /* 12 interchange records per task of the run are 24 per add */
    ck_assert_double_eq_tol(rep.htex_records_info[0], 0, 1e-12);
    ck_assert_double_eq_tol(rep.htex_records_dropped[0], 24, 1e-9);
    bundle_release(&b);
}
END_TEST

START_TEST(test_unmeasured_cpu_leaves_the_model)
{
    bundle_run runs[] = {run(LOGGING_OFF_ALL, -1, -1, -1), run(LOGGING_ON, -1, -1, -1),
                         debug_run(LOGGING_ON)};
    bundle b;
    model m, before;
    fit_report rep;

    runs[2].cpu_interchange_s = -1;
    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    base_model(&m);
    before = m;
    report(&rep);
    htexcpu_apply(&m, &rep, &b, 1, 0);
    ck_assert_int_eq(rep.htex_cpu_runs, 0);
    ck_assert_mem_eq(&m, &before, sizeof m);
    bundle_release(&b);
}
END_TEST

Suite *htexcpu_suite(void)
{
    Suite *s = suite_create("htexcpu");
    TCase *tc = tcase_create("htexcpu");

    tcase_add_test(tc, test_off_all_gives_the_work);
    tcase_add_test(tc, test_logging_on_only_counts_the_logging);
    tcase_add_test(tc, test_without_counts_the_spans_stay);
    tcase_add_test(tc, test_unmeasured_cpu_leaves_the_model);
    tcase_add_test(tc, test_fibonacci_per_app_task);
    suite_add_tcase(s, tc);
    return s;
}
