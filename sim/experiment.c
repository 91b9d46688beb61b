/*
** This file implements the experiment file (docs/experiment.md): it reads
** experiments/NAME.yaml with the strict YAML helpers of models/yamldoc.c,
** checks every value where it stands in the file (so an error names its
** line and column), and expands the sweep into the configurations that
** `sim run` hands, one at a time, to sim_run. Nothing here simulates or
** writes; the file is read whole and checked before anything runs.
*/
#include "experiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/yamldoc.h"
#include "sim.h"

#define N_WORKLOADS 3
#define N_EXECUTORS 2
#define N_LOGGINGS LOGGING_COUNT

/* The sweep as read, before expansion; lives beside struct experiment. */
struct sweep {
    int workloads[N_WORKLOADS];     /* in file order */
    int n_workloads;                /* entries in workloads */
    long *sizes[N_WORKLOADS];       /* indexed by enum sim_workload; owned */
    int n_sizes[N_WORKLOADS];       /* entries in sizes[w] */
    int executors[N_EXECUTORS];     /* in file order */
    int n_executors;                /* entries in executors */
    int *workers;                   /* in file order; owned */
    int n_workers;                  /* entries in workers */
    int loggings[N_LOGGINGS];       /* in file order */
    int n_loggings;                 /* entries in loggings */
};

/* An experiment with its sweep: the allocation experiment_free releases. */
struct experiment_full {
    experiment e;       /* the public part; first, so the pointers coincide */
    struct sweep s;     /* what experiment_expand multiplies out */
};

static struct sweep *sweep_of(experiment *e)
{
    return &((struct experiment_full *)e)->s;
}

void experiment_free(experiment *e)
{
    struct sweep *s;
    int w;

    if (e == NULL)
        return;
    s = sweep_of(e);
    for (w = 0; w < N_WORKLOADS; w++)
        free(s->sizes[w]);
    free(s->workers);
    free(e->overrides);
    free(e->configs);
    free(e);
}

static experiment *experiment_alloc(void)
{
    return calloc(1, sizeof(struct experiment_full));
}

/* Check one size for one workload: > 0, and a task count within range.
** Returns 0, or SIM_EINPUT with err filled (no place). */
static int size_check(int workload, long size, sim_error *err)
{
    long tasks;

    if (size <= 0)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "size must be >= 1, not %ld", size);
    tasks = sim_task_count(workload, size);
    if (tasks > EXPERIMENT_MAX_TASKS)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "size %ld of %s makes %ld tasks, more than the %ld "
                         "one run can hold in memory", size,
                         sim_workload_name(workload), tasks,
                         EXPERIMENT_MAX_TASKS);
    if (tasks < 1)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "size %ld is out of range for %s (a run makes 1 "
                         "to %ld tasks)", size, sim_workload_name(workload),
                         EXPERIMENT_MAX_TASKS);
    return 0;
}

int experiment_expand(experiment *e, sim_error *err)
{
    struct sweep *s = sweep_of(e);
    experiment_config *c, *configs;
    long n = 0, i;
    int a, b, x, k, l, r, w;

    for (a = 0; a < s->n_workloads; a++)
        n += s->n_sizes[s->workloads[a]];
    if (e->replications < 1)
        return error_set(err, SIM_EINPUT, e->path, 0, 0,
                         "replications must be >= 1, not %d", e->replications);
    if (e->cores < 0)
        return error_set(err, SIM_EINPUT, e->path, 0, 0,
                         "cores must be >= 1, not %d", e->cores);
    /* Multiply step by step so that no product can overflow. */
    if (n > EXPERIMENT_MAX_CONFIGS / s->n_executors ||
        (n *= s->n_executors) > EXPERIMENT_MAX_CONFIGS / s->n_workers ||
        (n *= s->n_workers) > EXPERIMENT_MAX_CONFIGS / s->n_loggings ||
        (n *= s->n_loggings) > EXPERIMENT_MAX_CONFIGS / e->replications)
        return error_set(err, SIM_EINPUT, e->path, 0, 0,
                         "the sweep expands to more than %ld configurations",
                         EXPERIMENT_MAX_CONFIGS);
    n *= e->replications;
    configs = calloc(n ? n : 1, sizeof *configs);
    if (configs == NULL)
        return error_set(err, SIM_ENOMEM, e->path, 0, 0, "out of memory");
    i = 0;
    for (a = 0; a < s->n_workloads; a++) {
        w = s->workloads[a];
        for (b = 0; b < s->n_sizes[w]; b++)
            for (x = 0; x < s->n_executors; x++)
                for (k = 0; k < s->n_workers; k++)
                    for (l = 0; l < s->n_loggings; l++)
                        for (r = 0; r < e->replications; r++) {
                            c = &configs[i++];
                            c->workload = w;
                            c->size = s->sizes[w][b];
                            c->tasks = sim_task_count(w, c->size);
                            c->executor = s->executors[x];
                            c->workers = s->workers[k];
                            c->logging = s->loggings[l];
                            c->cores = e->cores;
                            c->replication = r;
                            c->seed = e->seed +
                                      (uint64_t)r * EXPERIMENT_SEED_STEP;
                        }
    }
    free(e->configs);
    e->configs = configs;
    e->n_configs = n;
    return 0;
}

int experiment_single(experiment **out, int workload, long size,
                      int executor, int workers, int logging, int cores,
                      uint64_t seed, int replications, sim_error *err)
{
    experiment *e;
    struct sweep *s;
    char canon[256];
    int rc;

    *out = NULL;
    if (workload < WORKLOAD_DOUBLE || workload > WORKLOAD_FIBONACCI ||
        executor < EXECUTOR_THREADS || executor > EXECUTOR_HTEX ||
        logging < LOGGING_ON || logging >= LOGGING_COUNT)
        return error_set(err, SIM_EINPUT, "", 0, 0, "unknown configuration");
    if (workers < 1)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "workers must be >= 1, not %d", workers);
    if (cores < 0)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "cores must be >= 1, not %d", cores);
    if ((rc = size_check(workload, size, err)) < 0)
        return rc;
    if ((e = experiment_alloc()) == NULL)
        return error_set(err, SIM_ENOMEM, "", 0, 0, "out of memory");
    s = sweep_of(e);
    snprintf(e->name, sizeof e->name, "run");
    e->seed = seed;
    e->replications = replications;
    e->cores = cores;
    s->workloads[0] = workload;
    s->n_workloads = 1;
    s->executors[0] = executor;
    s->n_executors = 1;
    s->loggings[0] = logging;
    s->n_loggings = 1;
    s->sizes[workload] = malloc(sizeof(long));
    s->workers = malloc(sizeof(int));
    if (s->sizes[workload] == NULL || s->workers == NULL) {
        experiment_free(e);
        return error_set(err, SIM_ENOMEM, "", 0, 0, "out of memory");
    }
    s->sizes[workload][0] = size;
    s->n_sizes[workload] = 1;
    s->workers[0] = workers;
    s->n_workers = 1;
    /* The command line's sweep stands in for the file's bytes. */
    snprintf(canon, sizeof canon, "run %s %ld %s %d %s",
             sim_workload_name(workload), size, sim_executor_name(executor),
             workers, sim_logging_name(logging));
    yamldoc_hash(canon, strlen(canon), e->hash);
    if ((rc = experiment_expand(e, err)) < 0) {
        experiment_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

int experiment_add_override(experiment *e, const char *key, const char *value,
                            sim_error *err)
{
    experiment_override *o;
    char text[17 + 128 + 256 + 8];

    if (strlen(key) >= sizeof o->key || strlen(value) >= sizeof o->value)
        return error_set(err, SIM_EINPUT, "", 0, 0, "--set %s: too long", key);
    o = realloc(e->overrides, sizeof *o * (e->n_overrides + 1));
    if (o == NULL)
        return error_set(err, SIM_ENOMEM, "", 0, 0, "out of memory");
    e->overrides = o;
    o = &e->overrides[e->n_overrides++];
    memset(o, 0, sizeof *o);
    snprintf(o->key, sizeof o->key, "%s", key);
    snprintf(o->value, sizeof o->value, "%s", value);
    snprintf(text, sizeof text, "%s --set %s=%s", e->hash, key, value);
    yamldoc_hash(text, strlen(text), e->hash);
    return 0;
}

int experiment_apply(const experiment *e, model *m, sim_error *err)
{
    const experiment_override *o;
    int i, rc;

    for (i = 0; i < e->n_overrides; i++) {
        o = &e->overrides[i];
        if ((rc = model_set(m, o->key, o->value, err)) < 0) {
            if (err) {
                snprintf(err->file, sizeof err->file, "%s", e->path);
                err->line = o->line;
                err->column = o->column;
            }
            return rc;
        }
    }
    return 0;
}

/* ---- reading the file ---------------------------------------------- */

/* Check that node is a non-empty list and return its length, or fail. */
static int list_of(yamldoc *d, yaml_node_t *node, const char *key,
                   sim_error *err)
{
    long n;

    if (node->type != YAML_SEQUENCE_NODE)
        return yamldoc_fail(d, node, err, "'%s' must be a list", key);
    n = node->data.sequence.items.top - node->data.sequence.items.start;
    if (n == 0)
        return yamldoc_fail(d, node, err, "'%s' must not be empty", key);
    return (int)n;
}

static yaml_node_t *item(yamldoc *d, yaml_node_t *list, int i)
{
    return yamldoc_node(d, list->data.sequence.items.start[i]);
}

/* Read a list of names into ids, each looked up with lookup; no repeats. */
static int read_names(yamldoc *d, yaml_node_t *node, const char *key,
                      int (*lookup)(const char *), const char *choices,
                      int *ids, int max, int *n, sim_error *err)
{
    char name[64];
    int len, i, j, rc;

    if ((len = list_of(d, node, key, err)) < 0)
        return len;
    *n = 0;
    for (i = 0; i < len; i++) {
        yaml_node_t *it = item(d, node, i);

        if ((rc = yamldoc_string(d, it, key, name, sizeof name, err)) < 0)
            return rc;
        if ((ids[*n] = lookup(name)) < 0)
            return yamldoc_fail(d, it, err, "unknown %s '%s' (%s)", key,
                                name, choices);
        for (j = 0; j < *n; j++)
            if (ids[j] == ids[*n])
                return yamldoc_fail(d, it, err, "%s '%s' listed twice", key,
                                    name);
        if (++*n > max)
            return yamldoc_fail(d, it, err, "too many %s values", key);
    }
    return 0;
}

/* Read a list of sizes for workload w (or for every workload in the
** sweep when w is -1), each checked where it stands. */
static int read_sizes(yamldoc *d, yaml_node_t *node, struct sweep *s, int w,
                      sim_error *err)
{
    sim_error why;
    long *sizes;
    int len, i, j, a, rc;

    if ((len = list_of(d, node, "size", err)) < 0)
        return len;
    if ((sizes = calloc(len, sizeof *sizes)) == NULL)
        return error_set(err, SIM_ENOMEM, d->path, 0, 0, "out of memory");
    for (i = 0; i < len; i++) {
        yaml_node_t *it = item(d, node, i);

        if ((rc = yamldoc_long(d, it, "size", &sizes[i], err)) < 0)
            goto fail;
        for (a = 0; a < s->n_workloads; a++) {
            if (w >= 0 && s->workloads[a] != w)
                continue;
            if ((rc = size_check(s->workloads[a], sizes[i], &why)) < 0) {
                yamldoc_fail(d, it, err, "%s", why.message);
                goto fail;
            }
        }
        for (j = 0; j < i; j++)
            if (sizes[j] == sizes[i]) {
                rc = yamldoc_fail(d, it, err, "size %ld listed twice",
                                  sizes[i]);
                goto fail;
            }
    }
    for (a = 0; a < s->n_workloads; a++) {
        int x = s->workloads[a];

        if (w >= 0 && x != w)
            continue;
        if ((s->sizes[x] = malloc(len * sizeof(long))) == NULL) {
            rc = error_set(err, SIM_ENOMEM, d->path, 0, 0, "out of memory");
            goto fail;
        }
        memcpy(s->sizes[x], sizes, len * sizeof(long));
        s->n_sizes[x] = len;
    }
    free(sizes);
    return 0;
fail:
    free(sizes);
    return rc;
}

static int read_size_map(yamldoc *d, yaml_node_t *node, struct sweep *s,
                         sim_error *err)
{
    yaml_node_pair_t *pair;
    yaml_node_t *k;
    const char *name;
    int w, a, rc;

    for (pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        k = yamldoc_node(d, pair->key);
        name = k->type == YAML_SCALAR_NODE ?
               (const char *)k->data.scalar.value : "";
        if ((w = sim_workload_lookup(name)) < 0)
            return yamldoc_fail(d, k, err, "unknown workload '%s' in 'size' "
                                "(double, increment or fibonacci)", name);
        for (a = 0; a < s->n_workloads; a++)
            if (s->workloads[a] == w)
                break;
        if (a == s->n_workloads)
            return yamldoc_fail(d, k, err, "size given for workload '%s', "
                                "which 'workload' does not list", name);
        if (s->sizes[w] != NULL)
            return yamldoc_fail(d, k, err, "duplicate key '%s' in 'size'",
                                name);
        if ((rc = read_sizes(d, yamldoc_node(d, pair->value), s, w, err)) < 0)
            return rc;
    }
    for (a = 0; a < s->n_workloads; a++)
        if (s->sizes[s->workloads[a]] == NULL)
            return yamldoc_fail(d, node, err, "missing key '%s' in 'size'",
                                sim_workload_name(s->workloads[a]));
    return 0;
}

static int read_sweep(yamldoc *d, yaml_node_t *node, struct sweep *s,
                      sim_error *err)
{
    static const char *const keys[] = {
        "workload", "size", "executor", "workers", "logging",
    };
    yaml_node_t *v[5];
    long workers;
    int len, i, j, rc;

    if ((rc = yamldoc_map(d, node, "sweep", keys, 5, v, err)) < 0)
        return rc;
    if ((rc = read_names(d, v[0], "workload", sim_workload_lookup,
                         "double, increment or fibonacci", s->workloads,
                         N_WORKLOADS, &s->n_workloads, err)) < 0)
        return rc;
    if (v[1]->type == YAML_MAPPING_NODE)
        rc = read_size_map(d, v[1], s, err);
    else
        rc = read_sizes(d, v[1], s, -1, err);
    if (rc < 0)
        return rc;
    if ((rc = read_names(d, v[2], "executor", sim_executor_lookup,
                         "threads or htex", s->executors, N_EXECUTORS,
                         &s->n_executors, err)) < 0)
        return rc;
    if ((len = list_of(d, v[3], "workers", err)) < 0)
        return len;
    if ((s->workers = calloc(len, sizeof(int))) == NULL)
        return error_set(err, SIM_ENOMEM, d->path, 0, 0, "out of memory");
    for (i = 0; i < len; i++) {
        yaml_node_t *it = item(d, v[3], i);

        if ((rc = yamldoc_long(d, it, "workers", &workers, err)) < 0)
            return rc;
        if (workers < 1 || workers > 1000000)
            return yamldoc_fail(d, it, err, "workers must be from 1 to "
                                "1000000, not %ld", workers);
        s->workers[i] = (int)workers;
        for (j = 0; j < i; j++)
            if (s->workers[j] == s->workers[i])
                return yamldoc_fail(d, it, err, "workers %ld listed twice",
                                    workers);
        s->n_workers = i + 1;
    }
    return read_names(d, v[4], "logging", sim_logging_lookup,
                      "on, off, off_all or info", s->loggings, N_LOGGINGS,
                      &s->n_loggings, err);
}

static int read_overrides(yamldoc *d, yaml_node_t *node, experiment *e,
                          sim_error *err)
{
    yaml_node_pair_t *pair;
    experiment_override *o;
    yaml_node_t *k, *v;
    sim_error why;
    model scratch;
    long n;
    int rc;

    if (node->type != YAML_MAPPING_NODE)
        return yamldoc_fail(d, node, err, "'overrides' must be a mapping of "
                            "model keys to values");
    n = node->data.mapping.pairs.top - node->data.mapping.pairs.start;
    if ((e->overrides = calloc(n ? n : 1, sizeof *e->overrides)) == NULL)
        return error_set(err, SIM_ENOMEM, d->path, 0, 0, "out of memory");
    memset(&scratch, 0, sizeof scratch);
    for (pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        k = yamldoc_node(d, pair->key);
        v = yamldoc_node(d, pair->value);
        o = &e->overrides[e->n_overrides];
        if ((rc = yamldoc_string(d, k, "overrides", o->key, sizeof o->key,
                                 err)) < 0)
            return rc;
        if (v->type != YAML_SCALAR_NODE)
            return yamldoc_fail(d, v, err, "override '%s' must be a scalar",
                                o->key);
        if ((rc = yamldoc_string(d, v, o->key, o->value, sizeof o->value,
                                 err)) < 0)
            return rc;
        /* Check key and value now, so a bad override fails before any run. */
        if (model_set(&scratch, o->key, o->value, &why) < 0)
            return yamldoc_fail(d, k, err, "%s", why.message);
        o->line = (int)k->start_mark.line + 1;
        o->column = (int)k->start_mark.column + 1;
        e->n_overrides++;
    }
    return 0;
}

static int read_experiment(yamldoc *d, experiment *e, sim_error *err)
{
    static const char *const keys[] = {
        "name", "?description", "?model", "seed", "replications", "?cores",
        "sweep", "?overrides", "?compare",
    };
    yaml_node_t *v[9];
    char compare[32];
    long l;
    int rc;

    if ((rc = yamldoc_map(d, yamldoc_root(d), "", keys, 9, v, err)) < 0)
        return rc;
    if ((rc = yamldoc_string(d, v[0], "name", e->name, sizeof e->name,
                             err)) < 0)
        return rc;
    if (v[1] && (rc = yamldoc_string(d, v[1], "description", e->description,
                                     sizeof e->description, err)) < 0)
        return rc;
    if (v[2] && (rc = yamldoc_string(d, v[2], "model", e->model_path,
                                     sizeof e->model_path, err)) < 0)
        return rc;
    if ((rc = yamldoc_u64(d, v[3], "seed", &e->seed, err)) < 0)
        return rc;
    if ((rc = yamldoc_long(d, v[4], "replications", &l, err)) < 0)
        return rc;
    if (l < 1 || l > 10000)
        return yamldoc_fail(d, v[4], err, "replications must be from 1 to "
                            "10000, not %ld", l);
    e->replications = (int)l;
    if (v[5]) {
        if ((rc = yamldoc_long(d, v[5], "cores", &l, err)) < 0)
            return rc;
        if (l < 1 || l > 1000000)
            return yamldoc_fail(d, v[5], err, "cores must be from 1 to "
                                "1000000, not %ld", l);
        e->cores = (int)l;
    }
    if ((rc = read_sweep(d, v[6], sweep_of(e), err)) < 0)
        return rc;
    if (v[7] && (rc = read_overrides(d, v[7], e, err)) < 0)
        return rc;
    if (v[8]) {
        if ((rc = yamldoc_string(d, v[8], "compare", compare, sizeof compare,
                                 err)) < 0)
            return rc;
        if (strcmp(compare, "logging") != 0)
            return yamldoc_fail(d, v[8], err, "unknown comparison '%s' "
                                "(logging)", compare);
        e->compare_logging = 1;
    }
    return 0;
}

int experiment_load(experiment **out, const char *path, sim_error *err)
{
    experiment *e;
    yamldoc doc;
    int rc;

    *out = NULL;
    if ((rc = yamldoc_load(&doc, path, err)) < 0)
        return rc;
    if ((e = experiment_alloc()) == NULL) {
        yamldoc_release(&doc);
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    }
    snprintf(e->path, sizeof e->path, "%s", path);
    memcpy(e->hash, doc.hash, sizeof e->hash);
    rc = read_experiment(&doc, e, err);
    yamldoc_release(&doc);
    if (rc == 0)
        rc = experiment_expand(e, err);
    if (rc < 0) {
        experiment_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void experiment_sim_config(const experiment_config *c, const model *m, sim_config *out)
{
    memset(out, 0, sizeof *out);
    out->workload = c->workload;
    out->size = c->size;
    out->executor = c->executor;
    out->workers = c->workers;
    out->logging = c->logging;
    out->cores = c->cores;
    out->seed = c->seed;
    out->model = m;
}
