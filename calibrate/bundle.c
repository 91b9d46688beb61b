/*
** The trace bundle reader of bundle.h. runs.csv and gc.csv are read with a small
** RFC 4180 field splitter (quoted fields, doubled quotes), by header name,
** so columns may be reordered or added by a later harness; the JSON files
** go through jansson.
*/
#include "bundle.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../sim/sim.h"

#define MAX_FIELDS 64

static int exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

int bundle_is(const char *dir)
{
    char p[1024];

    snprintf(p, sizeof p, "%s/manifest.json", dir);
    if (!exists(p))
        return 0;
    snprintf(p, sizeof p, "%s/runs.csv", dir);
    return exists(p);
}

/* Split one CSV record in line (modified in place) into fields. Returns
** the field count, or -1 with *bad_column set on an unterminated quote. */
static int split_csv(char *line, char **field, int max, int *bad_column)
{
    int n = 0;
    char *r = line, *w;

    for (;;) {
        if (n == max)
            return n + 1;
        field[n++] = w = r;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == 0) {
                    *bad_column = (int)(field[n - 1] - line) + 1;
                    return -1;
                }
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
        }
        while (*r && *r != ',')
            *w++ = *r++;
        if (*r == 0) {
            *w = 0;
            return n;
        }
        *w = 0;
        r++;
    }
}

static double number_or(const char *s, double none)
{
    char *end;
    double v;

    if (s == NULL || *s == 0)
        return none;
    v = strtod(s, &end);
    return *end == 0 ? v : none;
}

enum column {
    C_RUN_ID, C_GROUP, C_WORKLOAD, C_SIZE, C_TASKS, C_EXECUTOR, C_WREQ, C_WSTART,
    C_WSTART_LOG, C_LOGGING, C_REP, C_ROLE, C_PROFILE, C_MONITORING, C_STATUS,
    C_MAKESPAN, C_LOAD, C_WARMUP, C_CLEANUP, C_TASK_FIRST, C_TASK_LAST,
    C_T_START, C_T_END, C_WORKER_DEBUG, C_CPU_SUBMIT, C_CPU_INTERCHANGE, C_CPU_MANAGER,
    C_CPU_WORKERS, C_REC_INTERCHANGE, C_REC_MANAGER, C_REC_WORKERS, C_VCSW,
    C_THREAD_MAIN, C_THREAD_LAUNCH, C_THREAD_WORKERS, C_THREAD_JOIN, C_THREAD_RESULT,
    C_SWITCH_MAIN, C_SWITCH_LAUNCH, C_SWITCH_WORKERS, C_SWITCH_JOIN, C_SWITCH_RESULT,
    C_BACKGROUND, C_HOST_BUSY, C_COUNT
};

static const char *column_names[C_COUNT] = {
    "run_id", "group", "workload", "size", "tasks", "executor", "workers_requested",
    "workers_started", "workers_started_log", "logging", "rep", "role", "profile",
    "monitoring", "status", "makespan_s", "load_s", "warmup_s", "cleanup_s",
    "task_id_first", "task_id_last", "t_start_unix", "t_end_unix", "worker_debug",
    "timed_cpu_s", "cpu_interchange_s", "cpu_manager_s", "cpu_workers_s",
    "records_interchange", "records_manager", "records_workers", "timed_vcsw",
    "thread_cpu_main_s", "thread_cpu_launch_s", "thread_cpu_workers_s", "thread_cpu_join_s",
    "thread_cpu_result_s", "thread_vcsw_main", "thread_vcsw_launch", "thread_vcsw_workers",
    "thread_vcsw_join", "thread_vcsw_result", "background", "timed_host_busy_s",
};

/* Columns every bundle must have; the rest may be missing. */
static const int required[] = {C_RUN_ID, C_WORKLOAD, C_SIZE, C_EXECUTOR, C_WREQ,
                               C_LOGGING, C_STATUS, C_MAKESPAN};

static void fill_run(bundle_run *r, char **f, const int *at)
{
#define GET(c) (at[c] >= 0 ? f[at[c]] : "")
    snprintf(r->id, sizeof r->id, "%s", GET(C_RUN_ID));
    snprintf(r->group, sizeof r->group, "%s", GET(C_GROUP));
    r->workload = sim_workload_lookup(GET(C_WORKLOAD));
    r->size = (long)number_or(GET(C_SIZE), -1);
    r->tasks = (long)number_or(GET(C_TASKS), -1);
    r->executor = sim_executor_lookup(GET(C_EXECUTOR));
    r->workers_requested = (int)number_or(GET(C_WREQ), -1);
    r->workers_started = (int)number_or(GET(C_WSTART_LOG), -1);
    if (r->workers_started < 0)
        r->workers_started = (int)number_or(GET(C_WSTART), -1);
    r->logging = sim_logging_lookup(GET(C_LOGGING));
    r->rep = (int)number_or(GET(C_REP), 0);
    r->heldout = !strcmp(GET(C_ROLE), "heldout");
    r->profile = number_or(GET(C_PROFILE), 0) != 0;
    r->monitoring = number_or(GET(C_MONITORING), 0) != 0;
    r->ok = !strcmp(GET(C_STATUS), "ok");
    r->makespan_s = number_or(GET(C_MAKESPAN), -1);
    r->load_s = number_or(GET(C_LOAD), -1);
    r->warmup_s = number_or(GET(C_WARMUP), -1);
    r->cleanup_s = number_or(GET(C_CLEANUP), -1);
    r->task_first = (long)number_or(GET(C_TASK_FIRST), -1);
    r->task_last = (long)number_or(GET(C_TASK_LAST), -1);
    r->t_start = number_or(GET(C_T_START), -1);
    r->t_end = number_or(GET(C_T_END), -1);
    r->worker_debug = number_or(GET(C_WORKER_DEBUG), 0) != 0;
    r->background = (int)number_or(GET(C_BACKGROUND), 0);
    r->host_busy_s = number_or(GET(C_HOST_BUSY), -1);
    r->cpu_submit_s = number_or(GET(C_CPU_SUBMIT), -1);
    r->cpu_interchange_s = number_or(GET(C_CPU_INTERCHANGE), -1);
    r->cpu_manager_s = number_or(GET(C_CPU_MANAGER), -1);
    r->cpu_workers_s = number_or(GET(C_CPU_WORKERS), -1);
    r->records_interchange = number_or(GET(C_REC_INTERCHANGE), -1);
    r->records_manager = number_or(GET(C_REC_MANAGER), -1);
    r->records_workers = number_or(GET(C_REC_WORKERS), -1);
    r->switches = (long)number_or(GET(C_VCSW), -1);
    for (int k = 0; k < THREAD_ROLE_COUNT; k++) {
        r->thread_cpu_s[k] = number_or(GET(C_THREAD_MAIN + k), -1);
        r->thread_switches[k] = number_or(GET(C_SWITCH_MAIN + k), -1);
    }
#undef GET
}

/* One CSV file, record by record: the header, then rows with as many
** fields as it has. Blank lines are skipped. */
typedef struct csv_reader {
    FILE *f;
    const char *path;
    char *line;                /* the current record, split in place; owned */
    size_t cap;
    int lineno;
    char *field[MAX_FIELDS];   /* the current record's fields */
    int n;                     /* how many */
    int nheader;               /* fields of the header, 0 before it */
} csv_reader;

static int csv_open(csv_reader *r, const char *path, sim_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    if ((r->f = fopen(path, "r")) == NULL)
        return error_set(err, SIM_EIO, path, 0, 0, "cannot open: %m");
    return 0;
}

static void csv_close(csv_reader *r)
{
    free(r->line);
    fclose(r->f);
}

/* Read the next record. Returns 1 with r->field and r->n set, 0 at the
** end of the file, or SIM_EINPUT at the record's line and column. */
static int csv_next(csv_reader *r, sim_error *err)
{
    ssize_t len;
    int bad = 0;

    while ((len = getline(&r->line, &r->cap, r->f)) >= 0) {
        r->lineno++;
        while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r'))
            r->line[--len] = 0;
        if (len == 0)
            continue;
        r->n = split_csv(r->line, r->field, MAX_FIELDS, &bad);
        if (r->n < 0)
            return error_set(err, SIM_EINPUT, r->path, r->lineno, bad,
                             "unterminated quoted field");
        if (r->nheader == 0)
            r->nheader = r->n;
        else if (r->n != r->nheader)
            return error_set(err, SIM_EINPUT, r->path, r->lineno, 1,
                             "%d fields where the header has %d", r->n, r->nheader);
        return 1;
    }
    return 0;
}

/* Where each of names is in the header record (-1 when absent). */
static void csv_columns(const csv_reader *r, const char *const *names, int count, int *at)
{
    for (int c = 0; c < count; c++) {
        at[c] = -1;
        for (int i = 0; i < r->n; i++)
            if (!strcmp(r->field[i], names[c]))
                at[c] = i;
    }
}

/* Grow *array (of *capacity elements of size bytes) when n has reached it. */
static int grow(void *array, int n, int *capacity, size_t size)
{
    void *grown;

    if (n < *capacity)
        return 0;
    grown = realloc(*(void **)array, size * (*capacity ? 2 * *capacity : 64));
    if (grown == NULL)
        return -1;
    *(void **)array = grown;
    *capacity = *capacity ? 2 * *capacity : 64;
    return 0;
}

static int read_runs(bundle *b, const char *path, sim_error *err)
{
    csv_reader r;
    int at[C_COUNT], rc, capacity = 0;

    if ((rc = csv_open(&r, path, err)) != 0)
        return rc;
    if ((rc = csv_next(&r, err)) <= 0) {
        if (rc == 0)
            rc = error_set(err, SIM_EINPUT, path, 1, 1, "empty runs table");
        goto done;
    }
    csv_columns(&r, column_names, C_COUNT, at);
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (at[required[k]] < 0) {
            rc = error_set(err, SIM_EINPUT, path, 1, 1,
                           "missing column '%s'", column_names[required[k]]);
            goto done;
        }
    while ((rc = csv_next(&r, err)) > 0) {
        if (grow(&b->runs, b->nruns, &capacity, sizeof *b->runs)) {
            rc = error_set(err, SIM_ENOMEM, path, r.lineno, 0, "out of memory");
            goto done;
        }
        fill_run(&b->runs[b->nruns++], r.field, at);
        if (at[C_BACKGROUND] >= 0) {
            /* busy loops beside the run: a count the simulator takes as is */
            const char *text = r.field[at[C_BACKGROUND]];
            double v = number_or(text, 0);
            if (v < 0 || v > 64 || v != (int)v) {
                rc = error_set(err, SIM_EINPUT, path, r.lineno, (int)(text - r.line) + 1,
                               "background must be an integer from 0 to 64, not '%s'", text);
                goto done;
            }
        }
    }
done:
    csv_close(&r);
    return rc;
}

/* gc.csv: run_id, t_s, generation, duration_s, tasks_submitted, collected.
** Optional (older bundles lack it); the full collections are kept. */
static int read_gc(bundle *b, const char *path, sim_error *err)
{
    enum { G_RUN, G_T, G_GENERATION, G_DURATION, G_TASKS, G_COUNT };
    static const char *const names[G_COUNT] = {"run_id", "t_s", "generation", "duration_s",
                                               "tasks_submitted"};
    csv_reader r;
    char *end;
    int at[G_COUNT], rc, capacity = 0, run = 0, found, k;

    if (!exists(path))
        return 0;
    if ((rc = csv_open(&r, path, err)) != 0)
        return rc;
    b->has_gc = 1;
    if ((rc = csv_next(&r, err)) <= 0) {
        if (rc == 0)
            rc = error_set(err, SIM_EINPUT, path, 1, 1, "empty collections table");
        goto done;
    }
    csv_columns(&r, names, G_COUNT, at);
    for (k = 0; k < G_COUNT; k++)
        if (at[k] < 0) {
            rc = error_set(err, SIM_EINPUT, path, 1, 1, "missing column '%s'", names[k]);
            goto done;
        }
    while ((rc = csv_next(&r, err)) > 0) {
        double v[G_COUNT];
        for (int c = G_T; c < G_COUNT; c++) {
            const char *text = r.field[at[c]];
            v[c] = strtod(text, &end);
            if (text[0] == 0 || *end != 0 || !(v[c] >= 0)) {
                rc = error_set(err, SIM_EINPUT, path, r.lineno, (int)(text - r.line) + 1,
                               "'%s' is not a number >= 0 (column %s)", text, names[c]);
                goto done;
            }
        }
        if (v[G_GENERATION] != 2)
            continue;
        /* Rows come grouped by run: look from the last run found. */
        for (found = -1, k = 0; found < 0 && k < b->nruns; k++)
            if (!strcmp(b->runs[(run + k) % b->nruns].id, r.field[at[G_RUN]]))
                found = (run + k) % b->nruns;
        if (found < 0) {
            rc = error_set(err, SIM_EINPUT, path, r.lineno, 1,
                           "run '%s' is not in runs.csv", r.field[at[G_RUN]]);
            goto done;
        }
        run = found;
        if (grow(&b->collections, b->ncollections, &capacity, sizeof *b->collections)) {
            rc = error_set(err, SIM_ENOMEM, path, r.lineno, 0, "out of memory");
            goto done;
        }
        b->collections[b->ncollections++] = (bundle_collection){
            .run = run, .t_s = v[G_T], .duration_s = v[G_DURATION],
            .tasks_submitted = (long)v[G_TASKS]};
    }
done:
    csv_close(&r);
    return rc;
}

static const char *string_at(json_t *root, const char *a, const char *b)
{
    json_t *v = json_object_get(root, a);

    if (b && v)
        v = json_object_get(v, b);
    return json_is_string(v) ? json_string_value(v) : "";
}

static double number_at(json_t *root, const char *a, const char *b)
{
    json_t *v = json_object_get(root, a);

    if (b && v)
        v = json_object_get(v, b);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static int read_manifest(bundle *b, const char *path, sim_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);

    if (root == NULL)
        return error_set(err, SIM_EINPUT, path, je.line > 0 ? je.line : 0,
                         je.column > 0 ? je.column : 0, "%s", je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return error_set(err, SIM_EINPUT, path, 1, 1, "not a bundle manifest (not an object)");
    }
    snprintf(b->name, sizeof b->name, "%s", string_at(root, "name", NULL));
    b->complete = json_is_true(json_object_get(root, "complete"));
    b->cores = (int)number_at(root, "machine", "cores");
    snprintf(b->cpu, sizeof b->cpu, "%s", string_at(root, "machine", "cpu_model"));
    snprintf(b->cpu_id, sizeof b->cpu_id, "%s", string_at(root, "machine", "cpu_id"));
    snprintf(b->host, sizeof b->host, "%s", string_at(root, "machine", "host_id"));
    snprintf(b->os, sizeof b->os, "%s", string_at(root, "machine", "os"));
    b->memory_gib = number_at(root, "machine", "mem_total_bytes") / (1024.0 * 1024 * 1024);
    snprintf(b->parsl_version, sizeof b->parsl_version, "%s", string_at(root, "versions", "parsl"));
    snprintf(b->python_version, sizeof b->python_version, "%s", string_at(root, "versions", "python"));
    json_decref(root);
    if (b->cores < 1)
        return error_set(err, SIM_EINPUT, path, 0, 0, "manifest has no machine.cores");
    return 0;
}

static int read_micro(bundle *b, const char *path, sim_error *err)
{
    json_error_t je;
    json_t *root, *benches;

    b->log_enabled_s = b->log_disabled_s = b->log_dropped_s = b->handoff_roundtrip_s = -1;
    b->thread_start_s = b->future_done_s = b->future_result_s = b->pool_submit_s = -1;
    b->switch_cpu_s = -1;
    if (!exists(path))
        return 0;
    root = json_load_file(path, 0, &je);
    if (root == NULL)
        return error_set(err, SIM_EINPUT, path, je.line, je.column, "%s", je.text);
    benches = json_object_get(root, "benchmarks");
    b->log_enabled_s = number_at(benches, "log_record_enabled", "median_s");
    b->log_disabled_s = number_at(benches, "log_record_disabled", "median_s");
    b->log_dropped_s = number_at(benches, "log_record_dropped", "median_s");
    b->handoff_roundtrip_s = number_at(benches, "thread_handoff_roundtrip", "median_s");
    {
        double cpu = number_at(benches, "thread_handoff_roundtrip", "cpu_median_s");
        double vcsw = number_at(benches, "thread_handoff_roundtrip", "vcsw_per_op");
        if (cpu > 0 && vcsw > 0)
            b->switch_cpu_s = cpu / vcsw;
    }
    b->thread_start_s = number_at(benches, "thread_start", "median_s");
    b->pool_submit_s = number_at(benches, "pool_submit", "median_s");
    b->future_done_s = number_at(benches, "future_done", "median_s");
    b->future_result_s = number_at(benches, "future_result_done", "median_s");
    json_decref(root);
    return 0;
}

int bundle_load(bundle *b, const char *dir, sim_error *err)
{
    char path[1024];
    const char *base;
    int rc;

    memset(b, 0, sizeof *b);
    snprintf(b->path, sizeof b->path, "%s", dir);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (!exists(path))
        return error_set(err, SIM_EINPUT, dir, 0, 0,
                         "not a trace bundle (no manifest.json)");
    rc = read_manifest(b, path, err);
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/runs.csv", dir);
        rc = read_runs(b, path, err);
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/gc.csv", dir);
        rc = read_gc(b, path, err);
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/micro.json", dir);
        rc = read_micro(b, path, err);
    }
    if (rc) {
        bundle_release(b);
        return rc;
    }
    if (b->name[0] == 0) {
        base = strrchr(dir, '/');
        snprintf(b->name, sizeof b->name, "%s", base && base[1] ? base + 1 : dir);
    }
    return 0;
}

int bundle_same_machine(const bundle *a, const bundle *b)
{
    return a->cores == b->cores && !strcmp(a->host, b->host) && !strcmp(a->cpu, b->cpu) &&
           (!a->cpu_id[0] || !b->cpu_id[0] || !strcmp(a->cpu_id, b->cpu_id));
}

void bundle_release(bundle *b)
{
    free(b->runs);
    free(b->collections);
    b->runs = NULL;
    b->collections = NULL;
    b->nruns = b->ncollections = 0;
}

const char *bundle_run_file(const bundle *b, const bundle_run *r,
                            const char *name, char *buf, int size)
{
    snprintf(buf, size, "%s/runs/%s/%s", b->path, r->id, name);
    if (exists(buf))
        return buf;
    snprintf(buf, size, "%s/runs/%s/%s.gz", b->path, r->id, name);
    return exists(buf) ? buf : NULL;
}

double bundle_run_other_load(const bundle_run *r)
{
    double own = r->cpu_submit_s;

    if (r->host_busy_s < 0 || own < 0 || r->makespan_s <= 0)
        return NAN;
    if (r->executor == EXECUTOR_HTEX) {
        /* HTEX's own processes, which bundles before 2026-12-01 did not measure */
        if (r->cpu_interchange_s < 0 || r->cpu_manager_s < 0 || r->cpu_workers_s < 0)
            return NAN;
        own += r->cpu_interchange_s + r->cpu_manager_s + r->cpu_workers_s;
    }
    return (r->host_busy_s - own) / r->makespan_s;
}
