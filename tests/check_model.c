/*
** Tests of the model file (models/model.c, models/yamldoc.c): exact
** write/load round trips, every bad-input case with its code, line and
** column, model_set by dotted key, and the FNV-1a hash. Files are written
** to a fresh temporary directory per test.
*/
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../models/model.h"
#include "../models/yamldoc.h"
#include "suites.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sim_check_model_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char path[512];
    struct dirent *ent;
    DIR *d = opendir(dir);

    while (d && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Write text to dir/name; returns the path (static storage). */
static const char *put(const char *name, const char *text)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A complete, valid model file, leaving stage skip (-1: none) out. Its
** stages mapping starts on line 7, column 3. */
static void full_text(char *buf, size_t size, int skip)
{
    size_t n;
    int s;

    n = snprintf(buf, size,
                 "name: t\ncalibrated: false\n"
                 "machine: {cores: 2, cpu: c, host: h, memory_gib: 4}\n"
                 "parsl: {version: \"1\", python: \"3\"}\n"
                 "provenance: p\nstages:\n");
    for (s = 0; s < STAGE_COUNT; s++)
        if (s != skip)
            n += snprintf(buf + n, size - n, "  %s: {dist: constant, "
                          "mean_s: 1e-6, cv: 0, records: 1}\n",
                          model_stage_name(s));
    snprintf(buf + n, size - n,
             "logging: {record_enabled_s: 1e-5, record_io_s: 1e-6, "
             "record_disabled_s: 1e-7, record_handoffs: 2}\n"
             "threads: {join_pool_threads: 10, gil_switch_interval_s: 0.005, gil_handoff_s: 2e-05, thread_start_s: 0.0001}\n"
             "htex: {prefetch_capacity: 0, poll_period_s: 0.01, "
             "result_push_period_s: 0, cores_per_worker: 1}\n");
}

START_TEST(test_load_full)
{
    char text[8192];
    sim_error err;
    model m;

    full_text(text, sizeof text, -1);
    ck_assert_int_eq(model_load(&m, put("m.yaml", text), &err), 0);
    ck_assert_str_eq(m.name, "t");
    ck_assert_int_eq(m.calibrated, 0);
    ck_assert_int_eq(m.machine_cores, 2);
    ck_assert_str_eq(m.parsl_version, "1");
    ck_assert_int_eq(m.stage[STAGE_COLLECT].dist, DIST_CONSTANT);
    ck_assert_double_eq(m.stage[STAGE_COLLECT].mean_s, 1e-6);
    ck_assert_double_eq(m.record_disabled_s, 1e-7);
    ck_assert_int_eq(m.join_pool_threads, 10);
    ck_assert_double_eq(m.gil_switch_interval_s, 0.005);
    ck_assert_double_eq(m.htex_poll_period_s, 0.01);
    ck_assert_int_eq(m.htex_cores_per_worker, 1);
    ck_assert_int_eq(strlen(m.hash), 16);
}
END_TEST

START_TEST(test_round_trip_exact)
{
    char text[8192], path2[512];
    model a, b;
    sim_error err;
    int s;

    full_text(text, sizeof text, -1);
    ck_assert_int_eq(model_load(&a, put("a.yaml", text), &err), 0);
    for (s = 0; s < STAGE_COUNT; s++) {
        a.stage[s].dist = s % 3;
        a.stage[s].mean_s = (s + 1) * 0.1 / 3;
        a.stage[s].cv = 1.0 / (s + 7);
        a.stage[s].records = nextafter(s, 100);
        a.stage[s].debug_records = s / 2;
    }
    a.machine_background_cores = 3;
    a.record_enabled_s = 0.1 + 0.2;
    a.record_io_s = 5e-324;
    a.machine_memory_gib = 1e300 / 7;
    a.calibrated = 1;
    ck_assert_int_eq(a.gc_full_check_tasks, 0);   /* no gc section: no collector */
    a.gc_full_base_s = 0.0625 / 3;
    a.gc_full_per_task_s = 2e-5 / 3;
    a.gc_full_check_tasks = 2555;
    a.gc_full_first_tasks = 2050;
    a.gc_full_growth = 0.2;
    snprintf(a.provenance, sizeof a.provenance,
             "na\xc3\xafve \"quoted\" \\ back\ttab: # not a comment");
    snprintf(a.machine_cpu, sizeof a.machine_cpu, "{[,]}");
    snprintf(path2, sizeof path2, "%s/b.yaml", dir);
    ck_assert_int_eq(model_write(&a, path2, &err), 0);
    ck_assert_int_eq(access(path2, F_OK), 0);
    ck_assert_int_eq(model_load(&b, path2, &err), 0);
    memset(a.path, 0, sizeof a.path);
    memset(a.hash, 0, sizeof a.hash);
    memset(b.path, 0, sizeof b.path);
    memset(b.hash, 0, sizeof b.hash);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
}
END_TEST

/* Writing the shipped start model back gives the same bytes. */
START_TEST(test_default_rewrites_identically)
{
    char path[512], x[8192], y[8192];
    size_t nx, ny;
    sim_error err;
    FILE *f;
    model m;

    ck_assert_int_eq(model_load(&m, "models/default.yaml", &err), 0);
    ck_assert_int_eq(m.calibrated, 1);
    ck_assert_ptr_nonnull(strstr(m.provenance, "sim calibrate"));
    snprintf(path, sizeof path, "%s/default.yaml", dir);
    ck_assert_int_eq(model_write(&m, path, &err), 0);
    f = fopen("models/default.yaml", "r");
    nx = fread(x, 1, sizeof x, f);
    fclose(f);
    f = fopen(path, "r");
    ny = fread(y, 1, sizeof y, f);
    fclose(f);
    ck_assert_uint_eq(nx, ny);
    ck_assert_int_eq(memcmp(x, y, nx), 0);
}
END_TEST

START_TEST(test_write_fails_cleanly)
{
    char path[512];
    sim_error err;
    model m;

    memset(&m, 0, sizeof m);
    snprintf(path, sizeof path, "%s/no/such/dir/m.yaml", dir);
    ck_assert_int_eq(model_write(&m, path, &err), SIM_EIO);
    ck_assert_int_eq(err.code, SIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot create"));
}
END_TEST

START_TEST(test_missing_file)
{
    sim_error err;
    model m;

    ck_assert_int_eq(model_load(&m, "/nonexistent/m.yaml", &err), SIM_EIO);
    ck_assert_str_eq(err.message,
                     "cannot open '/nonexistent/m.yaml': No such file or directory");
}
END_TEST

START_TEST(test_missing_stage)
{
    char text[8192];
    sim_error err;
    model m;

    full_text(text, sizeof text, STAGE_LAUNCH_HTEX);
    ck_assert_int_eq(model_load(&m, put("m.yaml", text), &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 7);
    ck_assert_int_eq(err.column, 3);
    ck_assert_str_eq(err.message, "missing key 'launch_htex' in 'stages'");
}
END_TEST

/* debug_records may be left out (0: models before 2026-12-03), and are
** some of the stage's records. */
START_TEST(test_debug_records)
{
    char text[8192], *at;
    sim_error err;
    model m;

    full_text(text, sizeof text, -1);
    ck_assert_int_eq(model_load(&m, put("m.yaml", text), &err), 0);
    ck_assert_double_eq(m.stage[STAGE_SUBMIT].debug_records, 0);
    at = strstr(text, "records: 1}");
    ck_assert_ptr_nonnull(at);
    memmove(at + strlen("records: 1, debug_records: 1"), at + strlen("records: 1"),
            strlen(at + strlen("records: 1")) + 1);
    memcpy(at, "records: 1, debug_records: 1", strlen("records: 1, debug_records: 1"));
    ck_assert_int_eq(model_load(&m, put("m.yaml", text), &err), 0);
    ck_assert_double_eq(m.stage[STAGE_SUBMIT].debug_records, 1);
    at[strlen("records: 1, debug_records: ")] = '2';
    ck_assert_int_eq(model_load(&m, put("m.yaml", text), &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 7);
    ck_assert_int_eq(err.column, 11);
    ck_assert_str_eq(err.message, "debug_records (2) more than records (1) in 'stages.submit'");
}
END_TEST

START_TEST(test_missing_section)
{
    sim_error err;
    model m;

    ck_assert_int_eq(model_load(&m, put("m.yaml", "# c\nname: x\n"), &err),
                     SIM_EINPUT);
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.column, 1);
    ck_assert_str_eq(err.message, "missing key 'calibrated'");
}
END_TEST

/* Bad inputs: the text, then the code, line, column and message. */
static const struct bad {
    const char *text;
    int code, line, column;
    const char *message;
} bad[] = {
    {"name: x\nbogus: 1\n", SIM_EINPUT, 2, 1, "unknown key 'bogus'"},
    {"name: x\nmachine: {cores: 2, speed: 3}\n", SIM_EINPUT, 2, 21,
     "unknown key 'speed' in 'machine'"},
    {"stages:\n  submitt: {}\n", SIM_EINPUT, 2, 3,
     "unknown key 'submitt' in 'stages'"},
    {"stages:\n  submit: {dist: lognormal, mean_s: -1e-4, cv: 0.3}\n",
     SIM_EINPUT, 2, 37,
     "'stages.submit.mean_s' must be a finite number >= 0"},
    {"stages:\n  submit: {dist: weibull}\n", SIM_EINPUT, 2, 18,
     "'stages.submit.dist' must be constant, lognormal or gamma"},
    {"stages:\n  submit: {records: .nan}\n", SIM_EINPUT, 2, 21,
     "'stages.submit.records' must be a finite number >= 0"},
    {"calibrated: maybe\n", SIM_EINPUT, 1, 13,
     "'calibrated' must be true or false"},
    {"machine: {cores: \"2\"}\n", SIM_EINPUT, 1, 18,
     "'machine.cores' must not be quoted"},
    {"machine: {cores: 0}\n", SIM_EINPUT, 1, 18,
     "'machine.cores' must be an integer >= 1"},
    {"htex: {poll_period_s: 0}\n", SIM_EINPUT, 1, 23,
     "'htex.poll_period_s' must be a finite number > 0"},
    {"machine: 3\n", SIM_EINPUT, 1, 10, "'machine' must be a mapping"},
    {"name: [x]\n", SIM_EINPUT, 1, 7, "'name' must be a scalar"},
    {"name: x\nname: y\n", SIM_EINPUT, 2, 1, "duplicate key 'name'"},
    {"stages.submit: {}\n", SIM_EINPUT, 1, 1, "unknown key 'stages.submit'"},
    {"- a\n- b\n", SIM_EINPUT, 1, 1, "the file must be a mapping of keys"},
    {"", SIM_EINPUT, 0, 0, "empty file"},
    {"name: [x\n", SIM_EINPUT, 2, 1,
     "did not find expected ',' or ']' (while parsing a flow sequence at "
     "line 1 column 7)"},
    {"name: x\n  bad: indent\n", SIM_EINPUT, 2, 6,
     "mapping values are not allowed in this context"},
    {"name: x\n---\nname: y\n", SIM_EINPUT, 3, 1, "a second document in the file"},
};

START_TEST(test_bad_input)
{
    const struct bad *b = &bad[_i];
    sim_error err;
    model m;
    const char *path = put("bad.yaml", b->text);

    error_clear(&err);
    ck_assert_int_eq(model_load(&m, path, &err), b->code);
    ck_assert_int_eq(err.code, b->code);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, b->line);
    ck_assert_int_eq(err.column, b->column);
    ck_assert_str_eq(err.message, b->message);
}
END_TEST

START_TEST(test_set)
{
    char text[8192], big[600];
    sim_error err;
    model m;

    full_text(text, sizeof text, -1);
    ck_assert_int_eq(model_load(&m, put("m.yaml", text), &err), 0);
    ck_assert_int_eq(model_set(&m, "stages.submit.mean_s", "2.5e-4", &err), 0);
    ck_assert_double_eq(m.stage[STAGE_SUBMIT].mean_s, 2.5e-4);
    ck_assert_int_eq(model_set(&m, "stages.collect.dist", "gamma", &err), 0);
    ck_assert_int_eq(m.stage[STAGE_COLLECT].dist, DIST_GAMMA);
    ck_assert_int_eq(model_set(&m, "logging.record_enabled_s", "0", &err), 0);
    ck_assert_double_eq(m.record_enabled_s, 0);
    ck_assert_int_eq(model_set(&m, "htex.prefetch_capacity", "8", &err), 0);
    ck_assert_int_eq(m.htex_prefetch_capacity, 8);
    ck_assert_int_eq(model_set(&m, "gc.full_check_tasks", "2500", &err), 0);
    ck_assert_int_eq(m.gc_full_check_tasks, 2500);
    ck_assert_int_eq(model_set(&m, "gc.full_growth", "-1", &err), SIM_EINPUT);
    ck_assert_int_eq(model_set(&m, "calibrated", "true", &err), 0);
    ck_assert_int_eq(m.calibrated, 1);
    ck_assert_int_eq(model_set(&m, "name", "what-if", &err), 0);
    ck_assert_str_eq(m.name, "what-if");

    ck_assert_int_eq(model_set(&m, "stages.submit", "1", &err), SIM_EINPUT);
    ck_assert_str_eq(err.message, "unknown model key 'stages.submit'");
    ck_assert_int_eq(model_set(&m, "htex.poll", "1", &err), SIM_EINPUT);
    ck_assert_str_eq(err.message, "unknown model key 'htex.poll'");
    ck_assert_int_eq(model_set(&m, "stages.submit.cv", "-0.1", &err),
                     SIM_EINPUT);
    ck_assert_str_eq(err.message, "model key 'stages.submit.cv' must be a "
                     "finite number >= 0, not '-0.1'");
    ck_assert_int_eq(model_set(&m, "threads.join_pool_threads", "1.5", &err),
                     SIM_EINPUT);
    ck_assert_int_eq(model_set(&m, "threads.join_pool_threads", "", &err),
                     SIM_EINPUT);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(model_set(&m, "provenance", big, &err), SIM_EINPUT);
    ck_assert_str_eq(m.name, "what-if");
    ck_assert_double_eq(m.stage[STAGE_SUBMIT].cv, 0);
}
END_TEST

START_TEST(test_stage_names)
{
    int s;

    for (s = 0; s < STAGE_COUNT; s++)
        ck_assert_int_eq(model_stage_lookup(model_stage_name(s)), s);
    ck_assert_str_eq(model_stage_name(STAGE_SUBMIT), "submit");
    ck_assert_str_eq(model_stage_name(STAGE_INTERCHANGE_RESULT),
                     "interchange_result");
    ck_assert_ptr_null(model_stage_name(STAGE_COUNT));
    ck_assert_ptr_null(model_stage_name(-1));
    ck_assert_int_eq(model_stage_lookup("Submit"), -1);
}
END_TEST

START_TEST(test_hash)
{
    char hex[17];
    sim_error err;
    model m;

    yamldoc_hash("", 0, hex);
    ck_assert_str_eq(hex, "cbf29ce484222325");
    yamldoc_hash("a", 1, hex);
    ck_assert_str_eq(hex, "af63dc4c8601ec8c");
    yamldoc_hash("foobar", 6, hex);
    ck_assert_str_eq(hex, "85944171f73967e8");
    ck_assert_int_eq(model_load(&m, "models/default.yaml", &err), 0);
    ck_assert_str_eq(m.path, "models/default.yaml");
}
END_TEST

Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_full);
    tcase_add_test(tc, test_round_trip_exact);
    tcase_add_test(tc, test_default_rewrites_identically);
    tcase_add_test(tc, test_write_fails_cleanly);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_missing_stage);
    tcase_add_test(tc, test_missing_section);
    tcase_add_test(tc, test_debug_records);
    tcase_add_loop_test(tc, test_bad_input, 0, sizeof bad / sizeof bad[0]);
    tcase_add_test(tc, test_set);
    tcase_add_test(tc, test_stage_names);
    tcase_add_test(tc, test_hash);
    suite_add_tcase(s, tc);
    return s;
}
