/*
** `sim run`: simulate an experiment file's sweep, or one configuration
** given on the command line, and print and store the results. This file
** only wires the modules together: experiment (what to run), model (the
** costs), sim_run (the simulation), results (the SQLite store) and output
** (the printing). Everything is read and checked before the store is
** opened or a row printed, so bad input writes nothing.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/model.h"
#include "../models/yamldoc.h"
#include "cmd.h"
#include "experiment.h"
#include "output.h"
#include "results.h"
#include "sim.h"

#define DEFAULT_MODEL "models/default.yaml"
#define DEFAULT_DB "results.db"

static const char usage_short[] =
    "usage: sim run EXPERIMENT.yaml [options]\n"
    "   or: sim run --workload NAME --size N --executor NAME --workers K "
    "[options]\n";

static const char usage_long[] =
    "\n"
    "Simulate Parsl running a workload, for every configuration of an\n"
    "experiment file (docs/experiment.md) or for the one given here.\n"
    "\n"
    "one configuration:\n"
    "  --workload NAME      double, increment or fibonacci\n"
    "  --size N             N tasks (double), chain depth (increment), n (fibonacci)\n"
    "  --executor NAME      threads or htex\n"
    "  --workers K          workers asked for (HTEX starts at most cores of them)\n"
    "  --logging MODE       on (default), off, off_all or info (the parsl logger at INFO)\n"
    "  --replications R     runs with successive seeds (default 1)\n"
    "\n"
    "either form:\n"
    "  --model FILE         the model file (default: the experiment's model:,\n"
    "                       else " DEFAULT_MODEL ")\n"
    "  --seed S             the seed (default: the experiment's, else 1)\n"
    "  --cores C            cores to simulate (default: the model's machine)\n"
    "  --set KEY=VALUE      override a model key, after the file's overrides\n"
    "                       (repeatable; e.g. machine.background_cores=1: a busy\n"
    "                       machine, docs/model.md)\n"
    "  --format FORMAT      table (default), csv or json (one object per line)\n"
    "  --db FILE            the results store (default " DEFAULT_DB ")\n"
    "  --no-db              do not store results\n"
    "  --fresh              start a new experiment in the store instead of\n"
    "                       skipping configurations it already holds\n"
    "  -h, --help           show this help\n";

enum {
    OPT_WORKLOAD = 256, OPT_SIZE, OPT_EXECUTOR, OPT_WORKERS, OPT_LOGGING,
    OPT_MODEL, OPT_SEED, OPT_CORES, OPT_REPLICATIONS, OPT_FORMAT, OPT_DB,
    OPT_NO_DB, OPT_FRESH, OPT_SET
};

#define MAX_SETS 32

static const struct option options[] = {
    {"workload", required_argument, NULL, OPT_WORKLOAD},
    {"size", required_argument, NULL, OPT_SIZE},
    {"executor", required_argument, NULL, OPT_EXECUTOR},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"logging", required_argument, NULL, OPT_LOGGING},
    {"model", required_argument, NULL, OPT_MODEL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"cores", required_argument, NULL, OPT_CORES},
    {"replications", required_argument, NULL, OPT_REPLICATIONS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"db", required_argument, NULL, OPT_DB},
    {"no-db", no_argument, NULL, OPT_NO_DB},
    {"fresh", no_argument, NULL, OPT_FRESH},
    {"set", required_argument, NULL, OPT_SET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct run_opts {
    const char *workload, *size, *executor, *workers, *logging; /* as typed */
    const char *seed, *cores, *replications;                     /* as typed */
    const char *model;      /* --model, or NULL */
    const char *db;         /* the store, or NULL for --no-db */
    const char *file;       /* the experiment file, or NULL */
    int format;             /* enum output_format */
    int fresh;              /* --fresh */
    const char *sets[MAX_SETS]; /* --set KEY=VALUE, in order */
    int nsets;
};

static int misuse(const char *fmt, const char *arg)
{
    return cmd_misuse("run", usage_short, fmt, arg);
}

/* Parse the command line into o. Returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, struct run_opts *o)
{
    int c;

    memset(o, 0, sizeof *o);
    o->db = DEFAULT_DB;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_WORKLOAD: o->workload = optarg; break;
        case OPT_SIZE: o->size = optarg; break;
        case OPT_EXECUTOR: o->executor = optarg; break;
        case OPT_WORKERS: o->workers = optarg; break;
        case OPT_LOGGING: o->logging = optarg; break;
        case OPT_MODEL: o->model = optarg; break;
        case OPT_SEED: o->seed = optarg; break;
        case OPT_CORES: o->cores = optarg; break;
        case OPT_REPLICATIONS: o->replications = optarg; break;
        case OPT_DB: o->db = optarg; break;
        case OPT_NO_DB: o->db = NULL; break;
        case OPT_FRESH: o->fresh = 1; break;
        case OPT_SET:
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                return misuse("--set wants KEY=VALUE, not '%s'", optarg);
            if (o->nsets == MAX_SETS)
                return misuse("at most 32 --set options%s", "");
            o->sets[o->nsets++] = optarg;
            break;
        case OPT_FORMAT:
            if ((o->format = output_format_lookup(optarg)) < 0)
                return misuse("unknown format '%s' (table, csv or json)",
                              optarg);
            break;
        case 'h':
            fputs(usage_short, stdout);
            fputs(usage_long, stdout);
            return 0;
        default:
            return misuse("unknown or incomplete option '%s'",
                          argv[optind - 1]);
        }
    }
    if (optind < argc)
        o->file = argv[optind++];
    if (optind < argc)
        return misuse("unexpected argument '%s'", argv[optind]);
    if (o->file && (o->workload || o->size || o->executor || o->workers ||
                    o->logging))
        return misuse("%s", "--workload, --size, --executor, --workers and "
                      "--logging are for a run without an experiment file");
    if (!o->file && !o->workload && !o->size && !o->executor && !o->workers)
        return misuse("%s", "an experiment file or --workload, --size, "
                      "--executor and --workers are required");
    if (!o->file && (!o->workload || !o->size || !o->executor || !o->workers))
        return misuse("%s", "a run without an experiment file needs "
                      "--workload, --size, --executor and --workers");
    return -1;
}

/* Parse an option's number; fills err on failure. */
static int number(const char *opt, const char *text, long min, long *out,
                  sim_error *err)
{
    if (yamldoc_parse_long(text, out) < 0)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "--%s must be an integer, not '%s'", opt, text);
    if (*out < min || *out > 1000000000L)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "--%s must be from %ld to 1000000000, not %ld", opt,
                         min, *out);
    return 0;
}

static int lookup(const char *opt, const char *text, int (*f)(const char *),
                  const char *choices, int *out, sim_error *err)
{
    if ((*out = f(text)) < 0)
        return error_set(err, SIM_EINPUT, "", 0, 0, "unknown --%s '%s' (%s)",
                         opt, text, choices);
    return 0;
}

/* Build the experiment the options describe. */
static int build(const struct run_opts *o, experiment **out, sim_error *err)
{
    long size = 0, workers = 0, cores = 0, reps = 1;
    int w, x, l, rc;
    uint64_t seed = 1;

    *out = NULL;
    if ((o->seed && yamldoc_parse_u64(o->seed, &seed) < 0))
        return error_set(err, SIM_EINPUT, "", 0, 0, "--seed must be an "
                         "integer from 0 to 2^64-1, not '%s'", o->seed);
    if ((o->cores && (rc = number("cores", o->cores, 1, &cores, err)) < 0) ||
        (o->replications && (rc = number("replications", o->replications, 1,
                                         &reps, err)) < 0))
        return rc;
    if (o->file) {
        if ((rc = experiment_load(out, o->file, err)) < 0)
            return rc;
        if (!o->seed && !o->cores && !o->replications)
            return 0;
        if (o->seed)
            (*out)->seed = seed;
        if (o->cores)
            (*out)->cores = (int)cores;
        if (o->replications)
            (*out)->replications = (int)reps;
        return experiment_expand(*out, err);
    }
    if ((rc = lookup("workload", o->workload, sim_workload_lookup,
                     "double, increment or fibonacci", &w, err)) < 0 ||
        (rc = lookup("executor", o->executor, sim_executor_lookup,
                     "threads or htex", &x, err)) < 0 ||
        (rc = lookup("logging", o->logging ? o->logging : "on",
                     sim_logging_lookup,
                     "on, off, off_all or info", &l, err)) < 0)
        return rc;
    if (yamldoc_parse_long(o->size, &size) < 0)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "--size must be an integer, not '%s'", o->size);
    if (yamldoc_parse_long(o->workers, &workers) < 0)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "--workers must be an integer, not '%s'", o->workers);
    if (workers < 1 || workers > 1000000)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "--workers must be from 1 to 1000000, not %ld",
                         workers);
    return experiment_single(out, w, size, x, (int)workers, l, (int)cores,
                             seed, (int)reps, err);
}

/* Simulate (or find stored) every configuration and print each. */
static int sweep(const experiment *e, const model *m, results *store,
                 output *out, long *skipped, sim_error *err)
{
    experiment_config c;
    sim_config cfg;
    sim_result res;
    long i;
    int rc, found;

    for (i = 0; i < e->n_configs; i++) {
        c = e->configs[i];
        if (c.cores == 0)
            c.cores = m->machine_cores;
        output_progress(out, i + 1, e->n_configs, &c);
        found = 0;
        if (store && (found = results_find(store, &c, &res, err)) < 0)
            return found;
        if (found) {
            ++*skipped;
        } else {
            experiment_sim_config(&c, m, &cfg);
            if ((rc = sim_run(&cfg, &res, err)) < 0)
                return rc;
            if (store && (rc = results_store(store, &c, &res, err)) < 0)
                return rc;
        }
        if ((rc = output_row(out, &c, &res)) < 0)
            return error_set(err, rc, "", 0, 0, "out of memory");
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    experiment *e = NULL;
    results *store = NULL;
    output *out = NULL;
    const char *path;
    sim_error err;
    long skipped = 0;
    model *m;
    int rc;

    if ((rc = parse(argc, argv, &o)) >= 0)
        return rc;
    error_clear(&err);
    if ((m = malloc(sizeof *m)) == NULL) {
        error_set(&err, SIM_ENOMEM, "", 0, 0, "out of memory");
        return cmd_fail(&err);
    }
    if ((rc = build(&o, &e, &err)) < 0)
        goto fail;
    for (int i = 0; i < o.nsets; i++) {
        char key[128];
        const char *eq = strchr(o.sets[i], '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - o.sets[i]), o.sets[i]);
        if ((rc = experiment_add_override(e, key, eq + 1, &err)) < 0)
            goto fail;
    }
    path = o.model ? o.model : e->model_path[0] ? e->model_path : DEFAULT_MODEL;
    if ((rc = model_load(m, path, &err)) < 0 ||
        (rc = experiment_apply(e, m, &err)) < 0)
        goto fail;
    fprintf(stderr, "model: %s (%s, %s, parsl %s)\n", m->path, m->name,
            m->calibrated ? "calibrated" : "UNCALIBRATED", m->parsl_version);
    if (o.db && ((rc = results_open(&store, o.db, &err)) < 0 ||
                 (rc = results_begin(store, e, m, o.fresh, &err)) < 0))
        goto fail;
    if ((out = output_new(stdout, o.format, e->compare_logging)) == NULL) {
        rc = error_set(&err, SIM_ENOMEM, "", 0, 0, "out of memory");
        goto fail;
    }
    if ((rc = sweep(e, m, store, out, &skipped, &err)) < 0 ||
        (rc = output_finish(out, &err)) < 0)
        goto fail;
    if (skipped > 0)
        fprintf(stderr, "sim: %ld of %ld configurations were already in '%s'"
                " and were not run again (--fresh to run them)\n", skipped,
                e->n_configs, o.db);
    rc = 0;
fail:
    output_free(out);
    results_close(store);
    experiment_free(e);
    free(m);
    return rc < 0 ? cmd_fail(&err) : 0;
}
