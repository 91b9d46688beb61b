/*
** The grouping of group.h: one pass over the runs finds each new
** configuration, a second gathers its repetitions' makespans, sorted, for
** the median (the mean of the middle two for an even count) and the range.
** Quadratic in the runs of a bundle, which are a few hundred at most.
** The bootstrap interval of a ratio of medians is here too: validation's
** measured speedups carry it, so that a reader can tell a model's error
** from the machine's noise.
*/
#include "group.h"

#include "../sim/sim.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

double group_median(double *v, int n)
{
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

int group_usable(const bundle_run *r)
{
    return r->ok && !r->monitoring && !r->profile && !r->worker_debug && r->makespan_s > 0 &&
           r->workload >= 0 && r->executor >= 0 && r->logging >= 0;
}

static int taken(const bundle_run *r, int roles)
{
    return group_usable(r) && (roles & (r->heldout ? GROUP_HELDOUT : GROUP_CALIBRATION));
}

static int same(const run_group *g, const bundle_run *r)
{
    return g->workload == r->workload && g->size == r->size &&
           g->executor == r->executor && g->workers == r->workers_requested &&
           g->logging == r->logging && g->background == r->background;
}

int group_runs(const bundle *bundles, int nb, int roles, run_group **out,
               int *n, sim_error *err)
{
    run_group *g = NULL;
    double *times = NULL, *switches = NULL;
    int total = 0, count = 0;

    *out = NULL;
    *n = 0;
    for (int k = 0; k < nb; k++)
        total += bundles[k].nruns;
    if (total == 0)
        return 0;
    g = malloc(sizeof *g * total);
    times = malloc(sizeof *times * total);
    switches = malloc(sizeof *switches * total);
    if (g == NULL || times == NULL || switches == NULL) {
        free(g);
        free(times);
        free(switches);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            run_group *c;
            int j, t = 0, w = 0;
            if (!taken(r, roles))
                continue;
            for (j = 0; j < count && !same(&g[j], r); j++)
                ;
            if (j < count)
                continue;   /* grouped with an earlier run */
            c = &g[count++];
            *c = (run_group){
                .workload = r->workload, .size = r->size, .tasks = r->tasks,
                .executor = r->executor, .workers = r->workers_requested,
                .workers_started = -1, .logging = r->logging,
                .background = r->background, .heldout = 1,
            };
            for (int kk = 0; kk < nb; kk++)
                for (int ii = 0; ii < bundles[kk].nruns; ii++) {
                    const bundle_run *q = &bundles[kk].runs[ii];
                    if (!taken(q, roles) || !same(c, q))
                        continue;
                    times[t++] = q->makespan_s;
                    if (q->switches >= 0)
                        switches[w++] = (double)q->switches;
                    c->heldout &= q->heldout;
                    if (q->workers_started > c->workers_started)
                        c->workers_started = q->workers_started;
                }
            c->runs = t;
            c->median_s = group_median(times, t);   /* sorts times */
            c->min_s = times[0];
            c->max_s = times[t - 1];
            c->switches = w > 0 ? group_median(switches, w) : -1;
        }
    free(times);
    free(switches);
    if (count == 0) {
        free(g);
        g = NULL;
    }
    *out = g;
    *n = count;
    return 0;
}

int group_times(const bundle *bundles, int nb, int roles, const run_group *g, double *times)
{
    int t = 0;

    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            if (taken(r, roles) && same(g, r))
                times[t++] = r->makespan_s;
        }
    gsl_sort(times, 1, t);
    return t;
}

_Static_assert((int)SIM_ROLE_SUBMIT_COUNT == (int)THREAD_ROLE_COUNT,
               "the submitting process's roles are the capture harness's, in its order");

/* A run's measured CPU for role (enum sim_role), -1 if none. */
static double role_cpu(const bundle_run *r, int role)
{
    switch (role) {
    case SIM_ROLE_INTERCHANGE:
        return r->cpu_interchange_s;
    case SIM_ROLE_MANAGER:
        return r->cpu_manager_s;
    case SIM_ROLE_HTEX_WORKERS:
        return r->cpu_workers_s;
    }
    return r->thread_cpu_s[role];
}

void group_thread_cpu(const bundle *bundles, int nb, int roles, const run_group *g,
                      double *scratch, double *cpu)
{
    for (int role = 0; role < SIM_ROLE_COUNT; role++) {
        int t = 0;
        for (int k = 0; k < nb; k++)
            for (int i = 0; i < bundles[k].nruns; i++) {
                const bundle_run *r = &bundles[k].runs[i];
                if (taken(r, roles) && same(g, r) && role_cpu(r, role) >= 0 && r->tasks > 0)
                    scratch[t++] = role_cpu(r, role) / r->tasks;
            }
        cpu[role] = t > 0 ? group_median(scratch, t) : -1;
    }
}

double group_cpu_switches(const bundle *bundles, int nb, int roles, const run_group *g,
                          double *scratch)
{
    int t = 0;

    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            if (taken(r, roles) && same(g, r) && role_cpu(r, SIM_ROLE_MAIN) >= 0 &&
                r->switches >= 0 && r->tasks > 0)
                scratch[t++] = (double)r->switches / r->tasks;
        }
    return t > 0 ? group_median(scratch, t) : -1;
}

/* The median of n draws, with replacement, from v[0..n); scratch has room for n. */
static double resampled_median(const double *v, int n, gsl_rng *rng, double *scratch)
{
    for (int i = 0; i < n; i++)
        scratch[i] = v[gsl_rng_uniform_int(rng, (unsigned long)n)];
    return group_median(scratch, n);
}

/* The blocked ratio of group.h, with each capture's medians from med(). */
static double blocked(const double *a, const int *a_n, const double *b, const int *b_n,
                      int blocks, double (*med)(const double *, int, void *), void *arg)
{
    double sum = 0, weights = 0;

    for (int k = 0; k < blocks; k++) {
        if (a_n[k] > 0 && b_n[k] > 0) {
            double w = 1 / (1.0 / a_n[k] + 1.0 / b_n[k]);
            double on = med(a, a_n[k], arg);   /* before b's: the draws' order is fixed */
            sum += w * log(on / med(b, b_n[k], arg));
            weights += w;
        }
        a += a_n[k];
        b += b_n[k];
    }
    return weights > 0 ? exp(sum / weights) : NAN;
}

/* The median of a sorted segment. */
static double sorted_median(const double *v, int n, void *unused)
{
    (void)unused;
    return gsl_stats_median_from_sorted_data(v, 1, (size_t)n);
}

double group_blocked_ratio(const double *a, const int *a_n, const double *b, const int *b_n,
                           int blocks)
{
    return blocked(a, a_n, b, b_n, blocks, sorted_median, NULL);
}

int group_capture_apart(const double *times, const int *runs, int blocks, int skip,
                        double *scratch, double *own, double *others)
{
    int n = 0, offset = 0;

    for (int k = 0; k < blocks; k++) {
        if (k == skip) {
            if (runs[k] == 0)
                return 0;
            *own = sorted_median(times + offset, runs[k], NULL);
        } else {
            memcpy(scratch + n, times + offset, sizeof *scratch * (size_t)runs[k]);
            n += runs[k];
        }
        offset += runs[k];
    }
    if (n == 0)
        return 0;
    *others = group_median(scratch, n);
    return 1;
}

typedef struct resampler {
    gsl_rng *rng;
    double *scratch;
} resampler;

static double resampled(const double *v, int n, void *arg)
{
    resampler *r = arg;
    return resampled_median(v, n, r->rng, r->scratch);
}

int group_blocked_interval(const double *a, const int *a_n, const double *b, const int *b_n,
                           int blocks, double level, int resamples, unsigned long seed,
                           double *low, double *high)
{
    int most = 1;
    resampler r;
    double *ratio = malloc(sizeof *ratio * (size_t)resamples);

    for (int k = 0; k < blocks; k++) {
        if (a_n[k] > most)
            most = a_n[k];
        if (b_n[k] > most)
            most = b_n[k];
    }
    r.rng = gsl_rng_alloc(gsl_rng_taus2);
    r.scratch = malloc(sizeof *r.scratch * (size_t)most);
    if (r.rng == NULL || r.scratch == NULL || ratio == NULL) {
        gsl_rng_free(r.rng);
        free(r.scratch);
        free(ratio);
        return SIM_ENOMEM;
    }
    gsl_rng_set(r.rng, seed);
    for (int i = 0; i < resamples; i++)
        ratio[i] = blocked(a, a_n, b, b_n, blocks, resampled, &r);
    gsl_sort(ratio, 1, (size_t)resamples);
    *low = gsl_stats_quantile_from_sorted_data(ratio, 1, (size_t)resamples, (1 - level) / 2);
    *high = gsl_stats_quantile_from_sorted_data(ratio, 1, (size_t)resamples, (1 + level) / 2);
    gsl_rng_free(r.rng);
    free(r.scratch);
    free(ratio);
    return 0;
}
