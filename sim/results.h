/*
** The results store: a SQLite file (results.db by default, schema in
** docs/results.md) holding every simulated configuration with its
** metrics, per-stage busy time, the seed, the model file's hash and the
** code's revision. One transaction per configuration, so an interrupted
** sweep leaves complete rows only; re-running the same experiment (same
** name, file bytes, model bytes and seed) finds what is already stored
** and runs only the rest. The notebooks read the same file.
*/
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H

#include "../models/model.h"
#include "error.h"
#include "experiment.h"
#include "sim.h"

typedef struct results results;

/* Open (creating when absent) the store at path and make sure its tables
** exist. Returns 0 with *out set (close it with results_close), or SIM_EDB
** naming the file with err filled and *out NULL. */
int results_open(results **out, const char *path, sim_error *err);

/* Close the store. NULL is a no-op. */
void results_close(results *r);

/* Choose the experiment row later calls work in: the newest row with e's
** name, file hash and seed and m's hash, or, when there is none or fresh
** is 1, a new row. A new row is written with the first configuration
** stored, not before, so a run that stores nothing writes nothing.
** Returns 0 or SIM_EDB. */
int results_begin(results *r, const experiment *e, const model *m,
                  int fresh, sim_error *err);

/* Look configuration c up in the current experiment row. Returns 1 with
** res filled when it is stored, 0 when it is not, or SIM_EDB. c->cores
** must be the cores simulated (the model's when the experiment left it 0). */
int results_find(results *r, const experiment_config *c, sim_result *res,
                 sim_error *err);

/* Store c and its result in one transaction: the experiment row when it
** is new, the configuration, its metrics and one row per stage. Returns 0,
** or SIM_EDB with nothing of c written. */
int results_store(results *r, const experiment_config *c,
                  const sim_result *res, sim_error *err);

#endif
