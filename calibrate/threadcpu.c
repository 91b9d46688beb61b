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
*/
#include "threadcpu.h"

#include <stdio.h>
#include <stdlib.h>

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
