/*
** Printing results: an aligned table for people, CSV for spreadsheets and
** JSON lines (jansson) for scripts, one row per configuration as it
** finishes, then, for experiments that ask for it, the logging speedup
** (makespan with logging on over makespan with logging off, median over
** replications). Also the progress line of a long sweep, on stderr and
** only when stderr is a terminal. This is the last step of `sim run`.
*/
#ifndef SIM_OUTPUT_H
#define SIM_OUTPUT_H

#include <stdio.h>

#include "experiment.h"
#include "sim.h"

enum output_format { OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_JSON };

typedef struct output output;

/* The format named name ("table", "csv", "json"), or -1. */
int output_format_lookup(const char *name);

/* A printer writing to out (borrowed) in format; compare_logging asks for
** the speedup report at output_finish. Returns NULL when out of memory. */
output *output_new(FILE *out, int format, int compare_logging);

/* Print one configuration's row and keep it for the report; the rows of
** one sweep point come together, in experiment order. Returns 0,
** or SIM_ENOMEM. */
int output_row(output *o, const experiment_config *c, const sim_result *r);

/* Show "[k/n] workload size executor workers logging" on stderr, over the
** previous progress line, when stderr is a terminal; otherwise nothing. */
void output_progress(output *o, long k, long n, const experiment_config *c);

/* Clear the progress line, print the speedup report when asked for and
** flush. Returns 0, or SIM_EIO when out could not be written. */
int output_finish(output *o, sim_error *err);

/* Clear the progress line and free the printer (not its stream). NULL is
** a no-op. */
void output_free(output *o);

#endif
