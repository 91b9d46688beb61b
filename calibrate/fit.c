/*
** The two-step fit of fit.h: stage costs from log spans and
** micro-benchmarks, then a few scale factors by nonlinear least squares
** against the calibration runs' makespans, simulated with sim_run.
*/
#include "fit.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../sim/sim.h"
#include "group.h"
#include "htexcpu.h"
#include "threadcpu.h"

enum side { SIDE_SUBMIT, SIDE_WORKER, SIDE_FIXED };

/* Which factor scales each stage: spans of the submitting process's
** threads and of HTEX's processes are wall time under contention; costs
** measured by micro-benchmarks are CPU time already and stay fixed. */
static int side_of(int stage, const char *source)
{
    if (!strncmp(source, "micro", 5) || !strncmp(source, "start", 5) ||
        !strncmp(source, "thread CPU", 10))
        return SIDE_FIXED;
    switch (stage) {
    case STAGE_INTERCHANGE_TASK:
    case STAGE_MANAGER_TASK:
    case STAGE_WORKER_EXECUTE:
    case STAGE_MANAGER_RESULT:
    case STAGE_INTERCHANGE_RESULT:
        return SIDE_WORKER;
    }
    return SIDE_SUBMIT;
}

typedef struct fit_context {
    model base;              /* costs before the factors */
    model trial;             /* base with the current factors applied */
    int side[STAGE_COUNT];
    fit_report *rep;
    double x[FACTOR_COUNT];  /* solver coordinates; those before first or past nfit stay fixed */
    int first;               /* the first factor the solver moves: 1 when the submit side's is held */
    int nfit;                /* factors the solver moves end here */
    double io_share;         /* the base model's share of a record outside the GIL, kept */
    int cores;
    int failed;              /* a simulation failed during the solve */
} fit_context;

/* Solver coordinates are 1 + log factor, so GSL's relative
** finite-difference step is about 1% of a factor. */
static void apply(fit_context *c, const double *x, double *factor)
{
    const model *b = &c->base;
    model *m = &c->trial;
    double total, share;

    factor[FACTOR_SUBMIT_SIDE] = exp(x[0] - 1);
    factor[FACTOR_WORKER_SIDE] = exp(x[1] - 1);
    factor[FACTOR_RECORD_HANDOFFS] = 2 * exp(x[2] - 1);
    factor[FACTOR_RECORD_COST] = exp(x[3] - 1);
    factor[FACTOR_HANDOFF] = exp(x[4] - 1);
    *m = *b;
    for (int s = 0; s < STAGE_COUNT; s++) {
        if (c->side[s] == SIDE_SUBMIT)
            m->stage[s].mean_s = b->stage[s].mean_s * factor[FACTOR_SUBMIT_SIDE];
        else if (c->side[s] == SIDE_WORKER && c->rep->htex_cpu_runs > 0) {
            /* Measured CPU (htexcpu.c): the stage costs stay as the
            ** CPU gave them; what the factor scales is their
            ** logging, whose cost in wall time the CPU excess understates.
            ** Its records stand for that excess: dearer records, fewer. */
            m->stage[s].records = b->stage[s].records * factor[FACTOR_WORKER_SIDE] /
                                  factor[FACTOR_RECORD_COST];
        } else if (c->side[s] == SIDE_WORKER) {
            m->stage[s].mean_s = b->stage[s].mean_s * factor[FACTOR_WORKER_SIDE];
        }
    }
    /* A record in place (Parsl's messages, its extra= dicts, the handler's
    ** formatting of them) costs more than the micro-benchmark's one line. */
    total = c->rep->record_total_s * factor[FACTOR_RECORD_COST];
    share = c->io_share;
    m->record_enabled_s = (1 - share) * total;
    m->record_io_s = share * total;
    m->record_disabled_s = c->rep->record_disabled_s;
    m->record_handoffs = factor[FACTOR_RECORD_HANDOFFS];
    m->gil_handoff_s = c->rep->handoff_s * factor[FACTOR_HANDOFF];
}

double fit_makespan(const model *m, const fit_config *fc, int logging, int cores,
                    int replications, double *switches, sim_error *err)
{
    sim_config cfg;
    sim_result res;
    double makespan[FIT_MAX_REPLICATIONS];
    int n = replications > 0 ? replications : 1;

    memset(&cfg, 0, sizeof cfg);
    cfg.workload = fc->workload;
    cfg.size = fc->size;
    cfg.executor = fc->executor;
    cfg.workers = fc->workers;
    cfg.logging = logging;
    cfg.cores = cores;
    cfg.model = m;
    if (switches)
        *switches = 0;
    for (int r = 0; r < n; r++) {
        /* validate.c's seeds for its replications */
        cfg.seed = 1 + (uint64_t)r * 0x9E3779B97F4A7C15ULL;
        if (sim_run(&cfg, &res, err) != 0)
            return NAN;
        makespan[r] = res.makespan_s;
        if (switches)
            *switches += ((double)res.wakeups + res.record_handoffs) / n;
    }
    return group_median(makespan, n);
}

/* The trial model's makespan of a calibration configuration, as fitted. */
static double simulate(fit_context *c, const fit_config *fc, double *switches)
{
    sim_error err;
    double p = fit_makespan(&c->trial, fc, fc->logging, c->cores, c->rep->replications,
                            switches, &err);

    if (isnan(p))
        c->failed = 1;
    return p;
}

/* Whether a configuration's context switches are fitted too: counted, and
** with logging on, where the model's hand-offs are the records' own. With
** logging off the threads hand the GIL over in regimes the model does not
** reproduce (docs/validate.md), so their counts would pull the logging
** parameters for nothing. */
static int fits_switches(const fit_config *fc)
{
    return fc->switches > 0 && fc->logging == LOGGING_ON;
}

/* Residuals: log(predicted / measured) makespan for every configuration,
** then log(predicted / measured) switches for those fits_switches takes. */
static int residuals(const gsl_vector *x, void *params, gsl_vector *f)
{
    fit_context *c = params;
    double factor[FACTOR_COUNT];
    int k = c->rep->nconfigs;

    for (int j = c->first; j < c->nfit; j++)
        c->x[j] = gsl_vector_get(x, (size_t)(j - c->first));
    apply(c, c->x, factor);
    for (int i = 0; i < c->rep->nconfigs; i++) {
        fit_config *fc = &c->rep->config[i];
        double switches, p = simulate(c, fc, &switches);
        if (!(p > 0))
            return GSL_EDOM;
        gsl_vector_set(f, i, log(p / fc->measured_s));
        fc->predicted_switches = switches;
        if (fits_switches(fc))
            gsl_vector_set(f, k++, log((switches + 1) / (fc->switches + 1)));
    }
    return GSL_SUCCESS;
}

/* Group the calibration runs by configuration (group.c): median makespan. */
static int collect_configs(const bundle *bundles, int nb, int flags, fit_report *rep,
                           sim_error *err)
{
    run_group *g;
    int n, rc;

    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++)
            rep->heldout_runs += bundles[k].runs[i].heldout;
    if ((rc = group_runs(bundles, nb, GROUP_CALIBRATION, &g, &n, err)) != 0)
        return rc;
    for (int i = 0; i < n && rep->nconfigs < FIT_MAX_CONFIGS; i++) {
        if ((flags & FIT_LOGGING_ON_ONLY) && g[i].logging != LOGGING_ON)
            continue;
        if (g[i].background > 0)
            continue;   /* the fit's machine is idle; a busy one is a what-if */
        rep->config[rep->nconfigs++] = (fit_config){
            .workload = g[i].workload, .executor = g[i].executor, .logging = g[i].logging,
            .size = g[i].size, .workers = g[i].workers, .runs = g[i].runs,
            .measured_s = g[i].median_s, .spread_s = g[i].max_s - g[i].min_s,
            .switches = g[i].switches,
        };
    }
    free(g);
    return 0;
}

/* A stage's base cost: its median span less its records' cost. */
static void from_span(model *m, fit_report *rep, int stage, span_stats s,
                      double records, const char *how)
{
    double log_cost = records * rep->record_total_s;
    double cost = s.median_s - log_cost;

    /* A span shorter than its records' micro-benchmarked cost means the
    ** records were cheaper in situ; keep a tenth of the span as CPU. */
    if (cost < 0.1 * s.median_s)
        cost = 0.1 * s.median_s;
    m->stage[stage].mean_s = cost;
    m->stage[stage].cv = s.cv;
    m->stage[stage].dist = s.cv > 0 ? DIST_LOGNORMAL : DIST_CONSTANT;
    m->stage[stage].records = records;
    m->stage[stage].debug_records = fmin(s.debug_records, records);
    rep->stage_span[stage] = s;
    snprintf(rep->stage_source[stage], sizeof rep->stage_source[stage],
             "%s (n=%ld)", how, s.n);
}

static void from_start(model *m, fit_report *rep, const model *start, int stage)
{
    m->stage[stage] = start->stage[stage];
    snprintf(rep->stage_source[stage], sizeof rep->stage_source[stage],
             "start model: NOT MEASURED");
}

static void from_micro(model *m, fit_report *rep, const model *start, int stage,
                       double value, const char *bench)
{
    if (value <= 0) {
        from_start(m, rep, start, stage);
        return;
    }
    m->stage[stage].dist = DIST_CONSTANT;
    m->stage[stage].mean_s = value;
    m->stage[stage].cv = 0;
    m->stage[stage].records = 0;
    m->stage[stage].debug_records = 0;
    snprintf(rep->stage_source[stage], sizeof rep->stage_source[stage],
             "micro-benchmark %s", bench);
}

static void structure(model *m, fit_report *rep, const spans *sp, const model *start,
                      const bundle *b)
{
    span_stats s;
    static const int plain[] = {STAGE_SUBMIT, STAGE_LAUNCH_THREADS, STAGE_LAUNCH_HTEX,
                                STAGE_LAUNCH_SKIP, STAGE_COMPLETE, STAGE_JOIN_EXECUTE,
                                STAGE_JOIN_COMPLETE, STAGE_WORKER_EXECUTE};

    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        s = spans_get(sp, plain[i]);
        if (s.n > 0)
            from_span(m, rep, plain[i], s, s.records, "parsl.log span");
        else
            from_start(m, rep, start, plain[i]);
    }
    /* The HTEX result thread's span holds the receive and the completion:
    ** the completion's part is what the thread-pool runs measured. */
    s = spans_get(sp, STAGE_RESULT_RECEIVE);
    if (s.n > 0) {
        span_stats part = s;
        double complete = m->stage[STAGE_COMPLETE].mean_s +
                          m->stage[STAGE_COMPLETE].records * rep->record_total_s;
        part.median_s = s.median_s - complete;
        if (part.median_s < 0.1 * s.median_s)
            part.median_s = 0.1 * s.median_s;
        part.debug_records = fmax(0, s.debug_records - m->stage[STAGE_COMPLETE].debug_records);
        from_span(m, rep, STAGE_RESULT_RECEIVE, part,
                  fmax(0, s.records - m->stage[STAGE_COMPLETE].records),
                  "result-thread span less complete");
    } else {
        from_start(m, rep, start, STAGE_RESULT_RECEIVE);
    }
    /* Interchange and manager log nothing per task: each path's latency
    ** in the chain, less the launch thread's tail and the result thread's
    ** receive, is shared by the interchange and the manager. */
    rep->forward = spans_get(sp, SPAN_FORWARD);
    rep->back = spans_get(sp, SPAN_RETURN);
    if (rep->forward.n > 0 && rep->back.n > 0) {
        span_stats half = rep->forward;
        half.median_s = rep->forward.median_s / 2;
        from_span(m, rep, STAGE_INTERCHANGE_TASK, half, 0, "half the HTEX forward path");
        from_span(m, rep, STAGE_MANAGER_TASK, half, 0, "half the HTEX forward path");
        half = rep->back;
        half.median_s = rep->back.median_s / 2;
        from_span(m, rep, STAGE_INTERCHANGE_RESULT, half, 0, "half the HTEX return path");
        from_span(m, rep, STAGE_MANAGER_RESULT, half, 0, "half the HTEX return path");
    } else {
        from_start(m, rep, start, STAGE_INTERCHANGE_TASK);
        from_start(m, rep, start, STAGE_MANAGER_TASK);
        from_start(m, rep, start, STAGE_INTERCHANGE_RESULT);
        from_start(m, rep, start, STAGE_MANAGER_RESULT);
    }
    /* No log marks these: the app body in a pool thread (seen only as a
    ** gap in the chain), one dependency check, one done future's result. */
    s = spans_get(sp, STAGE_EXECUTE_THREADS);
    if (s.n > 0)
        from_span(m, rep, STAGE_EXECUTE_THREADS, s, 0, "chain: launched to exec_done");
    else
        from_start(m, rep, start, STAGE_EXECUTE_THREADS);
    from_micro(m, rep, start, STAGE_DEP_CHECK, b ? b->future_done_s : -1, "future_done");
    from_micro(m, rep, start, STAGE_COLLECT, b ? b->future_result_s : -1, "future_result_done");
    if (b && b->thread_start_s > 0)
        m->thread_start_s = b->thread_start_s;
    rep->thread_start_measured = b && b->thread_start_s > 0;
}

/* The solver starts where a coarse scan of the submit side's scale puts
** it. The span-based costs are wall times, 10-30 times the CPU the fit
** ends at, and from that far the convoy's steep response to the costs
** (docs/design.md) can stall the solver in a local minimum. */
static int start_scan(fit_context *c, size_t nres)
{
    gsl_vector *f = gsl_vector_alloc(nres);
    gsl_vector_view x;
    double best = INFINITY, best_x = c->x[FACTOR_SUBMIT_SIDE], x0[FACTOR_COUNT];

    if (f == NULL)
        return -1;
    for (int k = 0; k <= 12; k++) {
        double chi2;
        memcpy(x0, c->x, sizeof x0);
        x0[FACTOR_SUBMIT_SIDE] = 1 + log(10) * (-3 + 0.25 * k);
        x = gsl_vector_view_array(x0 + c->first, (size_t)(c->nfit - c->first));
        if (residuals(&x.vector, c, f) != GSL_SUCCESS)
            continue;
        gsl_blas_ddot(f, f, &chi2);
        if (chi2 < best) {
            best = chi2;
            best_x = x0[FACTOR_SUBMIT_SIDE];
        }
    }
    c->x[FACTOR_SUBMIT_SIDE] = best_x;
    gsl_vector_free(f);
    return 0;
}

static int solve(fit_context *c, fit_report *rep, sim_error *err)
{
    const size_t n = rep->nconfigs, p = (size_t)(c->nfit - c->first), nres = n + rep->nswitches;
    gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_fdf fdf;
    gsl_multifit_nlinear_workspace *w;
    gsl_matrix *covar;
    double x0[FACTOR_COUNT], factor[FACTOR_COUNT], chi2 = 0, mean = 0, total = 0, s2;
    gsl_vector_view x;

    if (c->first == 0 && start_scan(c, nres) != 0)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    memcpy(x0, c->x, sizeof x0);
    x = gsl_vector_view_array(x0 + c->first, p);
    int status, info;

    params.h_df = 1e-2;
    memset(&fdf, 0, sizeof fdf);
    fdf.f = residuals;
    fdf.n = nres;
    fdf.p = p;
    fdf.params = c;
    w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, nres, p);
    covar = gsl_matrix_alloc(p, p);
    if (w == NULL || covar == NULL) {
        gsl_multifit_nlinear_free(w);
        gsl_matrix_free(covar);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    }
    status = gsl_multifit_nlinear_init(&x.vector, &fdf, w);
    if (status == GSL_SUCCESS)
        status = gsl_multifit_nlinear_driver(100, 1e-6, 1e-6, 1e-8, NULL, NULL, &info, w);
    if (status != GSL_SUCCESS && status != GSL_EMAXITER) {
        gsl_multifit_nlinear_free(w);
        gsl_matrix_free(covar);
        return error_set(err, SIM_EFIT, NULL, 0, 0, "the makespan fit failed: %s%s",
                         gsl_strerror(status), c->failed ? " (a simulation failed)" : "");
    }
    rep->iterations = (int)gsl_multifit_nlinear_niter(w);
    /* A Jacobian of rank 0 (makespans that no factor moves) has no
    ** covariance: the intervals are then unbounded. */
    if (gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, covar) != GSL_SUCCESS)
        gsl_matrix_set_all(covar, INFINITY);
    for (size_t j = 0; j < p; j++)
        c->x[c->first + j] = gsl_vector_get(gsl_multifit_nlinear_position(w), j);
    apply(c, c->x, factor);
    for (size_t i = 0; i < n; i++) {
        double r = gsl_vector_get(gsl_multifit_nlinear_residual(w), i);
        chi2 += r * r;
        rep->config[i].predicted_s = rep->config[i].measured_s * exp(r);
        mean += log(rep->config[i].measured_s) / n;
    }
    for (size_t i = 0; i < n; i++)
        total += pow(log(rep->config[i].measured_s) - mean, 2);
    rep->r2 = total > 0 ? 1 - chi2 / total : 0;
    rep->rms_log_error = sqrt(chi2 / n);
    rep->switch_chi2 = 0;
    for (size_t i = n; i < nres; i++) {
        double r = gsl_vector_get(gsl_multifit_nlinear_residual(w), i);
        rep->switch_chi2 += r * r;
    }
    s2 = nres > p ? (chi2 + rep->switch_chi2) / (nres - p) : chi2 + rep->switch_chi2;
    rep->chi2 = chi2 + rep->switch_chi2;
    rep->dof = (int)(nres - p);
    for (size_t j = 0; j < FACTOR_COUNT; j++)
        rep->factor[j] = rep->factor_low[j] = rep->factor_high[j] = factor[j];
    for (size_t j = 0; j < p; j++) {
        size_t fj = c->first + j;
        double xj = gsl_vector_get(gsl_multifit_nlinear_position(w), j);
        double half = 1.96 * sqrt(s2 * gsl_matrix_get(covar, j, j));
        double scale = fj == FACTOR_RECORD_HANDOFFS ? 2 : 1;
        rep->factor_low[fj] = scale * exp(xj - 1 - half);
        rep->factor_high[fj] = scale * exp(xj - 1 + half);
    }
    rep->fitted = c->nfit;
    gsl_multifit_nlinear_free(w);
    gsl_matrix_free(covar);
    return 0;
}

static int any_logging_off(const fit_report *rep)
{
    for (int i = 0; i < rep->nconfigs; i++)
        if (rep->config[i].logging != LOGGING_ON)
            return 1;
    return 0;
}

int fit_scale(const model *base, fit_report *rep, int cores, model *out, sim_error *err)
{
    fit_context *c = calloc(1, sizeof *c);
    double factor[FACTOR_COUNT], total;
    int rc = 0;

    if (c == NULL)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    c->base = *base;
    c->rep = rep;
    c->cores = cores;
    for (int s = 0; s < STAGE_COUNT; s++)
        c->side[s] = side_of(s, rep->stage_source[s]);
    /* Start from the base model's own structure (the hand-offs per record;
    ** its I/O share stays), records at their micro-benchmark and the
    ** micro-benchmarked wake-up, which stays. With
    ** two configurations a factor the first four move; with fewer, only the
    ** two scales, the rest staying as they start; with fewer than four, none. */
    total = base->record_enabled_s + base->record_io_s;
    c->io_share = total > 0 ? base->record_io_s / total : 0;
    c->x[FACTOR_SUBMIT_SIDE] = 1;
    c->x[FACTOR_WORKER_SIDE] = 1;
    c->x[FACTOR_RECORD_HANDOFFS] = 1 + (base->record_handoffs > 0 ? log(base->record_handoffs / 2) : 0);
    c->x[FACTOR_RECORD_COST] = 1;
    c->x[FACTOR_HANDOFF] = 1;
    c->nfit = rep->nconfigs >= 2 * FACTOR_FITTED ? FACTOR_FITTED : rep->nconfigs >= 4 ? 2 : 0;
    /* Only runs with the submit side's logging off tell a record's cost
    ** from its stage's through the makespans; without them, or with too
    ** few configurations to fit it (--logging-off-from: one logging-off
    ** configuration), a record costs what parsl.log shows of one in place
    ** (two records back to back), or failing that the micro-benchmark's
    ** one line, 0.5-0.7 of it in the captures so far. */
    if (!any_logging_off(rep) && c->nfit > FACTOR_RECORD_COST)
        c->nfit = FACTOR_RECORD_COST;
    rep->record_from_spans = c->nfit <= FACTOR_RECORD_COST &&
                             rep->record_span.n >= FIT_MIN_RECORD_PAIRS &&
                             rep->record_total_s > 0 && rep->record_span.median_s > 0;
    if (rep->record_from_spans)
        c->x[FACTOR_RECORD_COST] = 1 + log(rep->record_span.median_s / rep->record_total_s);
    /* The submit side's scale held (whatif.c's profile): the rest refitted. */
    if (rep->held_submit_side > 0 && c->nfit >= 2) {
        c->x[FACTOR_SUBMIT_SIDE] = 1 + log(rep->held_submit_side);
        c->first = 1;
    }
    rep->nswitches = 0;
    for (int i = 0; i < rep->nconfigs; i++)
        rep->nswitches += fits_switches(&rep->config[i]);
    if (c->nfit > 0) {
        rc = solve(c, rep, err);
    } else {
        apply(c, c->x, factor);
        for (int j = 0; j < FACTOR_COUNT; j++)
            rep->factor[j] = rep->factor_low[j] = rep->factor_high[j] = factor[j];
    }
    if (rc == 0)
        *out = c->trial;
    free(c);
    return rc;
}

/* Fitted on logging-on runs alone, the sum of squares is flat along the
** submit side's scale, and the solver can stop in a local minimum that the
** what-if's profile then walks past (whatif.c). The model is the best fit
** found: the profile's lowest refit, when it is lower, profiled again. */
static int logging_on_only_optimum(const model *base, model *out, fit_report *rep, int cores,
                                   sim_error *err)
{
    fit_report *again;
    model m;
    int rc;

    if ((rc = whatif_profile(base, out, rep, cores, err)) != 0 || rep->whatif.best_chi2 <= 0)
        return rc;
    if ((again = malloc(sizeof *again)) == NULL)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    *again = *rep;
    again->held_submit_side = rep->whatif.best_scale;
    rc = fit_scale(base, again, cores, &m, err);
    if (rc == 0 && again->chi2 < rep->chi2) {
        double first_scale = rep->factor[FACTOR_SUBMIT_SIDE], first_chi2 = rep->chi2;
        again->held_submit_side = 0;
        *rep = *again;
        *out = m;
        rc = whatif_profile(base, out, rep, cores, err);
        rep->whatif.moved_from_scale = first_scale;
        rep->whatif.moved_from_chi2 = first_chi2;
    }
    free(again);
    /* The scale's interval is the profile's, not the Jacobian's. */
    if (rc == 0 && rep->whatif.done) {
        rep->factor_low[FACTOR_SUBMIT_SIDE] = rep->whatif.scale[WHATIF_LOW];
        rep->factor_high[FACTOR_SUBMIT_SIDE] = rep->whatif.scale[WHATIF_HIGH];
    }
    return rc;
}

int fit_model(const bundle *bundles, int nb, const spans *sp, int flags, const model *start,
              model *out, fit_report *rep, sim_error *err)
{
    model base;
    int rc;

    memset(rep, 0, sizeof *rep);
    base = *start;
    rep->record_total_s = start->record_enabled_s + start->record_io_s;
    rep->record_disabled_s = start->record_disabled_s;
    rep->handoff_s = start->gil_handoff_s;
    for (int k = 1; k < nb; k++)
        if (!bundle_same_machine(&bundles[k], &bundles[0]))
            return error_set(err, SIM_EINPUT, bundles[k].path, 0, 0,
                             "one model from bundles of different machines (%s, %d cores, %s %s; "
                             "%s, %d, %s %s): calibrate each machine apart",
                             bundles[0].host, bundles[0].cores, bundles[0].cpu,
                             bundles[0].cpu_id, bundles[k].host, bundles[k].cores,
                             bundles[k].cpu, bundles[k].cpu_id);
    if (nb > 0 && (bundles[0].log_enabled_s <= 0 || bundles[0].log_disabled_s <= 0))
        return error_set(err, SIM_EINPUT, bundles[0].path, 0, 0,
                         "no log-record micro-benchmarks (micro.json): capture again");
    for (int k = 0; k < nb; k++) {
        if (bundles[k].log_enabled_s > 0)
            rep->record_total_s = bundles[k].log_enabled_s;
        if (bundles[k].log_disabled_s > 0)
            rep->record_disabled_s = bundles[k].log_disabled_s;
        if (bundles[k].log_dropped_s > 0)
            rep->record_dropped_s = bundles[k].log_dropped_s;
        if (bundles[k].handoff_roundtrip_s > 0)
            rep->handoff_s = bundles[k].handoff_roundtrip_s / 2;
        /* The whole of ThreadPoolExecutor.submit runs under the lock. */
        if (bundles[k].pool_submit_s > 0) {
            base.pool_lock_s = bundles[k].pool_submit_s;
            rep->pool_lock_measured = 1;
        }
    }
    structure(&base, rep, sp, start, nb > 0 ? &bundles[0] : NULL);
    rep->record_span = spans_get_by_capture(sp, SPAN_RECORD);
    htexcpu_apply(&base, rep, bundles, nb, flags);
    /* Before threadcpu_apply, which does not change the records. */
    if (threadcpu_split_fit(&base, rep, bundles, nb, flags) != 0)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    threadcpu_apply(&base, rep, bundles, nb, flags);
    if (gcfit_fit(bundles, nb, flags & FIT_LOGGING_ON_ONLY, &base, &rep->gc) != 0)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    /* Several replications when a run's course is drawn: the collector's
    ** phase, or whether and when the threads fall into the pool lock's
    ** convoy (bistable: one seed alone would fit one regime). */
    rep->replications = (base.gc_full_check_tasks > 0 && base.gc_full_first_tasks == 0) ||
                        base.pool_lock_s > 0 ? FIT_MAX_REPLICATIONS : 1;
    if ((rc = collect_configs(bundles, nb, flags, rep, err)) != 0)
        return rc;
    rc = fit_scale(&base, rep, nb > 0 ? bundles[0].cores : start->machine_cores, out, err);
    if (rc == 0 && (flags & FIT_LOGGING_ON_ONLY))
        rc = logging_on_only_optimum(&base, out, rep,
                                     nb > 0 ? bundles[0].cores : start->machine_cores, err);
    if (rc == 0 && nb > 0) {
        char when[32];
        time_t now = time(NULL);
        strftime(when, sizeof when, "%Y-%m-%d", gmtime(&now));
        out->calibrated = 1;
        out->machine_cores = bundles[0].cores;
        snprintf(out->machine_cpu, sizeof out->machine_cpu, "%s", bundles[0].cpu);
        snprintf(out->machine_host, sizeof out->machine_host, "%s", bundles[0].host);
        /* A manifest without the machine's memory keeps the start model's:
        ** the model file needs a positive one to read back. */
        if (bundles[0].memory_gib > 0)
            out->machine_memory_gib = bundles[0].memory_gib;
        snprintf(out->parsl_version, sizeof out->parsl_version, "%s", bundles[0].parsl_version);
        snprintf(out->python_version, sizeof out->python_version, "%s", bundles[0].python_version);
        snprintf(out->name, sizeof out->name, "%s", bundles[0].host);
        snprintf(out->provenance, sizeof out->provenance,
                 "sim calibrate on %s from %d bundle(s), first %.300s (%d calibration "
                 "configurations, %d held-out runs unused); R^2 of log makespans %.3f",
                 when, nb, bundles[0].path, rep->nconfigs, rep->heldout_runs, rep->r2);
    }
    /* The interval's end models carry the fitted model's machine and
    ** provenance, which the block above has just set. */
    for (int e = 0; rc == 0 && rep->whatif.done && e < 2; e++)
        whatif_label_end(&rep->whatif, e, out);
    return rc;
}

void fit_print_report(const fit_report *rep, const model *m, FILE *out)
{
    static const char *factor_names[FACTOR_COUNT] = {
        "submit-side stage costs", "HTEX worker side",
        "hand-offs per contended record", "enabled record in place (x micro)",
        "thread wake-up (hand-off)"};

    fprintf(out, "per-task stage costs (seconds; logging excluded)\n");
    fprintf(out, "%-20s %12s %6s %8s %12s  %s\n", "stage", "mean_s", "cv", "records",
            "span_med_s", "source");
    for (int s = 0; s < STAGE_COUNT; s++)
        fprintf(out, "%-20s %12.3e %6.2f %8.1f %12.3e  %s\n", model_stage_name(s),
                m->stage[s].mean_s, m->stage[s].cv, m->stage[s].records,
                rep->stage_span[s].median_s, rep->stage_source[s]);
    fprintf(out, "\nlogging: one enabled record %.3e s (micro-benchmark %.3e x factor) = %.3e "
                 "under the GIL + %.3e I/O; disabled call %.3e s (micro-benchmark)\n",
            m->record_enabled_s + m->record_io_s, rep->record_total_s, m->record_enabled_s,
            m->record_io_s, m->record_disabled_s);
    if (rep->record_span.n > 0)
        fprintf(out, "  in parsl.log, two records back to back (n=%ld): %.3e s (the median of %d "
                     "captures' medians; %.2f x the micro-benchmark)%s\n", rep->record_span.n,
                rep->record_span.median_s, rep->record_span.captures,
                rep->record_total_s > 0 ? rep->record_span.median_s / rep->record_total_s : 0,
                rep->record_from_spans ? ": the record's cost, with too few logging-off runs "
                                         "to fit it" : "");
    fprintf(out, "thread wake-up (GIL or lock hand-off): %.3e s (half the thread hand-off "
                 "micro-benchmark x factor)\n", m->gil_handoff_s);
    if (rep->thread_cpu_runs > 0)
        fprintf(out, "HTEX submit side, thread CPU per task (median of %d logging-off runs): "
                     "launch thread %.3e s, result thread %.3e s\n",
                rep->thread_cpu_runs, rep->thread_cpu[0], rep->thread_cpu[1]);
    if (rep->split.runs > 0) {
        const thread_split *t = &rep->split;
        fprintf(out, "thread pool, each thread's CPU a task = work + records x a record + switches "
                     "x a switch (linear least squares over %d double runs, %d with logging on; "
                     "R^2 %.3f; not used by the model):\n", t->runs, t->logging_on, t->r2);
        fprintf(out, "  work: main %.3e s (se %.1e), launch + workers %.3e s (se %.1e); "
                     "a record %.3e s (se %.1e), %.2f x the micro-benchmark, %.1f + %.1f a task; "
                     "a switch %.3e s (se %.1e)\n", t->work_s[0], t->se[0], t->work_s[1], t->se[1],
                t->record_s, t->se[2], rep->record_total_s > 0 ? t->record_s / rep->record_total_s : 0,
                t->records[0], t->records[1], t->switch_s, t->se[3]);
    }
    if (rep->htex_cpu_runs > 0) {
        static const char *names[3] = {"interchange", "manager", "workers"};
        fprintf(out, "HTEX processes, CPU per task (median of %d %s): work + logging",
                rep->htex_cpu_runs, rep->htex_cpu_source == HTEX_CPU_COUNTED ?
                "logging-on runs less their counted logging" :
                "off_all runs; logging's extra from logging-on runs");
        for (int p = 0; p < 3; p++)
            fprintf(out, ";%s %.3e s + %.3e s", names[p], rep->htex_cpu[p],
                    fmax(0, rep->htex_logging[p]));
        fprintf(out, "\n");
    }
    if (rep->htex_counts) {
        static const char *names[3] = {"interchange", "manager", "workers"};
        fprintf(out, "HTEX logging counted, per task (INFO records x %.3e s + dropped DEBUG "
                     "records x %.3e s, micro-benchmarks):", rep->record_total_s,
                rep->record_dropped_s);
        for (int p = 0; p < 3; p++)
            fprintf(out, "%s %s %.1f + %.1f = %.3e s", p ? ";" : "", names[p],
                    rep->htex_records_info[p], rep->htex_records_dropped[p], rep->htex_counted[p]);
        fprintf(out, "\n");
    }
    if (rep->gc.source == GCFIT_NONE) {
        fprintf(out, "full collections: %s; %s\n",
                rep->gc.collections > 0 ? "too few in the calibration runs used (3 needed)"
                                        : "none in the calibration runs used (or no gc.csv)",
                m->gc_full_check_tasks > 0 ? "the start model's kept" : "not simulated");
    } else {
        fprintf(out, "full collections (%d in %d runs): pause %.3e s (sd %.1e) + %.3e s "
                     "(sd %.1e) per task submitted, R^2 %.3f\n",
                rep->gc.collections, rep->gc.runs, m->gc_full_base_s, rep->gc.base_sd,
                m->gc_full_per_task_s, rep->gc.per_task_sd, rep->gc.r2);
        fprintf(out, "  a run's first at submit %d (median over runs)\n", m->gc_full_first_tasks);
        if (rep->gc.source == GCFIT_FULL)
            fprintf(out, "  a check every %d submits, collecting after %.1f%% growth "
                         "(%d intervals, rms %.0f tasks)\n", m->gc_full_check_tasks,
                    100 * m->gc_full_growth, rep->gc.intervals, rep->gc.interval_rms);
        else
            fprintf(out, "  a check every %d submits (the collection rate; fewer than 3 "
                         "intervals), growth %.1f%% kept\n", m->gc_full_check_tasks,
                    100 * m->gc_full_growth);
        fprintf(out, "  simulated with %d replications per configuration (median)\n",
                rep->replications);
    }
    fprintf(out, "pool lock (ThreadPoolExecutor.submit under concurrent.futures' lock): %.3e s (%s)\n",
            m->pool_lock_s, rep->pool_lock_measured ? "micro-benchmark pool_submit"
                                                    : "the start model's");
    fprintf(out, "thread start (ThreadPoolExecutor worker): %.3e s (%s)\n", m->thread_start_s,
            rep->thread_start_measured ? "micro-benchmark thread_start"
                                       : "start model: NOT MEASURED");
    if (rep->forward.n > 0)
        fprintf(out, "HTEX paths in the chain: forward %.3e s (n=%ld), return %.3e s (n=%ld)\n",
                rep->forward.median_s, rep->forward.n, rep->back.median_s, rep->back.n);
    fprintf(out, "\nfactors %s\n", rep->fitted == FACTOR_FITTED ? "fitted to the calibration makespans "
                                                                 "(the wake-up stays the micro-benchmark's)"
                                   : rep->fitted == FACTOR_RECORD_COST ?
                                         "fitted (the wake-up and, with no logging-off run, "
                                         "the record's cost stay the micro-benchmarks')"
                                   : rep->fitted ? "(the first two) fitted; too few configurations for the rest"
                                                 : "not fitted (too few configurations)");
    fprintf(out, "%-32s %10s %22s\n", "factor", "value", "95% interval");
    for (int j = 0; j < FACTOR_COUNT; j++)
        fprintf(out, "%-32s %10.3f      [%7.3f, %7.3f]\n", factor_names[j], rep->factor[j],
                rep->factor_low[j], rep->factor_high[j]);
    if (!rep->fitted)
        return;
    whatif_print(rep, out);
    fprintf(out, "\nfit: %d configurations, %d iterations, R^2 (log makespan) %.4f, "
                 "rms log error %.3f\n", rep->nconfigs, rep->iterations, rep->r2,
            rep->rms_log_error);
    if (rep->nswitches > 0)
        fprintf(out, "with the context switches of %d logging-on configurations (rms log "
                     "error %.3f)\n", rep->nswitches, sqrt(rep->switch_chi2 / rep->nswitches));
    fprintf(out, "%-10s %8s %-8s %7s %-7s %4s %12s %12s %9s %11s\n", "workload", "size",
            "executor", "workers", "logging", "runs", "measured_s", "predicted_s", "rel_err",
            "switches");
    for (int i = 0; i < rep->nconfigs; i++) {
        const fit_config *c = &rep->config[i];
        char switches[32] = "";
        if (c->switches >= 0)
            snprintf(switches, sizeof switches, "%.0f/%.0f%s", c->switches,
                     c->predicted_switches, fits_switches(c) ? "" : "*");
        fprintf(out, "%-10s %8ld %-8s %7d %-7s %4d %12.4f %12.4f %+8.1f%% %11s\n",
                sim_workload_name(c->workload), c->size, sim_executor_name(c->executor),
                c->workers, sim_logging_name(c->logging), c->runs, c->measured_s,
                c->predicted_s, 100 * (c->predicted_s / c->measured_s - 1), switches);
    }
}
