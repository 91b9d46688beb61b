/*
** The logging-off what-if's uncertainty, for a model fitted on logging-on
** runs alone (fit.h, FIT_LOGGING_ON_ONLY). Those runs fix the records' and
** the stages' sum, and leave the stages' own scale loose (docs/calibrate.md):
** whatif.c profiles the fit's sum of squares over the submit side's scale,
** refitting the other factors at each, and gives the scale's 95% interval
** and, at its ends, each calibration configuration's predicted speedup.
*/
#ifndef SIM_WHATIF_H
#define SIM_WHATIF_H

#include <stdio.h>

#include "../models/model.h"
#include "../sim/error.h"

#define WHATIF_MAX_ROWS 64

enum { WHATIF_LOW, WHATIF_FIT, WHATIF_HIGH, WHATIF_POINTS };

typedef struct whatif_row {
    int workload, executor;          /* enums of sim.h */
    long size;
    int workers;
    double speedup[WHATIF_POINTS][2]; /* predicted, logging on / off and on / off_all, at each scale */
} whatif_row;

typedef struct whatif_report {
    int done;                        /* 1 when profiled */
    double scale[WHATIF_POINTS];     /* the submit side's factor: interval ends and the fit */
    int open_low, open_high;         /* 1: the end reached the search's limit, not the threshold */
    double chi2, threshold;          /* the fit's sum of squares; the interval's bound on it */
    int fits;                        /* refits the profile ran */
    double best_chi2, best_scale;    /* the lowest refit, when below the fit's: a better optimum */
    double moved_from_scale, moved_from_chi2; /* > 0: the solver's own optimum, left for a better one */
    whatif_row row[WHATIF_MAX_ROWS];
    int nrows;
    model end[2];                    /* the refitted models at the low and high scale ends:
                                     ** the most and the least speedup the runs allow */
} whatif_report;

struct fit_report;

/* Profile rep's fit (fit_scale's, on logging-on runs alone, with at least
** two factors moved) over the submit side's scale, base the model before
** the factors and fitted the fit's, simulating on cores cores; fills
** rep->whatif. Returns 0,
** or SIM_EFIT / SIM_ENOMEM. Costs some 15 refits. */
int whatif_profile(const model *base, const model *fitted, struct fit_report *rep, int cores,
                   sim_error *err);

/* Give w's end e (0 the most-speedup one, 1 the least) the fitted model's
** machine, versions and provenance, saying which end it is. */
void whatif_label_end(whatif_report *w, int e, const model *fitted);

/* Print rep->whatif as an aligned table (nothing when not profiled). */
void whatif_print(const struct fit_report *rep, FILE *out);

#endif
