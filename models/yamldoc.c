/*
** This file implements the strict YAML reading shared by the model file
** (models/model.c) and the experiment file (sim/experiment.c): a whole
** file parsed into a libyaml document, mappings checked against lists of
** known keys, and scalars converted with nothing left over. See yamldoc.h.
*/
#include "yamldoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail_at(yamldoc *d, yaml_mark_t mark, sim_error *err,
                   const char *fmt, va_list ap)
{
    char msg[sizeof err->message];

    vsnprintf(msg, sizeof msg, fmt, ap);
    return error_set(err, SIM_EINPUT, d->path, (int)mark.line + 1,
                     (int)mark.column + 1, "%s", msg);
}

int yamldoc_fail(yamldoc *d, const yaml_node_t *node, sim_error *err,
                 const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = fail_at(d, node->start_mark, err, fmt, ap);
    va_end(ap);
    return rc;
}

void yamldoc_hash(const void *bytes, size_t len, char hex[17])
{
    const unsigned char *p = bytes;
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

int yamldoc_parse(yamldoc *d, const char *path, const unsigned char *text,
                  size_t len, sim_error *err)
{
    yaml_parser_t parser;
    yaml_document_t extra;
    yaml_node_t *root;
    int rc = SIM_EINPUT;

    memset(d, 0, sizeof *d);
    snprintf(d->path, sizeof d->path, "%s", path);
    yamldoc_hash(text, len, d->hash);
    if (!yaml_parser_initialize(&parser))
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    yaml_parser_set_input_string(&parser, text, len);
    if (!yaml_parser_load(&parser, &d->doc))
        goto syntax;
    d->loaded = 1;
    root = yaml_document_get_root_node(&d->doc);
    if (root == NULL) {
        error_set(err, SIM_EINPUT, path, 0, 0, "empty file");
        goto fail;
    }
    if (root->type != YAML_MAPPING_NODE) {
        yamldoc_fail(d, root, err, "the file must be a mapping of keys");
        goto fail;
    }
    if (!yaml_parser_load(&parser, &extra))
        goto syntax;
    if (yaml_document_get_root_node(&extra) != NULL) {
        error_set(err, SIM_EINPUT, path,
                  (int)yaml_document_get_root_node(&extra)->start_mark.line + 1,
                  1, "a second document in the file");
        yaml_document_delete(&extra);
        goto fail;
    }
    yaml_document_delete(&extra);
    yaml_parser_delete(&parser);
    return 0;

syntax:
    if (parser.error == YAML_MEMORY_ERROR)
        rc = error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    else if (parser.error == YAML_READER_ERROR)
        error_set(err, SIM_EINPUT, path, 0, 0, "%s at byte %zu",
                  parser.problem ? parser.problem : "cannot read",
                  parser.problem_offset);
    else if (parser.context)
        error_set(err, SIM_EINPUT, path, (int)parser.problem_mark.line + 1,
                  (int)parser.problem_mark.column + 1,
                  "%s (%s at line %d column %d)", parser.problem,
                  parser.context, (int)parser.context_mark.line + 1,
                  (int)parser.context_mark.column + 1);
    else
        error_set(err, SIM_EINPUT, path, (int)parser.problem_mark.line + 1,
                  (int)parser.problem_mark.column + 1, "%s",
                  parser.problem ? parser.problem : "syntax error");
fail:
    yaml_parser_delete(&parser);
    yamldoc_release(d);
    return rc;
}

int yamldoc_load(yamldoc *d, const char *path, sim_error *err)
{
    FILE *f;
    unsigned char *buf = NULL, *grown;
    size_t len = 0, cap = 0, got;
    int rc;

    memset(d, 0, sizeof *d);
    f = fopen(path, "rb");
    if (f == NULL)
        return error_set(err, SIM_EIO, "", 0, 0, "cannot open '%s': %s",
                         path, strerror(errno));
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 8192;
            grown = realloc(buf, cap);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
            }
            buf = grown;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = error_set(err, SIM_EIO, "", 0, 0, "cannot read '%s': %s", path,
                       strerror(errno));
        free(buf);
        fclose(f);
        return rc;
    }
    fclose(f);
    rc = yamldoc_parse(d, path, buf, len, err);
    free(buf);
    return rc;
}

void yamldoc_release(yamldoc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    d->loaded = 0;
}

yaml_node_t *yamldoc_root(yamldoc *d)
{
    return yaml_document_get_root_node(&d->doc);
}

yaml_node_t *yamldoc_node(yamldoc *d, int index)
{
    return yaml_document_get_node(&d->doc, index);
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

int yamldoc_map(yamldoc *d, yaml_node_t *map, const char *where,
                const char *const *keys, int n, yaml_node_t **values,
                sim_error *err)
{
    yaml_node_pair_t *pair;
    yaml_node_t *k;
    const char *name;
    int i;

    for (i = 0; i < n; i++)
        values[i] = NULL;
    if (map->type != YAML_MAPPING_NODE)
        return yamldoc_fail(d, map, err, "'%s' must be a mapping, not %s",
                            where, kind(map));
    for (pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        k = yamldoc_node(d, pair->key);
        if (k->type != YAML_SCALAR_NODE)
            return yamldoc_fail(d, k, err, "a key must be a string, not %s",
                                kind(k));
        name = (const char *)k->data.scalar.value;
        for (i = 0; i < n; i++)
            if (!strcmp(name, keys[i] + (keys[i][0] == '?')))
                break;
        if (i == n)
            return yamldoc_fail(d, k, err, where[0] ?
                                "unknown key '%s' in '%s'" :
                                "unknown key '%s'%s", name, where);
        if (values[i] != NULL)
            return yamldoc_fail(d, k, err, where[0] ?
                                "duplicate key '%s' in '%s'" :
                                "duplicate key '%s'%s", name, where);
        values[i] = yamldoc_node(d, pair->value);
    }
    for (i = 0; i < n; i++)
        if (values[i] == NULL && keys[i][0] != '?')
            return yamldoc_fail(d, map, err, where[0] ?
                                "missing key '%s' in '%s'" :
                                "missing key '%s'%s", keys[i], where);
    return 0;
}

static const char *plain(yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE ||
        node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return NULL;
    return (const char *)node->data.scalar.value;
}

int yamldoc_string(yamldoc *d, yaml_node_t *node, const char *key,
                   char *out, size_t size, sim_error *err)
{
    const char *s;

    if (node->type != YAML_SCALAR_NODE)
        return yamldoc_fail(d, node, err, "'%s' must be a string, not %s",
                            key, kind(node));
    s = (const char *)node->data.scalar.value;
    if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (!strcmp(s, "") || !strcmp(s, "~") || !strcmp(s, "null")))
        return yamldoc_fail(d, node, err, "'%s' must be a string, not null",
                            key);
    if (node->data.scalar.length >= size)
        return yamldoc_fail(d, node, err, "'%s' is longer than %zu bytes",
                            key, size - 1);
    memcpy(out, s, node->data.scalar.length + 1);
    return 0;
}

int yamldoc_parse_long(const char *s, long *out)
{
    char *end;
    long v;

    if (*s == '\0' || *s == ' ' || *s == '\t')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int yamldoc_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int yamldoc_parse_double(const char *s, double *out)
{
    char *end;
    double v;

    if (*s == '\0' || *s == ' ' || *s == '\t')
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno == ERANGE && fabs(v) > 1)
        return -1;
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int yamldoc_parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        *out = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        *out = 0;
    else
        return -1;
    return 0;
}

int yamldoc_long(yamldoc *d, yaml_node_t *node, const char *key,
                 long *out, sim_error *err)
{
    const char *s = plain(node);

    if (s == NULL || yamldoc_parse_long(s, out) < 0)
        return yamldoc_fail(d, node, err, "'%s' must be an integer", key);
    return 0;
}

int yamldoc_u64(yamldoc *d, yaml_node_t *node, const char *key,
                uint64_t *out, sim_error *err)
{
    const char *s = plain(node);

    if (s == NULL || yamldoc_parse_u64(s, out) < 0)
        return yamldoc_fail(d, node, err,
                            "'%s' must be an integer from 0 to 2^64-1", key);
    return 0;
}

int yamldoc_double(yamldoc *d, yaml_node_t *node, const char *key,
                   double *out, sim_error *err)
{
    const char *s = plain(node);

    if (s == NULL || yamldoc_parse_double(s, out) < 0)
        return yamldoc_fail(d, node, err, "'%s' must be a finite number", key);
    return 0;
}

int yamldoc_bool(yamldoc *d, yaml_node_t *node, const char *key,
                 int *out, sim_error *err)
{
    const char *s = plain(node);

    if (s == NULL || yamldoc_parse_bool(s, out) < 0)
        return yamldoc_fail(d, node, err, "'%s' must be true or false", key);
    return 0;
}
