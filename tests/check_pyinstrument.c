/*
** Tests of the pyinstrument reader (calibrate/pyinstrument.c): bucket
** times on real profiles from Parsl 2026.10.26 (tests/data/calibrate,
** see its README), nested-frame counting on a synthetic tree, a tree deeper
** than any recursion would like, and bad input with its place.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/pyinstrument.h"

#define DATA "tests/data/calibrate/"

static const char *write_tmp(const char *text)
{
    static char path[64];
    FILE *f;

    snprintf(path, sizeof path, "/tmp/check_pyi_XXXXXX");
    f = fdopen(mkstemp(path), "w");
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(real_threads)
{
    pyi_summary s;
    sim_error err;

    ck_assert_int_eq(pyi_load(&s, DATA "threads_100.pyi.json.gz", &err), 0);
    ck_assert_int_eq(s.sample_count, 728);
    ck_assert_int_eq(s.frames, 2652);
    ck_assert_int_eq(s.has_class_names, 1);
    ck_assert_double_eq_tol(s.seconds[PYI_TOTAL], 0.876815, 1e-6);
    ck_assert_double_eq_tol(s.seconds[PYI_SUBMIT], 0.106481, 1e-6);
    ck_assert_double_eq_tol(s.seconds[PYI_LOGGING], 0.096002, 1e-6);
    ck_assert_double_eq_tol(s.seconds[PYI_SUBMIT_LOGGING], 0.083949, 1e-6);
    ck_assert_double_eq_tol(s.seconds[PYI_LOGGING_LOCK], 0.036750, 1e-6);
    ck_assert_double_eq_tol(s.seconds[PYI_WORKLOAD], 0.136068, 1e-6);
    /* submit is most of the workload, logging most of submit */
    ck_assert(s.seconds[PYI_SUBMIT] / s.seconds[PYI_WORKLOAD] > 0.75);
    ck_assert(s.seconds[PYI_SUBMIT_LOGGING] / s.seconds[PYI_SUBMIT] > 0.75);
    ck_assert(s.seconds[PYI_SUBMIT_LOGGING] <= s.seconds[PYI_LOGGING]);
}
END_TEST

START_TEST(real_htex)
{
    pyi_summary s;
    sim_error err;

    ck_assert_int_eq(pyi_load(&s, DATA "htex_100.pyi.json", &err), 0);
    ck_assert_int_eq(s.sample_count, 976);
    ck_assert_int_eq(s.frames, 540);
    ck_assert_double_eq_tol(s.seconds[PYI_SUBMIT], 0.044651, 1e-6);
    ck_assert_double_eq_tol(s.seconds[PYI_SUBMIT_LOGGING], 0.028893, 1e-6);
    /* the cold HTEX run waits for its first block: wait dominates */
    ck_assert_double_eq_tol(s.seconds[PYI_WAIT], 6.663188, 1e-6);
    ck_assert_str_eq(s.target, "Program: prog.py htex 100");
}
END_TEST

/* A logging frame under submit counts in submit, logging and
** submit_logging once each; its nested logging frames add nothing. */
START_TEST(nested_once)
{
    static const char text[] =
        "{\"start_time\": 1.0, \"duration\": 10.0, \"sample_count\": 10,"
        " \"root_frame\": {\"function\": \"<module>\", \"file_path\": \"p.py\", \"time\": 10.0, \"children\": ["
        "  {\"function\": \"submit\", \"file_path\": \"/v/parsl/dataflow/dflow.py\", \"class_name\": \"DataFlowKernel\", \"time\": 6.0, \"children\": ["
        "   {\"function\": \"debug\", \"file_path\": \"/u/lib/python3.11/logging/__init__.py\", \"time\": 4.0, \"children\": ["
        "    {\"function\": \"acquire\", \"file_path\": \"/u/lib/python3.11/logging/__init__.py\", \"time\": 2.0, \"children\": ["
        "     {\"function\": \"RLock.acquire\", \"file_path\": \"<built-in>\", \"time\": 2.0, \"children\": []}]}]}]},"
        "  {\"function\": \"submit\", \"file_path\": \"/v/parsl/executors/threads.py\", \"time\": 0.5, \"children\": []},"
        "  {\"function\": \"info\", \"file_path\": \"/u/lib/python3.11/logging/__init__.py\", \"time\": 1.0, \"children\": []}]}}";
    pyi_summary s;
    sim_error err;

    ck_assert_int_eq(pyi_load(&s, write_tmp(text), &err), 0);
    ck_assert_int_eq(s.frames, 7);
    ck_assert_int_eq(s.max_depth, 4);
    ck_assert_double_eq_tol(s.seconds[PYI_SUBMIT], 6.0, 1e-12);
    ck_assert_double_eq_tol(s.seconds[PYI_LOGGING], 5.0, 1e-12);
    ck_assert_double_eq_tol(s.seconds[PYI_SUBMIT_LOGGING], 4.0, 1e-12);
    ck_assert_double_eq_tol(s.seconds[PYI_LOGGING_LOCK], 2.0, 1e-12);
    ck_assert_double_eq_tol(s.seconds[PYI_WAIT], 2.0, 1e-12);
    ck_assert_double_eq_tol(s.seconds[PYI_REST], 3.0, 1e-12);
    ck_assert_double_eq_tol(s.seconds[PYI_WORKLOAD], 10.0, 1e-12);
}
END_TEST

/* 1000 nested frames (jansson's own limit is 2048 nesting levels, i.e.
** 1023 frames): the walk keeps its stack on the heap. */
START_TEST(deep_tree)
{
    enum { DEPTH = 1000 };
    size_t cap = DEPTH * 120 + 200, n = 0;
    char *text = malloc(cap);
    pyi_summary s;
    sim_error err;

    n += sprintf(text + n, "{\"start_time\": 1, \"duration\": 1, \"sample_count\": 1, \"root_frame\": ");
    for (int i = 0; i < DEPTH; i++)
        n += sprintf(text + n, "{\"function\": \"f\", \"file_path\": \"/x/logging/__init__.py\", \"time\": 1.0, \"children\": [");
    for (int i = 0; i < DEPTH; i++)
        n += sprintf(text + n, "]}");
    sprintf(text + n, "}");
    ck_assert_int_eq(pyi_load(&s, write_tmp(text), &err), 0);
    ck_assert_int_eq(s.max_depth, DEPTH - 1);
    ck_assert_double_eq_tol(s.seconds[PYI_LOGGING], 1.0, 1e-12);
    free(text);
}
END_TEST

START_TEST(bad_truncated)
{
    pyi_summary s;
    sim_error err;
    const char *path = write_tmp("{\"start_time\": 1.0,\n \"duration\": 2.0,\n \"root_frame\": {\"function\": \"x\",");

    ck_assert_int_eq(pyi_load(&s, path, &err), SIM_EINPUT);
    ck_assert_int_eq(err.code, SIM_EINPUT);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_eq(err.column, 32);
}
END_TEST

START_TEST(bad_no_root_frame)
{
    pyi_summary s;
    sim_error err;
    const char *path = write_tmp("{\"start_time\": 1.0, \"duration\": 2.0, \"sample_count\": 3}\n");

    ck_assert_int_eq(pyi_load(&s, path, &err), SIM_EINPUT);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 0);
    ck_assert_int_eq(err.column, 0);
    ck_assert_ptr_nonnull(strstr(err.message, "no 'root_frame'"));
}
END_TEST

START_TEST(bad_session_file)
{
    pyi_summary s;
    sim_error err;

    ck_assert_int_eq(pyi_load(&s, write_tmp("{\"frame_records\": [], \"start_time\": 1}"), &err), SIM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "session file"));
}
END_TEST

START_TEST(bad_frame)
{
    pyi_summary s;
    sim_error err;
    const char *path = write_tmp(
        "{\"start_time\": 1, \"duration\": 1, \"sample_count\": 1, \"root_frame\":"
        " {\"function\": \"main\", \"time\": 1.0, \"children\": [{\"function\": \"g\", \"children\": []}]}}");

    ck_assert_int_eq(pyi_load(&s, path, &err), SIM_EINPUT);
    ck_assert_str_eq(err.message, "frame at depth 1 under 'main' has no number 'time'");
}
END_TEST

START_TEST(bad_empty)
{
    pyi_summary s;
    sim_error err;

    ck_assert_int_eq(pyi_load(&s, write_tmp(""), &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(err.column, 0);
}
END_TEST

START_TEST(bad_missing)
{
    pyi_summary s;
    sim_error err;

    ck_assert_int_eq(pyi_load(&s, "/nonexistent/p.json", &err), SIM_EIO);
    ck_assert_str_eq(err.file, "/nonexistent/p.json");
}
END_TEST

Suite *pyinstrument_suite(void)
{
    Suite *s = suite_create("pyinstrument");
    TCase *real = tcase_create("real");
    TCase *tree = tcase_create("tree");
    TCase *bad = tcase_create("bad");

    tcase_add_test(real, real_threads);
    tcase_add_test(real, real_htex);
    tcase_add_test(tree, nested_once);
    tcase_add_test(tree, deep_tree);
    tcase_add_test(bad, bad_truncated);
    tcase_add_test(bad, bad_no_root_frame);
    tcase_add_test(bad, bad_session_file);
    tcase_add_test(bad, bad_frame);
    tcase_add_test(bad, bad_empty);
    tcase_add_test(bad, bad_missing);
    suite_add_tcase(s, real);
    suite_add_tcase(s, tree);
    suite_add_tcase(s, bad);
    return s;
}
