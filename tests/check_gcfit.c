/*
** Tests of the collector's fit (calibrate/gcfit.c): full collections drawn
** from CPython's rule with known parameters, with noise on the pauses,
** must give the parameters back (GSL's test_fdf.c manner); runs that are
** held out, profiled or failed are not used; too few collections leave the
** model as it was.
*/
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/gcfit.h"
#include "../sim/sim.h"
#include "suites.h"

/* A bundle of nruns runs of tasks each, whose full collections follow the
** rule from submit first (0: a random phase); pauses base + per_task * k,
** 3% noise. */
static void synthetic(bundle *b, int nruns, long tasks, long check, long first, double growth,
                      double base, double per_task, gsl_rng *rng)
{
    memset(b, 0, sizeof *b);
    b->cores = 2;
    b->has_gc = 1;
    b->runs = calloc(nruns, sizeof *b->runs);
    b->collections = calloc(nruns * (tasks / check + 2), sizeof *b->collections);
    ck_assert_ptr_nonnull(b->runs);
    ck_assert_ptr_nonnull(b->collections);
    b->nruns = nruns;
    for (int r = 0; r < nruns; r++) {
        long last = 0;
        b->runs[r] = (bundle_run){.workload = WORKLOAD_DOUBLE, .size = tasks, .tasks = tasks,
                                  .executor = EXECUTOR_THREADS, .workers_requested = 4,
                                  .logging = LOGGING_OFF, .ok = 1, .makespan_s = 1};
        long k0 = first > 0 ? first : 1 + (long)gsl_rng_uniform_int(rng, check);
        for (long k = k0; k <= tasks; k += check) {
            if (k < last * (1 + growth))
                continue;
            last = k;
            b->collections[b->ncollections++] = (bundle_collection){
                .run = r, .tasks_submitted = k,
                .duration_s = (base + per_task * k) * exp(gsl_ran_gaussian(rng, 0.03))};
        }
    }
}

START_TEST(test_recovers_known_collector)
{
    bundle b;
    model m;
    gcfit_report rep;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);

    gsl_rng_set(rng, 7);
    synthetic(&b, 3, 60000, 2500, 0, 0.2, 0.06, 2e-5, rng);
    memset(&m, 0, sizeof m);
    ck_assert_int_eq(gcfit_fit(&b, 1, 0, &m, &rep), 0);
    ck_assert_int_eq(rep.source, GCFIT_FULL);
    ck_assert_int_eq(rep.runs, 3);
    ck_assert_int_eq(rep.collections, b.ncollections);
    ck_assert_int_eq(rep.intervals, b.ncollections - 3);
    ck_assert_double_eq_tol(m.gc_full_base_s, 0.06, 0.01);
    ck_assert_double_eq_tol(m.gc_full_per_task_s, 2e-5, 1e-6);
    ck_assert(rep.r2 > 0.95);
    ck_assert_int_ge(m.gc_full_check_tasks, 2450);
    ck_assert_int_le(m.gc_full_check_tasks, 2550);
    ck_assert_double_eq_tol(m.gc_full_growth, 0.2, 0.02);
    ck_assert_int_ge(m.gc_full_first_tasks, 1);   /* random phases: their median */
    ck_assert_int_le(m.gc_full_first_tasks, 2500);
    bundle_release(&b);
    gsl_rng_free(rng);
}
END_TEST

/* Only calibration runs that are ok, unprofiled and unmonitored count;
** logging_on_only leaves out the logging-off ones. */
START_TEST(test_uses_calibration_runs_only)
{
    bundle b;
    model m;
    gcfit_report rep;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);

    gsl_rng_set(rng, 8);
    synthetic(&b, 4, 20000, 2000, 1500, 0.0, 0.05, 1e-5, rng);
    b.runs[1].heldout = 1;
    b.runs[2].profile = 1;
    b.runs[3].ok = 0;
    memset(&m, 0, sizeof m);
    ck_assert_int_eq(gcfit_fit(&b, 1, 0, &m, &rep), 0);
    ck_assert_int_eq(rep.runs, 1);
    ck_assert_int_eq(rep.collections, 10);
    ck_assert_int_eq(rep.source, GCFIT_FULL);
    ck_assert_int_eq(m.gc_full_check_tasks, 2000);
    ck_assert_int_eq(m.gc_full_first_tasks, 1500);
    /* every run is logging off: a logging-on-only fit has nothing */
    memset(&m, 0, sizeof m);
    m.gc_full_check_tasks = 77;
    ck_assert_int_eq(gcfit_fit(&b, 1, 1, &m, &rep), 0);
    ck_assert_int_eq(rep.source, GCFIT_NONE);
    ck_assert_int_eq(m.gc_full_check_tasks, 77);
    bundle_release(&b);
    gsl_rng_free(rng);
}
END_TEST

/* Short runs, one collection or none each: the pauses are fitted, the
** check period is the collection rate, the growth stays the model's. */
START_TEST(test_rate_without_intervals)
{
    bundle b;
    model m;
    gcfit_report rep;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    long collections = 0;

    gsl_rng_set(rng, 9);
    synthetic(&b, 400, 1000, 2500, 0, 0.2, 0.06, 2e-5, rng);
    collections = b.ncollections;
    memset(&m, 0, sizeof m);
    m.gc_full_growth = 0.25;
    ck_assert_int_eq(gcfit_fit(&b, 1, 0, &m, &rep), 0);
    ck_assert_int_eq(rep.source, GCFIT_PAUSES);
    ck_assert_int_eq(rep.intervals, 0);
    ck_assert_int_eq(m.gc_full_check_tasks, (int)llround(400000.0 / collections));
    ck_assert_int_ge(m.gc_full_check_tasks, 2200);
    ck_assert_int_le(m.gc_full_check_tasks, 2800);
    ck_assert_double_eq(m.gc_full_growth, 0.25);
    ck_assert_double_eq_tol(m.gc_full_base_s, 0.06, 0.01);
    bundle_release(&b);
    gsl_rng_free(rng);
}
END_TEST

Suite *gcfit_suite(void)
{
    Suite *s = suite_create("gcfit");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_recovers_known_collector);
    tcase_add_test(tc, test_uses_calibration_runs_only);
    tcase_add_test(tc, test_rate_without_intervals);
    suite_add_tcase(s, tc);
    return s;
}
