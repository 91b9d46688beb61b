/*
** `sim calibrate PATH... -o MODEL.yaml`: read trace bundles (and a user's
** runinfo folders and pyinstrument profiles), keep them in the SQLite
** trace store with their provenance, fit a model (calibrate/fit.c) and
** write it. Wiring only: bundle.c reads, tracestore.c stores, spans.c and
** fit.c measure and fit, model.c writes. Everything is read and fitted
** before the model file is written (atomically), so a failure leaves any
** previous model untouched.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../calibrate/bundle.h"
#include "../calibrate/fit.h"
#include "../calibrate/parsllog.h"
#include "../calibrate/profiles.h"
#include "../calibrate/pyinstrument.h"
#include "../calibrate/spans.h"
#include "../calibrate/tracestore.h"
#include "../models/model.h"
#include "cmd.h"
#include "sim.h"

#define DEFAULT_START "models/default.yaml"
#define DEFAULT_STORE "traces.db"
#define MAX_INPUTS 64

static const char usage_short[] =
    "usage: sim calibrate PATH... -o MODEL.yaml [--report] [--store FILE]\n"
    "       [--logging-on-only [--ends PREFIX] | --logging-off-from W:SIZE:EXECUTOR]\n";

static const char usage_long[] =
    "\n"
    "Fit a model file from real Parsl traces. Each PATH is a trace bundle\n"
    "(traces/capture; docs/bundle.md), a Parsl runinfo folder or run folder\n"
    "(its parsl.log), a pyinstrument JSON profile, or a Parsl monitoring.db\n"
    "(kept in the trace store with every task's state times). Bundles give the\n"
    "makespans the fit scales against; held-out runs are never used.\n"
    "\n"
    "  -o, --output FILE    the model file to write (required)\n"
    "  --report             print the fit: stage costs, factors, residuals\n"
    "  --store FILE         the trace store to keep the inputs in\n"
    "                       (default " DEFAULT_STORE ")\n"
    "  --no-store           do not keep them\n"
    "  --logging-on-only    fit on runs with logging on only, so that validate's\n"
    "                       logging-off what-if predicts runs the fit never saw;\n"
    "                       the report gives the what-if's 95% interval\n"
    "  --ends PREFIX        with --logging-on-only, also write the models at the\n"
    "                       interval's ends: PREFIX.most.yaml (the most speedup\n"
    "                       the runs allow) and PREFIX.least.yaml\n"
    "  --logging-off-from W:SIZE:EXECUTOR\n"
    "                       fit on the logging-on runs and on the logging-off runs\n"
    "                       of this one configuration (e.g. double:1000:threads);\n"
    "                       every other logging-off run is held out\n"
    "  --start FILE         values for what traces cannot measure\n"
    "                       (default " DEFAULT_START ")\n"
    "  -h, --help           show this help\n";

static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},
    {"report", no_argument, NULL, 'r'},
    {"store", required_argument, NULL, 's'},
    {"no-store", no_argument, NULL, 'n'},
    {"start", required_argument, NULL, 't'},
    {"logging-on-only", no_argument, NULL, 'l'},
    {"ends", required_argument, NULL, 'e'},
    {"logging-off-from", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* Runs used for stage spans: calibration runs with logging on, unprofiled. */
static int span_run(const bundle_run *r)
{
    return r->ok && !r->heldout && !r->profile && !r->monitoring && !r->worker_debug &&
           r->logging == LOGGING_ON && r->executor >= 0;
}

/* A run folder (holding parsl.log) or a runinfo folder (NNN/parsl.log):
** one pseudo-run per parsl.log, the whole log its timed section. */
static int add_runinfo(spans *sp, const char *dir, int *found, sim_error *err)
{
    char run_dir[1100], path[1200];
    bundle_run r;
    int rc = 0;

    memset(&r, 0, sizeof r);
    r.task_first = 0;
    r.task_last = 1000000;
    r.ok = 1;
    r.logging = LOGGING_ON;
    r.workload = -1;
    for (int i = -1; rc == 0 && i < 1000; i++) {
        if (i < 0)
            snprintf(run_dir, sizeof run_dir, "%s", dir);
        else
            snprintf(run_dir, sizeof run_dir, "%s/%03d", dir, i);
        snprintf(path, sizeof path, "%s/parsl.log", run_dir);
        if (!exists(path) && !(strcat(path, ".gz"), exists(path)))
            continue;
        snprintf(path, sizeof path, "%s/htex", run_dir);
        r.executor = is_dir(path) ? EXECUTOR_HTEX : EXECUTOR_THREADS;
        rc = spans_add_log(sp, run_dir, &r, err);
        (*found)++;
        if (i < 0)
            break;
    }
    return rc;
}

static int store_bundle(tracestore *ts, const bundle *b, sim_error *err)
{
    char path[1200];
    int rc = 0;

    for (int i = 0; rc == 0 && i < b->nruns; i++) {
        const bundle_run *r = &b->runs[i];
        tracestore_run run;
        int64_t id;
        memset(&run, 0, sizeof run);
        snprintf(run.bundle, sizeof run.bundle, "%s", b->name);
        snprintf(run.name, sizeof run.name, "%.*s", (int)sizeof run.name - 1, r->id);
        snprintf(run.workload, sizeof run.workload, "%s", sim_workload_name(r->workload));
        run.size = r->size;
        run.tasks = r->tasks;
        snprintf(run.executor, sizeof run.executor, "%s", sim_executor_name(r->executor));
        run.workers_requested = r->workers_requested;
        run.workers_started = r->workers_started;
        snprintf(run.logging, sizeof run.logging, "%s", sim_logging_name(r->logging));
        run.rep = r->rep;
        snprintf(run.role, sizeof run.role, "%s", r->heldout ? "heldout" : "calibration");
        run.makespan_s = r->makespan_s;
        run.load_s = r->load_s;
        run.shutdown_s = r->cleanup_s;
        rc = tracestore_run_add(ts, &run, &id, err);
        if (rc == 0 && bundle_run_file(b, r, "parsl.log", path, sizeof path))
            rc = tracestore_ingest_log(ts, id, path, NULL, err);
        if (rc == 0 && bundle_run_file(b, r, "profile.json", path, sizeof path))
            rc = tracestore_ingest_profile(ts, id, path, NULL, err);
        if (rc == 0 && bundle_run_file(b, r, "monitoring.db", path, sizeof path))
            rc = tracestore_ingest_monitoring(ts, id, path, NULL, err);
        for (int w = 0; rc == 0 && w < 256; w++) {
            char name[64];
            snprintf(name, sizeof name, "block-0/worker_%d.log", w);
            if (bundle_run_file(b, r, name, path, sizeof path))
                rc = tracestore_ingest_log(ts, id, path, NULL, err);
        }
    }
    if (rc == 0 && b->log_enabled_s > 0)
        rc = tracestore_micro_add(ts, b->name, "log_record_enabled", b->log_enabled_s, 0, 1, err);
    if (rc == 0 && b->log_disabled_s > 0)
        rc = tracestore_micro_add(ts, b->name, "log_record_disabled", b->log_disabled_s, 0, 1, err);
    if (rc == 0 && b->log_dropped_s > 0)
        rc = tracestore_micro_add(ts, b->name, "log_record_dropped", b->log_dropped_s, 0, 1, err);
    return rc;
}

/* The share of main-thread time spent in logging, by configuration, from
** the bundles' profiled runs (the median over each one's profiles). */
static void print_profiles(const profile_shares *p, int n, FILE *out)
{
    if (n == 0)
        return;
    fprintf(out, "\nmain thread, from pyinstrument (share of workload time; median over profiles)\n"
                 "%-10s %6s %-8s %7s %-7s %8s %10s %8s %8s %10s %10s\n", "workload", "size",
            "executor", "workers", "logging", "profiles", "workload_s", "submit", "logging",
            "log_in_sub", "lock_wait");
    for (int i = 0; i < n; i++)
        fprintf(out, "%-10s %6ld %-8s %7d %-7s %8d %10.3f %7.1f%% %7.1f%% %9.1f%% %9.1f%%\n",
                sim_workload_name(p[i].workload), p[i].size, sim_executor_name(p[i].executor),
                p[i].workers, sim_logging_name(p[i].logging), p[i].profiles, p[i].workload_s,
                100 * p[i].share[PYI_SUBMIT], 100 * p[i].share[PYI_LOGGING],
                100 * p[i].share[PYI_SUBMIT_LOGGING], 100 * p[i].share[PYI_LOGGING_LOCK]);
}

/* The one logging-off configuration --logging-off-from keeps. */
typedef struct off_config {
    int workload;
    long size;
    int executor;
} off_config;

static int parse_off_config(const char *text, off_config *c)
{
    char workload[32], executor[32];
    long size;
    int used = 0;

    if (sscanf(text, "%31[^:]:%ld:%31[^:]%n", workload, &size, executor, &used) != 3 ||
        text[used] != 0 || size <= 0)
        return -1;
    c->workload = sim_workload_lookup(workload);
    c->executor = sim_executor_lookup(executor);
    c->size = size;
    return c->workload < 0 || c->executor < 0 ? -1 : 0;
}

/* With hold set, mark every calibration run with logging off that is not
** of configuration c as held out, remembering which in the run's
** off_held; without it, undo that. Fails (SIM_EINPUT) when no
** calibration run of c has logging off. */
static int hold_out_logging_off(bundle *bundles, int nb, const off_config *c, int hold,
                                sim_error *err)
{
    int kept = 0;

    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++) {
            bundle_run *r = &bundles[k].runs[i];
            if (!hold) {
                if (r->off_held)
                    r->heldout = 0;
                r->off_held = 0;
                continue;
            }
            if (r->logging == LOGGING_ON || r->heldout)
                continue;
            if (r->workload == c->workload && r->size == c->size && r->executor == c->executor) {
                kept += r->ok;
                continue;
            }
            r->heldout = 1;
            r->off_held = 1;
        }
    if (hold && kept == 0) {
        hold_out_logging_off(bundles, nb, c, 0, NULL);
        return error_set(err, SIM_EINPUT, nb > 0 ? bundles[0].path : NULL, 0, 0,
                         "--logging-off-from: no calibration run of that configuration has "
                         "logging off");
    }
    return 0;
}

int cmd_calibrate(int argc, char **argv)
{
    const char *output = NULL, *store = DEFAULT_STORE, *start_path = DEFAULT_START, *ends = NULL;
    const char *off_from = NULL;
    off_config off = {-1, 0, -1};
    char end_path[2][1024] = {"", ""};
    int report = 0, flags = 0, opt, nb = 0, runinfos = 0, profiles = 0, nmonitoring = 0, rc = 0;
    profile_shares *shares = NULL;
    int nshares = 0;
    const char *monitoring[MAX_INPUTS];
    bundle *bundles = NULL;
    spans *sp = NULL;
    tracestore *ts = NULL;
    model start, fitted;
    fit_report *rep = NULL;
    sim_error err;

    error_clear(&err);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'o': output = optarg; break;
        case 'r': report = 1; break;
        case 's': store = optarg; break;
        case 'n': store = NULL; break;
        case 't': start_path = optarg; break;
        case 'l': flags |= FIT_LOGGING_ON_ONLY; break;
        case 'e': ends = optarg; break;
        case 'f': off_from = optarg; break;
        case 'h':
            printf("%s%s", usage_short, usage_long);
            return 0;
        default:
            fputs(usage_short, stderr);
            return 2;
        }
    }
    if (output == NULL || optind >= argc) {
        fprintf(stderr, "sim: error: %s\n%s", output ? "no PATH to calibrate from"
                                                     : "no output model file (-o)", usage_short);
        return 2;
    }
    if (off_from && (flags & FIT_LOGGING_ON_ONLY)) {
        fprintf(stderr, "sim: error: --logging-off-from and --logging-on-only exclude each "
                        "other\n%s", usage_short);
        return 2;
    }
    if (off_from && parse_off_config(off_from, &off) != 0) {
        fprintf(stderr, "sim: error: --logging-off-from '%s': not WORKLOAD:SIZE:EXECUTOR "
                        "(e.g. double:1000:threads)\n%s", off_from, usage_short);
        return 2;
    }
    if (ends && !(flags & FIT_LOGGING_ON_ONLY)) {
        fprintf(stderr, "sim: error: --ends needs --logging-on-only\n%s", usage_short);
        return 2;
    }
    if (argc - optind > MAX_INPUTS) {
        fprintf(stderr, "sim: error: at most %d paths\n", MAX_INPUTS);
        return 2;
    }
    if ((rc = model_load(&start, start_path, &err)) != 0)
        return cmd_fail(&err);
    bundles = calloc(MAX_INPUTS, sizeof *bundles);
    sp = spans_new();
    rep = calloc(1, sizeof *rep);
    if (bundles == NULL || sp == NULL || rep == NULL) {
        rc = error_set(&err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (int i = optind; rc == 0 && i < argc; i++) {
        const char *path = argv[i];
        if (!exists(path)) {
            rc = error_set(&err, SIM_EIO, path, 0, 0, "no such file or folder");
        } else if (is_dir(path) && bundle_is(path)) {
            bundle *b = &bundles[nb];
            rc = bundle_load(b, path, &err);
            if (rc == 0) {
                nb++;
                if (!b->complete)
                    fprintf(stderr, "sim: warning: bundle '%s' is marked incomplete\n", path);
                for (int k = 0; rc == 0 && k < b->nruns; k++)
                    if (span_run(&b->runs[k]))
                        rc = spans_add_run(sp, b, &b->runs[k], &err);
            }
        } else if (is_dir(path)) {
            int found = 0;
            rc = add_runinfo(sp, path, &found, &err);
            if (rc == 0 && found == 0)
                rc = error_set(&err, SIM_EINPUT, path, 0, 0,
                               "neither a trace bundle nor a runinfo or run folder "
                               "(no manifest.json, no parsl.log)");
            runinfos += found;
        } else if (strlen(path) > 3 && !strcmp(path + strlen(path) - 3, ".db")) {
            monitoring[nmonitoring++] = path;   /* kept in the store below */
        } else {
            pyi_summary s;
            rc = pyi_load(&s, path, &err);
            profiles++;
        }
    }
    if (rc)
        goto done;
    if (nmonitoring > 0 && store == NULL)
        fprintf(stderr, "sim: warning: monitoring databases are only kept in the trace store; "
                        "--no-store drops them\n");
    if (nb == 0 && runinfos == 0) {
        rc = error_set(&err, SIM_EINPUT, argv[optind], 0, 0,
                       "profiles alone cannot calibrate: give a trace bundle or a runinfo folder");
        goto done;
    }
    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++)
            if (bundles[k].runs[i].ok && bundles[k].runs[i].tasks == 0) {
                rc = error_set(&err, SIM_EINPUT, bundles[k].path, 0, 0,
                               "run '%s' has zero tasks", bundles[k].runs[i].id);
                goto done;
            }
    if (off_from && (rc = hold_out_logging_off(bundles, nb, &off, 1, &err)) != 0)
        goto done;
    rc = fit_model(bundles, nb, sp, flags, &start, &fitted, rep, &err);
    if (off_from) {
        /* The store keeps the bundles' own roles. */
        hold_out_logging_off(bundles, nb, &off, 0, NULL);
        if (rc == 0) {
            size_t len = strlen(fitted.provenance);
            snprintf(fitted.provenance + len, sizeof fitted.provenance - len,
                     "; logging-off runs of %s only", off_from);
        }
    }
    if (rc)
        goto done;
    if (ends && !rep->whatif.done) {
        rc = error_set(&err, SIM_EINPUT, NULL, 0, 0, "--ends: too few logging-on calibration "
                       "configurations for the what-if's interval (4 needed)");
        goto done;
    }
    /* Read before anything is written: a bad profile leaves no model. */
    if (report && (rc = profiles_collect(bundles, nb, &shares, &nshares, &err)) != 0)
        goto done;
    if (store) {
        rc = tracestore_open(&ts, store, &err);
        for (int k = 0; rc == 0 && k < nb; k++)
            rc = store_bundle(ts, &bundles[k], &err);
        for (int k = 0; rc == 0 && k < nmonitoring; k++)
            rc = tracestore_ingest_monitoring(ts, 0, monitoring[k], NULL, &err);
        if (rc)
            goto done;
    }
    /* The ends first, and gone again if the model cannot be written: no
    ** partial output. */
    for (int e = 0; ends && e < 2; e++) {
        snprintf(end_path[e], sizeof end_path[e], "%s.%s.yaml", ends, e == 0 ? "most" : "least");
        if ((rc = model_write(&rep->whatif.end[e], end_path[e], &err)) != 0) {
            end_path[e][0] = 0;
            goto done;
        }
    }
    if ((rc = model_write(&fitted, output, &err)) != 0)
        goto done;
    end_path[0][0] = end_path[1][0] = 0;
    if (report) {
        fit_print_report(rep, &fitted, stdout);
        print_profiles(shares, nshares, stdout);
    }
    fprintf(stderr, "sim: wrote %s from %d bundle(s), %d runinfo log(s), %d profile(s); "
                    "%d calibration configurations, R^2 %.3f\n",
            output, nb, runinfos, profiles, rep->nconfigs, rep->r2);
done:
    for (int e = 0; e < 2; e++)
        if (end_path[e][0])
            unlink(end_path[e]);
    if (ts)
        tracestore_close(ts);
    for (int k = 0; k < nb; k++)
        bundle_release(&bundles[k]);
    free(bundles);
    free(shares);
    spans_free(sp);
    free(rep);
    return rc ? cmd_fail(&err) : 0;
}
