/*
** This file implements validation (validate.h): rows from group.c, one
** sim_run per row and replication, then the summaries (median and worst
** absolute relative error per set and per workload, executor and logging
** state), the logging-off what-if pairs and the targets of issue 5, and
** their printing as an aligned table or as JSON lines.
*/
#include "validate.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "profiles.h"

/* At most: two sets x (overall + 3 workloads + 2 executors + each logging mode). */
#define MAX_SUMMARIES (2 * (1 + 3 + 2 + LOGGING_COUNT))

int validate_new(validate_set **out, const bundle *bundles, int nb, int pooled,
                 sim_error *err)
{
    validate_set *v = calloc(1, sizeof *v);
    double *scratch = NULL;   /* a row's runs, for the thread CPU medians */
    int rc = 0, cap = 0;

    *out = NULL;
    if (v == NULL)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    for (int k = 0; k < nb; k++)
        cap += bundles[k].nruns;
    v->blocks = pooled && nb > 0 ? nb : 1;
    if (cap > 0 && ((v->rows = calloc(cap, sizeof *v->rows)) == NULL ||
                    (v->times = malloc(sizeof *v->times * cap)) == NULL ||
                    (v->block_runs = calloc((size_t)cap * v->blocks, sizeof *v->block_runs)) == NULL)) {
        free(v->rows);
        free(v->times);
        free(v);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int k = 1; pooled && k < nb; k++)
        if (!bundle_same_machine(&bundles[k], &bundles[0])) {
            free(v->rows);
            free(v->times);
            free(v->block_runs);
            free(v);
            return error_set(err, SIM_EINPUT, bundles[k].path, 0, 0,
                             "cannot pool bundles of different machines (%s, %d cores, %s %s; "
                             "%s, %d, %s %s)", bundles[0].host, bundles[0].cores,
                             bundles[0].cpu, bundles[0].cpu_id, bundles[k].host,
                             bundles[k].cores, bundles[k].cpu, bundles[k].cpu_id);
        }
    v->pooled = pooled ? nb : 0;
    if (cap > 0 && (scratch = malloc(sizeof *scratch * cap)) == NULL)
        rc = error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    for (int k = 0, used = 0; rc == 0 && k < (pooled ? 1 : nb); k++) {
        run_group *g;
        int n;
        if ((rc = group_runs(&bundles[k], pooled ? nb : 1, GROUP_ALL, &g, &n, err)) != 0)
            break;
        for (int i = 0; i < n; i++) {
            validate_row *r = &v->rows[v->nrows++];
            r->g = g[i];
            r->bundle = k;
            r->cores = bundles[k].cores;
            r->workers_started_sim = -1;
            r->predicted_s = NAN;
            r->rel_error = NAN;
            r->times = v->times + used;
            int *runs = v->block_runs + (size_t)(v->nrows - 1) * v->blocks;
            r->block_runs = runs;
            for (int b = 0; b < v->blocks; b++) {
                runs[b] = group_times(&bundles[k + b], 1, GROUP_ALL, &g[i], v->times + used);
                used += runs[b];
            }
            group_thread_cpu(&bundles[k], v->blocks, GROUP_ALL, &g[i], scratch,
                             r->measured_thread_cpu);
            r->cpu_switches = group_cpu_switches(&bundles[k], v->blocks, GROUP_ALL, &g[i],
                                                 scratch);
        }
        free(g);
    }
    free(scratch);
    if (rc == 0 && v->nrows == 0)
        rc = error_set(err, SIM_EINPUT, nb > 0 ? bundles[0].path : NULL, 0, 0,
                       "nothing to validate: no timing run with status ok (not "
                       "profiled, not monitored)");
    if (rc != 0) {
        validate_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

void validate_config(const validate_set *v, int row, int rep, experiment_config *c)
{
    const validate_row *r = &v->rows[row];

    memset(c, 0, sizeof *c);
    c->workload = r->g.workload;
    c->size = r->g.size;
    c->tasks = sim_task_count(r->g.workload, r->g.size);
    c->executor = r->g.executor;
    c->workers = r->g.workers;
    c->logging = r->g.logging;
    c->cores = r->cores;
    c->replication = rep;
    c->seed = v->seed + (uint64_t)rep * EXPERIMENT_SEED_STEP;
}

int validate_simulate(validate_set *v, const model *m, int replications,
                      uint64_t seed, sim_error *err)
{
    double *makespans;
    int rc = 0;
    model busy;          /* a row's model on a busy machine */

    free(v->results);
    v->results = calloc((size_t)v->nrows * replications, sizeof *v->results);
    makespans = malloc(sizeof *makespans * replications);
    if (v->results == NULL || makespans == NULL) {
        free(makespans);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    }
    v->replications = replications;
    v->seed = seed;
    for (int i = 0; rc == 0 && i < v->nrows; i++) {
        validate_row *r = &v->rows[i];
        r->predicted_switches = 0;
        if (r->g.background > 0) {
            /* the runs' busy machine: their busy loops as its other load */
            busy = *m;
            busy.machine_background_cores = r->g.background;
        }
        for (int k = 0; k < replications; k++) {
            experiment_config c;
            sim_config cfg;
            sim_result *res = &v->results[(size_t)i * replications + k];
            validate_config(v, i, k, &c);
            experiment_sim_config(&c, r->g.background > 0 ? &busy : m, &cfg);
            if ((rc = sim_run(&cfg, res, err)) != 0) {
                char what[sizeof err->message];
                snprintf(what, sizeof what, "%s", err->message);
                error_set(err, rc, err->file, err->line, err->column,
                          "%s %ld %s workers %d logging %s: %s",
                          sim_workload_name(c.workload), c.size,
                          sim_executor_name(c.executor), c.workers,
                          sim_logging_name(c.logging), what);
                break;
            }
            makespans[k] = res->makespan_s;
            r->predicted_switches += ((double)res->wakeups + res->record_handoffs) / replications;
            if (k == 0)
                for (int role = 0; role < SIM_ROLE_COUNT; role++)
                    r->predicted_thread_cpu[role] = r->predicted_thread_dead[role] = 0;
            if (k == 0)
                r->predicted_main_logging = 0;
            if (res->makespan_s > 0)
                r->predicted_main_logging += res->role_logging_s[SIM_ROLE_MAIN] / res->makespan_s /
                                             replications;
            for (int role = 0; role < SIM_ROLE_COUNT; role++) {
                r->predicted_thread_cpu[role] += res->role_cpu_s[role] / res->tasks / replications;
                r->predicted_thread_dead[role] += res->role_dead_s[role] / res->tasks / replications;
            }
        }
        if (rc == 0) {
            r->workers_started_sim = v->results[(size_t)i * replications].workers_started;
            r->predicted_s = group_median(makespans, replications);
        }
    }
    free(makespans);
    return rc ? rc : validate_summarize(v, err);
}

/* 1 when row r belongs to summary (by, value). */
static int in_summary(const validate_row *r, int by, int value)
{
    switch (by) {
    case VALIDATE_BY_WORKLOAD: return r->g.workload == value;
    case VALIDATE_BY_EXECUTOR: return r->g.executor == value;
    case VALIDATE_BY_LOGGING: return r->g.logging == value;
    }
    return 1;
}

static void summarize_one(validate_set *v, double *x, int heldout, int by, int value)
{
    validate_summary *s = &v->summaries[v->nsummaries];
    int n = 0;

    for (int i = 0; i < v->nrows; i++)
        if (v->rows[i].g.heldout == heldout && in_summary(&v->rows[i], by, value))
            x[n++] = fabs(v->rows[i].rel_error);
    if (n == 0)
        return;
    v->nsummaries++;
    s->by = by;
    s->value = value;
    s->heldout = heldout;
    s->n = n;
    s->median_abs = group_median(x, n);
    s->worst_abs = x[n - 1];
}

/* Each pair's measured speedup with its bootstrap interval; pairs are
** seeded by their place, so an interval does not depend on the others. */
static int find_pairs(validate_set *v)
{
    v->npairs = 0;
    for (int i = 0; i < v->nrows; i++) {
        const validate_row *off = &v->rows[i];
        if (off->g.logging == LOGGING_ON)
            continue;
        for (int j = 0; j < v->nrows; j++) {
            const validate_row *on = &v->rows[j];
            validate_pair *p = &v->pairs[v->npairs];
            if (on->g.logging != LOGGING_ON || on->bundle != off->bundle ||
                on->g.workload != off->g.workload || on->g.size != off->g.size ||
                on->g.executor != off->g.executor || on->g.workers != off->g.workers ||
                on->g.background != off->g.background)
                continue;
            /* Pooled, each capture's speedup, where a slow or fast spell of
            ** the shared machine scales both sides and cancels; one
            ** capture's is its ratio of medians, exactly. */
            p->measured = v->blocks > 1 ?
                group_blocked_ratio(on->times, on->block_runs, off->times, off->block_runs,
                                    v->blocks) :
                on->g.median_s / off->g.median_s;
            if (isnan(p->measured))
                break;   /* no capture measured both */
            if (group_blocked_interval(on->times, on->block_runs, off->times, off->block_runs,
                                       v->blocks, VALIDATE_LEVEL, VALIDATE_RESAMPLES,
                                       (unsigned long)v->npairs + 1, &p->measured_low,
                                       &p->measured_high) != 0)
                return SIM_ENOMEM;
            p->on = j;
            p->off = i;
            p->predicted = on->predicted_s / off->predicted_s;
            p->error = (p->predicted - p->measured) / p->measured;
            v->npairs++;
            break;
        }
    }
    return 0;
}

/* validate_captures: x and y have room for every repetition of the set,
** scratch too. */
static void captures_apart(validate_set *v, double *x, double *y, double *scratch)
{
    validate_captures *c = &v->captures;
    int n = 0;

    memset(c, 0, sizeof *c);
    for (int i = 0; i < v->nrows; i++) {
        const validate_row *r = &v->rows[i];
        int before = n;
        double own, others;
        if (!r->g.heldout || v->blocks < 2)
            continue;
        for (int k = 0; k < v->blocks; k++)
            if (group_capture_apart(r->times, r->block_runs, v->blocks, k, scratch, &own,
                                    &others)) {
                x[n] = fabs(r->predicted_s / own - 1);
                y[n++] = fabs(others / own - 1);
            }
        c->configs += n > before;
    }
    if (n == 0)
        return;
    c->medians = n;
    c->model_median = group_median(x, n);
    c->model_worst = x[n - 1];
    c->others_median = group_median(y, n);
    c->others_worst = y[n - 1];
}

int validate_summarize(validate_set *v, sim_error *err)
{
    static const int values[VALIDATE_BY_COUNT] = {
        [VALIDATE_BY_OVERALL] = 1, [VALIDATE_BY_WORKLOAD] = 3,
        [VALIDATE_BY_EXECUTOR] = 2, [VALIDATE_BY_LOGGING] = LOGGING_COUNT};
    double *x;
    size_t runs = 0;

    for (int i = 0; i < v->nrows; i++)
        v->rows[i].rel_error = v->rows[i].predicted_s / v->rows[i].g.median_s - 1;
    if (v->summaries == NULL)
        v->summaries = calloc(MAX_SUMMARIES, sizeof *v->summaries);
    if (v->pairs == NULL && v->nrows > 0)
        v->pairs = calloc(v->nrows, sizeof *v->pairs);
    for (int i = 0; i < v->nrows; i++)
        runs += v->rows[i].g.runs;
    /* room for a value per row, or three arrays of one per repetition */
    x = malloc(sizeof *x * (3 * (size_t)runs + v->nrows + 1));
    if (v->summaries == NULL || (v->nrows > 0 && v->pairs == NULL) || x == NULL) {
        free(x);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    }
    v->nsummaries = 0;
    for (int heldout = 1; heldout >= 0; heldout--)
        for (int by = 0; by < VALIDATE_BY_COUNT; by++)
            for (int value = 0; value < values[by]; value++)
                summarize_one(v, x, heldout, by, by == VALIDATE_BY_OVERALL ? -1 : value);
    captures_apart(v, x, x + runs, x + 2 * runs);
    free(x);
    if (find_pairs(v) != 0)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

const validate_summary *validate_summary_get(const validate_set *v, int heldout,
                                             int by, int value)
{
    for (int i = 0; i < v->nsummaries; i++) {
        const validate_summary *s = &v->summaries[i];
        if (s->heldout == heldout && s->by == by && s->value == value)
            return s;
    }
    return NULL;
}

/* Append to reason, "; "-separated. */
static void miss(char *reason, size_t size, int *misses, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void miss(char *reason, size_t size, int *misses, const char *fmt, ...)
{
    size_t len = strlen(reason);
    va_list ap;

    if (len + 3 >= size)
        return;
    if ((*misses)++ > 0) {
        snprintf(reason + len, size - len, "; ");
        len += 2;
    }
    va_start(ap, fmt);
    vsnprintf(reason + len, size - len, fmt, ap);
    va_end(ap);
}

/* The pair whose speedup error is the largest in absolute value, or NULL. */
static const validate_pair *worst_pair(const validate_set *v)
{
    const validate_pair *w = NULL;

    for (int i = 0; i < v->npairs; i++)
        if (w == NULL || fabs(v->pairs[i].error) > fabs(w->error))
            w = &v->pairs[i];
    return w;
}

int validate_check(const validate_set *v, char *reason, size_t size)
{
    const validate_summary *all = validate_summary_get(v, 1, VALIDATE_BY_OVERALL, -1);
    const validate_pair *p = worst_pair(v);
    int misses = 0;

    reason[0] = 0;
    if (all == NULL) {
        miss(reason, size, &misses, "no held-out configurations");
    } else {
        for (int w = 0; w < 3; w++)
            if (!validate_summary_get(v, 1, VALIDATE_BY_WORKLOAD, w))
                miss(reason, size, &misses, "no held-out %s configuration",
                     sim_workload_name(w));
        for (int x = 0; x < 2; x++)
            if (!validate_summary_get(v, 1, VALIDATE_BY_EXECUTOR, x))
                miss(reason, size, &misses, "no held-out %s configuration",
                     sim_executor_name(x));
        if (all->median_abs > VALIDATE_TARGET_MEDIAN)
            miss(reason, size, &misses, "held-out median |relative error| %.1f%% > %.0f%%",
                 100 * all->median_abs, 100 * VALIDATE_TARGET_MEDIAN);
        if (all->worst_abs > VALIDATE_TARGET_WORST)
            miss(reason, size, &misses, "held-out worst |relative error| %.1f%% > %.0f%%",
                 100 * all->worst_abs, 100 * VALIDATE_TARGET_WORST);
    }
    if (p && fabs(p->error) > VALIDATE_TARGET_SPEEDUP) {
        const validate_row *off = &v->rows[p->off];
        miss(reason, size, &misses, "logging-%s speedup error %+.1f%% beyond %.0f%% (%s %ld %s "
             "workers %d)", sim_logging_name(off->g.logging), 100 * p->error,
             100 * VALIDATE_TARGET_SPEEDUP, sim_workload_name(off->g.workload), off->g.size,
             sim_executor_name(off->g.executor), off->g.workers);
    }
    return misses == 0;
}

static const char *set_name(int heldout)
{
    return heldout ? "held-out" : "fitted";
}

static void print_summary_line(const validate_set *v, int by, int value, FILE *out)
{
    const validate_summary *h = validate_summary_get(v, 1, by, value);
    const validate_summary *f = validate_summary_get(v, 0, by, value);
    char label[48];

    if (h == NULL && f == NULL)
        return;
    if (by == VALIDATE_BY_OVERALL)
        snprintf(label, sizeof label, "overall");
    else
        snprintf(label, sizeof label, "%s %s",
                 by == VALIDATE_BY_WORKLOAD ? "workload" :
                 by == VALIDATE_BY_EXECUTOR ? "executor" : "logging",
                 by == VALIDATE_BY_WORKLOAD ? sim_workload_name(value) :
                 by == VALIDATE_BY_EXECUTOR ? sim_executor_name(value) :
                 sim_logging_name(value));
    fprintf(out, "%-20s", label);
    if (h)
        fprintf(out, " %7d %7.1f%% %7.1f%%", h->n, 100 * h->median_abs, 100 * h->worst_abs);
    else
        fprintf(out, " %7s %8s %8s", "-", "-", "-");
    if (f)
        fprintf(out, "    %7d %7.1f%% %7.1f%%", f->n, 100 * f->median_abs, 100 * f->worst_abs);
    else
        fprintf(out, "    %7s %8s %8s", "-", "-", "-");
    fputc('\n', out);
}

static void print_targets(const validate_set *v, FILE *out)
{
    const validate_summary *all = validate_summary_get(v, 1, VALIDATE_BY_OVERALL, -1);
    const validate_pair *p = worst_pair(v);
    char reason[1024];
    int met = validate_check(v, reason, sizeof reason);

    fprintf(out, "\ntargets (issue 5; held-out configurations only):\n");
    if (all) {
        fprintf(out, "  median |rel_err| <= %.0f%%: %5.1f%%  %s\n", 100 * VALIDATE_TARGET_MEDIAN,
                100 * all->median_abs, all->median_abs <= VALIDATE_TARGET_MEDIAN ? "met" : "MISSED");
        fprintf(out, "  worst  |rel_err| <= %.0f%%: %5.1f%%  %s\n", 100 * VALIDATE_TARGET_WORST,
                100 * all->worst_abs, all->worst_abs <= VALIDATE_TARGET_WORST ? "met" : "MISSED");
    } else {
        fprintf(out, "  no held-out configurations: the makespan targets cannot be checked\n");
    }
    if (p)
        fprintf(out, "  logging-off speedup within %.0f%% (%d pairs): worst %+.1f%%  %s\n",
                100 * VALIDATE_TARGET_SPEEDUP, v->npairs, 100 * p->error,
                fabs(p->error) <= VALIDATE_TARGET_SPEEDUP ? "met" : "MISSED");
    else
        fprintf(out, "  logging-off speedup: no matched pairs, not checked\n");
    if (p) {
        /* Not a target: how much of a miss the measurement's noise covers. */
        int beyond = 0, inside = 0;
        for (int i = 0; i < v->npairs; i++) {
            const validate_pair *q = &v->pairs[i];
            if (fabs(q->error) <= VALIDATE_TARGET_SPEEDUP)
                continue;
            beyond++;
            inside += q->predicted >= q->measured_low && q->predicted <= q->measured_high;
        }
        fprintf(out, "  (speedups beyond %.0f%%: %d, of them inside the measured %.0f%% "
                     "interval: %d)\n", 100 * VALIDATE_TARGET_SPEEDUP, beyond,
                100 * VALIDATE_LEVEL, inside);
    }
    fprintf(out, "  %s%s\n", met ? "all targets met" : "MISSED: ", met ? "" : reason);
}

/* One table of where each configuration's time goes, roles [first, last)
** of enum sim_role, for the configurations whose runs measured them:
** measured CPU a task against the simulator's bursts plus dead time (a
** wake-up, a record's hand-off: CPU in real runs, about 20 us a switch;
** docs/design.md). */
static void print_roles(const validate_set *v, int first, int last, const char *title,
                        FILE *out)
{
    int header = 0;

    for (int i = 0; i < v->nrows; i++) {
        const validate_row *r = &v->rows[i];
        int any = 0;
        for (int role = first; role < last; role++)
            any |= r->measured_thread_cpu[role] > 0;
        if (!any)
            continue;
        if (!header++) {
            fprintf(out, "\n%s, us a task: measured CPU / predicted CPU + dead time\n"
                         "%-9s %6s %-8s %7s %-7s", title, "workload", "size", "executor",
                    "workers", "logging");
            for (int role = first; role < last; role++)
                fprintf(out, " %17s", sim_role_name(role));
            fputc('\n', out);
        }
        fprintf(out, "%-9s %6ld %-8s %7d %-7s", sim_workload_name(r->g.workload), r->g.size,
                sim_executor_name(r->g.executor), r->g.workers, sim_logging_name(r->g.logging));
        for (int role = first; role < last; role++) {
            char cell[32];
            double predicted = r->predicted_thread_cpu[role] + r->predicted_thread_dead[role];
            if (r->measured_thread_cpu[role] > 0 || predicted > 0)
                snprintf(cell, sizeof cell, "%5.0f / %4.0f+%-4.0f",
                         1e6 * fmax(r->measured_thread_cpu[role], 0),
                         1e6 * r->predicted_thread_cpu[role], 1e6 * r->predicted_thread_dead[role]);
            else
                snprintf(cell, sizeof cell, "-");
            fprintf(out, " %17s", cell);
        }
        fputc('\n', out);
    }
}

/* A row's submitting-process CPU a task, measured (-1 when its main
** thread's was not) or simulated. */
static double row_cpu(const validate_row *r, int predicted)
{
    double sum = 0;

    if (r->measured_thread_cpu[SIM_ROLE_MAIN] < 0)
        return -1;
    for (int role = 0; role < SIM_ROLE_SUBMIT_COUNT; role++) {
        double x = predicted ? r->predicted_thread_cpu[role] : r->measured_thread_cpu[role];
        sum += x > 0 ? x : 0;
    }
    return sum;
}

static int cpu_checked(const validate_row *r)
{
    return row_cpu(r, 0) > 0 && r->cpu_switches >= 0;
}

void validate_cpu_check(const validate_set *v, validate_cpu *out)
{
    double gap = 0, weight = 0, *e;
    int n = 0;

    memset(out, 0, sizeof *out);
    out->worst_row = -1;
    for (int i = 0; i < v->nrows; i++)
        if (cpu_checked(&v->rows[i])) {
            double w = v->rows[i].cpu_switches;
            gap += (row_cpu(&v->rows[i], 0) - row_cpu(&v->rows[i], 1)) * w;
            weight += w * w;
            n++;
        }
    if (n < 3 || (e = malloc(sizeof *e * n)) == NULL)
        return;
    out->per_switch_s = weight > 0 && gap > 0 ? gap / weight : 0;
    n = 0;
    for (int i = 0; i < v->nrows; i++)
        if (cpu_checked(&v->rows[i])) {
            const validate_row *r = &v->rows[i];
            double err = fabs((row_cpu(r, 1) + out->per_switch_s * r->cpu_switches) /
                              row_cpu(r, 0) - 1);
            if (out->worst_row < 0 || err > out->worst_abs) {
                out->worst_abs = err;
                out->worst_row = i;
            }
            e[n++] = err;
        }
    out->median_abs = group_median(e, n);
    out->n = n;
    free(e);
}

static void print_cpu_check(const validate_set *v, const bundle *bundles, FILE *out)
{
    validate_cpu c;
    const validate_row *w;
    double micro = -1;

    validate_cpu_check(v, &c);
    if (c.n == 0)
        return;
    w = &v->rows[c.worst_row];
    /* the last bundle's hand-off micro-benchmark, where it measured the CPU
    ** (rows are in bundle order; pooled, row bundle 0 stands for all) */
    for (int k = 0; k < v->rows[v->nrows - 1].bundle + v->blocks; k++)
        if (bundles[k].switch_cpu_s > 0)
            micro = bundles[k].switch_cpu_s;
    fprintf(out, "\nthe submitting process's CPU, measured against predicted + %.1f us a "
                 "measured voluntary switch (least squares over %d configurations):\n"
                 "|error| median %.1f%%, worst %.1f%% (%s %ld %s %d %s)\n",
            1e6 * c.per_switch_s, c.n, 100 * c.median_abs, 100 * c.worst_abs,
            sim_workload_name(w->g.workload), w->g.size, sim_executor_name(w->g.executor),
            w->g.workers, sim_logging_name(w->g.logging));
    if (micro > 0)
        fprintf(out, "(the hand-off micro-benchmark: %.1f us of CPU a voluntary switch)\n",
                1e6 * micro);
}

int validate_profiles(validate_set *v, const bundle *bundles, int nb, sim_error *err)
{
    profile_shares *p;
    int n, rc;

    for (int i = 0; i < v->nrows; i++) {
        v->rows[i].profiles = 0;
        v->rows[i].measured_main_logging = -1;
    }
    if ((rc = profiles_collect(bundles, nb, &p, &n, err)) != 0)
        return rc;
    /* Pooled, a configuration's profiles from several captures: the first
    ** capture's median (profiles are few, and one capture's run at that). */
    for (int j = 0; j < n; j++)
        for (int i = 0; i < v->nrows; i++) {
            validate_row *r = &v->rows[i];
            if ((v->pooled || r->bundle == p[j].bundle) && r->profiles == 0 &&
                r->g.workload == p[j].workload && r->g.size == p[j].size &&
                r->g.executor == p[j].executor && r->g.workers == p[j].workers &&
                r->g.logging == p[j].logging) {
                r->profiles = p[j].profiles;
                r->measured_main_logging = p[j].share[PYI_LOGGING];
            }
        }
    free(p);
    return 0;
}

/* The main thread's share of its time in logging, where a profile measured it. */
static void print_profiles(const validate_set *v, FILE *out)
{
    int header = 0;

    for (int i = 0; i < v->nrows; i++) {
        const validate_row *r = &v->rows[i];
        if (r->profiles == 0)
            continue;
        if (!header++)
            fprintf(out, "\nthe main thread's time in logging, share of the makespan: pyinstrument "
                         "(profiled runs) / the model\n%-9s %6s %-8s %7s %-7s %8s %9s %9s\n",
                    "workload", "size", "executor", "workers", "logging", "profiles",
                    "measured", "predicted");
        fprintf(out, "%-9s %6ld %-8s %7d %-7s %8d %8.1f%% %8.1f%%\n",
                sim_workload_name(r->g.workload), r->g.size, sim_executor_name(r->g.executor),
                r->g.workers, sim_logging_name(r->g.logging), r->profiles,
                100 * r->measured_main_logging, 100 * r->predicted_main_logging);
    }
}

/* The line above a bundle's rows, or above the pooled ones. */
static void print_source(const validate_set *v, const bundle *bundles, int k, int gap,
                         FILE *out)
{
    const bundle *b = &bundles[k];
    int runs = 0;

    if (!v->pooled) {
        fprintf(out, "%sbundle %s (%s): %d cores, %d runs, %s\n", gap ? "\n" : "",
                b->name, b->path, b->cores, b->nruns, b->complete ? "complete" : "INCOMPLETE");
        return;
    }
    for (int j = 0; j < v->pooled; j++)
        runs += bundles[j].nruns;
    fprintf(out, "%d bundles pooled (%s to %s): %d cores, %d runs\n", v->pooled,
            bundles[0].name, bundles[v->pooled - 1].name, b->cores, runs);
}

void validate_print_table(const validate_set *v, const bundle *bundles, int what_if,
                          FILE *out)
{
    int last = -1, busy = 0;

    for (int i = 0; i < v->nrows; i++)
        busy |= v->rows[i].g.background > 0;

    for (int i = 0; i < v->nrows; i++) {
        const validate_row *r = &v->rows[i];
        char started[16], range[48];
        if (r->bundle != last) {
            last = r->bundle;
            print_source(v, bundles, r->bundle, i > 0, out);
            fprintf(out, "%-9s %6s %6s %-8s %7s %7s %-7s %s%4s %11s %-23s %11s %8s  %s\n",
                    "workload", "size", "tasks", "executor", "workers", "started",
                    "logging", busy ? "busy " : "", "runs", "measured_s", "(min..max)",
                    "predicted_s", "rel_err", "set");
        }
        if (r->g.workers_started >= 0)
            snprintf(started, sizeof started, "%d", r->g.workers_started);
        else
            snprintf(started, sizeof started, "-");
        snprintf(range, sizeof range, "(%.4f..%.4f)", r->g.min_s, r->g.max_s);
        fprintf(out, "%-9s %6ld %6ld %-8s %7d %7s %-7s ", sim_workload_name(r->g.workload),
                r->g.size, r->g.tasks, sim_executor_name(r->g.executor), r->g.workers, started,
                sim_logging_name(r->g.logging));
        if (busy)   /* the busy loops beside the runs */
            fprintf(out, "%4d ", r->g.background);
        fprintf(out, "%4d %11.4f %-23s %11.4f %+7.1f%%  %s\n", r->g.runs, r->g.median_s,
                range, r->predicted_s, 100 * r->rel_error, set_name(r->g.heldout));
    }
    fprintf(out, "\npredicted_s: sim_run on the bundle's cores, median of %d replication%s, "
                 "seed %llu\n", v->replications,
            v->replications == 1 ? "" : "s", (unsigned long long)v->seed);
    fprintf(out, "|rel_err| = |predicted / measured - 1|\n");
    fprintf(out, "%-20s %25s    %25s\n", "", "held-out (evidence)",
            "fitted (not evidence)");
    fprintf(out, "%-20s %7s %8s %8s    %7s %8s %8s\n", "", "configs", "median", "worst",
            "configs", "median", "worst");
    print_summary_line(v, VALIDATE_BY_OVERALL, -1, out);
    for (int w = 0; w < 3; w++)
        print_summary_line(v, VALIDATE_BY_WORKLOAD, w, out);
    for (int x = 0; x < 2; x++)
        print_summary_line(v, VALIDATE_BY_EXECUTOR, x, out);
    for (int l = 0; l < LOGGING_COUNT; l++)
        print_summary_line(v, VALIDATE_BY_LOGGING, l, out);
    if (v->captures.configs > 0) {
        const validate_captures *c = &v->captures;
        fprintf(out, "\neach capture's median of a held-out configuration measured in two "
                     "captures or more (%d configurations, %d medians), predicted\n",
                c->configs, c->medians);
        fprintf(out, "  %-45s |rel_err| median %5.1f%%, worst %5.1f%%\n", "by the model",
                100 * c->model_median, 100 * c->model_worst);
        fprintf(out, "  %-45s |rel_err| median %5.1f%%, worst %5.1f%%\n",
                "by the other captures (the host's own noise)", 100 * c->others_median,
                100 * c->others_worst);
    }
    if (v->npairs > 0 || what_if) {
        fprintf(out, "\nlogging-off what-if: speedup = median makespan with logging on / "
                     "with it off%s\n", v->blocks > 1 ? ", within each capture; pooled, "
                     "their geometric mean weighted by runs" : "");
        if (v->npairs == 0)
            fprintf(out, "no configuration was measured both with logging on and off\n");
        else
            fprintf(out, "%-9s %6s %-8s %7s %-7s %-17s %9s %-14s %9s %8s\n", "workload", "size",
                    "executor", "workers", "off", "set (on/off)", "measured",
                    "(90% interval)", "predicted", "error");
        for (int i = 0; i < v->npairs; i++) {
            const validate_pair *p = &v->pairs[i];
            const validate_row *on = &v->rows[p->on], *off = &v->rows[p->off];
            char set[32], interval[32];
            snprintf(set, sizeof set, "%s/%s", set_name(on->g.heldout),
                     set_name(off->g.heldout));
            snprintf(interval, sizeof interval, "(%.2f..%.2f)", p->measured_low,
                     p->measured_high);
            fprintf(out, "%-9s %6ld %-8s %7d %-7s %-17s %9.3f %-14s %9.3f %+7.1f%%\n",
                    sim_workload_name(off->g.workload), off->g.size,
                    sim_executor_name(off->g.executor), off->g.workers,
                    sim_logging_name(off->g.logging), set, p->measured, interval,
                    p->predicted, 100 * p->error);
        }
    }
    print_roles(v, 0, SIM_ROLE_SUBMIT_COUNT, "threads of the submitting process", out);
    print_cpu_check(v, bundles, out);
    print_roles(v, SIM_ROLE_SUBMIT_COUNT, SIM_ROLE_COUNT, "HTEX's processes (workers together)",
                out);
    print_profiles(v, out);
    print_targets(v, out);
}

/* Print obj as one line and free it. Returns 0 or SIM_ENOMEM. */
static int json_line(json_t *obj, FILE *out, sim_error *err)
{
    int rc;

    if (obj == NULL)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    rc = json_dumpf(obj, out, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(obj);
    fputc('\n', out);
    return rc == 0 ? 0 : error_set(err, SIM_EIO, NULL, 0, 0, "cannot write the output");
}

static const char *by_name(int by)
{
    static const char *names[VALIDATE_BY_COUNT] = {"overall", "workload", "executor", "logging"};

    return names[by];
}

static const char *value_name(int by, int value)
{
    switch (by) {
    case VALIDATE_BY_WORKLOAD: return sim_workload_name(value);
    case VALIDATE_BY_EXECUTOR: return sim_executor_name(value);
    case VALIDATE_BY_LOGGING: return sim_logging_name(value);
    }
    return "all";
}

int validate_print_json(const validate_set *v, const bundle *bundles, FILE *out,
                        sim_error *err)
{
    const validate_summary *all = validate_summary_get(v, 1, VALIDATE_BY_OVERALL, -1);
    const validate_pair *wp = worst_pair(v);
    validate_cpu cpu_check;
    char reason[1024];
    int rc = 0, met;

    for (int i = 0; rc == 0 && i < v->nrows; i++) {
        const validate_row *r = &v->rows[i];
        json_t *measured = json_object(), *cpu = json_object(), *dead = json_object();
        for (int role = 0; role < SIM_ROLE_COUNT; role++) {
            json_object_set_new(measured, sim_role_name(role),
                                r->measured_thread_cpu[role] >= 0 ?
                                    json_real(r->measured_thread_cpu[role]) : json_null());
            json_object_set_new(cpu, sim_role_name(role), json_real(r->predicted_thread_cpu[role]));
            json_object_set_new(dead, sim_role_name(role), json_real(r->predicted_thread_dead[role]));
        }
        rc = json_line(json_pack("{s:s, s:s, s:I, s:I, s:s, s:i, s:i, s:i, s:s, s:i, s:i, s:b,"
                                 " s:i, s:f, s:f, s:f, s:f, s:f, s:i, s:o, s:f, s:o, s:o, s:o,"
                                 " s:o, s:f, s:o}",
                                 "bundle", v->pooled ? "pooled" : bundles[r->bundle].name,
                                 "workload", sim_workload_name(r->g.workload),
                                 "size", (json_int_t)r->g.size,
                                 "tasks", (json_int_t)r->g.tasks,
                                 "executor", sim_executor_name(r->g.executor),
                                 "workers", r->g.workers,
                                 "workers_started", r->g.workers_started,
                                 "workers_started_sim", r->workers_started_sim,
                                 "logging", sim_logging_name(r->g.logging),
                                 "background", r->g.background,
                                 "cores", r->cores,
                                 "held_out", r->g.heldout,
                                 "runs", r->g.runs,
                                 "measured_s", r->g.median_s,
                                 "measured_min_s", r->g.min_s,
                                 "measured_max_s", r->g.max_s,
                                 "predicted_s", r->predicted_s,
                                 "rel_error", r->rel_error,
                                 "replications", v->replications,
                                 "measured_switches", r->g.switches >= 0 ?
                                     json_real(r->g.switches) : json_null(),
                                 "predicted_switches", r->predicted_switches,
                                 "measured_thread_cpu_s", measured,
                                 "predicted_thread_cpu_s", cpu,
                                 "predicted_thread_dead_s", dead,
                                 "measured_main_logging_share", r->profiles > 0 ?
                                     json_real(r->measured_main_logging) : json_null(),
                                 "predicted_main_logging_share", r->predicted_main_logging,
                                 "measured_cpu_switches_per_task", r->cpu_switches >= 0 ?
                                     json_real(r->cpu_switches) : json_null()),
                       out, err);
    }
    for (int i = 0; rc == 0 && i < v->npairs; i++) {
        const validate_pair *p = &v->pairs[i];
        const validate_row *on = &v->rows[p->on], *off = &v->rows[p->off];
        rc = json_line(json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:i, s:s, s:b, s:b,"
                                 " s:f, s:f, s:f, s:f, s:f}",
                                 "what_if", "logging",
                                 "bundle", v->pooled ? "pooled" : bundles[off->bundle].name,
                                 "workload", sim_workload_name(off->g.workload),
                                 "size", (json_int_t)off->g.size,
                                 "tasks", (json_int_t)off->g.tasks,
                                 "executor", sim_executor_name(off->g.executor),
                                 "workers", off->g.workers,
                                 "logging_off", sim_logging_name(off->g.logging),
                                 "on_held_out", on->g.heldout,
                                 "held_out", off->g.heldout,
                                 "measured_speedup", p->measured,
                                 "measured_speedup_low", p->measured_low,
                                 "measured_speedup_high", p->measured_high,
                                 "predicted_speedup", p->predicted,
                                 "error", p->error),
                       out, err);
    }
    for (int i = 0; rc == 0 && i < v->nsummaries; i++) {
        const validate_summary *s = &v->summaries[i];
        rc = json_line(json_pack("{s:s, s:s, s:b, s:i, s:f, s:f}",
                                 "summary", by_name(s->by),
                                 "value", value_name(s->by, s->value),
                                 "held_out", s->heldout,
                                 "configurations", s->n,
                                 "median_abs_rel_error", s->median_abs,
                                 "worst_abs_rel_error", s->worst_abs),
                       out, err);
    }
    if (rc == 0 && v->captures.configs > 0)
        rc = json_line(json_pack("{s:s, s:i, s:i, s:f, s:f, s:f, s:f}", "summary", "captures",
                                 "configurations", v->captures.configs,
                                 "capture_medians", v->captures.medians,
                                 "model_median_abs_rel_error", v->captures.model_median,
                                 "model_worst_abs_rel_error", v->captures.model_worst,
                                 "others_median_abs_rel_error", v->captures.others_median,
                                 "others_worst_abs_rel_error", v->captures.others_worst),
                       out, err);
    validate_cpu_check(v, &cpu_check);
    if (rc == 0 && cpu_check.n > 0)
        rc = json_line(json_pack("{s:s, s:i, s:f, s:f, s:f}", "summary", "cpu",
                                 "configurations", cpu_check.n,
                                 "cpu_per_switch_s", cpu_check.per_switch_s,
                                 "median_abs_rel_error", cpu_check.median_abs,
                                 "worst_abs_rel_error", cpu_check.worst_abs),
                       out, err);
    if (rc == 0 && wp)
        rc = json_line(json_pack("{s:s, s:i, s:f}", "summary", "what_if_logging",
                                 "pairs", v->npairs, "worst_abs_error", fabs(wp->error)),
                       out, err);
    if (rc != 0)
        return rc;
    met = validate_check(v, reason, sizeof reason);
    return json_line(json_pack("{s:s, s:f, s:f, s:f, s:o, s:o, s:b, s:s}",
                               "summary", "targets",
                               "median_target", VALIDATE_TARGET_MEDIAN,
                               "worst_target", VALIDATE_TARGET_WORST,
                               "speedup_target", VALIDATE_TARGET_SPEEDUP,
                               "held_out_median_abs_rel_error",
                               all ? json_real(all->median_abs) : json_null(),
                               "held_out_worst_abs_rel_error",
                               all ? json_real(all->worst_abs) : json_null(),
                               "met", met, "reason", reason),
                     out, err);
}

void validate_free(validate_set *v)
{
    if (v == NULL)
        return;
    free(v->rows);
    free(v->times);
    free(v->block_runs);
    free(v->results);
    free(v->summaries);
    free(v->pairs);
    free(v);
}
