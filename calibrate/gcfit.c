/*
** The collector's fit of gcfit.h. Pauses: gsl_fit_linear of the pause on
** the tasks submitted when it started. Checks: the intervals between two
** consecutive full collections of a run, predicted for a check period c
** and a growth g as c x max(1, ceil(g x k / c)) tasks after a collection
** at k tasks (the first check that finds the tasks grown by g), fitted by
** a grid over (c, g): the prediction is a step function, which a
** gradient solver cannot follow. Without intervals, c is the rate: tasks
** submitted per full collection over every calibration run.
*/
#include "gcfit.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/sim.h"
#include "group.h"

static int usable(const bundle_run *r, int logging_on_only)
{
    return group_usable(r) && !r->heldout && (!logging_on_only || r->logging == LOGGING_ON);
}

static double interval_predicted(long check, double growth, long at)
{
    double m = ceil(growth * (double)at / (double)check);

    return (double)check * (m > 1 ? m : 1);
}

/* The grid's best (check, growth) for the intervals (at[i], gap[i]). */
static void fit_checks(const long *at, const long *gap, int n, gcfit_report *rep)
{
    long lo = gap[0];
    double best = INFINITY;

    for (int i = 1; i < n; i++)
        lo = gap[i] < lo ? gap[i] : lo;
    /* A check period above the shortest interval cannot give it. */
    for (long c = lo / 2 > 1 ? lo / 2 : 1; c <= lo; c += (lo / 400 > 1 ? lo / 400 : 1))
        for (int k = 0; k <= 400; k++) {
            double g = k / 400.0, sum = 0;
            for (int i = 0; i < n; i++) {
                double e = interval_predicted(c, g, at[i]) - (double)gap[i];
                sum += e * e;
            }
            if (sum < best) {
                best = sum;
                rep->check_tasks = c;
                rep->growth = g;
            }
        }
    rep->interval_rms = sqrt(best / n);
}

int gcfit_fit(const bundle *bundles, int nb, int logging_on_only, model *m,
              gcfit_report *rep)
{
    double *x = NULL, *y = NULL, *first = NULL, c0, c1, cov00, cov01, cov11, sumsq;
    double mean = 0, total = 0;
    long *at = NULL, *gap = NULL, tasks = 0;
    int n = 0, ni = 0, cap = 0, last_run = -1, last_bundle = -1, rc = 0;

    memset(rep, 0, sizeof *rep);
    for (int k = 0; k < nb; k++) {
        cap += bundles[k].ncollections;
        for (int i = 0; i < bundles[k].nruns; i++)
            if (bundles[k].has_gc && usable(&bundles[k].runs[i], logging_on_only))
                tasks += bundles[k].runs[i].tasks;
    }
    if (cap == 0)
        return 0;
    x = malloc(sizeof *x * cap);
    y = malloc(sizeof *y * cap);
    at = malloc(sizeof *at * cap);
    gap = malloc(sizeof *gap * cap);
    first = malloc(sizeof *first * cap);
    if (!x || !y || !at || !gap || !first) {
        rc = SIM_ENOMEM;
        goto done;
    }
    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].ncollections; i++) {
            const bundle_collection *c = &bundles[k].collections[i];
            if (!usable(&bundles[k].runs[c->run], logging_on_only))
                continue;
            if (k == last_bundle && c->run == last_run && n > 0 &&
                c->tasks_submitted > (long)x[n - 1]) {
                at[ni] = (long)x[n - 1];
                gap[ni++] = c->tasks_submitted - (long)x[n - 1];
            } else {
                first[rep->runs++] = (double)c->tasks_submitted;
            }
            last_bundle = k;
            last_run = c->run;
            x[n] = (double)c->tasks_submitted;
            y[n++] = c->duration_s;
        }
    rep->collections = n;
    rep->intervals = ni;
    if (n < 3)
        goto done;
    gsl_set_error_handler_off();
    if (gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != GSL_SUCCESS)
        goto done;
    for (int i = 0; i < n; i++)
        mean += y[i] / n;
    for (int i = 0; i < n; i++)
        total += (y[i] - mean) * (y[i] - mean);
    rep->base_s = c0 > 0 ? c0 : 0;
    rep->per_task_s = c1 > 0 ? c1 : 0;
    rep->base_sd = sqrt(cov00);
    rep->per_task_sd = sqrt(cov11);
    rep->r2 = total > 0 ? 1 - sumsq / total : 0;
    rep->growth = m->gc_full_growth;
    rep->check_tasks = (long)llround((double)tasks / n);
    /* A run starts where its warm-up left the collector, which is much
    ** the same every time: the first full collection's submit. */
    rep->first_tasks = (long)llround(group_median(first, rep->runs));
    rep->source = GCFIT_PAUSES;
    if (ni >= 3) {
        fit_checks(at, gap, ni, rep);
        rep->source = GCFIT_FULL;
    }
    m->gc_full_base_s = rep->base_s;
    m->gc_full_per_task_s = rep->per_task_s;
    m->gc_full_check_tasks = rep->check_tasks > 0 ? (int)rep->check_tasks : 1;
    m->gc_full_growth = rep->growth;
    m->gc_full_first_tasks = rep->first_tasks > 0 ? (int)rep->first_tasks : 0;
done:
    free(first);
    free(x);
    free(y);
    free(at);
    free(gap);
    return rc;
}
