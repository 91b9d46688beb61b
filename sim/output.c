/*
** This file implements the printing of `sim run`'s results (output.h): a
** row per configuration in the table, CSV or JSON-lines format, the
** logging speedup report at the end, and the progress line on a terminal.
** Reals go out exactly (the shortest exact %g in CSV, jansson's 17 digits in JSON) so
** the same run prints the same bytes whether computed or read back from
** the results store; the table rounds for reading.
*/
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct row {
    experiment_config c;   /* the configuration */
    sim_result r;          /* its result */
};

struct output {
    FILE *out;             /* where rows go; borrowed */
    int format;            /* enum output_format */
    int compare_logging;   /* print the speedup report at the end */
    int progress_shown;    /* a progress line is on stderr now */
    int tty;               /* stderr is a terminal */
    struct row *rows;      /* every row printed, in order; owned */
    long n_rows;           /* rows held */
    long cap_rows;         /* rows allocated */
};

int output_format_lookup(const char *name)
{
    if (!strcmp(name, "table"))
        return OUTPUT_TABLE;
    if (!strcmp(name, "csv"))
        return OUTPUT_CSV;
    if (!strcmp(name, "json"))
        return OUTPUT_JSON;
    return -1;
}

output *output_new(FILE *out, int format, int compare_logging)
{
    output *o = calloc(1, sizeof *o);

    if (o == NULL)
        return NULL;
    o->out = out;
    o->format = format;
    o->compare_logging = compare_logging;
    o->tty = isatty(STDERR_FILENO);
    return o;
}

static void progress_clear(output *o);

void output_free(output *o)
{
    if (o == NULL)
        return;
    progress_clear(o);
    free(o->rows);
    free(o);
}

static void progress_clear(output *o)
{
    if (o->progress_shown) {
        fputs("\r\033[K", stderr);
        o->progress_shown = 0;
    }
}

void output_progress(output *o, long k, long n, const experiment_config *c)
{
    if (!o->tty)
        return;
    fprintf(stderr, "\r\033[K[%ld/%ld] %s %ld %s %d %s", k, n,
            sim_workload_name(c->workload), c->size,
            sim_executor_name(c->executor), c->workers,
            sim_logging_name(c->logging));
    fflush(stderr);
    o->progress_shown = 1;
}

static void table_header(output *o)
{
    fprintf(o->out, "%-9s %8s %9s %-8s %-16s %-7s %12s %11s %11s %11s  %s\n",
            "workload", "size", "tasks", "executor", "workers(started)",
            "logging", "makespan_s", "tasks/s", "p50_s", "p99_s", "busiest thread");
}

/* The role whose threads spent the most time (bursts and dead time),
** HTEX's workers counted a process at a time, and its share of the
** makespan: the one the others wait for. "-" when the run has no time. */
static void busiest_thread(const sim_result *r, char *out, size_t size)
{
    double time[SIM_ROLE_COUNT];
    int best = 0;

    for (int role = 0; role < SIM_ROLE_COUNT; role++) {
        time[role] = r->role_cpu_s[role] + r->role_dead_s[role];
        if (role == SIM_ROLE_HTEX_WORKERS && r->workers_started > 0)
            time[role] /= r->workers_started;
        if (time[role] > time[best])
            best = role;
    }
    if (r->makespan_s > 0 && time[best] > 0)
        snprintf(out, size, "%s %.0f%%", sim_role_name(best), 100 * time[best] / r->makespan_s);
    else
        snprintf(out, size, "-");
}

static void table_row(output *o, const experiment_config *c,
                      const sim_result *r)
{
    char workers[32], busiest[32];

    snprintf(workers, sizeof workers, "%d(%d)", c->workers,
             r->workers_started);
    busiest_thread(r, busiest, sizeof busiest);
    fprintf(o->out, "%-9s %8ld %9ld %-8s %-16s %-7s %12.6f %11.1f %11.4g "
            "%11.4g  %s\n", sim_workload_name(c->workload), c->size, r->tasks,
            sim_executor_name(c->executor), workers,
            sim_logging_name(c->logging), r->makespan_s, r->throughput_tps,
            r->latency_p50_s, r->latency_p99_s, busiest);
}

/* Print v in the shortest %g form that reads back as exactly v. */
static void put_real(FILE *f, double v)
{
    char buf[40];
    int prec;

    for (prec = 15; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (prec == 17)
        snprintf(buf, sizeof buf, "%.17g", v);
    fprintf(f, ",%s", buf);
}

static void csv_header(output *o)
{
    int s;

    fputs("workload,size,tasks,executor,workers,workers_started,logging,"
          "cores,replication,seed,makespan_s,throughput_tps,latency_mean_s,"
          "latency_p50_s,latency_p99_s,logging_busy_s,gil_busy_s,"
          "handler_busy_s,core_utilization,events,wakeups,record_handoffs,gc_full_collections,"
          "gc_busy_s", o->out);
    for (s = 0; s < STAGE_COUNT; s++)
        fprintf(o->out, ",busy_%s_s", model_stage_name(s));
    for (s = 0; s < SIM_ROLE_COUNT; s++)
        fprintf(o->out, ",thread_%s_cpu_s,thread_%s_dead_s,thread_%s_logging_s", sim_role_name(s),
                sim_role_name(s), sim_role_name(s));
    fputc('\n', o->out);
}

static void csv_row(output *o, const experiment_config *c,
                    const sim_result *r)
{
    int s;

    fprintf(o->out, "%s,%ld,%ld,%s,%d,%d,%s,%d,%d,%" PRIu64,
            sim_workload_name(c->workload), c->size, r->tasks,
            sim_executor_name(c->executor), c->workers, r->workers_started,
            sim_logging_name(c->logging), r->cores, c->replication, c->seed);
    put_real(o->out, r->makespan_s);
    put_real(o->out, r->throughput_tps);
    put_real(o->out, r->latency_mean_s);
    put_real(o->out, r->latency_p50_s);
    put_real(o->out, r->latency_p99_s);
    put_real(o->out, r->logging_busy_s);
    put_real(o->out, r->gil_busy_s);
    put_real(o->out, r->handler_busy_s);
    put_real(o->out, r->core_utilization);
    fprintf(o->out, ",%ld,%ld", r->events, r->wakeups);
    put_real(o->out, r->record_handoffs);
    fprintf(o->out, ",%ld", r->gc_full_collections);
    put_real(o->out, r->gc_busy_s);
    for (s = 0; s < STAGE_COUNT; s++)
        put_real(o->out, r->stage_busy_s[s]);
    for (s = 0; s < SIM_ROLE_COUNT; s++) {
        put_real(o->out, r->role_cpu_s[s]);
        put_real(o->out, r->role_dead_s[s]);
        put_real(o->out, r->role_logging_s[s]);
    }
    fputc('\n', o->out);
}

/* Print obj as one line and free it. Returns 0 or SIM_ENOMEM. */
static int json_line(output *o, json_t *obj)
{
    int rc;

    if (obj == NULL)
        return SIM_ENOMEM;
    rc = json_dumpf(obj, o->out, JSON_PRESERVE_ORDER | JSON_COMPACT |
                    JSON_REAL_PRECISION(17));
    json_decref(obj);
    fputc('\n', o->out);
    return rc == 0 ? 0 : SIM_ENOMEM;
}

static int json_row(output *o, const experiment_config *c,
                    const sim_result *r)
{
    json_t *obj, *stages, *cpu, *dead, *logging;
    char seed[24];
    int s;

    snprintf(seed, sizeof seed, "%" PRIu64, c->seed);
    stages = json_object();
    for (s = 0; s < STAGE_COUNT; s++)
        json_object_set_new(stages, model_stage_name(s),
                            json_real(r->stage_busy_s[s]));
    cpu = json_object();
    dead = json_object();
    logging = json_object();
    for (s = 0; s < SIM_ROLE_COUNT; s++) {
        json_object_set_new(cpu, sim_role_name(s), json_real(r->role_cpu_s[s]));
        json_object_set_new(dead, sim_role_name(s), json_real(r->role_dead_s[s]));
        json_object_set_new(logging, sim_role_name(s), json_real(r->role_logging_s[s]));
    }
    obj = json_pack("{s:s, s:I, s:I, s:s, s:i, s:i, s:s, s:i, s:i, s:s,"
                    " s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:f, s:I, s:f, s:o,"
                    " s:o, s:o, s:o}",
                    "workload", sim_workload_name(c->workload),
                    "size", (json_int_t)c->size,
                    "tasks", (json_int_t)r->tasks,
                    "executor", sim_executor_name(c->executor),
                    "workers", c->workers,
                    "workers_started", r->workers_started,
                    "logging", sim_logging_name(c->logging),
                    "cores", r->cores,
                    "replication", c->replication,
                    "seed", seed,
                    "makespan_s", r->makespan_s,
                    "throughput_tps", r->throughput_tps,
                    "latency_mean_s", r->latency_mean_s,
                    "latency_p50_s", r->latency_p50_s,
                    "latency_p99_s", r->latency_p99_s,
                    "logging_busy_s", r->logging_busy_s,
                    "gil_busy_s", r->gil_busy_s,
                    "handler_busy_s", r->handler_busy_s,
                    "core_utilization", r->core_utilization,
                    "events", (json_int_t)r->events,
                    "wakeups", (json_int_t)r->wakeups,
                    "record_handoffs", r->record_handoffs,
                    "gc_full_collections", (json_int_t)r->gc_full_collections,
                    "gc_busy_s", r->gc_busy_s,
                    "stage_busy_s", stages,
                    "thread_cpu_s", cpu,
                    "thread_dead_s", dead,
                    "thread_logging_s", logging);
    return json_line(o, obj);
}

int output_row(output *o, const experiment_config *c, const sim_result *r)
{
    struct row *grown;
    long cap;

    if (o->n_rows == o->cap_rows) {
        cap = o->cap_rows ? 2 * o->cap_rows : 64;
        if ((grown = realloc(o->rows, cap * sizeof *grown)) == NULL)
            return SIM_ENOMEM;
        o->rows = grown;
        o->cap_rows = cap;
    }
    o->rows[o->n_rows].c = *c;
    o->rows[o->n_rows].r = *r;
    progress_clear(o);
    switch (o->format) {
    case OUTPUT_TABLE:
        if (o->n_rows == 0)
            table_header(o);
        table_row(o, c, r);
        break;
    case OUTPUT_CSV:
        if (o->n_rows == 0)
            csv_header(o);
        csv_row(o, c, r);
        break;
    case OUTPUT_JSON:
        if (json_row(o, c, r) < 0)
            return SIM_ENOMEM;
        break;
    }
    o->n_rows++;
    fflush(o->out);
    return 0;
}

/* ---- the logging speedup report ----------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int same_point(const experiment_config *a, const experiment_config *b)
{
    return a->workload == b->workload && a->size == b->size &&
           a->executor == b->executor && a->workers == b->workers;
}

/* The median makespan of rows[first..end) with logging mode mode; 0 when
** there are none. Uses scratch (end - first entries). */
static double median(const output *o, long first, long end, int mode,
                     double *scratch)
{
    long i, n = 0;

    for (i = first; i < end; i++)
        if (o->rows[i].c.logging == mode)
            scratch[n++] = o->rows[i].r.makespan_s;
    if (n == 0)
        return 0;
    qsort(scratch, n, sizeof *scratch, cmp_double);
    return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

/* JSON: makespan_<mode>_s and speedup_logging_<mode> for every mode
** measured beside on (0 in m[] where it was not). */
static int compare_json(output *o, const experiment_config *c, const double *m)
{
    char key[48];
    json_t *obj;

    obj = json_pack("{s:s, s:s, s:I, s:s, s:i, s:f}", "compare", "logging",
                    "workload", sim_workload_name(c->workload),
                    "size", (json_int_t)c->size,
                    "executor", sim_executor_name(c->executor),
                    "workers", c->workers, "makespan_on_s", m[LOGGING_ON]);
    for (int mode = LOGGING_ON + 1; obj && mode < LOGGING_COUNT; mode++) {
        if (m[mode] <= 0)
            continue;
        snprintf(key, sizeof key, "makespan_%s_s", sim_logging_name(mode));
        json_object_set_new(obj, key, json_real(m[mode]));
        snprintf(key, sizeof key, "speedup_logging_%s", sim_logging_name(mode));
        json_object_set_new(obj, key, json_real(m[LOGGING_ON] / m[mode]));
    }
    return json_line(o, obj);
}

/* One table line; has[] says which columns the table has. */
static void compare_line(output *o, const experiment_config *c, const double *m,
                         const int *has)
{
    fprintf(o->out, "%-9s %8ld %-8s %7d %12.6f", sim_workload_name(c->workload),
            c->size, sim_executor_name(c->executor), c->workers, m[LOGGING_ON]);
    for (int mode = LOGGING_ON + 1; mode < LOGGING_COUNT; mode++) {
        if (has[mode] && m[mode] > 0)
            fprintf(o->out, " %12.6f %8.2f", m[mode], m[LOGGING_ON] / m[mode]);
        else if (has[mode])
            fprintf(o->out, " %12s %8s", "-", "-");
    }
    fputc('\n', o->out);
}

/* The speedup report: every logging mode measured beside on. The rows of
** one sweep point (workload, size, executor, workers) arrive together, as
** experiments expand them, so each point is one run of adjacent rows. */
static int compare_report(output *o)
{
    double *scratch, m[LOGGING_COUNT];
    int has[LOGGING_COUNT] = {0}, header = 0, rc = 0, any;
    long first, end, i;
    char column[32];

    for (i = 0; i < o->n_rows; i++)
        has[o->rows[i].c.logging] = 1;
    if ((scratch = malloc((o->n_rows ? o->n_rows : 1) * sizeof *scratch)) ==
        NULL)
        return SIM_ENOMEM;
    for (first = 0; first < o->n_rows && rc == 0; first = end) {
        for (end = first + 1; end < o->n_rows &&
             same_point(&o->rows[first].c, &o->rows[end].c); end++)
            ;
        any = 0;
        for (int mode = 0; mode < LOGGING_COUNT; mode++) {
            m[mode] = median(o, first, end, mode, scratch);
            any |= mode != LOGGING_ON && m[mode] > 0;
        }
        if (m[LOGGING_ON] <= 0 || !any)
            continue;
        if (o->format == OUTPUT_JSON) {
            rc = compare_json(o, &o->rows[first].c, m);
            continue;
        }
        if (!header) {
            fprintf(o->out, "\nlogging speedup: makespan with logging on / "
                    "with logging off (median over replications)\n"
                    "%-9s %8s %-8s %7s %12s", "workload", "size", "executor",
                    "workers", "on_s");
            for (int mode = LOGGING_ON + 1; mode < LOGGING_COUNT; mode++) {
                if (!has[mode])
                    continue;
                snprintf(column, sizeof column, "%s_s", sim_logging_name(mode));
                fprintf(o->out, " %12s %8s", column, "speedup");
            }
            fputc('\n', o->out);
            header = 1;
        }
        compare_line(o, &o->rows[first].c, m, has);
    }
    free(scratch);
    return rc;
}

int output_finish(output *o, sim_error *err)
{
    int rc = 0;

    progress_clear(o);
    /* CSV stays one rectangle of rows; the speedups follow from them. */
    if (o->compare_logging && o->format != OUTPUT_CSV)
        rc = compare_report(o);
    if (rc < 0)
        return error_set(err, rc, "", 0, 0, "out of memory");
    if (fflush(o->out) != 0 || ferror(o->out))
        return error_set(err, SIM_EIO, "", 0, 0, "cannot write the results: "
                         "%s", strerror(errno));
    return 0;
}
