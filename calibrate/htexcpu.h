/*
** HTEX's own processes (interchange, manager, workers) from their measured
** CPU (runs.csv cpu_*_s): step 1 of the fit (fit.h), after the log spans,
** whose costs it replaces for the five worker-side stages. htexcpu.c says
** how a process's CPU is split between its work and its logging.
*/
#ifndef SIM_HTEXCPU_H
#define SIM_HTEXCPU_H

#include "bundle.h"
#include "fit.h"

/* Overwrite m's interchange, manager and worker stage costs, and their
** records, with what the calibration runs' process CPU gives, when the
** bundles measured it: from off_all runs, or with FIT_LOGGING_ON_ONLY in
** flags from logging-on runs less their counted logging (which needs a
** worker_debug run with logging on and the log_record_dropped
** micro-benchmark, rep->record_dropped_s > 0). Leaves m as it is
** otherwise. Fills rep->htex_* and the stages' sources. */
void htexcpu_apply(model *m, fit_report *rep, const bundle *bundles, int nb, int flags);

#endif
