/*
** Tests of the Parsl log reader (calibrate/parsllog.c) on real logs from
** Parsl 2026.10.26 (tests/data/calibrate): records per task per thread
** role, the events recognized, worker logs mapped back to Parsl tasks;
** multi-line records and thread names with spaces; bad input with its
** place.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/parsllog.h"

#define DATA "tests/data/calibrate/"
#define WORKERS DATA "htex_100/htex/block-0/94868c9eb4ea/"

static const char *write_tmp(const char *text)
{
    static char path[64];
    FILE *f;

    snprintf(path, sizeof path, "/tmp/check_plog_XXXXXX");
    f = fdopen(mkstemp(path), "w");
    fputs(text, f);
    fclose(f);
    return path;
}

typedef struct tally {
    long events;          /* records flagged as lifecycle events */
    long launched;        /* "launched" events */
    long exec_done;       /* state events to exec_done */
    long deps;            /* dependencies named by submitted events */
    long stop_after;      /* return 7 after this many records, 0 never */
    long seen;            /* records seen */
    char last_message[256]; /* the last record's message */
    char last_thread[64]; /* the last record's thread */
} tally;

static int count_cb(void *ud, const parsllog_record *r)
{
    tally *t = ud;

    t->seen++;
    t->events += r->is_event;
    if (r->event && strcmp(r->event, "launched") == 0)
        t->launched++;
    if (r->event && strcmp(r->event, "state") == 0 && strcmp(r->state, "exec_done") == 0)
        t->exec_done++;
    if (r->event && strcmp(r->event, "submitted") == 0)
        t->deps += r->deps;
    snprintf(t->last_message, sizeof t->last_message, "%s", r->message);
    snprintf(t->last_thread, sizeof t->last_thread, "%s", r->thread);
    return t->stop_after && t->seen >= t->stop_after ? 7 : 0;
}

START_TEST(htex_parsl_log)
{
    parsllog *p = parsllog_new();
    const parsllog_stats *s;
    tally t = { 0 };
    sim_error err;

    ck_assert_int_eq(parsllog_read(p, DATA "htex_100/parsl.log.gz", PLOG_FILE_PARSL,
                                   count_cb, &t, &err), 0);
    s = parsllog_stats_get(p);
    ck_assert_int_eq(s->lines, 2278);
    ck_assert_int_eq(s->records, 2211);
    ck_assert_int_eq(s->matched, 2100);
    ck_assert_str_eq(s->parsl_version, "2026.10.26");
    ck_assert_str_eq(s->run_id, "1edde819-ae51-453c-8447-8a91fc08f3f1");
    ck_assert_int_eq(parsllog_task_limit(p), 100);
    ck_assert_int_eq(t.events, 700);
    ck_assert_int_eq(t.launched, 100);
    ck_assert_int_eq(t.exec_done, 100);
    /* every task: 8 records on the main thread (submit), 9 on the launch
    ** thread, 4 on the HTEX result thread */
    for (long task = 0; task < 100; task++) {
        ck_assert_int_eq(parsllog_task_records(p, task, PLOG_ROLE_MAIN), 8);
        ck_assert_int_eq(parsllog_task_records(p, task, PLOG_ROLE_LAUNCH), 9);
        ck_assert_int_eq(parsllog_task_records(p, task, PLOG_ROLE_RESULT), 4);
    }
    ck_assert_int_eq(s->by_role[PLOG_ROLE_MAIN], 886);
    ck_assert_int_eq(s->unattributed[PLOG_ROLE_MAIN], 86);
    ck_assert_int_eq(s->unattributed[PLOG_ROLE_LAUNCH], 0);
    ck_assert_int_eq(s->unattributed[PLOG_ROLE_RESULT], 4);
    ck_assert_int_eq(s->by_role[PLOG_ROLE_OTHER], 21);
    ck_assert_int_eq(parsllog_task_of_exec(p, 6), 5);
    ck_assert_double_eq_tol(s->last_time - s->first_time, 7.27, 0.01);

    /* the worker logs map executor task ids back to Parsl tasks */
    ck_assert_int_eq(parsllog_read(p, WORKERS "worker_0.log", parsllog_kind_of(WORKERS "worker_0.log"),
                                   NULL, NULL, &err), 0);
    ck_assert_int_eq(parsllog_read(p, WORKERS "worker_1.log", PLOG_FILE_WORKER, NULL, NULL, &err), 0);
    for (long task = 0; task < 100; task++)
        ck_assert_int_eq(parsllog_task_records(p, task, PLOG_ROLE_HTEX_WORKER), 3);
    ck_assert_int_eq(s->unattributed[PLOG_ROLE_HTEX_WORKER], 2);
    parsllog_free(p);
}
END_TEST

START_TEST(threads_parsl_log)
{
    parsllog *p = parsllog_new();
    const parsllog_stats *s;
    sim_error err;

    ck_assert_int_eq(parsllog_read(p, DATA "threads_100/parsl.log.gz", PLOG_FILE_PARSL,
                                   NULL, NULL, &err), 0);
    s = parsllog_stats_get(p);
    ck_assert_int_eq(s->records, 1750);
    ck_assert_int_eq(parsllog_task_limit(p), 100);
    /* the completion (3 records) runs on the launch thread when the
    ** future is already done, else on a worker thread: 9 either way */
    for (long task = 0; task < 100; task++) {
        long launch = parsllog_task_records(p, task, PLOG_ROLE_LAUNCH);
        long worker = parsllog_task_records(p, task, PLOG_ROLE_TPE_WORKER);
        ck_assert_int_eq(parsllog_task_records(p, task, PLOG_ROLE_MAIN), 8);
        ck_assert_int_eq(launch + worker, 9);
    }
    ck_assert_int_eq(s->by_role[PLOG_ROLE_TPE_WORKER], 150);
    parsllog_free(p);
}
END_TEST

START_TEST(join_parsl_log)
{
    parsllog *p = parsllog_new();
    const parsllog_stats *s;
    tally t = { 0 };
    sim_error err;

    ck_assert_int_eq(parsllog_read(p, DATA "join/parsl.log.gz", PLOG_FILE_PARSL,
                                   count_cb, &t, &err), 0);
    s = parsllog_stats_get(p);
    ck_assert_int_eq(parsllog_task_limit(p), 36);
    ck_assert_int_eq(s->records, 779);
    ck_assert_int_eq(s->by_role[PLOG_ROLE_JOIN], 291);
    ck_assert_int_eq(s->unattributed[PLOG_ROLE_JOIN], 0);
    /* fib(5): 15 joins, 15 adds with 1 or 2 deps; 6 incs, 5 with 1 dep */
    ck_assert_int_eq(t.deps, 7 * 2 + 5);
    parsllog_free(p);
}
END_TEST

START_TEST(multiline_and_spaces)
{
    static const char text[] =
        "\n"
        "1795488521.305331 2026-11-24 02:48:41 MainProcess-5270 MainThread-140165754600320 parsl.dataflow.dflow:123 __init__ INFO: Starting DataFlowKernel with config\n"
        "Config(\n"
        "    executors=(),\n"
        ")\n"
        "1795488521.5 2026-11-24 02:48:41 MainProcess-5270 Thread-3 (worker)-77 parsl.dataflow.dflow:973 submit DEBUG: Task 12 will be sent to executor threads\n"
        "1795488521.6 2026-11-24 02:48:41 MainProcess-5270 Thread-3 (worker)-77 parsl.dataflow.dflow:1022 submit DEBUG: Added output dependencies\n";
    parsllog *p = parsllog_new();
    tally t = { 0 };
    sim_error err;

    ck_assert_int_eq(parsllog_read(p, write_tmp(text), PLOG_FILE_PARSL, count_cb, &t, &err), 0);
    ck_assert_int_eq(parsllog_stats_get(p)->records, 3);
    ck_assert_int_eq(parsllog_stats_get(p)->lines, 7);
    ck_assert_int_eq(parsllog_task_records(p, 12, PLOG_ROLE_OTHER), 2);
    ck_assert_str_eq(t.last_thread, "Thread-3 (worker)");
    ck_assert_int_eq(t.events, 1);
    parsllog_free(p);

    /* the continuation lines belong to the first record */
    p = parsllog_new();
    t = (tally){ 0 };
    t.stop_after = 1;
    ck_assert_int_eq(parsllog_read(p, write_tmp(text), PLOG_FILE_PARSL, count_cb, &t, &err), 7);
    ck_assert_str_eq(t.last_message, "Starting DataFlowKernel with config\nConfig(\n    executors=(),\n)");
    parsllog_free(p);
}
END_TEST

START_TEST(bad_format)
{
    parsllog *p = parsllog_new();
    sim_error err;
    const char *path = write_tmp("\n\n2026-11-24 02:48:41,123 INFO parsl: not the DFK format\n");

    ck_assert_int_eq(parsllog_read(p, path, PLOG_FILE_PARSL, NULL, NULL, &err), SIM_EINPUT);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_eq(err.column, 1);
    parsllog_free(p);
}
END_TEST

START_TEST(bad_empty)
{
    parsllog *p = parsllog_new();
    sim_error err;

    ck_assert_int_eq(parsllog_read(p, write_tmp(""), PLOG_FILE_PARSL, NULL, NULL, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 0);
    ck_assert_str_eq(err.message, "no log records: the file is empty");
    ck_assert_int_eq(parsllog_read(p, "/nonexistent/parsl.log", PLOG_FILE_PARSL, NULL, NULL, &err), SIM_EIO);
    parsllog_free(p);
}
END_TEST

START_TEST(bad_truncated_gzip)
{
    char cmd[256];
    const char *path = "/tmp/check_plog_trunc.log.gz";
    parsllog *p = parsllog_new();
    sim_error err;

    snprintf(cmd, sizeof cmd, "head -c 10000 %s > %s", DATA "htex_100/parsl.log.gz", path);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(parsllog_read(p, path, PLOG_FILE_PARSL, NULL, NULL, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 1007);
    ck_assert_str_eq(err.message, "truncated or corrupt gzip data");
    parsllog_free(p);
    remove(path);
}
END_TEST

START_TEST(kinds)
{
    ck_assert_int_eq(parsllog_kind_of("a/b/worker_12.log.gz"), PLOG_FILE_WORKER);
    ck_assert_int_eq(parsllog_kind_of("manager.log"), PLOG_FILE_MANAGER);
    ck_assert_int_eq(parsllog_kind_of("x/interchange.log"), PLOG_FILE_INTERCHANGE);
    ck_assert_int_eq(parsllog_kind_of("runinfo/000/parsl.log"), PLOG_FILE_PARSL);
    ck_assert_str_eq(parsllog_role_name(PLOG_ROLE_RESULT), "result");
    ck_assert_ptr_null(parsllog_role_name(PLOG_ROLE_COUNT));
}
END_TEST

Suite *parsllog_suite(void)
{
    Suite *s = suite_create("parsllog");
    TCase *real = tcase_create("real");
    TCase *format = tcase_create("format");

    tcase_add_test(real, htex_parsl_log);
    tcase_add_test(real, threads_parsl_log);
    tcase_add_test(real, join_parsl_log);
    tcase_add_test(format, multiline_and_spaces);
    tcase_add_test(format, bad_format);
    tcase_add_test(format, bad_empty);
    tcase_add_test(format, bad_truncated_gzip);
    tcase_add_test(format, kinds);
    suite_add_tcase(s, real);
    suite_add_tcase(s, format);
    return s;
}
