/*
** Validation of a model against real Parsl: every measured configuration
** of one or more trace bundles (grouped by group.c: the median of the
** repetitions and their range) is simulated with sim_run on the bundle
** machine's cores, and the prediction compared with the measurement as a
** relative error, predicted / measured - 1. Errors are summarized apart
** for held-out configurations (the evidence) and fitted ones (the
** calibration set, which the fit was tuned to reproduce), by workload, by
** executor and by logging state. The logging-off what-if pairs each
** configuration measured with logging on with the same one measured with
** logging off (or off_all) and compares the measured speedup with the
** predicted one. This is the last step of the data flow's calibration
** loop: `sim validate` (sim/cmd_validate.c) wires it; docs/validate.md
** describes the output and the targets.
*/
#ifndef SIM_VALIDATE_H
#define SIM_VALIDATE_H

#include <stdint.h>
#include <stdio.h>

#include "../models/model.h"
#include "../sim/error.h"
#include "../sim/experiment.h"
#include "../sim/sim.h"
#include "bundle.h"
#include "group.h"

/* The targets of issue 5, over held-out configurations. */
#define VALIDATE_TARGET_MEDIAN 0.10   /* median |relative error| at most */
#define VALIDATE_TARGET_WORST 0.25    /* worst |relative error| at most */
#define VALIDATE_TARGET_SPEEDUP 0.15  /* |speedup error| of every logging-off pair at most */

/* The measured speedups' percentile bootstrap intervals: level, resamples. */
#define VALIDATE_LEVEL 0.90
#define VALIDATE_RESAMPLES 2000

typedef struct validate_row {
    run_group g;             /* the measured configuration */
    int bundle;              /* index of its bundle in the caller's array */
    int cores;               /* cores simulated: its bundle's machine */
    int workers_started_sim; /* workers the simulator started */
    double predicted_s;      /* median simulated makespan over the replications */
    double rel_error;        /* predicted_s / g.median_s - 1 */
    double predicted_switches; /* mean simulated wake-ups + record hand-offs (cf. g.switches) */
    const double *times;     /* [g.runs] its repetitions' makespans, capture by capture,
                             ** each capture's sorted; in the set's times */
    const int *block_runs;   /* [the set's blocks] how many of them each capture holds */
    double measured_thread_cpu[SIM_ROLE_COUNT];  /* median CPU a task of the submitting
                             ** process's threads by role, -1 where not measured */
    double predicted_thread_cpu[SIM_ROLE_COUNT]; /* the simulator's bursts a task, mean over
                             ** the replications */
    double predicted_thread_dead[SIM_ROLE_COUNT]; /* and its dead time a task */
    double cpu_switches;     /* median voluntary switches a task of the runs that measured
                             ** its threads' CPU, -1 when none (validate_cpu_check) */
    int profiles;            /* profiled runs of the configuration (validate_profiles) */
    double measured_main_logging; /* the main thread's share of workload time in logging,
                             ** pyinstrument's median over them; -1 when none */
    double predicted_main_logging; /* the simulator's (role_logging_s of main / makespan),
                             ** mean over the replications */
} validate_row;

/* What a summary groups its configurations by. */
enum validate_by {
    VALIDATE_BY_OVERALL,     /* all configurations of the set */
    VALIDATE_BY_WORKLOAD,    /* value: enum sim_workload */
    VALIDATE_BY_EXECUTOR,    /* value: enum sim_executor */
    VALIDATE_BY_LOGGING,     /* value: enum sim_logging */
    VALIDATE_BY_COUNT
};

typedef struct validate_summary {
    int by;                  /* enum validate_by */
    int value;               /* the workload, executor or logging; -1 for overall */
    int heldout;             /* 1: held-out configurations, 0: fitted ones */
    int n;                   /* configurations summarized, >= 1 */
    double median_abs;       /* median |rel_error| (mean of the middle two for even n) */
    double worst_abs;        /* largest |rel_error| */
} validate_summary;

typedef struct validate_pair {
    int on;                  /* row measured with logging on */
    int off;                 /* the same configuration with logging off or off_all */
    double measured;         /* speedup measured: median on / median off; pooled, their
                             ** geometric mean over the captures that measured both
                             ** (group_blocked_ratio) */
    double predicted;        /* speedup predicted: predicted on / predicted off */
    double error;            /* (predicted - measured) / measured */
    double measured_low;     /* the measured speedup's bootstrap interval (VALIDATE_LEVEL) */
    double measured_high;
} validate_pair;

/* Pooled, the measurement's own reproducibility beside the model's error:
** each capture's median of a held-out configuration measured in two
** captures or more is predicted by the model and by the other captures'
** repetitions together (group_capture_apart). When the other captures
** predict a capture no better than the model does, the model's error is
** the host's noise from capture to capture, not the model's. */
typedef struct validate_captures {
    int configs;             /* held-out rows measured in two captures or more; 0: none */
    int medians;             /* capture medians predicted */
    double model_median;     /* |predicted_s / capture median - 1|: median, */
    double model_worst;      /* and worst */
    double others_median;    /* |the other captures' median / capture median - 1| */
    double others_worst;
} validate_captures;

typedef struct validate_set {
    validate_row *rows;      /* [nrows], bundle by bundle in runs.csv order; owned */
    double *times;           /* every row's repetitions' makespans; owned */
    int *block_runs;         /* [nrows * blocks] the rows' repetitions per capture; owned */
    int blocks;              /* captures a row's repetitions come from: the bundles pooled, or 1 */
    int nrows;
    sim_result *results;     /* [nrows * replications], row-major; owned */
    int replications;        /* simulations per configuration, >= 1 */
    uint64_t seed;           /* replication r runs with seed + r * EXPERIMENT_SEED_STEP */
    validate_summary *summaries; /* held-out ones first, then fitted; owned */
    int nsummaries;
    validate_pair *pairs;    /* logging-off what-if pairs, in row order; owned */
    int npairs;
    int pooled;              /* the bundles pooled into one set of rows (row bundle 0), or 0 */
    validate_captures captures; /* set by validate_summarize */
} validate_set;

/* Group the usable runs of each of nb bundles into the rows of a new set
** (nothing simulated yet); with pooled, the runs of all nb bundles into
** one set of rows, a configuration measured in several captures being one
** row (the median of all its repetitions, held-out only if every one is),
** which needs bundles of one machine (SIM_EINPUT otherwise). Returns 0
** with *out set (free it with validate_free), SIM_EINPUT when no bundle
** has a usable run (naming the first bundle), or SIM_ENOMEM; *out is NULL
** on failure. */
int validate_new(validate_set **out, const bundle *bundles, int nb, int pooled,
                 sim_error *err);

/* Simulate every row replications times (seeds as in validate_set) with
** model m, fill the predictions and relative errors, then summarize
** (validate_summarize). Returns 0, or sim_run's SIM_EINPUT / SIM_ENOMEM
** with err naming the configuration; the set is then not summarized. */
int validate_simulate(validate_set *v, const model *m, int replications,
                      uint64_t seed, sim_error *err);

/* Recompute the relative errors, summaries and what-if pairs from the
** rows' measured and predicted makespans. Returns 0 or SIM_ENOMEM. */
int validate_summarize(validate_set *v, sim_error *err);

/* The bundles' pyinstrument profiles (profiles.c) set beside the rows of
** the same configuration (pooled: of any bundle). Returns 0, or
** SIM_EINPUT naming a profile that cannot be read, SIM_ENOMEM. */
int validate_profiles(validate_set *v, const bundle *bundles, int nb, sim_error *err);

/* The summary of set heldout, by by and value (-1 for overall), or NULL
** when the set has no such configuration. */
const validate_summary *validate_summary_get(const validate_set *v, int heldout,
                                             int by, int value);

/* The configuration of row's replication rep as sim run stores it. */
void validate_config(const validate_set *v, int row, int rep, experiment_config *c);

/* Check the targets (VALIDATE_TARGET_*) over held-out configurations:
** they exist for all three workloads and both executors, their median and
** worst |relative error| are within bounds, and every what-if pair's
** speedup error is. Returns 1 when met; 0 with a one-line reason (every
** miss, "; "-separated) in reason otherwise. */
int validate_check(const validate_set *v, char *reason, size_t size);

/* The submitting process's CPU against the model's. A real thread's CPU
** holds what the simulator runs as bursts (stages, records, collections)
** and the kernel's and CPython's cost of each voluntary context switch,
** which the simulator has as dead time: measured = predicted + c x the
** switches measured, c one figure per machine. c is the least-squares fit
** over the rows that measured both (threads' CPU of every role the
** simulator has, voluntary switches), and the check is how well one c
** does for all: the |relative error| of predicted + c x switches. */
typedef struct validate_cpu {
    int n;                   /* rows with both measured; 0 when fewer than 3 (or no memory) */
    double per_switch_s;     /* c, seconds of CPU a measured switch */
    double median_abs;       /* median |relative error| over the n rows */
    double worst_abs;        /* the largest */
    int worst_row;           /* its row */
} validate_cpu;

/* Fill *out from the simulated rows (validate_simulate). */
void validate_cpu_check(const validate_set *v, validate_cpu *out);

/* Print the aligned table, the summaries, the what-if pairs (when there
** are any, or always when what_if is 1) and the targets to out. */
void validate_print_table(const validate_set *v, const bundle *bundles, int what_if,
                          FILE *out);

/* Print one JSON object per line (jansson): a row per configuration, a
** {"what_if": "logging", ...} per pair, then {"summary": ...} objects.
** Returns 0, or SIM_ENOMEM / SIM_EIO. */
int validate_print_json(const validate_set *v, const bundle *bundles, FILE *out,
                        sim_error *err);

/* Free the set. NULL is a no-op. */
void validate_free(validate_set *v);

#endif
