/*
** Tests of HTEX's submit-side costs from thread CPU (calibrate/threadcpu.c):
** the launch and result threads' CPU per task of logging-off double runs
** become launch_htex and result_receive (less complete's share of the
** thread pool's workers); held-out, logging-on, other workloads' and
** unmeasured runs do not count; the logging-off what-if leaves all as is.
** The thread pool's CPU split (threadcpu_split_fit) recovers the work, a
** record's and a switch's CPU that made the runs' thread CPU.
*/
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/threadcpu.h"
#include "../sim/sim.h"
#include "fixture.h"
#include "suites.h"

static bundle_run run(int executor, int logging, double launch, double result, double workers)
{
    bundle_run r = {.workload = WORKLOAD_DOUBLE, .size = 1000, .tasks = 1000,
                    .executor = executor, .workers_requested = 2, .logging = logging,
                    .ok = 1, .makespan_s = 1};

    for (int k = 0; k < THREAD_ROLE_COUNT; k++)
        r.thread_cpu_s[k] = -1;
    if (launch >= 0) {
        r.thread_cpu_s[THREAD_MAIN] = 0.04;
        r.thread_cpu_s[THREAD_LAUNCH] = launch;
        r.thread_cpu_s[THREAD_RESULT] = result;
        r.thread_cpu_s[THREAD_WORKERS] = workers;
        r.thread_cpu_s[THREAD_JOIN] = 0;
    }
    return r;
}

/* A model whose thread-pool execute and complete spans share 1:3. */
static void base_model(model *m)
{
    memset(m, 0, sizeof *m);
    m->stage[STAGE_EXECUTE_THREADS].mean_s = 1e-4;
    m->stage[STAGE_COMPLETE].mean_s = 3e-4;
    m->stage[STAGE_LAUNCH_HTEX].mean_s = 5e-4;
    m->stage[STAGE_RESULT_RECEIVE].mean_s = 6e-4;
}

START_TEST(test_htex_stages_from_thread_cpu)
{
    /* Medians: launch 0.080 s, result 0.100 s per 1000 tasks; workers 0.020. */
    bundle_run runs[] = {
        run(EXECUTOR_HTEX, LOGGING_OFF, 0.070, 0.090, 0),
        run(EXECUTOR_HTEX, LOGGING_OFF_ALL, 0.080, 0.100, 0),
        run(EXECUTOR_HTEX, LOGGING_OFF, 0.090, 0.130, 0),
        run(EXECUTOR_HTEX, LOGGING_ON, 0.400, 0.300, 0),       /* logging on */
        run(EXECUTOR_THREADS, LOGGING_OFF, 0.030, 0, 0.020),
        run(EXECUTOR_THREADS, LOGGING_OFF_ALL, 0.030, 0, 0.020),
        run(EXECUTOR_THREADS, LOGGING_ON, 0.300, 0, 0.120),    /* logging on */
    };
    bundle b;
    model m;
    fit_report rep;

    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    base_model(&m);
    memset(&rep, 0, sizeof rep);
    threadcpu_apply(&m, &rep, &b, 1, 0);
    ck_assert_int_eq(rep.thread_cpu_runs, 3);
    ck_assert_double_eq_tol(m.stage[STAGE_LAUNCH_HTEX].mean_s, 80e-6, 1e-12);
    /* 100 us less complete's 3/4 of the workers' 20 us */
    ck_assert_double_eq_tol(m.stage[STAGE_RESULT_RECEIVE].mean_s, 85e-6, 1e-12);
    ck_assert(!strncmp(rep.stage_source[STAGE_LAUNCH_HTEX], "thread CPU", 10));
    ck_assert(!strncmp(rep.stage_source[STAGE_RESULT_RECEIVE], "thread CPU", 10));
    /* the thread pool's own stages keep their spans */
    ck_assert_double_eq(m.stage[STAGE_COMPLETE].mean_s, 3e-4);
    bundle_release(&b);
}
END_TEST

START_TEST(test_unusable_runs_leave_the_model)
{
    bundle_run runs[] = {
        run(EXECUTOR_HTEX, LOGGING_OFF, -1, -1, -1),     /* harness before 2026-12-02 */
        run(EXECUTOR_HTEX, LOGGING_ON, 0.400, 0.300, 0),
        run(EXECUTOR_HTEX, LOGGING_OFF, 0.080, 0.100, 0),
        run(EXECUTOR_HTEX, LOGGING_OFF, 0.080, 0.100, 0),
    };
    bundle b;
    model m, before;
    fit_report rep;

    runs[2].heldout = 1;
    runs[3].workload = WORKLOAD_FIBONACCI;
    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    base_model(&m);
    before = m;
    memset(&rep, 0, sizeof rep);
    threadcpu_apply(&m, &rep, &b, 1, 0);
    ck_assert_int_eq(rep.thread_cpu_runs, 0);
    ck_assert_mem_eq(&m, &before, sizeof m);
    bundle_release(&b);
}
END_TEST

START_TEST(test_logging_on_only_sees_no_logging_off_run)
{
    bundle_run runs[] = {run(EXECUTOR_HTEX, LOGGING_OFF, 0.080, 0.100, 0)};
    bundle b;
    model m, before;
    fit_report rep;

    fixture_bundle(&b, runs, 1);
    base_model(&m);
    before = m;
    memset(&rep, 0, sizeof rep);
    threadcpu_apply(&m, &rep, &b, 1, FIT_LOGGING_ON_ONLY);
    ck_assert_int_eq(rep.thread_cpu_runs, 0);
    ck_assert_mem_eq(&m, &before, sizeof m);
    /* without the flag the same run counts: the test above is not vacuous */
    threadcpu_apply(&m, &rep, &b, 1, 0);
    ck_assert_int_eq(rep.thread_cpu_runs, 1);
    bundle_release(&b);
}
END_TEST

/* A thread-pool double run of 1000 tasks whose threads' CPU is made of
** work, records and switches: main 30 us + records x 35 us + switches x
** 12 us, launch + workers 50 us + the same; the switches split 1:2
** between the launch thread and the workers. */
static bundle_run split_run(int logging, double main_switches, double pool_switches)
{
    const double work_main = 30e-6, work_pool = 50e-6, record = 35e-6, switch_cpu = 12e-6;
    double on = logging == LOGGING_ON ? 1 : 0, info = logging == LOGGING_INFO ? 1 : 0;
    /* enabled records a task: submit 8 (6 DEBUG), launch 5 (1) + complete 3 (0) */
    double main_records = 8 * on + 2 * info, pool_records = 8 * on + 7 * info;
    bundle_run r = run(EXECUTOR_THREADS, logging, 0, 0, 0);

    r.thread_cpu_s[THREAD_MAIN] = 1000 * (work_main + main_records * record +
                                          main_switches * switch_cpu);
    r.thread_cpu_s[THREAD_LAUNCH] = 1000 * (work_pool + pool_records * record +
                                            pool_switches * switch_cpu) / 3;
    r.thread_cpu_s[THREAD_WORKERS] = 2 * r.thread_cpu_s[THREAD_LAUNCH];
    for (int k = 0; k < THREAD_ROLE_COUNT; k++)
        r.thread_switches[k] = 0;
    r.thread_switches[THREAD_MAIN] = 1000 * main_switches;
    r.thread_switches[THREAD_LAUNCH] = 1000 * pool_switches / 3;
    r.thread_switches[THREAD_WORKERS] = 1000 * pool_switches * 2 / 3;
    return r;
}

static void split_model(model *m)
{
    base_model(m);
    m->stage[STAGE_SUBMIT].records = 8;
    m->stage[STAGE_SUBMIT].debug_records = 6;
    m->stage[STAGE_LAUNCH_THREADS].records = 5;
    m->stage[STAGE_LAUNCH_THREADS].debug_records = 1;
    m->stage[STAGE_COMPLETE].records = 3;
}

START_TEST(test_split_recovers_work_records_switches)
{
    bundle_run runs[] = {
        split_run(LOGGING_ON, 8.3, 13.9), split_run(LOGGING_ON, 7.9, 14.6),
        split_run(LOGGING_INFO, 3.1, 5.0),
        split_run(LOGGING_OFF, 0.05, 0.1), split_run(LOGGING_OFF, 1.8, 3.0),
        split_run(LOGGING_OFF_ALL, 0.9, 2.2),
        split_run(LOGGING_OFF, 9, 9),        /* held out: never counts */
        split_run(LOGGING_OFF, 9, 9),        /* a full collection in its timed section */
        split_run(LOGGING_ON, 9, 9),         /* another workload */
    };
    bundle_collection full = {.run = 7, .t_s = 0.1, .duration_s = 0.05, .tasks_submitted = 500};
    bundle b;
    model m;
    fit_report rep;

    runs[6].heldout = 1;
    runs[6].thread_cpu_s[THREAD_MAIN] = 5;
    runs[7].thread_cpu_s[THREAD_MAIN] = 5;
    runs[8].workload = WORKLOAD_FIBONACCI;
    runs[8].thread_cpu_s[THREAD_MAIN] = 5;
    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    b.collections = &full;
    b.ncollections = 1;
    split_model(&m);
    memset(&rep, 0, sizeof rep);
    ck_assert_int_eq(threadcpu_split_fit(&m, &rep, &b, 1, 0), 0);
    ck_assert_int_eq(rep.split.runs, 6);
    ck_assert_int_eq(rep.split.logging_on, 3);
    ck_assert_double_eq_tol(rep.split.work_s[0], 30e-6, 1e-12);
    ck_assert_double_eq_tol(rep.split.work_s[1], 50e-6, 1e-12);
    ck_assert_double_eq_tol(rep.split.record_s, 35e-6, 1e-12);
    ck_assert_double_eq_tol(rep.split.switch_s, 12e-6, 1e-12);
    ck_assert_double_eq_tol(rep.split.records[1], 8, 1e-12);
    ck_assert(rep.split.r2 > 0.999999);
    ck_assert(rep.split.se[2] < 1e-12);
    b.collections = NULL;
    b.ncollections = 0;
    bundle_release(&b);
}
END_TEST

START_TEST(test_split_needs_both_logging_states)
{
    bundle_run runs[] = {
        split_run(LOGGING_ON, 8.3, 13.9), split_run(LOGGING_ON, 7.9, 14.6),
        split_run(LOGGING_OFF, 0.05, 0.1), split_run(LOGGING_OFF, 1.8, 3.0),
    };
    bundle b;
    model m;
    fit_report rep;

    fixture_bundle(&b, runs, sizeof runs / sizeof runs[0]);
    split_model(&m);
    memset(&rep, 0, sizeof rep);
    ck_assert_int_eq(threadcpu_split_fit(&m, &rep, &b, 1, 0), 0);
    ck_assert_int_eq(rep.split.runs, 4);
    /* the what-if never sees the logging-off runs, and one kind is not enough */
    ck_assert_int_eq(threadcpu_split_fit(&m, &rep, &b, 1, FIT_LOGGING_ON_ONLY), 0);
    ck_assert_int_eq(rep.split.runs, 0);
    b.nruns = 3;
    ck_assert_int_eq(threadcpu_split_fit(&m, &rep, &b, 1, 0), 0);
    ck_assert_int_eq(rep.split.runs, 0);
    bundle_release(&b);
}
END_TEST

Suite *threadcpu_suite(void)
{
    Suite *s = suite_create("threadcpu");
    TCase *tc = tcase_create("threadcpu");

    tcase_add_test(tc, test_htex_stages_from_thread_cpu);
    tcase_add_test(tc, test_unusable_runs_leave_the_model);
    tcase_add_test(tc, test_logging_on_only_sees_no_logging_off_run);
    tcase_add_test(tc, test_split_recovers_work_records_switches);
    tcase_add_test(tc, test_split_needs_both_logging_states);
    suite_add_tcase(s, tc);
    return s;
}
