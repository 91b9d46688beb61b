/*
** HTEX's submit-side stage costs from the submitting process's threads'
** measured CPU by role (runs.csv thread_cpu_<role>_s), for bundles that
** have it: step 1 of the fit (fit.h), after the log spans, whose costs it
** replaces for the stages it measures. threadcpu.c says which and why.
*/
#ifndef SIM_THREADCPU_H
#define SIM_THREADCPU_H

#include "bundle.h"
#include "fit.h"

/* Overwrite m's launch_htex and result_receive costs with the median CPU
** per task of the calibration runs (double workload, submit side's logging
** off) that measured their threads; nothing with FIT_LOGGING_ON_ONLY in
** flags or without such runs. Fills rep->thread_cpu_runs,
** rep->thread_cpu and the stages' sources. */
void threadcpu_apply(model *m, fit_report *rep, const bundle *bundles, int nb, int flags);

/* Fit rep->split from the double thread-pool calibration runs of bundles
** that measured their threads' CPU and switches (runs.csv
** thread_cpu_<role>_s, thread_vcsw_<role>), logging on and off alike, runs
** with a full collection left out: a role's CPU per task = its work + its
** enabled records per task (m's stage records: main submit's; the launch
** thread and the workers launch_threads' and complete's) x one record's
** CPU + its switches per task x one switch's CPU, by linear least squares
** (gsl_multifit_linear). Leaves rep->split.runs 0 without enough runs of
** both kinds; nothing with FIT_LOGGING_ON_ONLY in flags, where the work
** and the records cannot be told apart. Returns 0 or SIM_ENOMEM. */
int threadcpu_split_fit(const model *m, fit_report *rep, const bundle *bundles, int nb, int flags);

#endif
