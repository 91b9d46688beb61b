/*
** HTEX's submit-side stage costs from the submitting process's threads'
** measured CPU. Harnesses since 2026-12-02 record each thread's CPU over
** the timed section by role (runs.csv: thread_cpu_<role>_s). With the
** submit side's logging off, a role's CPU per task is its stages' cost;
** the log spans, fit.c's other source, are wall times scaled back by one
** fitted factor, and that factor, set by the thread-pool runs, cannot tell
** HTEX's launch (pickling, a ZMQ send) from the thread pool's: on the
** four bundles of 2026-11/12 it put launch_htex at 17 us and
** result_receive at 4 us where the threads measured 77 and 79. The double workload maps
** roles to stages one to one:
**
**   launch   launch_htex
**   result   result_receive + complete (complete's CPU from the thread
**            pool's workers: execute_threads + complete, shared as their
**            spans share them)
**
** The thread-pool stages keep their spans: a role's CPU holds its share of
** the GIL hand-offs, which the model charges apart as wake-ups (dead time),
** and with both the convoy's cost counted twice (docs/calibrate.md gives
** the figures). Stages measured here are fixed in step 2 (their source
** starts "thread CPU"); the records keep their counted numbers.
**
** For the report only, threadcpu_split_fit splits the thread pool's CPU,
** logging on and off together, into work, records and switches (their
** voluntary context switches, thread_vcsw_<role>): what a record and a
** switch cost their thread in place, which the model does not use yet
** (docs/validate.md, "What the threads' CPU says about hand-offs").
*/
#include "threadcpu.h"

#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/sim.h"
#include "group.h"

/* The submit side's logging is off: the role's CPU is the stages' alone. */
static int quiet(const bundle_run *r)
{
    return r->logging == LOGGING_OFF || r->logging == LOGGING_OFF_ALL;
}

/* The median over the calibration runs of executor of role's CPU per
** task (roles[] fills out[]); returns the runs taken. */
static int role_medians(const bundle *bundles, int nb, int executor,
                        const int *roles, int nroles, double *out, int cap)
{
    double *v = malloc(sizeof *v * (size_t)cap * (size_t)nroles);
    int n = 0;

    if (v == NULL)
        return 0;
    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns && n < cap; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            int measured = 1;
            if (!group_usable(r) || r->heldout || r->executor != executor ||
                r->workload != WORKLOAD_DOUBLE || !quiet(r) || r->tasks <= 0)
                continue;
            for (int j = 0; j < nroles; j++)
                measured &= r->thread_cpu_s[roles[j]] >= 0;
            if (!measured)
                continue;
            for (int j = 0; j < nroles; j++)
                v[j * cap + n] = r->thread_cpu_s[roles[j]] / r->tasks;
            n++;
        }
    for (int j = 0; j < nroles; j++)
        out[j] = n > 0 ? group_median(v + j * cap, n) : 0;
    free(v);
    return n;
}

static void set_stage(model *m, fit_report *rep, int stage, double cost, int runs,
                      const char *role)
{
    /* A stage cheaper than nothing: the subtracted part was measured dearer
    ** elsewhere; keep the span-based cost. */
    if (!(cost > 0))
        return;
    m->stage[stage].mean_s = cost;
    snprintf(rep->stage_source[stage], sizeof rep->stage_source[stage],
             "thread CPU, %s, logging-off runs (n=%d)", role, runs);
}

void threadcpu_apply(model *m, fit_report *rep, const bundle *bundles, int nb, int flags)
{
    enum { CAP = 4096 };
    static const int thread_roles[] = {THREAD_WORKERS};
    static const int htex_roles[] = {THREAD_LAUNCH, THREAD_RESULT};
    double workers, h[2];
    int nt, nh;

    rep->thread_cpu_runs = 0;
    /* The logging-off what-if must not see a logging-off run. */
    if (flags & FIT_LOGGING_ON_ONLY)
        return;
    nh = role_medians(bundles, nb, EXECUTOR_HTEX, htex_roles, 2, h, CAP);
    if (nh == 0)
        return;
    set_stage(m, rep, STAGE_LAUNCH_HTEX, h[0], nh, "launch");
    nt = role_medians(bundles, nb, EXECUTOR_THREADS, thread_roles, 1, &workers, CAP);
    if (nt > 0) {
        double execute = m->stage[STAGE_EXECUTE_THREADS].mean_s;
        double done = m->stage[STAGE_COMPLETE].mean_s;
        double share = execute + done > 0 ? done / (execute + done) : 0.5;
        set_stage(m, rep, STAGE_RESULT_RECEIVE, h[1] - workers * share, nh,
                  "result, less complete");
    }
    rep->thread_cpu_runs = nh;
    rep->thread_cpu[0] = h[0];
    rep->thread_cpu[1] = h[1];
}

/* The records a task's stages on a role enable under logging mode. */
static double enabled_records(double records, double debug, int logging)
{
    if (logging == LOGGING_ON)
        return records;
    if (logging == LOGGING_INFO)
        return records - debug;
    return 0;
}

static int had_full_collection(const bundle *b, int run)
{
    for (int i = 0; i < b->ncollections; i++)
        if (b->collections[i].run == run)
            return 1;
    return 0;
}

static int split_usable(const bundle *b, int i)
{
    static const int roles[] = {THREAD_MAIN, THREAD_LAUNCH, THREAD_WORKERS};
    const bundle_run *r = &b->runs[i];

    if (!group_usable(r) || r->heldout || r->executor != EXECUTOR_THREADS ||
        r->workload != WORKLOAD_DOUBLE || r->tasks <= 0 || r->background > 0 ||
        had_full_collection(b, i))
        return 0;
    for (int j = 0; j < 3; j++)
        if (r->thread_cpu_s[roles[j]] < 0 || r->thread_switches[roles[j]] < 0)
            return 0;
    return 1;
}

int threadcpu_split_fit(const model *m, fit_report *rep, const bundle *bundles, int nb, int flags)
{
    enum { PARAMS = 4 };
    thread_split *out = &rep->split;
    const model_cost *submit = &m->stage[STAGE_SUBMIT];
    const model_cost *launch = &m->stage[STAGE_LAUNCH_THREADS];
    const model_cost *done = &m->stage[STAGE_COMPLETE];
    gsl_matrix *x = NULL, *cov = NULL;
    gsl_vector *y = NULL, *c = NULL;
    gsl_multifit_linear_workspace *work = NULL;
    double chisq, total;
    int n = 0, on = 0, row = 0, rc = 0;

    memset(out, 0, sizeof *out);
    if (flags & FIT_LOGGING_ON_ONLY)
        return 0;
    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++)
            if (split_usable(&bundles[k], i)) {
                n++;
                on += bundles[k].runs[i].logging == LOGGING_ON ||
                      bundles[k].runs[i].logging == LOGGING_INFO;
            }
    /* Two runs of each kind at least: the records' cost is the difference. */
    if (on < 2 || n - on < 2)
        return 0;
    x = gsl_matrix_calloc((size_t)(2 * n), PARAMS);
    y = gsl_vector_alloc((size_t)(2 * n));
    c = gsl_vector_alloc(PARAMS);
    cov = gsl_matrix_alloc(PARAMS, PARAMS);
    work = gsl_multifit_linear_alloc((size_t)(2 * n), PARAMS);
    if (x == NULL || y == NULL || c == NULL || cov == NULL || work == NULL) {
        rc = SIM_ENOMEM;
        goto done;
    }
    out->records[0] = submit->records;
    out->records[1] = launch->records + done->records;
    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            double tasks = (double)r->tasks;
            if (!split_usable(&bundles[k], i))
                continue;
            /* the main thread: submit's records */
            gsl_matrix_set(x, (size_t)row, 0, 1);
            gsl_matrix_set(x, (size_t)row, 2,
                           enabled_records(submit->records, submit->debug_records, r->logging));
            gsl_matrix_set(x, (size_t)row, 3, r->thread_switches[THREAD_MAIN] / tasks);
            gsl_vector_set(y, (size_t)row++, r->thread_cpu_s[THREAD_MAIN] / tasks);
            /* the launch thread and the workers together: which of them
            ** completes a task shifts with the logging (a done future's
            ** callback runs on the thread that adds it), not the sum */
            gsl_matrix_set(x, (size_t)row, 1, 1);
            gsl_matrix_set(x, (size_t)row, 2,
                           enabled_records(launch->records, launch->debug_records, r->logging) +
                           enabled_records(done->records, done->debug_records, r->logging));
            gsl_matrix_set(x, (size_t)row, 3, (r->thread_switches[THREAD_LAUNCH] +
                                               r->thread_switches[THREAD_WORKERS]) / tasks);
            gsl_vector_set(y, (size_t)row++, (r->thread_cpu_s[THREAD_LAUNCH] +
                                              r->thread_cpu_s[THREAD_WORKERS]) / tasks);
        }
    if (gsl_multifit_linear(x, y, c, cov, &chisq, work) != 0)
        goto done;
    total = gsl_stats_tss(y->data, y->stride, (size_t)row);
    out->runs = n;
    out->logging_on = on;
    out->work_s[0] = gsl_vector_get(c, 0);
    out->work_s[1] = gsl_vector_get(c, 1);
    out->record_s = gsl_vector_get(c, 2);
    out->switch_s = gsl_vector_get(c, 3);
    /* gsl_multifit_linear scales cov by the residuals' variance already */
    for (int j = 0; j < PARAMS; j++)
        out->se[j] = sqrt(gsl_matrix_get(cov, (size_t)j, (size_t)j));
    out->r2 = total > 0 ? 1 - chisq / total : 0;
done:
    gsl_multifit_linear_free(work);
    gsl_matrix_free(cov);
    gsl_vector_free(c);
    gsl_vector_free(y);
    gsl_matrix_free(x);
    return rc;
}
