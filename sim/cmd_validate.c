/*
** `sim validate [--model MODEL.yaml] BUNDLE...`: predict every measured
** configuration of real Parsl trace bundles with a model and print how far
** off the predictions are, held-out configurations apart from fitted ones,
** with the logging-off what-if and the targets of issue 5 (docs/validate.md).
** Wiring only: bundle.c reads, validate.c groups, simulates, summarizes
** and prints, results.c stores the simulated metrics (the measured ones
** stay in the bundle). Every bundle and the model are read and every
** configuration simulated before the store is opened, so a failure
** writes nothing.
*/
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/bundle.h"
#include "../calibrate/validate.h"
#include "../models/model.h"
#include "../models/yamldoc.h"
#include "cmd.h"
#include "results.h"
#include "sim.h"

#define DEFAULT_MODEL "models/default.yaml"
#define DEFAULT_DB "results.db"
#define MAX_BUNDLES 64

static const char usage_short[] =
    "usage: sim validate [--model MODEL.yaml] [options] BUNDLE...\n";

static const char usage_long[] =
    "\n"
    "Simulate every configuration measured in real Parsl trace bundles\n"
    "(docs/bundle.md; runs with status ok, not profiled, not monitored) and\n"
    "compare: measured makespan (median of the repetitions, min..max),\n"
    "predicted makespan, relative error predicted / measured - 1, and\n"
    "summaries for held-out and fitted configurations apart; then the\n"
    "speedups of logging off (and at INFO), where each thread's time goes,\n"
    "the threads' CPU against the model's plus one figure a context switch,\n"
    "and the main thread's logging share beside pyinstrument's. Runs beside\n"
    "busy loops (runs.csv background) are simulated on as busy a machine.\n"
    "See docs/validate.md.\n"
    "\n"
    "  --model FILE         the model file (default " DEFAULT_MODEL ")\n"
    "  --replications R     simulations per configuration, median taken\n"
    "                       (default 5: the collector's phase is drawn per run)\n"
    "  --seed S             the seed (default 1)\n"
    "  --what-if logging    always print the logging-off what-if (it is\n"
    "                       printed anyway when the bundles have matched pairs)\n"
    "  --pool               one row per configuration over all the bundles\n"
    "                       (the median of every capture's repetitions)\n"
    "                       instead of one per bundle, and each capture\n"
    "                       predicted by the model and by the other captures\n"
    "  --check              exit 1, with the reason on stderr, when the\n"
    "                       held-out targets are missed\n"
    "  --format FORMAT      table (default) or json (one object per line)\n"
    "  --db FILE            the results store (default " DEFAULT_DB ")\n"
    "  --no-db              do not store results\n"
    "  -h, --help           show this help\n";

enum {
    OPT_MODEL = 256, OPT_REPLICATIONS, OPT_SEED, OPT_WHAT_IF, OPT_CHECK, OPT_POOL,
    OPT_FORMAT, OPT_DB, OPT_NO_DB
};

static const struct option options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"replications", required_argument, NULL, OPT_REPLICATIONS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"what-if", required_argument, NULL, OPT_WHAT_IF},
    {"check", no_argument, NULL, OPT_CHECK},
    {"pool", no_argument, NULL, OPT_POOL},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"db", required_argument, NULL, OPT_DB},
    {"no-db", no_argument, NULL, OPT_NO_DB},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct validate_opts {
    const char *model;      /* the model file */
    const char *db;         /* the store, or NULL for --no-db */
    long replications;      /* >= 1 */
    uint64_t seed;          /* the seed of replication 0 */
    int what_if;            /* --what-if logging */
    int check;              /* --check */
    int pool;               /* --pool */
    int json;               /* --format json */
};

static int misuse(const char *fmt, const char *arg)
{
    return cmd_misuse("validate", usage_short, fmt, arg);
}

/* Parse the command line into o. Returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, struct validate_opts *o)
{
    int c;

    memset(o, 0, sizeof *o);
    o->model = DEFAULT_MODEL;
    o->db = DEFAULT_DB;
    o->replications = 5;
    o->seed = 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_MODEL: o->model = optarg; break;
        case OPT_DB: o->db = optarg; break;
        case OPT_NO_DB: o->db = NULL; break;
        case OPT_CHECK: o->check = 1; break;
        case OPT_POOL: o->pool = 1; break;
        case OPT_REPLICATIONS:
            if (yamldoc_parse_long(optarg, &o->replications) < 0 ||
                o->replications < 1 || o->replications > 1000)
                return misuse("--replications must be from 1 to 1000, not '%s'", optarg);
            break;
        case OPT_SEED:
            if (yamldoc_parse_u64(optarg, &o->seed) < 0)
                return misuse("--seed must be an integer from 0 to 2^64-1, not '%s'", optarg);
            break;
        case OPT_WHAT_IF:
            if (strcmp(optarg, "logging"))
                return misuse("unknown --what-if '%s' (logging)", optarg);
            o->what_if = 1;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "json"))
                o->json = 1;
            else if (strcmp(optarg, "table"))
                return misuse("unknown format '%s' (table or json)", optarg);
            break;
        case 'h':
            fputs(usage_short, stdout);
            fputs(usage_long, stdout);
            return 0;
        default:
            return misuse("unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return misuse("%s", "no BUNDLE to validate against");
    if (argc - optind > MAX_BUNDLES)
        return misuse("%s", "too many bundles (at most 64)");
    return -1;
}

/* The experiment row a bundle's configurations are stored under:
** "validate:<name>", keyed by the hash of its runs.csv and the options;
** pooled (count > 1), "validate:pooled:<first name>", keyed by every
** pooled bundle's runs.csv. */
static int bundle_experiment(experiment *e, const bundle *b, int count,
                             const struct validate_opts *o, sim_error *err)
{
    char path[1100], *text = NULL;
    size_t len = 0;
    FILE *f, *mem;

    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "validate:%s%.*s", count > 1 ? "pooled:" : "",
             (int)sizeof e->name - 20, b->name);
    snprintf(e->path, sizeof e->path, "%s", b->path);
    e->seed = o->seed;
    e->replications = (int)o->replications;
    e->cores = b->cores;
    if ((mem = open_memstream(&text, &len)) == NULL)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    for (int k = 0; k < count; k++) {
        snprintf(path, sizeof path, "%s/runs.csv", b[k].path);
        if ((f = fopen(path, "rb")) == NULL) {
            fclose(mem);
            free(text);
            return error_set(err, SIM_EIO, path, 0, 0, "cannot open: %m");
        }
        for (int ch; (ch = getc(f)) != EOF;)
            putc(ch, mem);
        fclose(f);
    }
    fprintf(mem, "\nreplications=%ld\n", o->replications);
    fclose(mem);
    yamldoc_hash(text, len, e->hash);
    free(text);
    return 0;
}

/* Store every simulated configuration, one experiment row per bundle. */
static int store(const validate_set *v, const bundle *bundles, int nb, const model *m,
                 const struct validate_opts *o, sim_error *err)
{
    results *db = NULL;
    experiment e;
    int rc;

    if ((rc = results_open(&db, o->db, err)) != 0)
        return rc;
    for (int k = 0; rc == 0 && k < (v->pooled ? 1 : nb); k++) {
        if ((rc = bundle_experiment(&e, &bundles[k], v->pooled ? nb : 1, o, err)) != 0 ||
            (rc = results_begin(db, &e, m, 0, err)) != 0)
            break;
        for (int i = 0; rc == 0 && i < v->nrows; i++) {
            if (v->rows[i].bundle != k)
                continue;
            for (int r = 0; rc == 0 && r < v->replications; r++) {
                experiment_config c;
                validate_config(v, i, r, &c);
                rc = results_store(db, &c, &v->results[(size_t)i * v->replications + r], err);
            }
        }
    }
    results_close(db);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    struct validate_opts o;
    bundle *bundles = NULL;
    validate_set *v = NULL;
    model *m = NULL;
    sim_error err;
    char reason[1024];
    int rc, nb = 0;

    if ((rc = parse(argc, argv, &o)) >= 0)
        return rc;
    error_clear(&err);
    bundles = calloc(MAX_BUNDLES, sizeof *bundles);
    m = malloc(sizeof *m);
    if (bundles == NULL || m == NULL) {
        rc = error_set(&err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (int i = optind; i < argc; i++) {
        char dir[512];
        size_t len = strlen(argv[i]);
        /* traces/bundles/X/ (a shell glob's) is traces/bundles/X: its name is X */
        while (len > 1 && argv[i][len - 1] == '/')
            len--;
        snprintf(dir, sizeof dir, "%.*s", (int)len, argv[i]);
        if ((rc = bundle_load(&bundles[nb], dir, &err)) != 0)
            goto done;
        if (!bundles[nb].complete)
            fprintf(stderr, "sim: warning: bundle '%s' is marked incomplete\n", dir);
        nb++;
    }
    if ((rc = model_load(m, o.model, &err)) != 0)
        goto done;
    fprintf(stderr, "model: %s (%s, %s, parsl %s)\n", m->path, m->name,
            m->calibrated ? "calibrated" : "UNCALIBRATED", m->parsl_version);
    /* A model is one machine's: its costs are that CPU's. */
    for (int k = 0; m->calibrated && m->machine_cpu[0] && k < nb; k++)
        if (bundles[k].cpu[0] && strcmp(bundles[k].cpu, m->machine_cpu))
            fprintf(stderr, "sim: warning: bundle '%s' is from another CPU (%s) than the "
                            "model's (%s)\n", bundles[k].name, bundles[k].cpu, m->machine_cpu);
    /* Runs beside another busy process are in another regime (a logging-on
    ** thread pool 1.5x faster); the plan's own busy loops are meant. */
    for (int k = 0; k < nb; k++) {
        int busy = 0, measured = 0;
        for (int i = 0; i < bundles[k].nruns; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            double other = bundle_run_other_load(r);
            if (!group_usable(r) || r->background > 0 || isnan(other))
                continue;
            measured++;
            busy += other >= 0.5;
        }
        if (busy > 0)
            fprintf(stderr, "sim: warning: bundle '%s': %d of %d timing runs had another process "
                            "busy beside them (at least half a core, timed_host_busy_s); a busy "
                            "machine changes Parsl's regime (docs/validate.md)\n",
                    bundles[k].name, busy, measured);
    }
    if ((rc = validate_new(&v, bundles, nb, o.pool, &err)) != 0 ||
        (rc = validate_profiles(v, bundles, nb, &err)) != 0 ||
        (rc = validate_simulate(v, m, (int)o.replications, o.seed, &err)) != 0)
        goto done;
    if (o.db && (rc = store(v, bundles, nb, m, &o, &err)) != 0)
        goto done;
    if (o.json)
        rc = validate_print_json(v, bundles, stdout, &err);
    else
        validate_print_table(v, bundles, o.what_if, stdout);
    if (rc == 0 && fflush(stdout) != 0)
        rc = error_set(&err, SIM_EIO, NULL, 0, 0, "cannot write the output: %m");
    if (rc == 0 && o.check && !validate_check(v, reason, sizeof reason))
        rc = error_set(&err, SIM_EINPUT, NULL, 0, 0, "validation targets missed: %s", reason);
done:
    validate_free(v);
    for (int k = 0; k < nb; k++)
        bundle_release(&bundles[k]);
    free(bundles);
    free(m);
    return rc ? cmd_fail(&err) : 0;
}
