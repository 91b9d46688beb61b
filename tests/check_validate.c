/*
** Tests of validation (calibrate/validate.c) and the run grouping it shares
** with the fit (calibrate/group.c), on a synthetic trace bundle written to
** a temporary folder: the grouping (median of the repetitions, their range,
** which runs count, the held-out split), predictions by a model built here
** against sim_run directly, the summaries and the what-if pairs with
** predictions set by hand so every number is known, and the targets.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../calibrate/bundle.h"
#include "../calibrate/group.h"
#include "../calibrate/validate.h"
#include "../sim/sim.h"
#include "suites.h"

#define TOL 1e-12

static char dir[64];

static const char manifest[] =
    "{\"complete\": true, \"machine\": {\"cores\": 2, \"cpu_model\": \"x\"},\n"
    " \"versions\": {\"parsl\": \"2026.10.26\", \"python\": \"3.11.7\"}}\n";

/* Six configurations in runs.csv order (repetition-major, as the harness
** writes): double 10 threads on (3 usable reps, and a failed, a profiled
** and a monitored one that do not count), the same with logging off (2
** reps), increment htex held out, fibonacci threads held out (2 reps),
** double 30 threads held out, and double 20 htex with one calibration and
** one held-out rep (so not held out). */
static const char runs[] =
    "run_id,workload,size,tasks,executor,workers_requested,workers_started,logging,rep,"
    "role,profile,monitoring,status,makespan_s\n"
    "a0,double,10,10,threads,4,4,on,0,calibration,0,0,ok,0.3\n"
    "b0,double,10,10,threads,4,4,off,0,calibration,0,0,ok,0.05\n"
    "c0,increment,11,10,htex,2,2,on,0,heldout,0,0,ok,0.4\n"
    "d0,fibonacci,3,10,threads,4,3,on,0,heldout,0,0,ok,0.5\n"
    "e0,double,30,30,threads,4,4,on,0,heldout,0,0,ok,0.25\n"
    "m0,double,20,20,htex,2,2,on,0,calibration,0,0,ok,0.8\n"
    "a1,double,10,10,threads,4,4,on,1,calibration,0,0,ok,0.1\n"
    "b1,double,10,10,threads,4,4,off,1,calibration,0,0,ok,0.07\n"
    "d1,fibonacci,3,10,threads,4,4,on,1,heldout,0,0,ok,0.7\n"
    "m1,double,20,20,htex,2,2,on,1,heldout,0,0,ok,0.6\n"
    "a2,double,10,10,threads,4,4,on,2,calibration,0,0,ok,0.2\n"
    "x2,double,10,10,threads,4,4,on,2,calibration,0,0,failed,\n"
    "p2,double,10,10,threads,4,4,on,2,calibration,1,0,ok,9.0\n"
    "q2,double,10,10,threads,4,4,on,2,calibration,0,1,ok,9.0\n";

static void write_file(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void load(bundle *b, const char *csv)
{
    sim_error err;

    snprintf(dir, sizeof dir, "/tmp/sim_check_validate_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_file("manifest.json", manifest);
    write_file("runs.csv", csv);
    ck_assert_int_eq(bundle_load(b, dir, &err), 0);
}

static void unload(bundle *b)
{
    char path[128];

    bundle_release(b);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    unlink(path);
    rmdir(dir);
}

/* Constant costs, or lognormal ones with cv 0.3, on 2 cores. */
static void test_model(model *m, int lognormal)
{
    memset(m, 0, sizeof *m);
    strcpy(m->name, "test");
    m->machine_cores = 2;
    for (int i = 0; i < STAGE_COUNT; i++) {
        m->stage[i].dist = lognormal ? DIST_LOGNORMAL : DIST_CONSTANT;
        m->stage[i].cv = lognormal ? 0.3 : 0;
        m->stage[i].mean_s = (5 + i) * 1e-6;
        m->stage[i].records = 2;
    }
    m->record_enabled_s = 10e-6;
    m->record_io_s = 4e-6;
    m->record_disabled_s = 0.5e-6;
    m->join_pool_threads = 10;
    m->gil_switch_interval_s = 0.005;
    m->htex_cores_per_worker = 1;
}

START_TEST(test_group_runs)
{
    bundle b;
    run_group *g;
    sim_error err;
    int n;

    load(&b, runs);
    ck_assert_int_eq(group_runs(&b, 1, GROUP_ALL, &g, &n, &err), 0);
    ck_assert_int_eq(n, 6);
    ck_assert_int_eq(g[0].workload, WORKLOAD_DOUBLE);
    ck_assert_int_eq(g[0].size, 10);
    ck_assert_int_eq(g[0].logging, LOGGING_ON);
    ck_assert_int_eq(g[0].runs, 3);             /* failed, profiled, monitored left out */
    ck_assert_double_eq_tol(g[0].median_s, 0.2, TOL);
    ck_assert_double_eq_tol(g[0].min_s, 0.1, TOL);
    ck_assert_double_eq_tol(g[0].max_s, 0.3, TOL);
    ck_assert_int_eq(g[0].heldout, 0);
    ck_assert_int_eq(g[1].logging, LOGGING_OFF);
    ck_assert_int_eq(g[1].runs, 2);
    ck_assert_double_eq_tol(g[1].median_s, 0.06, TOL);   /* mean of the middle two */
    ck_assert_double_eq_tol(g[1].min_s, 0.05, TOL);
    ck_assert_double_eq_tol(g[1].max_s, 0.07, TOL);
    ck_assert_int_eq(g[2].workload, WORKLOAD_INCREMENT);
    ck_assert_int_eq(g[2].executor, EXECUTOR_HTEX);
    ck_assert_int_eq(g[2].heldout, 1);
    ck_assert_int_eq(g[3].workload, WORKLOAD_FIBONACCI);
    ck_assert_int_eq(g[3].workers_started, 4);  /* the most any rep started */
    ck_assert_double_eq_tol(g[3].median_s, 0.6, TOL);
    ck_assert_int_eq(g[4].heldout, 1);
    ck_assert_int_eq(g[5].runs, 2);
    ck_assert_int_eq(g[5].heldout, 0);          /* one calibration rep: not held out */
    ck_assert_double_eq_tol(g[5].median_s, 0.7, TOL);
    free(g);

    ck_assert_int_eq(group_runs(&b, 1, GROUP_CALIBRATION, &g, &n, &err), 0);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(g[2].size, 20);
    ck_assert_int_eq(g[2].runs, 1);
    ck_assert_double_eq_tol(g[2].median_s, 0.8, TOL);
    free(g);

    ck_assert_int_eq(group_runs(&b, 1, GROUP_HELDOUT, &g, &n, &err), 0);
    ck_assert_int_eq(n, 4);
    ck_assert_double_eq_tol(g[3].median_s, 0.6, TOL);
    ck_assert_int_eq(g[3].heldout, 1);
    free(g);
    unload(&b);
}
END_TEST

/* Every prediction is sim_run's makespan on the bundle's cores; with
** replications it is their median, and results keep every one. */
START_TEST(test_predictions_are_sim_run)
{
    bundle b;
    model m;
    validate_set *v;
    sim_error err;

    load(&b, runs);
    for (int lognormal = 0; lognormal < 2; lognormal++) {
        test_model(&m, lognormal);
        ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
        ck_assert_int_eq(v->nrows, 6);
        ck_assert_int_eq(validate_simulate(v, &m, 3, 7, &err), 0);
        for (int i = 0; i < v->nrows; i++) {
            validate_row *r = &v->rows[i];
            double x[3];
            for (int k = 0; k < 3; k++) {
                experiment_config c;
                sim_config cfg;
                sim_result res;
                validate_config(v, i, k, &c);
                ck_assert_uint_eq(c.seed, 7 + (uint64_t)k * EXPERIMENT_SEED_STEP);
                ck_assert_int_eq(c.cores, 2);
                ck_assert_int_eq(c.replication, k);
                memset(&cfg, 0, sizeof cfg);
                cfg.workload = r->g.workload;
                cfg.size = r->g.size;
                cfg.executor = r->g.executor;
                cfg.workers = r->g.workers;
                cfg.logging = r->g.logging;
                cfg.cores = 2;
                cfg.seed = c.seed;
                cfg.model = &m;
                ck_assert_int_eq(sim_run(&cfg, &res, &err), 0);
                ck_assert_double_eq(v->results[i * 3 + k].makespan_s, res.makespan_s);
                x[k] = res.makespan_s;
            }
            /* the median of three: sort them */
            for (int a = 0; a < 2; a++)
                for (int c = 0; c < 2 - a; c++)
                    if (x[c] > x[c + 1]) {
                        double t = x[c];
                        x[c] = x[c + 1];
                        x[c + 1] = t;
                    }
            ck_assert_double_eq(r->predicted_s, x[1]);
            ck_assert_double_eq(r->rel_error, r->predicted_s / r->g.median_s - 1);
            if (!lognormal)
                ck_assert_double_eq(x[0], x[2]);   /* constant costs: seeds do not matter */
            else
                ck_assert(x[0] < x[2]);            /* they do */
        }
        validate_free(v);
    }
    unload(&b);
}
END_TEST

/* Predictions set by hand: relative errors +0.1, -0.2 (fitted, threads),
** +0.05, -0.05, -0.2 (held out), +0.3 (fitted, htex). */
static void set_predictions(validate_set *v)
{
    static const double pred[6] = {0.22, 0.048, 0.42, 0.57, 0.2, 0.91};
    sim_error err;

    for (int i = 0; i < 6; i++)
        v->rows[i].predicted_s = pred[i];
    ck_assert_int_eq(validate_summarize(v, &err), 0);
}

/* Pooled, a configuration measured in two captures is one row holding
** the repetitions of both; apart, it is a row per capture. Bundles of two
** machines do not pool. */
START_TEST(test_pooled_bundles)
{
    bundle b[2];
    validate_set *apart, *pooled;
    sim_error err;

    char first[sizeof dir];

    load(&b[0], runs);
    snprintf(first, sizeof first, "%s", dir);
    load(&b[1], runs);
    ck_assert_int_eq(validate_new(&apart, b, 2, 0, &err), 0);
    ck_assert_int_eq(validate_new(&pooled, b, 2, 1, &err), 0);
    ck_assert_int_eq(pooled->pooled, 2);
    ck_assert_int_eq(apart->pooled, 0);
    ck_assert_int_eq(apart->nrows, 2 * pooled->nrows);
    /* two copies of one capture: the pooled speedup is each capture's */
    set_predictions(pooled);
    ck_assert_int_eq(pooled->npairs, 1);
    ck_assert_double_eq_tol(pooled->pairs[0].measured, 0.2 / 0.06, 1e-9);
    ck_assert_int_eq(pooled->rows[0].block_runs[0], 3);
    ck_assert_int_eq(pooled->rows[0].block_runs[1], 3);
    for (int i = 0; i < pooled->nrows; i++) {
        ck_assert_int_eq(pooled->rows[i].bundle, 0);
        ck_assert_int_eq(pooled->rows[i].g.runs, 2 * apart->rows[i].g.runs);
        ck_assert_double_eq_tol(pooled->rows[i].g.median_s, apart->rows[i].g.median_s, TOL);
        ck_assert_int_eq(pooled->rows[i].g.heldout, apart->rows[i].g.heldout);
    }
    /* each copy predicts the other exactly; the model is off by the
    ** held-out rows' errors (0.42 / 0.4, 0.57 / 0.6, 0.2 / 0.25), twice */
    ck_assert_int_eq(pooled->captures.configs, 3);
    ck_assert_int_eq(pooled->captures.medians, 6);
    ck_assert_double_eq_tol(pooled->captures.others_median, 0, TOL);
    ck_assert_double_eq_tol(pooled->captures.others_worst, 0, TOL);
    ck_assert_double_eq_tol(pooled->captures.model_median, 0.05, TOL);
    ck_assert_double_eq_tol(pooled->captures.model_worst, 0.2, TOL);
    set_predictions(apart);
    ck_assert_int_eq(apart->captures.configs, 0);   /* one capture a row */
    validate_free(apart);
    validate_free(pooled);
    b[1].cores = b[0].cores + 2;
    ck_assert_int_eq(validate_new(&pooled, b, 2, 1, &err), SIM_EINPUT);
    ck_assert_ptr_null(pooled);
    ck_assert(strstr(err.message, "different machines") != NULL);
    /* the same host id and cores on another CPU: a VM moved */
    b[1].cores = b[0].cores;
    snprintf(b[1].cpu, sizeof b[1].cpu, "%s", "Intel(R) Xeon(R) Processor");
    ck_assert_int_eq(validate_new(&pooled, b, 2, 1, &err), SIM_EINPUT);
    ck_assert_ptr_null(pooled);
    ck_assert(strstr(err.message, "Xeon") != NULL);
    /* one CPU model name of two generations, where both recorded theirs;
    ** a bundle from before the record pools with either */
    snprintf(b[1].cpu, sizeof b[1].cpu, "%s", b[0].cpu);
    snprintf(b[0].cpu_id, sizeof b[0].cpu_id, "%s", "family 25 model 1 stepping 1");
    ck_assert(bundle_same_machine(&b[0], &b[1]));
    snprintf(b[1].cpu_id, sizeof b[1].cpu_id, "%s", "family 25 model 17 stepping 1");
    ck_assert_int_eq(validate_new(&pooled, b, 2, 1, &err), SIM_EINPUT);
    ck_assert(strstr(err.message, "model 17") != NULL);
    snprintf(b[1].cpu_id, sizeof b[1].cpu_id, "%s", b[0].cpu_id);
    ck_assert(bundle_same_machine(&b[0], &b[1]));
    unload(&b[1]);
    snprintf(dir, sizeof dir, "%s", first);
    unload(&b[0]);
}
END_TEST

START_TEST(test_summaries)
{
    bundle b;
    validate_set *v;
    const validate_summary *s;
    sim_error err;

    load(&b, runs);
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
    set_predictions(v);
    ck_assert_double_eq_tol(v->rows[0].rel_error, 0.1, TOL);
    ck_assert_double_eq_tol(v->rows[1].rel_error, -0.2, TOL);
    ck_assert_double_eq_tol(v->rows[4].rel_error, -0.2, TOL);
    ck_assert_double_eq_tol(v->rows[5].rel_error, 0.3, TOL);

    s = validate_summary_get(v, 1, VALIDATE_BY_OVERALL, -1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->n, 3);
    ck_assert_double_eq_tol(s->median_abs, 0.05, TOL);
    ck_assert_double_eq_tol(s->worst_abs, 0.2, TOL);
    s = validate_summary_get(v, 0, VALIDATE_BY_OVERALL, -1);
    ck_assert_int_eq(s->n, 3);
    ck_assert_double_eq_tol(s->median_abs, 0.2, TOL);
    ck_assert_double_eq_tol(s->worst_abs, 0.3, TOL);
    s = validate_summary_get(v, 0, VALIDATE_BY_EXECUTOR, EXECUTOR_THREADS);
    ck_assert_int_eq(s->n, 2);
    ck_assert_double_eq_tol(s->median_abs, 0.15, TOL);   /* mean of the middle two */
    s = validate_summary_get(v, 1, VALIDATE_BY_WORKLOAD, WORKLOAD_DOUBLE);
    ck_assert_int_eq(s->n, 1);
    ck_assert_double_eq_tol(s->worst_abs, 0.2, TOL);
    s = validate_summary_get(v, 0, VALIDATE_BY_LOGGING, LOGGING_OFF);
    ck_assert_int_eq(s->n, 1);
    ck_assert_double_eq_tol(s->median_abs, 0.2, TOL);
    ck_assert_ptr_null(validate_summary_get(v, 1, VALIDATE_BY_LOGGING, LOGGING_OFF));
    ck_assert_ptr_null(validate_summary_get(v, 0, VALIDATE_BY_WORKLOAD, WORKLOAD_FIBONACCI));
    /* 2 sets x overall, held out: 3 workloads, 2 executors, on; fitted:
    ** double, 2 executors, on and off */
    ck_assert_int_eq(v->nsummaries, 2 + 6 + 5);
    validate_free(v);
    unload(&b);
}
END_TEST

START_TEST(test_what_if_pairs)
{
    bundle b;
    validate_set *v;
    sim_error err;

    load(&b, runs);
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
    set_predictions(v);
    ck_assert_int_eq(v->npairs, 1);   /* only double 10 threads 4 has on and off */
    ck_assert_int_eq(v->pairs[0].on, 0);
    ck_assert_int_eq(v->pairs[0].off, 1);
    ck_assert_double_eq_tol(v->pairs[0].measured, 0.2 / 0.06, TOL);
    ck_assert_double_eq_tol(v->pairs[0].predicted, 0.22 / 0.048, TOL);
    ck_assert_double_eq_tol(v->pairs[0].error, (0.22 / 0.048) / (0.2 / 0.06) - 1, TOL);
    /* The rows keep their repetitions, sorted, for the interval. */
    ck_assert_int_eq(v->rows[0].g.runs, 3);
    ck_assert_double_eq(v->rows[0].times[0], 0.1);
    ck_assert_double_eq(v->rows[0].times[1], 0.2);
    ck_assert_double_eq(v->rows[0].times[2], 0.3);
    ck_assert_double_eq(v->rows[1].times[1], 0.07);
    /* A median of 3 draws is one of 0.1, 0.2, 0.3; of 2, one of 0.05, 0.06,
    ** 0.07: every resampled ratio lies in [0.1 / 0.07, 0.3 / 0.05]. */
    ck_assert(v->pairs[0].measured_low >= 0.1 / 0.07 - TOL);
    ck_assert(v->pairs[0].measured_high <= 0.3 / 0.05 + TOL);
    ck_assert(v->pairs[0].measured_low <= v->pairs[0].measured);
    ck_assert(v->pairs[0].measured_high >= v->pairs[0].measured);
    ck_assert(v->pairs[0].measured_low < v->pairs[0].measured_high);
    validate_free(v);
    unload(&b);
}
END_TEST

/* A run beside busy loops (runs.csv `background`) is a configuration of its
** own, paired only with a logging-off one on the same busy machine, and is
** simulated with the model's machine.background_cores at its count: the
** busy logging-on thread pool comes out faster than the idle one. */
START_TEST(test_busy_machine_rows)
{
    static const char busy_runs[] =
        "run_id,workload,size,tasks,executor,workers_requested,workers_started,logging,rep,"
        "role,profile,monitoring,background,status,makespan_s\n"
        "a,double,300,300,threads,4,4,on,0,heldout,0,0,0,ok,0.3\n"
        "b,double,300,300,threads,4,4,on,0,heldout,0,0,1,ok,0.15\n"
        "c,double,300,300,threads,4,4,off,0,heldout,0,0,1,ok,0.05\n";
    bundle b;
    validate_set *v;
    model m;
    sim_error err;

    load(&b, busy_runs);
    ck_assert_int_eq(b.runs[1].background, 1);
    ck_assert_int_eq(b.runs[0].background, 0);
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
    ck_assert_int_eq(v->nrows, 3);
    ck_assert_int_eq(v->rows[0].g.background, 0);
    ck_assert_int_eq(v->rows[1].g.background, 1);
    test_model(&m, 1);
    m.gil_handoff_s = 20e-6;
    m.record_handoffs = 2;
    ck_assert_int_eq(validate_simulate(v, &m, 1, 1, &err), 0);
    ck_assert_int_eq(v->npairs, 1);   /* the busy off pairs with the busy on only */
    ck_assert_int_eq(v->pairs[0].on, 1);
    ck_assert(v->rows[1].predicted_s < 0.9 * v->rows[0].predicted_s);
    ck_assert(v->rows[1].predicted_switches < v->rows[0].predicted_switches / 2);
    validate_free(v);
    unload(&b);
}
END_TEST

/* A count of busy loops that is not one is bad input, at its place. */
START_TEST(test_bad_background)
{
    static const char bad_runs[] =
        "run_id,workload,size,tasks,executor,workers_requested,logging,role,background,"
        "status,makespan_s\n"
        "a,double,300,300,threads,4,on,heldout,0,ok,0.3\n"
        "b,double,300,300,threads,4,on,heldout,-1,ok,0.15\n";
    bundle b;
    sim_error err;

    snprintf(dir, sizeof dir, "/tmp/sim_check_validate_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_file("manifest.json", manifest);
    write_file("runs.csv", bad_runs);
    ck_assert_int_eq(bundle_load(&b, dir, &err), SIM_EINPUT);
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_eq(err.column, 39);
    ck_assert(strstr(err.message, "background must be an integer") != NULL);
    ck_assert(strstr(err.file, "runs.csv") != NULL);
    unload(&b);   /* bundle_load released what it had read */
}
END_TEST

/* Another process's load beside a run: the machine's busy CPU less the
** run's own over the makespan; unknown without the measures (HTEX's
** processes included). */
START_TEST(test_other_load)
{
    bundle_run r;

    memset(&r, 0, sizeof r);
    r.executor = EXECUTOR_THREADS;
    r.makespan_s = 2.0;
    r.cpu_submit_s = 2.1;
    r.host_busy_s = 4.1;
    ck_assert_double_eq_tol(bundle_run_other_load(&r), 1.0, TOL);
    r.executor = EXECUTOR_HTEX;
    r.cpu_interchange_s = r.cpu_manager_s = r.cpu_workers_s = -1;
    ck_assert(isnan(bundle_run_other_load(&r)));
    r.cpu_interchange_s = 0.5, r.cpu_manager_s = 0.25, r.cpu_workers_s = 0.25;
    ck_assert_double_eq_tol(bundle_run_other_load(&r), 0.5, TOL);
    r.host_busy_s = -1;
    ck_assert(isnan(bundle_run_other_load(&r)));
}
END_TEST

/* The bootstrap interval: exact for constant samples, the same for the
** same seed, and narrower with more repetitions of the same spread. */
START_TEST(test_ratio_interval)
{
    double a[40], b[40], low, high, low2, high2, few_low, few_high;
    int n5 = 5, n7 = 7, n40 = 40;

    for (int i = 0; i < 40; i++) {
        a[i] = 6.0;
        b[i] = 2.0;
    }
    ck_assert_int_eq(group_blocked_interval(a, &n5, b, &n7, 1, 0.9, 500, 1, &low, &high), 0);
    ck_assert_double_eq_tol(low, 3.0, TOL);
    ck_assert_double_eq_tol(high, 3.0, TOL);
    for (int i = 0; i < 40; i++) {
        a[i] = 5.0 + (i % 5);        /* 5..9, median 7 */
        b[i] = 1.0 + 0.25 * (i % 5); /* 1..2, median 1.5 */
    }
    ck_assert_int_eq(group_blocked_interval(a, &n40, b, &n40, 1, 0.9, 2000, 3, &low, &high), 0);
    ck_assert_int_eq(group_blocked_interval(a, &n40, b, &n40, 1, 0.9, 2000, 3, &low2, &high2), 0);
    ck_assert_double_eq(low, low2);
    ck_assert_double_eq(high, high2);
    ck_assert(low < 7.0 / 1.5 && high > 7.0 / 1.5);
    ck_assert_int_eq(group_blocked_interval(a, &n5, b, &n5, 1, 0.9, 2000, 3, &few_low, &few_high), 0);
    ck_assert(few_high - few_low > high - low);
}
END_TEST

START_TEST(test_check_targets)
{
    bundle b;
    validate_set *v;
    sim_error err;
    char reason[512];

    load(&b, runs);
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
    set_predictions(v);
    /* makespans within the targets, the speedup 37.5% off */
    ck_assert_int_eq(validate_check(v, reason, sizeof reason), 0);
    ck_assert_str_eq(reason, "logging-off speedup error +37.5% beyond 15% (double 10 threads "
                             "workers 4)");
    v->rows[1].predicted_s = 0.066;   /* the speedup exact */
    ck_assert_int_eq(validate_summarize(v, &err), 0);
    ck_assert_int_eq(validate_check(v, reason, sizeof reason), 1);
    ck_assert_str_eq(reason, "");
    v->rows[4].predicted_s = 0.25 * 1.3;
    v->rows[3].predicted_s = 0.6 * 1.15;
    ck_assert_int_eq(validate_summarize(v, &err), 0);
    ck_assert_int_eq(validate_check(v, reason, sizeof reason), 0);
    ck_assert_str_eq(reason, "held-out median |relative error| 15.0% > 10%; "
                             "held-out worst |relative error| 30.0% > 25%");
    validate_free(v);
    unload(&b);

    /* no held-out double or htex configuration */
    load(&b, "run_id,workload,size,tasks,executor,workers_requested,logging,role,status,makespan_s\n"
             "a,increment,11,10,threads,4,on,heldout,ok,0.1\n"
             "b,fibonacci,3,10,threads,4,on,heldout,ok,0.1\n"
             "c,double,10,10,htex,4,on,calibration,ok,0.1\n");
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
    for (int i = 0; i < v->nrows; i++)
        v->rows[i].predicted_s = v->rows[i].g.median_s;
    ck_assert_int_eq(validate_summarize(v, &err), 0);
    ck_assert_int_eq(validate_check(v, reason, sizeof reason), 0);
    ck_assert_str_eq(reason, "no held-out double configuration; no held-out htex configuration");
    validate_free(v);
    unload(&b);
}
END_TEST

START_TEST(test_nothing_to_validate)
{
    bundle b;
    validate_set *v = (validate_set *)&b;
    sim_error err;

    load(&b, "run_id,workload,size,tasks,executor,workers_requested,logging,status,makespan_s\n"
             "a,double,10,10,threads,4,on,failed,\n"
             "b,double,10,10,threads,4,on,timeout,\n");
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), SIM_EINPUT);
    ck_assert_ptr_null(v);
    ck_assert_str_eq(err.file, dir);
    ck_assert_ptr_nonnull(strstr(err.message, "nothing to validate"));
    unload(&b);
}
END_TEST

/* The blocked ratio: each capture's ratio of medians, their geometric mean
** weighted by 1 / (1 / n_on + 1 / n_off); a capture-wide slowdown cancels,
** and a capture that measured one side only does not count. */
START_TEST(test_blocked_ratio)
{
    /* capture 1: on 2, 2, 2 / off 1, 1, 1 (ratio 2); capture 2 slower by
    ** half on both sides (ratio 2); capture 3: on only. */
    double on[] = {2, 2, 2, 3, 3, 3, 9, 9}, off[] = {1, 1, 1, 1.5, 1.5, 1.5};
    int on_n[] = {3, 3, 2}, off_n[] = {3, 3, 0};
    double low, high;

    ck_assert_double_eq_tol(group_blocked_ratio(on, on_n, off, off_n, 3), 2.0, TOL);
    /* Captures that measured the two sides unequally often: the ratio of
    ** the pooled medians (2 / 1.5) follows the mix, the blocked one not. */
    {
        double a[] = {2, 2, 2, 3}, b[] = {1, 1.5, 1.5, 1.5};
        int a_n[] = {3, 1}, b_n[] = {1, 3};
        double c[4], d[4];
        memcpy(c, a, sizeof a);
        memcpy(d, b, sizeof b);
        ck_assert_double_eq_tol(group_blocked_ratio(a, a_n, b, b_n, 2), 2.0, TOL);
        ck_assert(fabs(group_median(c, 4) / group_median(d, 4) - 2.0) > 0.3);
    }
    /* unequal ratios, weights 1.5 and 3.5: exp((1.5 ln 2 + 3.5 ln 3) / 5) */
    {
        double a[] = {2, 2, 2, 3, 3, 3, 3, 3, 3, 3}, b[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        int a_n[] = {3, 7}, b_n[] = {3, 7};
        ck_assert_double_eq_tol(group_blocked_ratio(a, a_n, b, b_n, 2),
                                exp((1.5 * log(2) + 3.5 * log(3)) / 5), TOL);
        ck_assert_int_eq(group_blocked_interval(a, a_n, b, b_n, 2, 0.9, 500, 1, &low, &high), 0);
        ck_assert_double_eq_tol(low, high, TOL);   /* constant within each capture */
    }
    {
        int none_n[] = {0, 0, 0};
        ck_assert(isnan(group_blocked_ratio(on, on_n, off, none_n, 3)));
    }
    /* more repetitions on one side than the other (the scratch is sized by both) */
    {
        double a[] = {4, 5}, b[] = {1, 1, 2, 2, 2, 2, 3};
        int a_n[] = {2}, b_n[] = {7};
        ck_assert_int_eq(group_blocked_interval(a, a_n, b, b_n, 1, 0.9, 500, 2, &low, &high), 0);
        ck_assert(low <= 4.5 / 2 && high >= 4.5 / 2);
        ck_assert_int_eq(group_blocked_interval(b, b_n, a, a_n, 1, 0.9, 500, 2, &low, &high), 0);
        ck_assert(low > 0 && high < 1);
    }
}
END_TEST

/* One capture against the others pooled: its own median, theirs; nothing
** when either side has no repetition. */
START_TEST(test_capture_apart)
{
    double times[] = {1, 2, 3, 10, 4, 6}, scratch[6], own, others;
    int runs[] = {3, 1, 0, 2};

    ck_assert(group_capture_apart(times, runs, 4, 0, scratch, &own, &others));
    ck_assert_double_eq_tol(own, 2, TOL);
    ck_assert_double_eq_tol(others, 6, TOL);     /* 4, 6, 10 */
    ck_assert(group_capture_apart(times, runs, 4, 1, scratch, &own, &others));
    ck_assert_double_eq_tol(own, 10, TOL);
    ck_assert_double_eq_tol(others, 3, TOL);     /* 1, 2, 3, 4, 6 */
    ck_assert(!group_capture_apart(times, runs, 4, 2, scratch, &own, &others));
    ck_assert(!group_capture_apart(times, runs, 1, 0, scratch, &own, &others));
}
END_TEST

/* Each row carries its runs' median thread CPU a task by role (-1 where
** no run measured it) and, once simulated, the simulator's bursts and dead
** time a task by role, which add up to what its threads did. */
START_TEST(test_thread_cpu)
{
    static const char csv[] =
        "run_id,workload,size,tasks,executor,workers_requested,workers_started,logging,rep,"
        "role,profile,monitoring,status,makespan_s,thread_cpu_main_s,thread_cpu_launch_s,"
        "thread_cpu_workers_s,thread_cpu_join_s,thread_cpu_result_s\n"
        "a0,double,100,100,threads,4,4,on,0,calibration,0,0,ok,0.08,0.030,0.020,0.010,0,\n"
        "a1,double,100,100,threads,4,4,on,1,calibration,0,0,ok,0.09,0.040,0.024,0.012,0,\n"
        "a2,double,100,100,threads,4,4,on,2,calibration,0,0,ok,0.07,0.035,0.022,0.011,0,\n";
    bundle b;
    validate_set *v;
    model m;
    sim_error err;
    double cpu = 0, dead = 0;

    load(&b, csv);
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
    ck_assert_int_eq(v->nrows, 1);
    ck_assert_double_eq_tol(v->rows[0].measured_thread_cpu[SIM_ROLE_MAIN], 0.035 / 100, TOL);
    ck_assert_double_eq_tol(v->rows[0].measured_thread_cpu[SIM_ROLE_LAUNCH], 0.022 / 100, TOL);
    ck_assert_double_eq_tol(v->rows[0].measured_thread_cpu[SIM_ROLE_WORKERS], 0.011 / 100, TOL);
    ck_assert_double_eq_tol(v->rows[0].measured_thread_cpu[SIM_ROLE_JOIN], 0, TOL);
    ck_assert_double_eq(v->rows[0].measured_thread_cpu[SIM_ROLE_RESULT], -1);  /* empty cells */
    test_model(&m, 0);
    ck_assert_int_eq(validate_simulate(v, &m, 1, 1, &err), 0);
    for (int role = 0; role < SIM_ROLE_COUNT; role++) {
        cpu += v->rows[0].predicted_thread_cpu[role];
        dead += v->rows[0].predicted_thread_dead[role];
    }
    ck_assert(v->rows[0].predicted_thread_cpu[SIM_ROLE_MAIN] > 0);
    ck_assert(v->rows[0].predicted_thread_cpu[SIM_ROLE_LAUNCH] > 0);
    ck_assert(v->rows[0].predicted_thread_cpu[SIM_ROLE_WORKERS] > 0);
    ck_assert_double_eq(v->rows[0].predicted_thread_cpu[SIM_ROLE_RESULT], 0);
    /* the simulated threads' bursts are the run's CPU: every stage's
    ** cost and its records' */
    {
        const sim_result *res = &v->results[0];
        double stages = 0;
        for (int i = 0; i < STAGE_COUNT; i++)
            stages += res->stage_busy_s[i];
        ck_assert_double_eq_tol(cpu * res->tasks, stages + res->logging_busy_s + res->gc_busy_s, 1e-9);
    }
    ck_assert(dead >= 0);
    validate_free(v);
    unload(&b);
}
END_TEST

/* The CPU check: with the simulated CPU set by hand, one c (the least
** squares of measured - predicted on the switches measured in the runs that
** measured the CPU) and the errors it leaves are known exactly; a row
** whose CPU was not measured is not in it, and fewer than three rows make
** no check. */
START_TEST(test_cpu_check)
{
    static const char csv[] =
        "run_id,workload,size,tasks,executor,workers_requested,workers_started,logging,rep,"
        "role,profile,monitoring,status,makespan_s,timed_vcsw,thread_cpu_main_s,"
        "thread_cpu_launch_s,thread_cpu_workers_s,thread_cpu_join_s,thread_cpu_result_s\n"
        /* 1, 2 and 3 switches a task; 120, 140 and 190 us of CPU a task */
        "a0,double,100,100,threads,4,4,on,0,calibration,0,0,ok,0.08,100,0.006,0.004,0.002,0,\n"
        "b0,double,100,100,threads,4,4,off,0,calibration,0,0,ok,0.02,200,0.008,0.004,0.002,0,\n"
        "c0,double,200,200,threads,4,4,on,0,calibration,0,0,ok,0.16,600,0.020,0.012,0.006,0,\n"
        /* switches counted, CPU not: out of the check */
        "d0,double,300,300,threads,4,4,on,0,calibration,0,0,ok,0.24,900,,,,,\n"
        /* a second repetition without the CPU does not move the row's switches */
        "a1,double,100,100,threads,4,4,on,1,calibration,0,0,ok,0.08,900,,,,,\n";
    bundle b;
    validate_set *v;
    validate_cpu c;
    sim_error err;

    load(&b, csv);
    ck_assert_int_eq(validate_new(&v, &b, 1, 0, &err), 0);
    ck_assert_int_eq(v->nrows, 4);
    ck_assert_double_eq_tol(v->rows[0].cpu_switches, 1, TOL);
    ck_assert_double_eq_tol(v->rows[2].cpu_switches, 3, TOL);
    ck_assert_double_eq(v->rows[3].cpu_switches, -1);
    for (int i = 0; i < v->nrows; i++) {
        memset(v->rows[i].predicted_thread_cpu, 0, sizeof v->rows[i].predicted_thread_cpu);
        v->rows[i].predicted_thread_cpu[SIM_ROLE_MAIN] = 60e-6;
        v->rows[i].predicted_thread_cpu[SIM_ROLE_LAUNCH] = 40e-6;
    }
    validate_cpu_check(v, &c);
    ck_assert_int_eq(c.n, 3);
    ck_assert_double_eq_tol(c.per_switch_s, 370e-6 / 14, 1e-15);
    ck_assert_double_eq_tol(c.median_abs, 1 - (100 + 3 * 370.0 / 14) / 190, 1e-12);
    ck_assert_double_eq_tol(c.worst_abs, (100 + 2 * 370.0 / 14) / 140 - 1, 1e-12);
    ck_assert_int_eq(c.worst_row, 1);
    /* measured exactly predicted + 20 us a switch: c is 20 us, no error */
    v->rows[2].measured_thread_cpu[SIM_ROLE_MAIN] = 0.020 / 200 - 30e-6;
    validate_cpu_check(v, &c);
    ck_assert_double_eq_tol(c.per_switch_s, 20e-6, 1e-15);
    ck_assert_double_eq_tol(c.worst_abs, 0, 1e-12);
    v->rows[2].measured_thread_cpu[SIM_ROLE_MAIN] = -1;
    validate_cpu_check(v, &c);
    ck_assert_int_eq(c.n, 0);
    validate_free(v);
    unload(&b);
}
END_TEST

Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_group_runs);
    tcase_add_test(tc, test_predictions_are_sim_run);
    tcase_add_test(tc, test_pooled_bundles);
    tcase_add_test(tc, test_summaries);
    tcase_add_test(tc, test_what_if_pairs);
    tcase_add_test(tc, test_busy_machine_rows);
    tcase_add_test(tc, test_bad_background);
    tcase_add_test(tc, test_other_load);
    tcase_add_test(tc, test_ratio_interval);
    tcase_add_test(tc, test_blocked_ratio);
    tcase_add_test(tc, test_capture_apart);
    tcase_add_test(tc, test_thread_cpu);
    tcase_add_test(tc, test_cpu_check);
    tcase_add_test(tc, test_check_targets);
    tcase_add_test(tc, test_nothing_to_validate);
    suite_add_tcase(s, tc);
    return s;
}
