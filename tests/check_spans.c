/*
** Tests of the stage samples from Parsl's logs (calibrate/spans.c), on a
** synthetic parsl.log written to a temporary folder: one record's cost in
** place is the gap between log_std_stream's "Standard out" and "Standard
** error" lines for one task on one thread, and only when nothing came
** between them on that thread; by capture, each bundle's median counts
** once, however many pairs it has.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../calibrate/spans.h"
#include "../sim/sim.h"
#include "suites.h"

static void line(FILE *f, double t, const char *thread, const char *msg)
{
    fprintf(f, "%.6f 2026-12-02 00:00:00 MainProcess-7 %s parsl.dataflow.dflow:1243 "
               "log_std_stream INFO: %s\n", t, thread, msg);
}

/* A new parsl.log in the temporary folder dir (a mkdtemp template), its
** path into path. */
static FILE *open_log(char *dir, char *path, size_t size)
{
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, size, "%s/parsl.log", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    return f;
}

/* Read dir's parsl.log into sp as a double run on threads with logging
** on, timing tasks first..last. */
static void read_run(spans *sp, const char *dir, long first, long last)
{
    bundle_run r;
    sim_error err;

    memset(&r, 0, sizeof r);
    r.workload = WORKLOAD_DOUBLE;
    r.executor = EXECUTOR_THREADS;
    r.logging = LOGGING_ON;
    r.task_first = first;
    r.task_last = last;
    ck_assert_ptr_nonnull(sp);
    ck_assert_int_eq(spans_add_log(sp, dir, &r, &err), 0);
}

/* A record as parsl.log has it: where, level and message. */
static void record(FILE *f, double t, const char *thread, const char *where,
                   const char *level, const char *msg)
{
    fprintf(f, "%.6f 2026-12-03 00:00:00 MainProcess-7 %s %s %s: %s\n", t, thread, where,
            level, msg);
}

/* A stage's records and, of them, those at DEBUG, which logging mode info
** turns into disabled calls: Parsl 2026.10.26's submit writes eight, six
** of them DEBUG. */
START_TEST(test_debug_records)
{
    char dir[] = "/tmp/check_spans_XXXXXX", path[128];
    const char *main_thread = "MainThread-10";
    spans *sp = spans_new();
    span_stats s;
    FILE *f;

    f = open_log(dir, path, sizeof path);
    for (int task = 1; task <= 3; task++) {
        char msg[128];
        double t = 100 + task * 0.001;
        snprintf(msg, sizeof msg, "Task %d will be sent to executor threads", task);
        record(f, t, main_thread, "parsl.dataflow.dflow:973 submit", "DEBUG", msg);
        record(f, t + 1e-5, main_thread, "parsl.dataflow.dflow:781 _add_output_deps", "DEBUG",
               "Adding output dependencies");
        record(f, t + 2e-5, main_thread, "parsl.dataflow.dflow:1022 submit", "DEBUG",
               "Added output dependencies");
        record(f, t + 3e-5, main_thread, "parsl.dataflow.dflow:1031 submit", "DEBUG",
               "Gathering dependencies");
        record(f, t + 4e-5, main_thread, "parsl.dataflow.dflow:1034 submit", "DEBUG",
               "Gathered dependencies");
        snprintf(msg, sizeof msg, "Task %d submitted for App double, not waiting on any "
                                  "dependency", task);
        record(f, t + 5e-5, main_thread, "parsl.dataflow.dflow:1053 submit", "INFO", msg);
        snprintf(msg, sizeof msg, "Task %d has AppFuture: <AppFuture at 0x7f state=pending>",
                 task);
        record(f, t + 6e-5, main_thread, "parsl.dataflow.dflow:1056 submit", "DEBUG", msg);
        snprintf(msg, sizeof msg, "Task %d initializing state to pending", task);
        record(f, t + 7e-5, main_thread, "parsl.dataflow.dflow:567 _update_task_state", "INFO",
               msg);
    }
    fclose(f);

    read_run(sp, dir, 1, 3);
    s = spans_get(sp, STAGE_SUBMIT);
    ck_assert_int_eq(s.n, 3);
    ck_assert_double_eq_tol(s.records, 8, 1e-12);
    ck_assert_double_eq_tol(s.debug_records, 6, 1e-12);
    spans_free(sp);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_back_to_back_records)
{
    char dir[] = "/tmp/check_spans_XXXXXX", path[128];
    const char *launch = "Task-Launch_0-11", *worker = "ThreadPoolExecutor-threads_0-12";
    spans *sp = spans_new();
    span_stats s;
    FILE *f;

    f = open_log(dir, path, sizeof path);
    /* gaps of 10, 20 and 30 us: median 20 */
    line(f, 100.000000, launch, "Standard out for task 1 will not be redirected.");
    line(f, 100.000010, launch, "Standard error for task 1 will not be redirected.");
    line(f, 100.001000, launch, "Standard out for task 2 will not be redirected.");
    line(f, 100.001020, worker, "Standard out for task 3 will not be redirected.");  /* another thread: no matter */
    line(f, 100.001020, launch, "Standard error for task 2 will not be redirected.");
    line(f, 100.002000, launch, "Standard out for task 3 will not be redirected.");
    line(f, 100.002030, launch, "Standard error for task 3 will not be redirected.");
    /* not counted: a record between the two on the same thread, another
    ** task's stderr, and a task outside the timed section */
    line(f, 100.003000, launch, "Standard out for task 4 will not be redirected.");
    line(f, 100.003100, launch, "Parsl task 4 try 0 launched on executor threads");
    line(f, 100.003200, launch, "Standard error for task 4 will not be redirected.");
    line(f, 100.004000, launch, "Standard out for task 5 will not be redirected.");
    line(f, 100.004500, launch, "Standard error for task 6 will not be redirected.");
    line(f, 100.005000, launch, "Standard out for task 9 will not be redirected.");
    line(f, 100.005900, launch, "Standard error for task 9 will not be redirected.");
    fclose(f);

    read_run(sp, dir, 1, 8);
    s = spans_get(sp, SPAN_RECORD);
    ck_assert_int_eq(s.n, 3);
    ck_assert_double_eq_tol(s.median_s, 20e-6, 1e-9);
    ck_assert_double_eq_tol(s.records, 1, 1e-12);
    spans_free(sp);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* A bundle at root/name with one run "r" whose log has a gap of each of
** gaps_us, one task each. */
static void capture(bundle *b, bundle_run *r, char *root, const char *name,
                    const double *gaps_us, int n)
{
    char path[600];
    FILE *f;

    memset(b, 0, sizeof *b);
    snprintf(b->path, sizeof b->path, "%s/%s", root, name);
    snprintf(path, sizeof path, "mkdir -p %s/runs/r", b->path);
    ck_assert_int_eq(system(path), 0);
    snprintf(path, sizeof path, "%s/runs/r/parsl.log", b->path);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < n; i++) {
        char msg[96];
        double t = 100 + 0.001 * i;
        snprintf(msg, sizeof msg, "Standard out for task %d will not be redirected.", i + 1);
        line(f, t, "Task-Launch_0-11", msg);
        snprintf(msg, sizeof msg, "Standard error for task %d will not be redirected.", i + 1);
        line(f, t + gaps_us[i] * 1e-6, "Task-Launch_0-11", msg);
    }
    fclose(f);
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "r");
    r->workload = WORKLOAD_DOUBLE;
    r->executor = EXECUTOR_THREADS;
    r->logging = LOGGING_ON;
    r->task_first = 1;
    r->task_last = n;
}

START_TEST(test_record_by_capture)
{
    char dir[] = "/tmp/check_spans_XXXXXX", cmd[64];
    static const double many[] = {10, 10, 10, 10}, one[] = {40}, other[] = {30};
    bundle b[3];
    bundle_run r[3];
    spans *sp = spans_new();
    span_stats s;
    sim_error err;

    ck_assert_ptr_nonnull(sp);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    capture(&b[0], &r[0], dir, "a", many, 4);
    capture(&b[1], &r[1], dir, "b", one, 1);
    capture(&b[2], &r[2], dir, "c", other, 1);
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(spans_add_run(sp, &b[k], &r[k], &err), 0);
    /* pooled, the capture with four pairs sets the median */
    s = spans_get(sp, SPAN_RECORD);
    ck_assert_int_eq(s.n, 6);
    ck_assert_double_eq_tol(s.median_s, 10e-6, 1e-9);
    /* by capture: the median of 10, 40 and 30 */
    s = spans_get_by_capture(sp, SPAN_RECORD);
    ck_assert_int_eq(s.n, 6);
    ck_assert_int_eq(s.captures, 3);
    ck_assert_double_eq_tol(s.median_s, 30e-6, 1e-9);
    spans_free(sp);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *spans_suite(void)
{
    Suite *s = suite_create("spans");
    TCase *tc = tcase_create("spans");

    tcase_add_test(tc, test_back_to_back_records);
    tcase_add_test(tc, test_debug_records);
    tcase_add_test(tc, test_record_by_capture);
    suite_add_tcase(s, tc);
    return s;
}
