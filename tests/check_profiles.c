/*
** Tests of calibrate/profiles.c: profiled runs grouped by configuration,
** each bucket's share the median over the configuration's profiles;
** runs not profiled, failed or without a profile file left out; a bad
** profile an error naming the file.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../calibrate/profiles.h"
#include "../sim/sim.h"
#include "fixture.h"
#include "suites.h"

static bundle_run run(const char *id, int executor, int profile, int ok)
{
    bundle_run r;

    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    r.workload = WORKLOAD_DOUBLE;
    r.size = 100;
    r.executor = executor;
    r.workers_requested = 4;
    r.logging = LOGGING_ON;
    r.profile = profile;
    r.ok = ok;
    return r;
}

static double share(const char *path, int bucket)
{
    pyi_summary s;
    sim_error err;

    ck_assert_int_eq(pyi_load(&s, path, &err), 0);
    return s.seconds[bucket] / s.seconds[PYI_WORKLOAD];
}

START_TEST(test_grouped_by_configuration)
{
    const bundle_run runs[] = {
        run("a0", EXECUTOR_HTEX, 1, 1), run("a1", EXECUTOR_HTEX, 1, 1),
        run("b0", EXECUTOR_THREADS, 1, 1),
        run("a0", EXECUTOR_THREADS, 0, 1),      /* not profiled */
        run("a1", EXECUTOR_THREADS, 1, 0),      /* failed */
        run("none", EXECUTOR_THREADS, 1, 1),    /* no profile file */
    };
    bundle b;
    profile_shares *p;
    sim_error err;
    int n;

    fixture_bundle(&b, runs, 6);
    snprintf(b.path, sizeof b.path, "tests/data/profiles");
    ck_assert_int_eq(profiles_collect(&b, 1, &p, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(p[0].executor, EXECUTOR_HTEX);
    ck_assert_int_eq(p[0].profiles, 2);
    ck_assert_int_eq(p[1].executor, EXECUTOR_THREADS);
    ck_assert_int_eq(p[1].profiles, 1);
    ck_assert_double_eq_tol(p[0].share[PYI_LOGGING],
                            share("tests/data/profiles/runs/a0/profile.json", PYI_LOGGING), 1e-12);
    ck_assert_double_eq_tol(p[1].share[PYI_SUBMIT],
                            share("tests/data/profiles/runs/b0/profile.json.gz", PYI_SUBMIT), 1e-12);
    ck_assert(p[1].share[PYI_SUBMIT] > 0 && p[1].share[PYI_SUBMIT] <= 1);
    free(p);
    bundle_release(&b);
}
END_TEST

START_TEST(test_bad_profile_named)
{
    char dir[] = "/tmp/check_profiles_XXXXXX", path[256];
    const bundle_run runs[] = {run("x", EXECUTOR_THREADS, 1, 1)};
    bundle b;
    profile_shares *p = NULL;
    sim_error err;
    FILE *f;
    int n = -1;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/runs", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/runs/x", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/runs/x/profile.json", dir);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs("{\"root_frame\": {\"function\": \"x\",\n \"time\": 1.0, \"chil", f);
    fclose(f);
    fixture_bundle(&b, runs, 1);
    snprintf(b.path, sizeof b.path, "%s", dir);
    ck_assert_int_eq(profiles_collect(&b, 1, &p, &n, &err), SIM_EINPUT);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(n, 0);
    ck_assert_str_eq(err.file, path);
    unlink(path);
    snprintf(path, sizeof path, "%s/runs/x", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/runs", dir);
    rmdir(path);
    rmdir(dir);
    bundle_release(&b);
}
END_TEST

Suite *profiles_suite(void)
{
    Suite *s = suite_create("profiles");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_grouped_by_configuration);
    tcase_add_test(tc, test_bad_profile_named);
    suite_add_tcase(s, tc);
    return s;
}
