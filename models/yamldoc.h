/*
** A YAML file held in memory as a libyaml document, with the checks the
** model and experiment readers share: a mapping's keys against a list of
** known keys (unknown, duplicate and missing keys reported with their
** place), and scalars read strictly as strings, integers, reals and
** booleans. Every error carries file:line:column, 1-based (libyaml's
** marks are 0-based). The file's bytes are kept for their FNV-1a hash,
** which the results store uses to recognise a file it has seen.
*/
#ifndef SIM_YAMLDOC_H
#define SIM_YAMLDOC_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "../sim/error.h"

typedef struct yamldoc {
    yaml_document_t doc;      /* the parsed document (libyaml owns its nodes) */
    int loaded;               /* 1 when doc must be deleted */
    char path[512];           /* the file, as given, for error places */
    char hash[17];            /* FNV-1a 64 of the file's bytes, 16 hex digits */
} yamldoc;

/* Read and parse the file at path; its root must be a mapping. Returns 0,
** or SIM_EIO (cannot read) / SIM_EINPUT (syntax, empty file, root not a
** mapping) with err filled. On success the caller releases d with
** yamldoc_release; on failure there is nothing to release. */
int yamldoc_load(yamldoc *d, const char *path, sim_error *err);

/* Parse an in-memory text as if it were the file named path. */
int yamldoc_parse(yamldoc *d, const char *path, const unsigned char *text,
                  size_t len, sim_error *err);

/* Free the document. Safe on a zeroed or released yamldoc. */
void yamldoc_release(yamldoc *d);

/* The root mapping, and a node by its libyaml index. */
yaml_node_t *yamldoc_root(yamldoc *d);
yaml_node_t *yamldoc_node(yamldoc *d, int index);

/* Fill err with SIM_EINPUT at node's place and return SIM_EINPUT. */
int yamldoc_fail(yamldoc *d, const yaml_node_t *node, sim_error *err,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Look the keys of mapping node map up in keys[0..n-1]; a name starting
** with '?' is optional. values[i] is set to the value node of keys[i], or
** NULL when absent. where names the mapping in messages ("stages",
** "sweep"; "" for the top level). Returns 0, or SIM_EINPUT for a node
** that is not a mapping, a key that is not a string, an unknown or
** duplicate key (at the key's place), or a missing required key (at the
** mapping's place). */
int yamldoc_map(yamldoc *d, yaml_node_t *map, const char *where,
                const char *const *keys, int n, yaml_node_t **values,
                sim_error *err);

/* Scalar readers: each returns 0 with *out set, or SIM_EINPUT at the
** node's place naming key. Numbers and booleans must be plain (unquoted)
** scalars; reals must be finite. */
int yamldoc_string(yamldoc *d, yaml_node_t *node, const char *key,
                   char *out, size_t size, sim_error *err);
int yamldoc_long(yamldoc *d, yaml_node_t *node, const char *key,
                 long *out, sim_error *err);
int yamldoc_u64(yamldoc *d, yaml_node_t *node, const char *key,
                uint64_t *out, sim_error *err);
int yamldoc_double(yamldoc *d, yaml_node_t *node, const char *key,
                   double *out, sim_error *err);
int yamldoc_bool(yamldoc *d, yaml_node_t *node, const char *key,
                 int *out, sim_error *err);

/* The same parses on a bare string (command-line values, overrides).
** Return 0, or -1 when s is not a complete value of the type. */
int yamldoc_parse_long(const char *s, long *out);
int yamldoc_parse_u64(const char *s, uint64_t *out);
int yamldoc_parse_double(const char *s, double *out);
int yamldoc_parse_bool(const char *s, int *out);

/* FNV-1a 64 of len bytes, written as 16 lowercase hex digits into hex. */
void yamldoc_hash(const void *bytes, size_t len, char hex[17]);

#endif
