/*
** The fit: from stage samples (spans.c), micro-benchmarks and measured
** makespans (bundle.c) to a model file. Two steps:
**
** 1. Structure from the traces. Each stage's log records per task are
**    counted in parsl.log; one record's cost is the micro-benchmark's; a
**    stage's CPU cost is its median span less its records' cost, with the
**    span's robust spread as the cost's coefficient of variation. Stages no
**    log marks come from what does mark them (the HTEX paths, the
**    micro-benchmarks); every one is labelled with its source.
** 2. Scale against makespans. Spans are wall time on a shared GIL, so a
**    few factors (submit-side stages, HTEX worker-side stages, the log
**    record's cost, the share of a record spent writing outside the GIL)
**    are fitted by nonlinear least squares (GSL multifit_nlinear) so that
**    the simulator reproduces the median makespan of every calibration
**    configuration, on the log scale. Held-out runs are never used.
**
** The result is a model (calibrated: true) and a report of every number.
*/
#ifndef SIM_FIT_H
#define SIM_FIT_H

#include <stdio.h>

#include "../models/model.h"
#include "../sim/error.h"
#include "bundle.h"
#include "gcfit.h"
#include "spans.h"
#include "whatif.h"

/* The thread pool's threads' CPU, split by a straight-line fit over the
** double runs that measured it (threadcpu.c): per task, a role's CPU is
** its work, its enabled records' cost and its voluntary switches' cost. */
typedef struct thread_split {
    int runs;                /* calibration runs taken; 0: not fitted */
    int logging_on;          /* of them, with logging on */
    double work_s[2];        /* CPU a task at no record and no switch: main; launch + workers */
    double record_s;         /* CPU of one enabled record in place */
    double switch_s;         /* CPU of one voluntary context switch */
    double se[4];            /* standard errors of the four */
    double records[2];       /* enabled records a task, logging on: main; launch + workers */
    double r2;               /* of the roles' CPU per task */
} thread_split;

enum fit_factor {
    FACTOR_SUBMIT_SIDE,   /* multiplies the submitting process's stage costs */
    FACTOR_WORKER_SIDE,   /* multiplies interchange, manager and worker costs, or only their logging when their CPU was measured */
    FACTOR_RECORD_HANDOFFS, /* GIL hand-offs per further record of a contended step */
    FACTOR_RECORD_COST,   /* an enabled record's cost in place / its micro-benchmark's */
    FACTOR_HANDOFF,       /* multiplies the wake-up dead time of a blocked thread */
    FACTOR_COUNT
};

/* The factors the solver moves: all but the wake-up, which stays the
** thread hand-off micro-benchmark's. Makespans cannot tell a dearer
** wake-up from dearer stages (fitted, logging-on runs alone traded one for
** the other and lost the logging-off what-if); the micro-benchmark can. */
#define FACTOR_FITTED FACTOR_HANDOFF

#define FIT_MAX_CONFIGS 256
#define FIT_MAX_REPLICATIONS 5   /* simulations per configuration when collections are random */
#define FIT_MIN_RECORD_PAIRS 100 /* back-to-back record pairs that measure a record in place */

/* Where HTEX's stages came from when its processes' CPU was measured (htexcpu.c) */
enum htex_cpu_source {
    HTEX_CPU_NONE,     /* not measured: the log spans */
    HTEX_CPU_OFF_ALL,  /* work from off_all runs; logging the logging-on runs' excess */
    HTEX_CPU_COUNTED   /* logging from counted records; work the logging-on runs' CPU less it */
};

typedef struct fit_config {
    int workload, executor, logging;  /* enums of sim.h */
    long size;
    int workers;                      /* asked for */
    int runs;                         /* repetitions measured */
    double measured_s;                /* median makespan */
    double spread_s;                  /* max - min over the repetitions */
    double switches;                  /* median voluntary context switches, -1 if not counted */
    double predicted_switches;        /* the fitted model's wake-ups + record hand-offs */
    double predicted_s;               /* by the fitted model */
} fit_config;

typedef struct fit_report {
    char stage_source[STAGE_COUNT][96];  /* where each stage's cost came from */
    span_stats stage_span[STAGE_COUNT];  /* the samples behind it, n = 0 if none */
    span_stats forward, back;            /* the HTEX paths */
    double factor[FACTOR_COUNT];         /* fitted values */
    double factor_low[FACTOR_COUNT];     /* 95% confidence interval */
    double factor_high[FACTOR_COUNT];
    int fitted;                          /* factors step 2 moved: 0, 2 or FACTOR_COUNT */
    int iterations;                      /* of the solver */
    double r2;                           /* of log makespans */
    double rms_log_error;                /* root mean square of log(predicted / measured) */
    double chi2;                         /* the solution's sum of squares, makespans and switches */
    int dof;                             /* residuals less factors moved */
    double held_submit_side;             /* > 0: the submit side's factor, held (set by the caller) */
    double switch_chi2;                  /* sum of squared log errors of the fitted switch counts */
    fit_config config[FIT_MAX_CONFIGS];  /* the calibration configurations */
    int nconfigs;
    int nswitches;                       /* configurations whose switches are also fitted */
    double record_total_s;               /* micro: one enabled record */
    span_stats record_span;              /* parsl.log: one record in place, back to back
                                         ** (SPAN_RECORD); n = 0 when none */
    double record_disabled_s;            /* micro: one disabled call */
    double handoff_s;                    /* micro: half a thread hand-off round trip */
    int thread_start_measured;           /* 1 when thread_start came from the bundle */
    int pool_lock_measured;              /* 1 when pool_lock came from a bundle's pool_submit */
    int heldout_runs;                    /* runs left out for validation */
    gcfit_report gc;                     /* the collector's structure */
    int htex_cpu_source;                 /* enum htex_cpu_source: how the processes' CPU was split */
    int htex_cpu_runs;                   /* HTEX runs whose process CPU gave the HTEX stages */
    double htex_cpu[3];                  /* work per task: interchange, manager, workers */
    double htex_logging[3];              /* logging per task, measured or counted; -1 when unmeasured */
    double record_dropped_s;             /* micro: a DEBUG record dropped by an INFO handler; 0 if none */
    double htex_records_info[3];         /* INFO records per task each process wrote */
    double htex_records_dropped[3];      /* DEBUG records per task it built and dropped (worker_debug) */
    double htex_counted[3];              /* their cost at the micro-benchmarks' */
    int htex_counts;                     /* 1 when those were counted (a worker_debug run, log_record_dropped) */
    int replications;                    /* simulations per configuration; the median is fitted */
    int record_from_spans;               /* 1: a record costs its span in parsl.log (not fitted) */
    int thread_cpu_runs;                 /* logging-off HTEX runs whose thread CPU gave its submit-side stages */
    double thread_cpu[2];                /* their CPU per task: launch thread, result thread */
    thread_split split;                  /* the thread pool's CPU split (report only) */
    whatif_report whatif;                /* with logging-on runs alone: the speedups' interval */
} fit_report;

/* Fit a model from bundles (nbundles >= 0) and the spans read from them
** (and from any runinfo folders). start gives the values nothing in the
** traces can measure, and each such stage is reported as taken from it.
** Returns 0 with *out and *rep filled, or SIM_EINPUT (no usable run, no
** micro-benchmarks), SIM_EFIT (the solver failed: gsl_strerror). */
/* fit_model's flags */
#define FIT_LOGGING_ON_ONLY 1   /* fit on logging-on runs only: the logging-off what-if */

int fit_model(const bundle *bundles, int nbundles, const spans *sp, int flags,
              const model *start, model *out, fit_report *rep, sim_error *err);

/* Step 2 alone: scale base's costs by the factors that best reproduce
** rep->config[].measured_s, and the context switches of the logging-on
** ones that have them (rep's configs, record costs and stage sources
** filled by the caller; a stage whose source starts with "micro",
** "start" or "thread CPU" is not scaled), simulating on cores cores. Fills the factors,
** their intervals, predictions and fit quality in rep. Returns 0 with
** *out set, or SIM_EFIT / SIM_ENOMEM. */
int fit_scale(const model *base, fit_report *rep, int cores, model *out, sim_error *err);

/* The median makespan of configuration fc, logging as given, over
** replications seeds (validate.c's), simulated with model m on cores
** cores (with full collections at a random phase, one seed alone would
** give one phase); *switches, when not NULL, the mean of the submitting
** process's wake-ups and record hand-offs, what its threads' voluntary
** context switches count. NAN with err filled when a simulation fails. */
double fit_makespan(const model *m, const fit_config *fc, int logging, int cores,
                    int replications, double *switches, sim_error *err);

/* Print the report as aligned tables. */
void fit_print_report(const fit_report *rep, const model *m, FILE *out);

#endif
