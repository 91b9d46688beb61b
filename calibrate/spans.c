/*
** Stage samples from parsl.log and the HTEX worker logs; see spans.h.
**
** Each thread of the submitting process is followed as a small state
** machine: a stage opens at its first record for a task (submit: "will be
** sent"; launch: "will not be memoized"; completion: the state change to
** exec_done, or for HTEX the result thread's "Receiving ResultsIncoming"
** just before it; a join body: the last child's "initializing state to
** pending"), counts the task's records that follow on that thread, and
** closes at its last record ("initializing state to pending"; the launch
** thread's "Normal ending"; the "Standard error" line after a state
** change). Which stage a thread's records belong to follows Parsl
** 2026.10.26's dflow.py: see docs/design.md's table.
*/
#include "spans.h"

#include <glob.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../sim/sim.h"
#include "parsllog.h"

typedef struct samples {
    double *value;       /* durations, seconds */
    double *records;     /* records written in each */
    double *debug;       /* of them, at DEBUG */
    unsigned char *capture;  /* [n]: the capture each came from (spans.capture_path) */
    long n, capacity;
} samples;

#define SPANS_MAX_CAPTURES 255

struct spans {
    samples kind[SPAN_COUNT];
    char *capture_path[SPANS_MAX_CAPTURES]; /* owned; [0] is "" for runs outside a bundle */
    int ncaptures;
    int capture;                 /* the one samples are added to now */
};

/* One open stage on one thread. */
typedef struct open_stage {
    long tid;            /* the thread, 0 when the slot is free */
    long task;           /* the task it is for */
    int stage;           /* the stage, or -1 */
    double start;        /* its first record */
    double last;         /* its latest record */
    int records;         /* records so far */
    int debug;           /* of them, at DEBUG */
    double pending_recv; /* result thread: a "Receiving" not yet given to a task */
    int pending_debug;   /* and whether that record was at DEBUG */
    double stdout_at;    /* its last record, when that was "Standard out for task ..." */
    long stdout_task;    /* for which task */
    double last_pending; /* join thread: the last child's submit end */
} open_stage;

#define MAX_THREADS 512

typedef struct worker_times {
    double received, finished;   /* worker log times, 0 when unseen */
    double launched;             /* the launch thread's "launched" record */
    double result_seen;          /* the result thread's "Receiving" for it */
} worker_times;

typedef struct run_state {
    spans *sp;
    const bundle_run *run;
    open_stage thread[MAX_THREADS];
    worker_times *task;          /* [task_last + 1] for HTEX, else NULL */
    long ntasks;
    int chain;                   /* increment: one task in flight at a time */
} run_state;

spans *spans_new(void)
{
    return calloc(1, sizeof(spans));
}

void spans_free(spans *sp)
{
    if (sp == NULL)
        return;
    for (int k = 0; k < SPAN_COUNT; k++) {
        free(sp->kind[k].value);
        free(sp->kind[k].records);
        free(sp->kind[k].debug);
        free(sp->kind[k].capture);
    }
    for (int i = 0; i < sp->ncaptures; i++)
        free(sp->capture_path[i]);
    free(sp);
}

static int add(spans *sp, int kind, double value, double records, double debug)
{
    samples *s = &sp->kind[kind];

    if (!(value >= 0))
        return 0;
    if (s->n == s->capacity) {
        long cap = s->capacity ? 2 * s->capacity : 256;
        double *v = realloc(s->value, sizeof *v * cap);
        double *r = v ? realloc(s->records, sizeof *r * cap) : NULL;
        double *d = r ? realloc(s->debug, sizeof *d * cap) : NULL;
        unsigned char *c = d ? realloc(s->capture, cap) : NULL;
        if (v)
            s->value = v;
        if (r)
            s->records = r;
        if (d)
            s->debug = d;
        if (c == NULL)
            return SIM_ENOMEM;
        s->capture = c;
        s->capacity = cap;
    }
    s->value[s->n] = value;
    s->capture[s->n] = (unsigned char)sp->capture;
    s->debug[s->n] = debug;
    s->records[s->n++] = records;
    return 0;
}

/* A stage seen from its first to its last record: k records mark k - 1
** gaps of its inside, so the whole is about k / (k - 1) of the span. */
static int close_stage(run_state *st, open_stage *o, double end)
{
    double span = end - o->start;
    int rc = 0;

    if (o->stage >= 0 && o->records >= 2)
        rc = add(st->sp, o->stage, span * o->records / (o->records - 1), o->records, o->debug);
    o->stage = -1;
    o->records = 0;
    o->debug = 0;
    return rc;
}

static open_stage *thread_slot(run_state *st, long tid)
{
    for (int i = 0; i < MAX_THREADS; i++) {
        if (st->thread[i].tid == tid)
            return &st->thread[i];
        if (st->thread[i].tid == 0) {
            st->thread[i].tid = tid;
            st->thread[i].stage = -1;
            return &st->thread[i];
        }
    }
    return NULL;
}

static void open_at(open_stage *o, int stage, long task, double t, int debug)
{
    o->stage = stage;
    o->task = task;
    o->start = o->last = t;
    o->records = 1;
    o->debug = debug;
}

static int is_state(const parsllog_record *rec, const char *state)
{
    return rec->event && !strcmp(rec->event, "state") && !strcmp(rec->state, state);
}

static int is_event(const parsllog_record *rec, const char *name)
{
    return rec->event && !strcmp(rec->event, name);
}

static int on_record(void *ud, const parsllog_record *rec)
{
    run_state *st = ud;
    const bundle_run *r = st->run;
    open_stage *o;
    int in_run = rec->task >= r->task_first && rec->task <= r->task_last;
    int debug = rec->level != NULL && !strcmp(rec->level, "DEBUG");
    int rc = 0;

    if (rec->role == PLOG_ROLE_HTEX_WORKER) {
        if (in_run && st->task) {
            worker_times *w = &st->task[rec->task - r->task_first];
            if (is_event(rec, "worker_received")) {
                w->received = rec->time;
            } else if (is_event(rec, "worker_finished")) {
                w->finished = rec->time;
                if (w->received > 0)
                    rc = add(st->sp, STAGE_WORKER_EXECUTE, w->finished - w->received, 3, 0);
            }
        }
        return rc;
    }
    o = thread_slot(st, rec->tid);
    if (o == NULL)
        return 0;
    if (rec->role == PLOG_ROLE_RESULT && is_event(rec, "zmq_recv")) {
        o->pending_recv = rec->time;
        o->pending_debug = debug;
        return 0;
    }
    if (!in_run)
        return 0;

    /* log_std_stream writes "Standard out" then "Standard error" with
    ** nothing between: the gap is the first record's cost in place (its
    ** formatting, write and flush, and any wait for the GIL after it). */
    if (is_event(rec, "std_stream") && !strncmp(rec->message, "Standard error", 14) &&
        o->stdout_at > 0 && o->stdout_task == rec->task && rec->time >= o->stdout_at &&
        (rc = add(st->sp, SPAN_RECORD, rec->time - o->stdout_at, 1, 0)) != 0)
        return rc;
    o->stdout_at = is_event(rec, "std_stream") && !strncmp(rec->message, "Standard out", 12) ?
                   rec->time : 0;
    o->stdout_task = rec->task;

    /* A record for another task, or a new stage, closes the open one. */
    if (o->stage >= 0 && o->task != rec->task && !is_event(rec, "launch_end"))
        rc = close_stage(st, o, o->last);

    if (is_event(rec, "sent")) {
        open_at(o, STAGE_SUBMIT, rec->task, rec->time, debug);
    } else if (is_state(rec, "pending") && o->stage == STAGE_SUBMIT) {
        o->records++;
        o->debug += debug;
        rc = close_stage(st, o, rec->time);
        o->last_pending = rec->time;
    } else if (is_event(rec, "memo_miss")) {
        open_at(o, r->executor == EXECUTOR_HTEX ? STAGE_LAUNCH_HTEX : STAGE_LAUNCH_THREADS,
                rec->task, rec->time, debug);
    } else if (is_event(rec, "dep_wait")) {
        open_at(o, STAGE_LAUNCH_SKIP, rec->task, rec->time, debug);
    } else if (is_event(rec, "launch_end") && o->stage >= 0) {
        o->records++;
        o->debug += debug;
        rc = close_stage(st, o, rec->time);
    } else if (is_state(rec, "exec_done") || is_state(rec, "joining") ||
               is_event(rec, "join_callback")) {
        int stage = STAGE_COMPLETE;
        if (o->stage >= 0 && o->stage != STAGE_COMPLETE && o->stage != STAGE_RESULT_RECEIVE &&
            o->stage != STAGE_JOIN_COMPLETE)
            rc = close_stage(st, o, rec->time);
        if (is_state(rec, "joining")) {
            /* The join body ran between the last child's submit and here. */
            open_at(o, STAGE_JOIN_EXECUTE, rec->task,
                    o->last_pending > 0 ? o->last_pending : rec->time, debug);
            o->records = 1;
        } else if (o->stage == STAGE_JOIN_COMPLETE && o->task == rec->task) {
            o->records++;
            o->debug += debug;
            o->last = rec->time;
        } else {
            if (is_event(rec, "join_callback"))
                stage = STAGE_JOIN_COMPLETE;
            else if (rec->role == PLOG_ROLE_RESULT)
                stage = STAGE_RESULT_RECEIVE;   /* receive + complete: split by fit.c */
            /* A pool worker's exec_done, one task at a time in the chain:
            ** the app ran between the launch thread's "launched" and here. */
            if (stage == STAGE_COMPLETE && rec->role == PLOG_ROLE_TPE_WORKER && st->chain &&
                st->task && st->task[rec->task - r->task_first].launched > 0)
                rc = add(st->sp, STAGE_EXECUTE_THREADS,
                         rec->time - st->task[rec->task - r->task_first].launched, 0, 0);
            open_at(o, stage, rec->task, rec->time, debug);
            if (stage == STAGE_RESULT_RECEIVE && o->pending_recv > 0) {
                o->start = o->pending_recv;
                o->records = 2;
                o->debug += o->pending_debug;
                if (st->task)
                    st->task[rec->task - r->task_first].result_seen = o->pending_recv;
            }
            o->pending_recv = 0;
        }
    } else if (o->stage >= 0 && o->task == rec->task) {
        o->records++;
        o->debug += debug;
        o->last = rec->time;
        if (is_event(rec, "launched") && st->task)
            st->task[rec->task - r->task_first].launched = rec->time;
        /* The "Standard error" line ends a completion or a join body. */
        if (is_event(rec, "std_stream") && !strncmp(rec->message, "Standard error", 14) &&
            (o->stage == STAGE_COMPLETE || o->stage == STAGE_RESULT_RECEIVE ||
             o->stage == STAGE_JOIN_EXECUTE || o->stage == STAGE_JOIN_COMPLETE))
            rc = close_stage(st, o, rec->time);
    } else if (o->stage >= 0 && is_event(rec, "launch_end")) {
        o->records++;
        o->debug += debug;
        rc = close_stage(st, o, rec->time);
    }
    return rc;
}

static int read_log(parsllog *p, run_state *st, const char *path, sim_error *err)
{
    return parsllog_read(p, path, parsllog_kind_of(path), on_record, st, err);
}

static const char *first_existing(const char *dir, const char *name, char *buf, int size)
{
    struct stat stbuf;

    snprintf(buf, size, "%s/%s", dir, name);
    if (stat(buf, &stbuf) == 0)
        return buf;
    snprintf(buf, size, "%s/%s.gz", dir, name);
    return stat(buf, &stbuf) == 0 ? buf : NULL;
}

int spans_add_log(spans *sp, const char *dir, const bundle_run *r, sim_error *err)
{
    /* Worker logs as a bundle keeps them, and as Parsl's runinfo does. */
    static const char *worker_globs[] = {"%s/block-*/worker_*.log*",
                                         "%s/htex/block-*/*/worker_*.log*"};
    run_state *st;
    parsllog *p;
    char path[1200];
    int rc;

    if (r->task_first < 0 || r->task_last < r->task_first)
        return 0;
    if (first_existing(dir, "parsl.log", path, sizeof path) == NULL)
        return 0;
    st = calloc(1, sizeof *st);
    p = parsllog_new();
    if (st == NULL || p == NULL) {
        free(st);
        parsllog_free(p);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    }
    st->sp = sp;
    st->run = r;
    st->chain = r->workload == WORKLOAD_INCREMENT;
    st->ntasks = r->task_last - r->task_first + 1;
    if (st->ntasks <= 100000000 / 8)
        st->task = calloc(st->ntasks, sizeof *st->task);
    rc = read_log(p, st, path, err);
    for (size_t g = 0; rc == 0 && st->task && r->executor == EXECUTOR_HTEX &&
                       g < sizeof worker_globs / sizeof worker_globs[0]; g++) {
        glob_t found;
        snprintf(path, sizeof path, worker_globs[g], dir);
        if (glob(path, 0, NULL, &found) != 0)
            continue;
        for (size_t i = 0; rc == 0 && i < found.gl_pathc; i++)
            rc = read_log(p, st, found.gl_pathv[i], err);
        globfree(&found);
    }
    /* The HTEX paths, where one task at a time walks them (the chain). */
    if (rc == 0 && st->task && st->chain)
        for (long i = 0; rc == 0 && i < st->ntasks; i++) {
            worker_times *w = &st->task[i];
            if (w->launched > 0 && w->received > 0)
                rc = add(sp, SPAN_FORWARD, w->received - w->launched, 0, 0);
            if (rc == 0 && w->finished > 0 && w->result_seen > 0)
                rc = add(sp, SPAN_RETURN, w->result_seen - w->finished, 0, 0);
        }
    if (rc == SIM_ENOMEM)
        error_set(err, rc, NULL, 0, 0, "out of memory");
    free(st->task);
    free(st);
    parsllog_free(p);
    return rc;
}

/* The index of the capture at path, added when new; -1 when out of
** memory or past SPANS_MAX_CAPTURES. */
static int capture_index(spans *sp, const char *path)
{
    for (int i = 0; i < sp->ncaptures; i++)
        if (!strcmp(sp->capture_path[i], path))
            return i;
    if (sp->ncaptures == SPANS_MAX_CAPTURES ||
        (sp->capture_path[sp->ncaptures] = strdup(path)) == NULL)
        return -1;
    return sp->ncaptures++;
}

int spans_add_run(spans *sp, const bundle *b, const bundle_run *r, sim_error *err)
{
    char dir[1024];
    int rc, outside = capture_index(sp, ""), capture = capture_index(sp, b->path);

    if (outside < 0 || capture < 0)
        return error_set(err, SIM_ENOMEM, b->path, 0, 0,
                         "out of memory, or more than %d bundles", SPANS_MAX_CAPTURES - 1);
    snprintf(dir, sizeof dir, "%s/runs/%s", b->path, r->id);
    sp->capture = capture;
    rc = spans_add_log(sp, dir, r, err);
    sp->capture = outside;
    return rc;
}

span_stats spans_get_by_capture(const spans *sp, int kind)
{
    span_stats out = spans_get(sp, kind);
    const samples *s = &sp->kind[kind];
    double medians[SPANS_MAX_CAPTURES], *v;
    int nmedians = 0;

    if (out.n == 0 || (v = malloc(sizeof *v * s->n)) == NULL)
        return out;
    for (int c = 0; c < SPANS_MAX_CAPTURES; c++) {
        long n = 0;
        for (long i = 0; i < s->n; i++)
            if (s->capture[i] == c)
                v[n++] = s->value[i];
        if (n > 0) {
            gsl_sort(v, 1, n);
            medians[nmedians++] = gsl_stats_median_from_sorted_data(v, 1, n);
        }
    }
    gsl_sort(medians, 1, nmedians);
    out.median_s = gsl_stats_median_from_sorted_data(medians, 1, nmedians);
    out.captures = nmedians;
    free(v);
    return out;
}

span_stats spans_get(const spans *sp, int kind)
{
    span_stats out = {0, 0, 0, 0, 0, 1};
    const samples *s = &sp->kind[kind];
    double *v, *rec, q1, q3;

    if (s->n == 0)
        return out;
    v = malloc(sizeof *v * s->n);
    rec = malloc(sizeof *rec * s->n);
    if (v == NULL || rec == NULL) {
        free(v);
        free(rec);
        return out;
    }
    memcpy(v, s->value, sizeof *v * s->n);
    memcpy(rec, s->debug, sizeof *rec * s->n);
    gsl_sort(rec, 1, s->n);
    /* each sample's DEBUG records are some of its records, so their
    ** median is at most the records' */
    out.debug_records = gsl_stats_median_from_sorted_data(rec, 1, s->n);
    memcpy(rec, s->records, sizeof *rec * s->n);
    gsl_sort(v, 1, s->n);
    gsl_sort(rec, 1, s->n);
    out.n = s->n;
    out.median_s = gsl_stats_median_from_sorted_data(v, 1, s->n);
    q1 = gsl_stats_quantile_from_sorted_data(v, 1, s->n, 0.25);
    q3 = gsl_stats_quantile_from_sorted_data(v, 1, s->n, 0.75);
    out.cv = out.median_s > 0 ? (q3 - q1) / 1.349 / out.median_s : 0;
    out.records = gsl_stats_median_from_sorted_data(rec, 1, s->n);
    free(v);
    free(rec);
    return out;
}
