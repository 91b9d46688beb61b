/*
** Timing runs grouped by configuration: a trace bundle's runs.csv holds
** several repetitions of each (workload, size, executor, workers asked
** for, logging) point, and both the fit (fit.c, against the calibration
** runs) and validation (validate.c, against all of them) compare the
** simulator with the median of those repetitions. This is where a run is
** judged usable (status ok, not profiled, not monitored: both inflate the
** makespan) and where the median and spread are computed, once for both.
*/
#ifndef SIM_GROUP_H
#define SIM_GROUP_H

#include "../sim/error.h"
#include "bundle.h"

/* Which runs group_runs takes, by their role in the bundle. */
enum group_roles {
    GROUP_CALIBRATION = 1,   /* role calibration */
    GROUP_HELDOUT = 2,       /* role heldout */
    GROUP_ALL = 3
};

typedef struct run_group {
    int workload;            /* enum sim_workload */
    long size;               /* the program's argument */
    long tasks;              /* tasks the runs created (the first run's count) */
    int executor;            /* enum sim_executor */
    int workers;             /* workers asked for */
    int workers_started;     /* the most any repetition started; -1 when none recorded */
    int logging;             /* enum sim_logging */
    int background;          /* busy-loop processes beside the runs (bundle_run.background) */
    int heldout;             /* 1 when every repetition is held out */
    int runs;                /* repetitions grouped */
    double median_s;         /* median makespan of the repetitions */
    double min_s;            /* fastest repetition */
    double max_s;            /* slowest repetition */
    double switches;         /* median voluntary context switches of the repetitions that counted them; -1 if none */
} run_group;

/* 1 when r's makespan can be compared with a simulation: status ok, not
** profiled, not monitored, a positive makespan and a known workload,
** executor and logging mode; 0 otherwise. */
int group_usable(const bundle_run *r);

/* The median of v[0..n), n >= 1, the mean of the middle two for an even n
** (GSL's); sorts v in place. */
double group_median(double *v, int n);

/* Group the usable runs of nb bundles whose role is in roles (enum
** group_roles) by (workload, size, executor, workers asked for, logging),
** in order of each configuration's first run. A configuration some of
** whose runs are held out and some not is one group, not held out (the
** calibration saw it). Returns 0 with *out a malloc'd array of *n groups
** (the caller frees it; NULL when *n is 0), or SIM_ENOMEM with *out NULL. */
int group_runs(const bundle *bundles, int nb, int roles, run_group **out,
               int *n, sim_error *err);

/* The makespans of g's repetitions among the usable runs of nb bundles
** whose role is in roles (as group_runs took them), sorted, into times,
** which has room for every run of the bundles. Returns how many. */
int group_times(const bundle *bundles, int nb, int roles, const run_group *g, double *times);

/* The median over g's repetitions (as group_times takes them) of each
** role's CPU per task (enum sim_role: the submitting process's threads
** from runs.csv thread_cpu_<role>_s, then HTEX's interchange, manager and
** workers from cpu_interchange_s, cpu_manager_s, cpu_workers_s) into cpu;
** -1 for a role no repetition measured. scratch has room for every run of
** the bundles. */
void group_thread_cpu(const bundle *bundles, int nb, int roles, const run_group *g,
                      double *scratch, double *cpu);

/* The median voluntary context switches a task of g's repetitions (as
** group_times takes them) that measured their main thread's CPU too, so
** that the two come from the same runs; -1 when none. scratch as above. */
double group_cpu_switches(const bundle *bundles, int nb, int roles, const run_group *g,
                          double *scratch);

/* A ratio of medians measured in several captures (blocks): a[] holds
** each capture's repetitions one after the other, a_n[k] of them for
** capture k, each segment sorted; b[] and b_n[] the same for the
** denominator. The estimate is the weighted geometric mean over the
** captures that measured both of each capture's median a / median b,
** weighted 1 / (1 / a_n[k] + 1 / b_n[k]) (the inverse of the log ratio's
** variance, the spread taken alike). A capture-wide slowdown that scales
** both sides cancels within the capture, which a ratio of the pooled
** medians does not do. NAN when no capture measured both. */
double group_blocked_ratio(const double *a, const int *a_n, const double *b, const int *b_n,
                           int blocks);

/* The percentile bootstrap interval at level (0.90: from the 5th to the
** 95th percentile) of group_blocked_ratio, each capture's repetitions
** resampled with replacement within the capture, resamples times, from
** GSL's taus2 seeded with seed: the same inputs give the same interval.
** With one capture it is the interval of its ratio of medians. Returns 0,
** or SIM_ENOMEM. */
int group_blocked_interval(const double *a, const int *a_n, const double *b, const int *b_n,
                           int blocks, double level, int resamples, unsigned long seed,
                           double *low, double *high);

/* One capture set apart, to see how well the others predict it: of a
** configuration's repetitions laid out as group_blocked_ratio's a[] and
** a_n[], the median of capture skip's into *own and that of every other
** capture's together into *others (scratch has room for all of them).
** Returns 1 when both exist, 0 when capture skip or all the others
** measured nothing. */
int group_capture_apart(const double *times, const int *runs, int blocks, int skip,
                        double *scratch, double *own, double *others);

#endif
