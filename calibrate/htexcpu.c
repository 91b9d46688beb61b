/*
** HTEX's own processes from their measured CPU. The interchange and the
** manager write no per-task record at INFO, so their log spans (the chain's
** gaps, halved) are wall time with ZMQ's latency in it; the harness
** measures each process's CPU over the timed section instead. What a
** process's CPU per HTEX task (a python_app: fibonacci's join tasks never
** reach HTEX) holds is its work and its logging, and the two are told
** apart in one of two ways:
**
**   off_all runs    NoopLogging silences every process: their CPU is the
**                   work alone; the logging-on runs' excess over it is the
**                   logging (measured).
**   logging on only the what-if may not see a silenced run: the logging is
**                   counted instead, and the work is the logging-on CPU
**                   less it. Each process writes its INFO records
**                   (records_* of the logging-on runs), and builds DEBUG
**                   records that its handler's INFO level drops, because
**                   set_file_logger sets the logger itself to DEBUG: a
**                   worker_debug run counts those (its records_* less the
**                   INFO ones). An INFO record costs the log_record_enabled
**                   micro-benchmark, a dropped one log_record_dropped.
**
** Either way the logging is written as the stages' records in units of one
** enabled record (equivalent records), and shared between a task's way out
** and its way back as the spans share the work; in step 2 the worker-side
** factor scales those records only (fit.c). Both are reported when both
** can be computed, so that the count can be checked against the measure.
*/
#include "htexcpu.h"

#include <math.h>
#include <stdio.h>

#include "../sim/sim.h"
#include "group.h"

enum { PROCESS_INTERCHANGE, PROCESS_MANAGER, PROCESS_WORKERS, PROCESS_COUNT };

/* The tasks that pass through HTEX's processes: the run's python_apps.
** Fibonacci's join tasks, half of its tasks, run on the DataFlowKernel's
** own pool, so a per-task figure over all of them halves the stages. */
static double htex_tasks(const bundle_run *r)
{
    long apps = sim_app_task_count(r->workload, r->size);

    return apps > 0 && apps <= r->tasks ? (double)apps : (double)r->tasks;
}

/* CPU per HTEX task; negative when not measured. */
static double process_cpu(const bundle_run *r, int p)
{
    return (p == PROCESS_INTERCHANGE ? r->cpu_interchange_s
            : p == PROCESS_MANAGER ? r->cpu_manager_s : r->cpu_workers_s) / htex_tasks(r);
}

/* Records per HTEX task; bundle.md's records_* are per task of the run. */
static double process_records(const bundle_run *r, int p)
{
    double per_task = p == PROCESS_INTERCHANGE ? r->records_interchange
                    : p == PROCESS_MANAGER ? r->records_manager : r->records_workers;

    return per_task < 0 ? per_task : per_task * r->tasks / htex_tasks(r);
}

/* A calibration run of HTEX that counts here: with worker_debug or not, as
** asked; with FIT_LOGGING_ON_ONLY only logging-on runs. */
static int htex_run(const bundle_run *r, int worker_debug, int flags)
{
    int usable = worker_debug ? r->ok && r->worker_debug && !r->profile && !r->monitoring
                              : group_usable(r);
    return usable && !r->heldout && r->executor == EXECUTOR_HTEX && r->tasks > 0 &&
           (!(flags & FIT_LOGGING_ON_ONLY) || r->logging == LOGGING_ON);
}

/* Which runs a median is over. */
typedef struct run_filter {
    int worker_debug;                /* 1: worker_debug runs only, 0: none of them */
    int logging;                     /* the runs' logging, or -1: any with the worker side logging */
    int flags;                       /* fit_model's */
    double (*value)(const bundle_run *, int); /* per task: process_cpu or process_records */
} run_filter;

static int accepted(const bundle_run *r, const run_filter *f)
{
    if (!htex_run(r, f->worker_debug, f->flags))
        return 0;
    if (f->logging >= 0 ? r->logging != f->logging : r->logging == LOGGING_OFF_ALL)
        return 0;
    for (int p = 0; p < PROCESS_COUNT; p++)
        if (f->value(r, p) < 0)
            return 0;
    return 1;
}

/* The median over the runs f accepts of each process's value; 0 when
** none. Returns the runs. */
static int process_medians(const bundle *bundles, int nb, const run_filter *f,
                           double out[PROCESS_COUNT])
{
    double v[PROCESS_COUNT][FIT_MAX_CONFIGS];
    int n = 0;

    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns && n < FIT_MAX_CONFIGS; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            if (!accepted(r, f))
                continue;
            for (int p = 0; p < PROCESS_COUNT; p++)
                v[p][n] = f->value(r, p);
            n++;
        }
    for (int p = 0; p < PROCESS_COUNT; p++)
        out[p] = n > 0 ? group_median(v[p], n) : 0;
    return n;
}

static int cpu_medians(const bundle *bundles, int nb, int flags, int logging,
                       double cpu[PROCESS_COUNT])
{
    run_filter f = {0, logging, flags, process_cpu};
    return process_medians(bundles, nb, &f, cpu);
}

/* The median records per task each process wrote, over the runs with the
** worker side logging (on or off, not off_all), worker_debug as asked. */
static int record_medians(const bundle *bundles, int nb, int flags, int worker_debug,
                          double records[PROCESS_COUNT])
{
    run_filter f = {worker_debug, -1, flags, process_records};
    return process_medians(bundles, nb, &f, records);
}

/* Each process's logging per task from its counted records; 0 when the
** counts or the dropped record's cost are missing. */
static int counted_logging(fit_report *rep, const bundle *bundles, int nb, int flags,
                           double logging[PROCESS_COUNT])
{
    double info[PROCESS_COUNT], all[PROCESS_COUNT];

    if (rep->record_dropped_s <= 0 || rep->record_total_s <= 0 ||
        record_medians(bundles, nb, flags, 0, info) == 0 ||
        record_medians(bundles, nb, flags, 1, all) == 0)
        return 0;
    for (int p = 0; p < PROCESS_COUNT; p++) {
        double dropped = fmax(0, all[p] - info[p]);
        rep->htex_records_info[p] = info[p];
        rep->htex_records_dropped[p] = dropped;
        logging[p] = info[p] * rep->record_total_s + dropped * rep->record_dropped_s;
        rep->htex_counted[p] = logging[p];
    }
    rep->htex_counts = 1;
    return 1;
}

void htexcpu_apply(model *m, fit_report *rep, const bundle *bundles, int nb, int flags)
{
    static const int out_stage[PROCESS_COUNT] = {STAGE_INTERCHANGE_TASK, STAGE_MANAGER_TASK,
                                                 STAGE_WORKER_EXECUTE};
    static const int back_stage[PROCESS_COUNT] = {STAGE_INTERCHANGE_RESULT,
                                                  STAGE_MANAGER_RESULT, -1};
    double quiet[PROCESS_COUNT], loud[PROCESS_COUNT], counted[PROCESS_COUNT];
    int nquiet = (flags & FIT_LOGGING_ON_ONLY) ? 0
               : cpu_medians(bundles, nb, flags, LOGGING_OFF_ALL, quiet);
    int nloud = cpu_medians(bundles, nb, flags, LOGGING_ON, loud);
    int have_counts = counted_logging(rep, bundles, nb, flags, counted);
    const char *how;

    if (nquiet > 0) {
        rep->htex_cpu_source = HTEX_CPU_OFF_ALL;
        rep->htex_cpu_runs = nquiet;
        how = "off_all runs";
    } else if (nloud > 0 && have_counts) {
        /* The work is what the logging-on runs' CPU leaves once the counted
        ** logging is taken out; at least a tenth of it, as from_span keeps. */
        for (int p = 0; p < PROCESS_COUNT; p++)
            quiet[p] = fmax(0.1 * loud[p], loud[p] - counted[p]);
        rep->htex_cpu_source = HTEX_CPU_COUNTED;
        rep->htex_cpu_runs = nloud;
        how = "logging-on runs less counted logging";
    } else {
        return;
    }
    for (int p = 0; p < PROCESS_COUNT; p++) {
        int a = out_stage[p], b = back_stage[p];
        double share = 1, extra;
        if (rep->htex_cpu_source == HTEX_CPU_COUNTED)
            extra = counted[p];
        else
            extra = nloud > 0 ? fmax(0, loud[p] - quiet[p]) : -1;
        if (b >= 0 && m->stage[a].mean_s + m->stage[b].mean_s > 0)
            share = m->stage[a].mean_s / (m->stage[a].mean_s + m->stage[b].mean_s);
        rep->htex_cpu[p] = quiet[p];
        rep->htex_logging[p] = extra;
        m->stage[a].mean_s = quiet[p] * share;
        snprintf(rep->stage_source[a], sizeof rep->stage_source[a], "CPU per task, %s (n=%d)%s",
                 how, rep->htex_cpu_runs, b >= 0 ? ", out share" : "");
        if (extra >= 0)
            m->stage[a].records = extra * share / rep->record_total_s;
        if (b >= 0) {
            m->stage[b].mean_s = quiet[p] * (1 - share);
            snprintf(rep->stage_source[b], sizeof rep->stage_source[b],
                     "CPU per task, %s (n=%d), back share", how, rep->htex_cpu_runs);
            if (extra >= 0)
                m->stage[b].records = extra * (1 - share) / rep->record_total_s;
        }
    }
}
