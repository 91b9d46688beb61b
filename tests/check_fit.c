/*
** Tests of the makespan fit (calibrate/fit.c), in the manner of GSL's own
** test_fdf.c: makespans simulated from a known model, with noise, must
** give back the factors that turn a distorted copy of it into the truth.
** Also the bundle reader (calibrate/bundle.c) on bad runs.csv files.
*/
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../calibrate/bundle.h"
#include "../calibrate/fit.h"
#include "../sim/sim.h"
#include "fixture.h"
#include "suites.h"

static void true_model(model *m)
{
    static const double us[STAGE_COUNT] = {
        [STAGE_SUBMIT] = 120, [STAGE_DEP_CHECK] = 2, [STAGE_LAUNCH_THREADS] = 60,
        [STAGE_LAUNCH_HTEX] = 150, [STAGE_LAUNCH_SKIP] = 10, [STAGE_EXECUTE_THREADS] = 40,
        [STAGE_COMPLETE] = 90, [STAGE_INTERCHANGE_TASK] = 80, [STAGE_MANAGER_TASK] = 90,
        [STAGE_WORKER_EXECUTE] = 300, [STAGE_MANAGER_RESULT] = 90,
        [STAGE_INTERCHANGE_RESULT] = 80, [STAGE_RESULT_RECEIVE] = 70,
        [STAGE_JOIN_EXECUTE] = 60, [STAGE_JOIN_COMPLETE] = 80, [STAGE_COLLECT] = 2,
    };
    static const double records[STAGE_COUNT] = {
        [STAGE_SUBMIT] = 8, [STAGE_LAUNCH_THREADS] = 6, [STAGE_LAUNCH_HTEX] = 9,
        [STAGE_LAUNCH_SKIP] = 2, [STAGE_COMPLETE] = 3, [STAGE_WORKER_EXECUTE] = 3,
        [STAGE_RESULT_RECEIVE] = 1, [STAGE_JOIN_EXECUTE] = 3, [STAGE_JOIN_COMPLETE] = 4,
    };

    memset(m, 0, sizeof *m);
    m->machine_cores = 2;
    for (int s = 0; s < STAGE_COUNT; s++) {
        m->stage[s].dist = DIST_LOGNORMAL;
        m->stage[s].mean_s = us[s] * 1e-6;
        m->stage[s].cv = 0.3;
        m->stage[s].records = records[s];
    }
    m->record_enabled_s = 14e-6;
    m->record_io_s = 6e-6;
    m->record_disabled_s = 0.4e-6;
    m->record_handoffs = 1.5;
    m->gil_handoff_s = 20e-6;
    m->join_pool_threads = 10;
    m->gil_switch_interval_s = 0.005;
    m->htex_cores_per_worker = 1;
}

static int is_worker_side(int s)
{
    return s == STAGE_INTERCHANGE_TASK || s == STAGE_MANAGER_TASK ||
           s == STAGE_WORKER_EXECUTE || s == STAGE_MANAGER_RESULT ||
           s == STAGE_INTERCHANGE_RESULT;
}

/* Configuration c as truth simulates it (seed 99, not the fit's), 4 workers. */
static void simulate_config(fit_config *c, const model *truth, int workload, long size,
                            int executor, int logging, sim_result *res)
{
    fixture_simulate(truth, workload, size, executor, logging, 99, res);
    c->workload = workload;
    c->size = size;
    c->executor = executor;
    c->workers = 4;
    c->logging = logging;
    c->runs = 1;
    c->measured_s = res->makespan_s;
}

START_TEST(test_recovers_known_factors)
{
    static const int workloads[] = {WORKLOAD_DOUBLE, WORKLOAD_INCREMENT, WORKLOAD_FIBONACCI};
    static const long sizes[3][2] = {{100, 400}, {101, 301}, {8, 10}};
    model truth, base, out;
    fit_report *rep = calloc(1, sizeof *rep);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    sim_error err;
    const double submit_inflation = 1.8, worker_inflation = 0.6;

    ck_assert_ptr_nonnull(rep);
    true_model(&truth);
    gsl_rng_set(rng, 42);
    for (int w = 0; w < 3; w++)
        for (int z = 0; z < 2; z++)
            for (int e = 0; e < 2; e++)
                for (int l = 0; l < 2; l++) {
                    fit_config *c = &rep->config[rep->nconfigs++];
                    sim_result res;
                    simulate_config(c, &truth, workloads[w], sizes[w][z], e,
                                    l ? LOGGING_OFF : LOGGING_ON, &res);
                    /* 2% multiplicative noise, as repeated real runs show */
                    c->measured_s *= exp(gsl_ran_gaussian(rng, 0.02));
                    /* the context switches a harness counts: the same, with noise */
                    c->switches = (res.wakeups + res.record_handoffs) *
                                  exp(gsl_ran_gaussian(rng, 0.02));
                }
    /* The spans' view: stages inflated by known factors; the hand-off's
    ** micro-benchmark right (it is not fitted); the hand-offs per record
    ** unknown (starts at 2). */
    base = truth;
    for (int s = 0; s < STAGE_COUNT; s++)
        base.stage[s].mean_s *= is_worker_side(s) ? worker_inflation : submit_inflation;
    rep->record_total_s = truth.record_enabled_s + truth.record_io_s;
    rep->record_disabled_s = truth.record_disabled_s;
    rep->handoff_s = truth.gil_handoff_s;

    ck_assert_int_eq(fit_scale(&base, rep, 2, &out, &err), 0);
    /* the logging-on configurations' switches are fitted too, and reproduced */
    ck_assert_int_eq(rep->nswitches, 12);
    for (int i = 0; i < rep->nconfigs; i++)
        if (rep->config[i].logging == LOGGING_ON)
            ck_assert_double_eq_tol(rep->config[i].predicted_switches / rep->config[i].switches,
                                    1, 0.1);
    ck_assert_int_eq(rep->fitted, FACTOR_FITTED);
    ck_assert_double_eq_tol(rep->factor[FACTOR_SUBMIT_SIDE], 1 / submit_inflation, 0.1 / submit_inflation);
    ck_assert_double_eq_tol(rep->factor[FACTOR_WORKER_SIDE], 1 / worker_inflation, 0.2 / worker_inflation);
    ck_assert_double_eq(rep->factor[FACTOR_HANDOFF], 1);
    ck_assert_double_eq(out.gil_handoff_s, truth.gil_handoff_s);
    ck_assert_double_eq_tol(rep->factor[FACTOR_RECORD_HANDOFFS], 1.5, 0.3);
    ck_assert(rep->factor_low[FACTOR_SUBMIT_SIDE] < rep->factor[FACTOR_SUBMIT_SIDE]);
    ck_assert(rep->factor_high[FACTOR_SUBMIT_SIDE] > rep->factor[FACTOR_SUBMIT_SIDE]);
    ck_assert(rep->r2 > 0.99);
    ck_assert(rep->rms_log_error < 0.05);
    ck_assert_double_eq_tol(out.stage[STAGE_SUBMIT].mean_s, truth.stage[STAGE_SUBMIT].mean_s,
                            0.1 * truth.stage[STAGE_SUBMIT].mean_s);
    gsl_rng_free(rng);
    free(rep);
}
END_TEST

static char dir[64];

/* Write text to the bundle folder's file name. */
static void put_file(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void make_bundle(const char *runs_csv, const char *manifest)
{
    snprintf(dir, sizeof dir, "/tmp/sim_check_bundle_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    put_file("manifest.json", manifest);
    put_file("runs.csv", runs_csv);
}

static void remove_bundle(void)
{
    static const char *const names[] = {"manifest.json", "runs.csv", "gc.csv"};
    char path[128];

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static const char manifest[] =
    "{\"complete\": true, \"machine\": {\"cores\": 2, \"cpu_model\": \"x\"},\n"
    " \"versions\": {\"parsl\": \"2026.10.26\", \"python\": \"3.11.7\"}}\n";
static const char header[] =
    "run_id,workload,size,tasks,executor,workers_requested,logging,role,status,makespan_s,error\n";

/* Too few configurations to fit a record's cost (four to seven fit the two
** scales alone; --logging-off-from gives that many), a logging-off one
** among them: the record costs its span in parsl.log, not the
** micro-benchmark, which in the captures so far is 0.5-0.7 of it. */
START_TEST(test_record_cost_in_place_when_not_fitted)
{
    static const long sizes[] = {100, 300};
    model truth, out;
    fit_report *rep = calloc(1, sizeof *rep);
    sim_error err;

    ck_assert_ptr_nonnull(rep);
    true_model(&truth);
    for (int z = 0; z < 2; z++)
        for (int e = 0; e < 2; e++)
            for (int l = 0; l < 2 && rep->nconfigs < 6; l++) {
                sim_result res;
                simulate_config(&rep->config[rep->nconfigs++], &truth, WORKLOAD_DOUBLE,
                                sizes[z], e, l ? LOGGING_OFF : LOGGING_ON, &res);
            }
    /* the micro-benchmark says half the true record; parsl.log the truth */
    rep->record_total_s = (truth.record_enabled_s + truth.record_io_s) / 2;
    rep->record_disabled_s = truth.record_disabled_s;
    rep->handoff_s = truth.gil_handoff_s;
    rep->record_span.n = FIT_MIN_RECORD_PAIRS;
    rep->record_span.median_s = truth.record_enabled_s + truth.record_io_s;
    rep->record_span.captures = 1;
    ck_assert_int_eq(fit_scale(&truth, rep, 2, &out, &err), 0);
    ck_assert_int_eq(rep->fitted, 2);
    ck_assert_int_eq(rep->record_from_spans, 1);
    ck_assert_double_eq_tol(out.record_enabled_s + out.record_io_s,
                            truth.record_enabled_s + truth.record_io_s, 1e-9);
    /* with too few pairs in parsl.log, the micro-benchmark's */
    rep->record_span.n = FIT_MIN_RECORD_PAIRS - 1;
    ck_assert_int_eq(fit_scale(&truth, rep, 2, &out, &err), 0);
    ck_assert_int_eq(rep->record_from_spans, 0);
    ck_assert_double_eq_tol(out.record_enabled_s + out.record_io_s, rep->record_total_s, 1e-9);
    free(rep);
}
END_TEST

START_TEST(test_bundle_reads_quoted_fields)
{
    bundle b;
    sim_error err;
    char csv[512];

    snprintf(csv, sizeof csv, "%sr1,double,100,100,htex,4,on,heldout,ok,0.25,\"a, \"\"quoted\"\" error\"\n",
             header);
    make_bundle(csv, manifest);
    ck_assert_int_eq(bundle_load(&b, dir, &err), 0);
    ck_assert_int_eq(b.nruns, 1);
    ck_assert_int_eq(b.cores, 2);
    ck_assert_str_eq(b.parsl_version, "2026.10.26");
    ck_assert_int_eq(b.runs[0].workload, WORKLOAD_DOUBLE);
    ck_assert_int_eq(b.runs[0].executor, EXECUTOR_HTEX);
    ck_assert_int_eq(b.runs[0].heldout, 1);
    ck_assert_double_eq(b.runs[0].makespan_s, 0.25);
    bundle_release(&b);
    remove_bundle();
}
END_TEST

START_TEST(test_bundle_bad_rows)
{
    bundle b;
    sim_error err;
    char csv[512];

    snprintf(csv, sizeof csv, "%sr1,double,100,100,htex,4,on,x,ok,0.25\n", header);
    make_bundle(csv, manifest);
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.message, "10 fields where the header has 11"));
    remove_bundle();

    snprintf(csv, sizeof csv, "%sr1,double,100,100,htex,4,on,x,ok,0.25,\"open\n", header);
    make_bundle(csv, manifest);
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.column, 39);
    remove_bundle();

    make_bundle("run_id,workload\n", manifest);
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "missing column 'size'"));
    remove_bundle();

    make_bundle(header, "{\"complete\": tru");
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 1);
    ck_assert_ptr_nonnull(strstr(err.file, "manifest.json"));
    remove_bundle();
}
END_TEST

/* gc.csv: full collections kept, young ones dropped; a bad number or an
** unknown run is an error at its line and column. */
START_TEST(test_bundle_reads_collections)
{
    static const char gc_header[] = "run_id,t_s,generation,duration_s,tasks_submitted,collected\n";
    bundle b;
    sim_error err;
    char csv[512], gc[512];

    snprintf(csv, sizeof csv, "%sr1,double,100,100,threads,4,off,calibration,ok,0.25,\n"
             "r2,double,100,100,threads,4,off,calibration,ok,0.25,\n", header);
    make_bundle(csv, manifest);
    ck_assert_int_eq(bundle_load(&b, dir, &err), 0);
    ck_assert_int_eq(b.has_gc, 0);
    ck_assert_int_eq(b.ncollections, 0);
    bundle_release(&b);

    snprintf(gc, sizeof gc, "%sr1,0.001,0,1e-05,3,0\nr1,0.01,2,0.07,50,10\n"
             "r2,0.02,2,0.08,60,0\nr2,0.03,1,0.001,70,0\n", gc_header);
    put_file("gc.csv", gc);
    ck_assert_int_eq(bundle_load(&b, dir, &err), 0);
    ck_assert_int_eq(b.has_gc, 1);
    ck_assert_int_eq(b.ncollections, 2);
    ck_assert_int_eq(b.collections[0].run, 0);
    ck_assert_int_eq(b.collections[0].tasks_submitted, 50);
    ck_assert_double_eq(b.collections[0].duration_s, 0.07);
    ck_assert_int_eq(b.collections[1].run, 1);
    ck_assert_double_eq(b.collections[1].t_s, 0.02);
    bundle_release(&b);

    snprintf(gc, sizeof gc, "%sr1,0.001,2,0.07x,3,0\n", gc_header);
    put_file("gc.csv", gc);
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.file, "gc.csv"));
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.column, 12);
    ck_assert_ptr_nonnull(strstr(err.message, "'0.07x' is not a number"));

    snprintf(gc, sizeof gc, "%sr9,0.001,2,0.07,3,0\n", gc_header);
    put_file("gc.csv", gc);
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.message, "run 'r9' is not in runs.csv"));

    put_file("gc.csv", "run_id,t_s,generation\n");
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "missing column 'duration_s'"));
    remove_bundle();
}
END_TEST

Suite *fit_suite(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_recovers_known_factors);
    tcase_add_test(tc, test_record_cost_in_place_when_not_fitted);
    tcase_add_test(tc, test_bundle_reads_quoted_fields);
    tcase_add_test(tc, test_bundle_bad_rows);
    tcase_add_test(tc, test_bundle_reads_collections);
    suite_add_tcase(s, tc);
    return s;
}
