/*
** Per-stage samples from Parsl's own logs: for every task of a run's timed
** section, how long each stage took on the thread that ran it (the time
** between the stage's first and last log record, stretched by k / (k - 1)
** for the k records it wrote, since the records mark the stage's inside)
** and how many records it wrote; for HTEX, the latency of the paths
** between the launch thread and a worker and back, from the worker logs;
** and one log record's cost in place, from two records that Parsl writes
** back to back (log_std_stream's "Standard out" and "Standard error").
** The samples are wall time on a busy GIL: they set the stages' relative
** sizes and spreads, and fit.c scales them against measured makespans.
**
** Sits after the bundle reader (bundle.c) and the log reader (parsllog.c),
** before the fit (fit.c).
*/
#ifndef SIM_SPANS_H
#define SIM_SPANS_H

#include "../models/model.h"
#include "../sim/error.h"
#include "bundle.h"

/* What is sampled: the model's stages, and two HTEX paths that hold the
** interchange and manager stages (which log nothing per task). */
enum span_kind {
    SPAN_FORWARD = STAGE_COUNT,   /* "launched" record to the worker's "Received" */
    SPAN_RETURN,                  /* the worker's "All processing finished" to the result thread */
    SPAN_RECORD,                  /* "Standard out for task N" to "Standard error for task N",
                                  ** back to back on one thread: one record in place */
    SPAN_COUNT
};

typedef struct spans spans;

typedef struct span_stats {
    long n;             /* samples */
    double median_s;    /* median duration */
    double cv;          /* robust spread: (p75 - p25) / 1.349 / median */
    double records;     /* median log records per sample */
    double debug_records; /* median of them at DEBUG */
    int captures;       /* bundles the samples came from (spans_get_by_capture), else 1 */
} span_stats;

/* An empty collection; NULL when out of memory. Free with spans_free. */
spans *spans_new(void);
void spans_free(spans *sp);

/* Read run r's parsl.log and worker logs and add its timed section's
** samples. A run whose logging is not "on" adds only what its logs show.
** Returns 0, or the reader's error (SIM_EIO / SIM_EINPUT with the file
** and line). */
int spans_add_run(spans *sp, const bundle *b, const bundle_run *r, sim_error *err);

/* The same for a run folder dir holding parsl.log (plain or .gz) and
** worker logs (dir/block-B/worker_W.log as a bundle keeps them, or
** dir/htex/block-B/MANAGER/worker_W.log as Parsl's runinfo does); r gives
** the executor, the workload and the timed section's task ids. */
int spans_add_log(spans *sp, const char *dir, const bundle_run *r, sim_error *err);

/* Statistics of one kind (a stage id or a span_kind); n = 0 when none. */
span_stats spans_get(const spans *sp, int kind);

/* The same with the median taken capture by capture: the median of each
** bundle's median (runs read with spans_add_log alone are one capture).
** Each capture counts once, however many runs its plan had: a quantity
** that drifts with the host from capture to capture (a record's cost
** does, 17-22 us) is then not set by the capture with the most runs. */
span_stats spans_get_by_capture(const spans *sp, int kind);

#endif
