/*
** The experiment file (experiments/NAME.yaml, format in docs/experiment.md):
** a sweep over workloads, sizes, executors, worker counts and logging
** modes, read and checked in full, then expanded into the flat list of
** configurations `sim run` simulates, one per point of the cartesian
** product and replication. A single run given on the command line is an
** experiment of one point, built by experiment_single.
*/
#ifndef SIM_EXPERIMENT_H
#define SIM_EXPERIMENT_H

#include <stdint.h>

#include "../models/model.h"
#include "error.h"
#include "sim.h"

/* The most tasks one configuration may create: a DAG beyond this does
** not fit in memory on the machines sim targets. */
#define EXPERIMENT_MAX_TASKS 50000000L

/* The most configurations one experiment may expand to. */
#define EXPERIMENT_MAX_CONFIGS 1000000L

/* Added once per replication to the experiment's seed (mod 2^64): the
** 64-bit golden ratio, odd, so replications get distinct seeds. */
#define EXPERIMENT_SEED_STEP 0x9E3779B97F4A7C15ULL

typedef struct experiment_config {
    int workload;        /* enum sim_workload */
    long size;           /* the program's argument: N, depth or n */
    long tasks;          /* sim_task_count(workload, size) */
    int executor;        /* enum sim_executor */
    int workers;         /* workers asked for */
    int logging;         /* enum sim_logging */
    int cores;           /* cores to simulate; 0 = the model's machine_cores */
    int replication;     /* 0 .. replications-1 */
    uint64_t seed;       /* seed + replication * EXPERIMENT_SEED_STEP */
} experiment_config;

/* The sim_config of configuration c on model m (borrowed). */
void experiment_sim_config(const experiment_config *c, const model *m, sim_config *out);

typedef struct experiment_override {
    char key[128];       /* dotted model key, as model_set takes it */
    char value[256];     /* the value as written in the file */
    int line;            /* 1-based place of the key in the file */
    int column;
} experiment_override;

typedef struct experiment {
    char name[128];             /* the experiment's name, for the results store */
    char description[1024];     /* free text, or "" */
    char path[512];             /* the file as given, or "" for a command-line run */
    char hash[17];              /* FNV-1a 64 of the file (or of the command line's sweep) */
    char model_path[512];       /* the model file it names, or "" for the default */
    uint64_t seed;              /* the experiment's seed */
    int replications;           /* runs per sweep point, >= 1 */
    int cores;                  /* cores to simulate; 0 = the model's */
    int compare_logging;        /* 1 for `compare: logging` */
    experiment_override *overrides; /* model overrides, in file order */
    int n_overrides;            /* entries in overrides */
    experiment_config *configs; /* the expanded sweep, in run order */
    long n_configs;             /* entries in configs */
} experiment;

/* Read, check and expand the experiment file at path. Every error is
** reported with file:line:column. Returns 0 with *out set (the caller
** frees it with experiment_free), or SIM_EIO / SIM_EINPUT / SIM_ENOMEM
** with err filled and *out NULL. */
int experiment_load(experiment **out, const char *path, sim_error *err);

/* Build the experiment of one command-line configuration, replicated.
** Checks the values as experiment_load does (workers >= 1, size within
** range); errors have no place. Returns 0 with *out set (free with
** experiment_free), or SIM_EINPUT / SIM_ENOMEM with err filled. */
int experiment_single(experiment **out, int workload, long size,
                      int executor, int workers, int logging, int cores,
                      uint64_t seed, int replications, sim_error *err);

/* Re-derive every configuration after e->seed, e->replications or
** e->cores changed (the command line may override them). Returns 0 or
** SIM_EINPUT / SIM_ENOMEM with err filled; e keeps its old list on error. */
int experiment_expand(experiment *e, sim_error *err);

/* Add one model override from the command line (`sim run --set
** KEY=VALUE`) after the file's, and fold it into e->hash, so that the
** results store keeps runs with and without it apart. The key is checked
** when the overrides are applied. Returns 0, or SIM_EINPUT (a key or
** value too long) / SIM_ENOMEM. */
int experiment_add_override(experiment *e, const char *key, const char *value,
                            sim_error *err);

/* Apply e's overrides to m with model_set. Returns 0, or SIM_EINPUT with
** err placed at the override's key in the experiment file. */
int experiment_apply(const experiment *e, model *m, sim_error *err);

/* Free e and everything it owns. NULL is a no-op. */
void experiment_free(experiment *e);

#endif
