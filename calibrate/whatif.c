/*
** The logging-off what-if's interval. Fitted on logging-on runs alone, the
** submit side's scale is loose: on the committed bundles two fits at scales
** 0.056 and 0.072 had rms log errors of 0.135 and 0.134 and predicted the
** thread pool's speedups 20-50% apart (docs/calibrate.md). The Jacobian's
** interval assumes a sum of squares that is quadratic in the factors; this
** one is not (the convoy, the collector), so the interval here is the
** profile's: hold the scale, refit the other factors (fit_scale), and keep
** every scale whose sum of squares S stays under
**
**     S_min (1 + F(0.95; 1, dof) / dof)
**
** (the F test of one held parameter in nonlinear least squares, GSL's
** gsl_cdf_fdist_Pinv). Each end is found by doubling a step out of the
** fit and then bisecting. At the ends, and at the fit, every calibration
** configuration is simulated with logging on and off: the speedup the
** logging-on runs allow, low to high.
*/
#include "whatif.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/sim.h"
#include "fit.h"

/* The scales searched: the solver's start scan's range (fit.c). At 1 the
** stages cost their spans, wall time 10-30 times their CPU. */
#define WHATIF_SCALE_MIN 1e-3
#define WHATIF_SCALE_MAX 1.0
#define WHATIF_BISECTIONS 4

typedef struct profile {
    const model *base;
    const fit_report *rep;
    fit_report *scratch;         /* a refit's report; owned by the caller */
    int cores;
    int fits;
    double best_chi2, best_scale; /* the lowest refit's */
} profile;

/* The sum of squares with the submit side's factor held at scale, and
** the refitted model in *m. */
static int refit(profile *p, double scale, model *m, double *chi2, sim_error *err)
{
    int rc;

    *p->scratch = *p->rep;
    p->scratch->held_submit_side = scale;
    p->scratch->whatif.done = 0;
    rc = fit_scale(p->base, p->scratch, p->cores, m, err);
    p->fits++;
    *chi2 = p->scratch->chi2;
    if (rc == 0 && *chi2 < p->best_chi2) {
        p->best_chi2 = *chi2;
        p->best_scale = scale;
    }
    return rc;
}

/* The last scale on one side (dir -1 or +1) of the fit's whose sum of
** squares stays under the threshold, and its model; *open when the search
** reached the end of its range before the threshold. */
static int side(profile *p, int dir, double threshold, double *end, model *end_model,
                int *open, sim_error *err)
{
    const double s0 = p->rep->factor[FACTOR_SUBMIT_SIDE];
    const double limit = dir < 0 ? log(s0 / WHATIF_SCALE_MIN) : log(WHATIF_SCALE_MAX / s0);
    double inside = 0, outside = -1, chi2;
    model m;
    int rc;

    for (double d = 0.25; limit > 0; d *= 2) {
        if (d > limit)
            d = limit;
        if ((rc = refit(p, s0 * exp(dir * d), &m, &chi2, err)) != 0)
            return rc;
        if (chi2 > threshold) {
            outside = d;
            break;
        }
        inside = d;
        *end_model = m;
        if (d == limit)
            break;
    }
    *open = outside < 0;
    for (int k = 0; !*open && k < WHATIF_BISECTIONS; k++) {
        double mid = (inside + outside) / 2;
        if ((rc = refit(p, s0 * exp(dir * mid), &m, &chi2, err)) != 0)
            return rc;
        if (chi2 > threshold) {
            outside = mid;
        } else {
            inside = mid;
            *end_model = m;
        }
    }
    *end = s0 * exp(dir * inside);
    return 0;
}

int whatif_profile(const model *base, const model *fitted, fit_report *rep, int cores,
                   sim_error *err)
{
    whatif_report *w = &rep->whatif;
    model at[WHATIF_POINTS];
    profile p = {base, rep, malloc(sizeof *rep), cores, 0, INFINITY, 0};
    int reps = rep->replications, rc = 0;

    memset(w, 0, sizeof *w);
    if (p.scratch == NULL)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    if (rep->fitted < 2 || rep->dof < 1 || !(rep->chi2 > 0)) {
        free(p.scratch);
        return 0;
    }
    w->chi2 = rep->chi2;
    w->threshold = rep->chi2 * (1 + gsl_cdf_fdist_Pinv(0.95, 1, rep->dof) / rep->dof);
    w->scale[WHATIF_FIT] = rep->factor[FACTOR_SUBMIT_SIDE];
    at[WHATIF_FIT] = at[WHATIF_LOW] = at[WHATIF_HIGH] = *fitted;
    rc = side(&p, -1, w->threshold, &w->scale[WHATIF_LOW], &at[WHATIF_LOW], &w->open_low, err);
    if (rc == 0)
        rc = side(&p, +1, w->threshold, &w->scale[WHATIF_HIGH], &at[WHATIF_HIGH], &w->open_high,
                  err);
    w->fits = p.fits;
    w->best_chi2 = p.best_chi2 < rep->chi2 * (1 - 1e-6) ? p.best_chi2 : 0;
    w->best_scale = w->best_chi2 > 0 ? p.best_scale : 0;
    free(p.scratch);
    w->end[0] = at[WHATIF_LOW];
    w->end[1] = at[WHATIF_HIGH];
    for (int i = 0; rc == 0 && i < rep->nconfigs && w->nrows < WHATIF_MAX_ROWS; i++) {
        const fit_config *fc = &rep->config[i];
        whatif_row *row = &w->row[w->nrows++];
        row->workload = fc->workload;
        row->executor = fc->executor;
        row->size = fc->size;
        row->workers = fc->workers;
        for (int k = 0; rc == 0 && k < WHATIF_POINTS; k++) {
            static const int offs[2] = {LOGGING_OFF, LOGGING_OFF_ALL};
            double on = fit_makespan(&at[k], fc, LOGGING_ON, cores, reps, NULL, err);
            for (int o = 0; o < 2; o++) {
                double off = fit_makespan(&at[k], fc, offs[o], cores, reps, NULL, err);
                if (!(on > 0) || !(off > 0)) {
                    rc = SIM_EFIT;
                    break;
                }
                row->speedup[k][o] = on / off;
            }
        }
    }
    w->done = rc == 0;
    return rc;
}

void whatif_label_end(whatif_report *w, int e, const model *fitted)
{
    model *m = &w->end[e];

    /* The costs are the refit's; what fit_model adds to a fitted model, the
    ** fit's. */
    m->calibrated = fitted->calibrated;
    m->machine_cores = fitted->machine_cores;
    m->machine_memory_gib = fitted->machine_memory_gib;
    memcpy(m->name, fitted->name, sizeof m->name);
    memcpy(m->machine_cpu, fitted->machine_cpu, sizeof m->machine_cpu);
    memcpy(m->machine_host, fitted->machine_host, sizeof m->machine_host);
    memcpy(m->parsl_version, fitted->parsl_version, sizeof m->parsl_version);
    memcpy(m->python_version, fitted->python_version, sizeof m->python_version);
    snprintf(m->provenance, sizeof m->provenance,
             "the logging-off what-if's %s end (submit side's scale %.3g, the fit's %.3g; "
             "95%% profile interval) of: %.300s", e == 0 ? "most-speedup" : "least-speedup",
             w->scale[e == 0 ? WHATIF_LOW : WHATIF_HIGH], w->scale[WHATIF_FIT],
             fitted->provenance);
}

void whatif_print(const fit_report *rep, FILE *out)
{
    const whatif_report *w = &rep->whatif;

    if (!w->done)
        return;
    fprintf(out, "\nlogging-off what-if from logging-on runs alone: the submit side's scale %.3g, "
                 "95%% profile interval %s%.3g..%.3g%s\n(sum of squares %.4f, bound %.4f, %d "
                 "refits; < or + where the search range, %g..%g, ended first); predicted "
                 "speedup (logging on / off, on / off_all) at the interval's ends\n",
            w->scale[WHATIF_FIT], w->open_low ? "<" : "", w->scale[WHATIF_LOW],
            w->scale[WHATIF_HIGH], w->open_high ? "+" : "", w->chi2, w->threshold, w->fits,
            WHATIF_SCALE_MIN, WHATIF_SCALE_MAX);
    if (w->moved_from_scale > 0)
        fprintf(out, "(the solver stopped at scale %.3g, sum of squares %.4f; the profile found "
                     "this better fit, which the model is)\n", w->moved_from_scale,
                w->moved_from_chi2);
    if (w->best_chi2 > 0)
        fprintf(out, "(a refit at scale %.3g fitted better still, sum of squares %.4f: the sum is "
                     "flat along the scale)\n", w->best_scale, w->best_chi2);
    fprintf(out, "%-37s %-26s %s\n", "", "off", "off_all");
    fprintf(out, "%-10s %8s %-8s %7s  %8s %8s %8s  %8s %8s %8s\n", "workload", "size",
            "executor", "workers", "low", "fit", "high", "low", "fit", "high");
    for (int i = 0; i < w->nrows; i++) {
        const whatif_row *r = &w->row[i];
        fprintf(out, "%-10s %8ld %-8s %7d", sim_workload_name(r->workload), r->size,
                sim_executor_name(r->executor), r->workers);
        for (int o = 0; o < 2; o++)
            fprintf(out, "  %8.2f %8.2f %8.2f", r->speedup[WHATIF_LOW][o],
                    r->speedup[WHATIF_FIT][o], r->speedup[WHATIF_HIGH][o]);
        fprintf(out, "\n");
    }
}
