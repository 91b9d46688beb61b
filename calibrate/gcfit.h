/*
** The cyclic collector's structure, from the full collections a bundle
** recorded (gc.csv, bundle.h): a part of step 1 of the fit (fit.h). A
** full collection's pause is fitted as base + per_task x tasks submitted
** (GSL's linear least squares); when it happens, as CPython decides it, by
** a check every so many submits that collects only once the tasks held
** grew by some fraction since the last full collection (both fitted to
** the intervals between consecutive collections of a run).
*/
#ifndef SIM_GCFIT_H
#define SIM_GCFIT_H

#include "../models/model.h"
#include "bundle.h"

typedef struct gcfit_report {
    int collections;          /* full collections used (calibration runs) */
    int runs;                 /* runs they came from */
    int intervals;            /* consecutive pairs within a run */
    double base_s, base_sd;   /* the pause's intercept and its standard error */
    double per_task_s, per_task_sd; /* its slope per task submitted */
    double r2;                /* of the pause's linear fit */
    long check_tasks;         /* submits between checks */
    long first_tasks;         /* median submit of a run's first full collection */
    double growth;            /* growth a check needs */
    double interval_rms;      /* rms error of the fitted intervals, tasks */
    int source;               /* enum gcfit_source */
} gcfit_report;

enum gcfit_source {
    GCFIT_NONE,       /* no bundle records collections: the start model's gc kept */
    GCFIT_PAUSES,     /* pauses fitted; checks from the collection rate, growth kept */
    GCFIT_FULL        /* pauses and the checks' structure fitted */
};

/* Fit m's gc.* from the full collections of the calibration runs (ok, not
** profiled, not monitored, not held out; with FIT_LOGGING_ON_ONLY's
** meaning when logging_on_only) of nb bundles. m keeps its gc.* where the
** bundles have too little (rep->source says what was fitted). Returns 0
** (a GSL failure leaves m as it was and reports GCFIT_NONE), or SIM_ENOMEM
** with m as it was. */
int gcfit_fit(const bundle *bundles, int nb, int logging_on_only, model *m,
              gcfit_report *rep);

#endif
