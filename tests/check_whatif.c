/*
** Tests of the what-if's interval (calibrate/whatif.c): makespans
** simulated with logging on from a known model, fitted from a copy whose
** submit-side stages are inflated; the profile's interval on the submit
** side's scale must hold the truth's, the speedups at its ends must
** bracket the truth's, and a refit with the scale held must keep it.
*/
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/fit.h"
#include "../calibrate/whatif.h"
#include "../sim/sim.h"
#include "fixture.h"
#include "suites.h"

static void truth_model(model *m)
{
    memset(m, 0, sizeof *m);
    m->machine_cores = 2;
    for (int s = 0; s < STAGE_COUNT; s++) {
        m->stage[s].dist = DIST_LOGNORMAL;
        m->stage[s].mean_s = 60e-6;
        m->stage[s].cv = 0.3;
    }
    m->stage[STAGE_SUBMIT].records = 8;
    m->stage[STAGE_LAUNCH_THREADS].records = 5;
    m->stage[STAGE_COMPLETE].records = 3;
    m->stage[STAGE_LAUNCH_HTEX].records = 9;
    m->stage[STAGE_WORKER_EXECUTE].records = 3;
    m->record_enabled_s = 14e-6;
    m->record_io_s = 6e-6;
    m->record_disabled_s = 0.4e-6;
    m->record_handoffs = 1.5;
    m->gil_handoff_s = 20e-6;
    m->join_pool_threads = 10;
    m->gil_switch_interval_s = 0.005;
    m->htex_cores_per_worker = 1;
}

static double makespan(const model *m, int workload, long size, int executor, int logging)
{
    sim_result res;

    fixture_simulate(m, workload, size, executor, logging, 1, &res);
    return res.makespan_s;
}

START_TEST(test_interval_holds_the_truth)
{
    static const int workloads[] = {WORKLOAD_DOUBLE, WORKLOAD_INCREMENT, WORKLOAD_FIBONACCI};
    static const long sizes[3][2] = {{100, 300}, {101, 201}, {8, 9}};
    const double inflation = 2.0;
    model truth, base, fitted, held;
    fit_report *rep = calloc(1, sizeof *rep), *again = calloc(1, sizeof *again);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    sim_error err;

    ck_assert_ptr_nonnull(rep);
    ck_assert_ptr_nonnull(again);
    truth_model(&truth);
    gsl_rng_set(rng, 7);
    for (int w = 0; w < 3; w++)
        for (int z = 0; z < 2; z++) {
            fit_config *c = &rep->config[rep->nconfigs++];
            c->workload = workloads[w];
            c->size = sizes[w][z];
            c->executor = EXECUTOR_THREADS;
            c->workers = 4;
            c->logging = LOGGING_ON;
            c->runs = 1;
            c->switches = -1;
            c->measured_s = makespan(&truth, c->workload, c->size, c->executor, LOGGING_ON) *
                            exp(gsl_ran_gaussian(rng, 0.03));
        }
    base = truth;
    for (int s = 0; s < STAGE_COUNT; s++)
        base.stage[s].mean_s *= inflation;
    rep->record_total_s = truth.record_enabled_s + truth.record_io_s;
    rep->record_disabled_s = truth.record_disabled_s;
    rep->handoff_s = truth.gil_handoff_s;
    ck_assert_int_eq(fit_scale(&base, rep, 2, &fitted, &err), 0);
    ck_assert_int_ge(rep->fitted, 2);

    /* a refit with the scale held keeps it, and cannot fit better */
    *again = *rep;
    again->held_submit_side = 0.3;
    ck_assert_int_eq(fit_scale(&base, again, 2, &held, &err), 0);
    ck_assert_double_eq_tol(again->factor[FACTOR_SUBMIT_SIDE], 0.3, 1e-12);
    ck_assert(again->chi2 >= rep->chi2 * (1 - 1e-9));

    ck_assert_int_eq(whatif_profile(&base, &fitted, rep, 2, &err), 0);
    ck_assert(rep->whatif.done);
    ck_assert(rep->whatif.scale[WHATIF_LOW] <= rep->whatif.scale[WHATIF_FIT]);
    ck_assert(rep->whatif.scale[WHATIF_FIT] <= rep->whatif.scale[WHATIF_HIGH]);
    ck_assert(rep->whatif.threshold > rep->whatif.chi2);
    ck_assert(rep->whatif.fits >= 2);
    /* the truth's scale, 1 / inflation, is inside */
    ck_assert(rep->whatif.scale[WHATIF_LOW] <= 1 / inflation);
    ck_assert(rep->whatif.scale[WHATIF_HIGH] >= 1 / inflation);
    ck_assert_int_eq(rep->whatif.nrows, rep->nconfigs);
    for (int i = 0; i < rep->whatif.nrows; i++) {
        const whatif_row *r = &rep->whatif.row[i];
        double speedup = makespan(&truth, r->workload, r->size, r->executor, LOGGING_ON) /
                         makespan(&truth, r->workload, r->size, r->executor, LOGGING_OFF);
        /* a smaller scale, cheaper stages, a larger speedup; the truth within */
        ck_assert(r->speedup[WHATIF_LOW][0] >= r->speedup[WHATIF_HIGH][0]);
        ck_assert(speedup <= r->speedup[WHATIF_LOW][0]);
        ck_assert(speedup >= r->speedup[WHATIF_HIGH][0]);
    }
    /* labelled, the ends are whole models: the fit's machine, their own costs */
    snprintf(fitted.provenance, sizeof fitted.provenance, "the fit");
    fitted.machine_cores = 7;
    for (int e = 0; e < 2; e++)
        whatif_label_end(&rep->whatif, e, &fitted);
    ck_assert_int_eq(rep->whatif.end[1].machine_cores, 7);
    ck_assert(strstr(rep->whatif.end[0].provenance, "most-speedup") != NULL);
    ck_assert(strstr(rep->whatif.end[1].provenance, "of: the fit") != NULL);
    ck_assert(rep->whatif.end[0].stage[STAGE_SUBMIT].mean_s <
              rep->whatif.end[1].stage[STAGE_SUBMIT].mean_s);
    gsl_rng_free(rng);
    free(rep);
    free(again);
}
END_TEST

Suite *whatif_suite(void)
{
    Suite *s = suite_create("whatif");
    TCase *tc = tcase_create("whatif");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_interval_holds_the_truth);
    suite_add_tcase(s, tc);
    return s;
}
