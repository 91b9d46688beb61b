/*
** This file implements the model file (models/NAME.yaml, docs/model.md):
** reading it into a struct model, writing one back, and overriding single
** values by dotted key. Reading and overriding share one table of fields
** (the dotted key, its type, where it lives in struct model and the least
** value it may take), so the file, `overrides:` in experiment files and
** the docs all name a value the same way. `sim calibrate` writes models,
** `sim run` and `sim validate` read them; nothing here is on the event
** loop's path.
*/
#include "model.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yamldoc.h"

static const char *const stage_names[] = {
    "submit", "dep_check", "launch_threads", "launch_htex", "launch_skip",
    "execute_threads", "complete", "interchange_task", "manager_task",
    "worker_execute", "manager_result", "interchange_result",
    "result_receive", "join_execute", "join_complete", "collect",
};

_Static_assert(sizeof stage_names / sizeof stage_names[0] == STAGE_COUNT,
               "a name for every enum model_stage_id");

static const char *const dist_names[] = {"constant", "lognormal", "gamma"};

const char *model_stage_name(int stage)
{
    return stage >= 0 && stage < STAGE_COUNT ? stage_names[stage] : NULL;
}

int model_stage_lookup(const char *name)
{
    int i;

    for (i = 0; i < STAGE_COUNT; i++)
        if (!strcmp(name, stage_names[i]))
            return i;
    return -1;
}

/* ---- the field table ---------------------------------------------- */

enum field_type { F_STRING, F_BOOL, F_INT, F_REAL, F_DIST };

struct field {
    char key[64];        /* dotted key, as in the file and in overrides */
    int type;            /* enum field_type */
    size_t offset;       /* where the value lives in struct model */
    size_t size;         /* buffer size, for F_STRING */
    double min;          /* least value allowed, F_INT and F_REAL */
    int open;            /* 1 when min itself is not allowed (> rather than >=) */
    int optional;        /* 1 when a file may leave it out (it stays 0) */
};

#define MF(k, t, member, mn, op) \
    {k, t, offsetof(model, member), sizeof(((model *)0)->member), mn, op, 0}
/* Fields that came after the first model files: without the collector's
** section a model has no full collections, without pool_lock_s its
** threads never convoy on concurrent.futures' lock, as before. */
#define MF_OPTIONAL(k, t, member, mn, op) \
    {k, t, offsetof(model, member), sizeof(((model *)0)->member), mn, op, 1}

static const struct field plain_fields[] = {
    MF("name", F_STRING, name, 0, 0),
    MF("calibrated", F_BOOL, calibrated, 0, 0),
    MF("machine.cores", F_INT, machine_cores, 1, 0),
    MF("machine.cpu", F_STRING, machine_cpu, 0, 0),
    MF("machine.host", F_STRING, machine_host, 0, 0),
    MF("machine.memory_gib", F_REAL, machine_memory_gib, 0, 1),
    MF_OPTIONAL("machine.background_cores", F_INT, machine_background_cores, 0, 0),
    MF("parsl.version", F_STRING, parsl_version, 0, 0),
    MF("parsl.python", F_STRING, python_version, 0, 0),
    MF("provenance", F_STRING, provenance, 0, 0),
    MF("logging.record_enabled_s", F_REAL, record_enabled_s, 0, 0),
    MF("logging.record_io_s", F_REAL, record_io_s, 0, 0),
    MF("logging.record_disabled_s", F_REAL, record_disabled_s, 0, 0),
    MF("logging.record_handoffs", F_REAL, record_handoffs, 0, 0),
    MF("threads.join_pool_threads", F_INT, join_pool_threads, 1, 0),
    MF("threads.gil_switch_interval_s", F_REAL, gil_switch_interval_s, 0, 1),
    MF("threads.gil_handoff_s", F_REAL, gil_handoff_s, 0, 0),
    MF("threads.thread_start_s", F_REAL, thread_start_s, 0, 0),
    MF_OPTIONAL("threads.pool_lock_s", F_REAL, pool_lock_s, 0, 0),
    MF("htex.prefetch_capacity", F_INT, htex_prefetch_capacity, 0, 0),
    MF("htex.poll_period_s", F_REAL, htex_poll_period_s, 0, 1),
    MF("htex.result_push_period_s", F_REAL, htex_result_push_period_s, 0, 0),
    MF("htex.cores_per_worker", F_INT, htex_cores_per_worker, 1, 0),
    MF_OPTIONAL("gc.full_base_s", F_REAL, gc_full_base_s, 0, 0),
    MF_OPTIONAL("gc.full_per_task_s", F_REAL, gc_full_per_task_s, 0, 0),
    MF_OPTIONAL("gc.full_check_tasks", F_INT, gc_full_check_tasks, 0, 0),
    MF_OPTIONAL("gc.full_first_tasks", F_INT, gc_full_first_tasks, 0, 0),
    MF_OPTIONAL("gc.full_growth", F_REAL, gc_full_growth, 0, 0),
};

#define STAGE_FIELDS 5
#define FIELD_COUNT \
    (sizeof plain_fields / sizeof plain_fields[0] + STAGE_FIELDS * STAGE_COUNT)

/* Build the whole table: the plain fields then five per stage, in the
** order the file is written. Returns the number of fields. debug_records
** came later (2026-12-03): a model without them has no DEBUG records, and
** its logging info is its logging on. */
static int fields_build(struct field *f)
{
    static const char *const sub[STAGE_FIELDS] = {"dist", "mean_s", "cv", "records",
                                                  "debug_records"};
    static const size_t suboff[STAGE_FIELDS] = {
        offsetof(model_cost, dist), offsetof(model_cost, mean_s),
        offsetof(model_cost, cv), offsetof(model_cost, records),
        offsetof(model_cost, debug_records),
    };
    int n = 0, s, j;
    size_t i;

    for (i = 0; i < sizeof plain_fields / sizeof plain_fields[0]; i++)
        f[n++] = plain_fields[i];
    for (s = 0; s < STAGE_COUNT; s++)
        for (j = 0; j < STAGE_FIELDS; j++) {
            snprintf(f[n].key, sizeof f[n].key, "stages.%s.%s",
                     stage_names[s], sub[j]);
            f[n].type = j == 0 ? F_DIST : F_REAL;
            f[n].offset = offsetof(model, stage) + s * sizeof(model_cost) +
                          suboff[j];
            f[n].size = 0;
            f[n].min = 0;
            f[n].open = 0;
            f[n].optional = j == 4;
            n++;
        }
    return n;
}

/* Parse text s as field f's type into m. Returns 0, or -1 with why filled
** with the expectation ("a number > 0"). */
static int field_parse(const struct field *f, model *m, const char *s,
                       char *why, size_t whysize)
{
    char *p = (char *)m + f->offset;
    long l;
    double v;
    int b, i;

    switch (f->type) {
    case F_STRING:
        if (strlen(s) >= f->size) {
            snprintf(why, whysize, "a string of at most %zu bytes", f->size - 1);
            return -1;
        }
        memcpy(p, s, strlen(s) + 1);
        return 0;
    case F_BOOL:
        if (yamldoc_parse_bool(s, &b) < 0) {
            snprintf(why, whysize, "true or false");
            return -1;
        }
        *(int *)p = b;
        return 0;
    case F_INT:
        if (yamldoc_parse_long(s, &l) < 0 || l < f->min || l > 1000000000L) {
            snprintf(why, whysize, "an integer >= %.0f", f->min);
            return -1;
        }
        *(int *)p = (int)l;
        return 0;
    case F_REAL:
        if (yamldoc_parse_double(s, &v) < 0 || v < f->min ||
            (f->open && v == f->min)) {
            snprintf(why, whysize, "a finite number %s %g",
                     f->open ? ">" : ">=", f->min);
            return -1;
        }
        *(double *)p = v;
        return 0;
    case F_DIST:
        for (i = 0; i < 3; i++)
            if (!strcmp(s, dist_names[i])) {
                *(int *)p = i;
                return 0;
            }
        snprintf(why, whysize, "constant, lognormal or gamma");
        return -1;
    }
    return -1;
}

/* ---- reading ------------------------------------------------------- */

struct loader {
    yamldoc *doc;                    /* the file */
    struct field fields[FIELD_COUNT]; /* the table */
    int nfields;                     /* entries in fields */
    int seen[FIELD_COUNT];           /* 1 once a field's key was read */
    model *m;                        /* where values go */
};

/* Read mapping map whose dotted path is prefix ("" at the top). A key
** names a field, or a section when some field's key starts with it and a
** dot; anything else is unknown. */
static int load_map(struct loader *L, yaml_node_t *map, const char *prefix,
                    sim_error *err)
{
    yamldoc *d = L->doc;
    yaml_node_pair_t *pair;
    yaml_node_t *k, *v;
    char full[128], why[96];
    const char *name;
    size_t len;
    int i, section, rc;

    if (map->type != YAML_MAPPING_NODE)
        return yamldoc_fail(d, map, err, "'%s' must be a mapping", prefix);
    for (pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        k = yamldoc_node(d, pair->key);
        v = yamldoc_node(d, pair->value);
        if (k->type != YAML_SCALAR_NODE)
            return yamldoc_fail(d, k, err, "a key must be a string");
        name = (const char *)k->data.scalar.value;
        snprintf(full, sizeof full, "%s%s%s", prefix, prefix[0] ? "." : "",
                 name);
        len = strlen(full);
        section = 0;
        for (i = 0; i < L->nfields; i++) {
            if (!strcmp(L->fields[i].key, full))
                break;
            if (!strncmp(L->fields[i].key, full, len) &&
                L->fields[i].key[len] == '.')
                section = 1;
        }
        if (strchr(name, '.') || (i == L->nfields && !section))
            return yamldoc_fail(d, k, err, prefix[0] ?
                                "unknown key '%s' in '%s'" :
                                "unknown key '%s'%s", name, prefix);
        if (section) {
            if ((rc = load_map(L, v, full, err)) < 0)
                return rc;
            continue;
        }
        if (L->seen[i])
            return yamldoc_fail(d, k, err, "duplicate key '%s'", full);
        L->seen[i] = 1;
        if (v->type != YAML_SCALAR_NODE)
            return yamldoc_fail(d, v, err, "'%s' must be a scalar", full);
        if (L->fields[i].type != F_STRING &&
            v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return yamldoc_fail(d, v, err, "'%s' must not be quoted", full);
        if (L->fields[i].type == F_STRING) {
            if ((rc = yamldoc_string(d, v, full, (char *)L->m +
                                     L->fields[i].offset, L->fields[i].size,
                                     err)) < 0)
                return rc;
        } else if (field_parse(&L->fields[i], L->m,
                               (const char *)v->data.scalar.value, why,
                               sizeof why) < 0)
            return yamldoc_fail(d, v, err, "'%s' must be %s", full, why);
    }
    return 0;
}

/* The node of the mapping at dotted path, or NULL when it is absent. */
static yaml_node_t *find_map(yamldoc *d, const char *path)
{
    yaml_node_t *node = yamldoc_root(d), *k;
    yaml_node_pair_t *pair;
    char part[64];
    const char *p = path;
    size_t n;

    while (*p) {
        n = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, p);
        p += n + (p[n] == '.');
        if (node->type != YAML_MAPPING_NODE)
            return NULL;
        for (pair = node->data.mapping.pairs.start;
             pair < node->data.mapping.pairs.top; pair++) {
            k = yamldoc_node(d, pair->key);
            if (!strcmp((const char *)k->data.scalar.value, part))
                break;
        }
        if (pair == node->data.mapping.pairs.top)
            return NULL;
        node = yamldoc_node(d, pair->value);
    }
    return node->type == YAML_MAPPING_NODE ? node : NULL;
}

/* Report the first missing field: named from the deepest mapping on its
** path that the file has, at that mapping's place. */
static int check_missing(struct loader *L, sim_error *err)
{
    char path[64], key[64];
    yaml_node_t *map;
    char *dot;
    int i;

    for (i = 0; i < L->nfields; i++) {
        if (L->seen[i] || L->fields[i].optional)
            continue;
        snprintf(path, sizeof path, "%s", L->fields[i].key);
        for (;;) {
            dot = strrchr(path, '.');
            if (dot == NULL) {
                snprintf(key, sizeof key, "%s", path);
                map = yamldoc_root(L->doc);
                return yamldoc_fail(L->doc, map, err, "missing key '%s'", key);
            }
            snprintf(key, sizeof key, "%s", dot + 1);
            *dot = '\0';
            if ((map = find_map(L->doc, path)) != NULL)
                return yamldoc_fail(L->doc, map, err,
                                    "missing key '%s' in '%s'", key, path);
        }
    }
    return 0;
}

/* A stage's DEBUG records are some of its records. */
static int check_debug_records(struct loader *L, sim_error *err)
{
    char key[64];

    for (int i = 0; i < STAGE_COUNT; i++) {
        const model_cost *c = &L->m->stage[i];
        if (c->debug_records <= c->records)
            continue;
        snprintf(key, sizeof key, "stages.%s", stage_names[i]);
        return yamldoc_fail(L->doc, find_map(L->doc, key), err,
                            "debug_records (%g) more than records (%g) in '%s'",
                            c->debug_records, c->records, key);
    }
    return 0;
}

int model_load(model *m, const char *path, sim_error *err)
{
    struct loader *L;
    yamldoc doc;
    int rc;

    if ((rc = yamldoc_load(&doc, path, err)) < 0)
        return rc;
    L = calloc(1, sizeof *L);
    if (L == NULL) {
        yamldoc_release(&doc);
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    }
    memset(m, 0, sizeof *m);
    L->doc = &doc;
    L->m = m;
    L->nfields = fields_build(L->fields);
    if ((rc = load_map(L, yamldoc_root(&doc), "", err)) < 0 ||
        (rc = check_missing(L, err)) < 0 || (rc = check_debug_records(L, err)) < 0)
        goto done;
    snprintf(m->path, sizeof m->path, "%s", path);
    memcpy(m->hash, doc.hash, sizeof m->hash);
done:
    free(L);
    yamldoc_release(&doc);
    return rc;
}

int model_set(model *m, const char *key, const char *value, sim_error *err)
{
    struct field fields[FIELD_COUNT];
    char why[96];
    int n, i;

    n = fields_build(fields);
    for (i = 0; i < n; i++)
        if (!strcmp(fields[i].key, key))
            break;
    if (i == n)
        return error_set(err, SIM_EINPUT, "", 0, 0, "unknown model key '%s'",
                         key);
    if (field_parse(&fields[i], m, value, why, sizeof why) < 0)
        return error_set(err, SIM_EINPUT, "", 0, 0,
                         "model key '%s' must be %s, not '%s'", key, why,
                         value);
    return 0;
}

/* ---- writing ------------------------------------------------------- */

/* The shortest %g form that reads back as exactly v. */
static void real_format(double v, char *buf, size_t size)
{
    int prec;

    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* Write s as a YAML double-quoted scalar. */
static void put_string(FILE *f, const char *s)
{
    const unsigned char *p;

    fputc('"', f);
    for (p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void write_model(FILE *f, const model *m)
{
    char a[32], b[32], c[32], r[48], d[48];
    const model_cost *s;
    int i;

    fprintf(f, "# sim model file (docs/model.md)\nname: ");
    put_string(f, m->name);
    fprintf(f, "\ncalibrated: %s%s\nmachine: {cores: %d, cpu: ",
            m->calibrated ? "true" : "false",
            m->calibrated ? "" : "          # only sim calibrate writes true",
            m->machine_cores);
    put_string(f, m->machine_cpu);
    fprintf(f, ", host: ");
    put_string(f, m->machine_host);
    real_format(m->machine_memory_gib, a, sizeof a);
    fprintf(f, ", memory_gib: %s", a);
    if (m->machine_background_cores > 0)
        fprintf(f, ", background_cores: %d", m->machine_background_cores);
    fprintf(f, "}\nparsl: {version: ");
    put_string(f, m->parsl_version);
    fprintf(f, ", python: ");
    put_string(f, m->python_version);
    fprintf(f, "}\nprovenance: ");
    put_string(f, m->provenance);
    fprintf(f, "\nstages:                    # per-task CPU cost, seconds, "
               "logging excluded\n");
    for (i = 0; i < STAGE_COUNT; i++) {
        s = &m->stage[i];
        snprintf(b, sizeof b, "%s:", stage_names[i]);
        real_format(s->mean_s, a, sizeof a);
        strcat(a, ",");
        real_format(s->cv, c, sizeof c);
        strcat(c, ",");
        real_format(s->records, r, sizeof r);
        real_format(s->debug_records, d, sizeof d);
        fprintf(f, "  %-19s {dist: %-10s mean_s: %-8s cv: %-4s records: %s, debug_records: %s}\n",
                b, s->dist == DIST_CONSTANT ? "constant," :
                   s->dist == DIST_GAMMA ? "gamma," : "lognormal,", a, c, r, d);
    }
    real_format(m->record_enabled_s, a, sizeof a);
    real_format(m->record_io_s, b, sizeof b);
    real_format(m->record_disabled_s, c, sizeof c);
    fprintf(f, "logging:                   # per log record, seconds\n"
               "  record_enabled_s: %s\n  record_io_s: %s\n"
               "  record_disabled_s: %s\n", a, b, c);
    real_format(m->record_handoffs, a, sizeof a);
    fprintf(f, "  record_handoffs: %s\n", a);
    real_format(m->gil_switch_interval_s, a, sizeof a);
    real_format(m->gil_handoff_s, b, sizeof b);
    real_format(m->thread_start_s, c, sizeof c);
    /* without a pool lock a model reads back the same without the key */
    r[0] = 0;
    if (m->pool_lock_s > 0) {
        strcpy(r, ", pool_lock_s: ");
        real_format(m->pool_lock_s, r + strlen(r), sizeof r - strlen(r));
    }
    fprintf(f, "threads: {join_pool_threads: %d, gil_switch_interval_s: %s, gil_handoff_s: %s,\n"
               "          thread_start_s: %s%s}\n", m->join_pool_threads, a, b, c, r);
    real_format(m->htex_poll_period_s, a, sizeof a);
    real_format(m->htex_result_push_period_s, b, sizeof b);
    fprintf(f, "htex: {prefetch_capacity: %d, poll_period_s: %s, "
               "result_push_period_s: %s, cores_per_worker: %d}\n",
            m->htex_prefetch_capacity, a, b, m->htex_cores_per_worker);
    /* A model without a collector reads back the same without the section. */
    if (m->gc_full_check_tasks == 0 && m->gc_full_first_tasks == 0 &&
        m->gc_full_base_s == 0 && m->gc_full_per_task_s == 0 && m->gc_full_growth == 0)
        return;
    real_format(m->gc_full_base_s, a, sizeof a);
    real_format(m->gc_full_per_task_s, b, sizeof b);
    real_format(m->gc_full_growth, c, sizeof c);
    fprintf(f, "gc: {full_base_s: %s, full_per_task_s: %s, full_check_tasks: %d,\n"
               "     full_first_tasks: %d, full_growth: %s}\n", a, b, m->gc_full_check_tasks,
            m->gc_full_first_tasks, c);
}

int model_write(const model *m, const char *path, sim_error *err)
{
    char tmp[600];
    FILE *f;
    int bad;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL)
        return error_set(err, SIM_EIO, "", 0, 0, "cannot create '%s': %s",
                         tmp, strerror(errno));
    write_model(f, m);
    bad = ferror(f);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0)
        bad = 1;
    if (bad) {
        error_set(err, SIM_EIO, "", 0, 0, "cannot write '%s': %s", tmp,
                  strerror(errno));
        unlink(tmp);
        return SIM_EIO;
    }
    if (rename(tmp, path) != 0) {
        error_set(err, SIM_EIO, "", 0, 0, "cannot rename '%s' to '%s': %s",
                  tmp, path, strerror(errno));
        unlink(tmp);
        return SIM_EIO;
    }
    return 0;
}
