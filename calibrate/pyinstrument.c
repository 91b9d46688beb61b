/*
** This file implements the pyinstrument reader declared in pyinstrument.h:
** it loads a JSON renderer profile with jansson (through zlib, so gzipped
** files read the same way), checks that it is the 4.x/5.x layout, and
** walks the frame tree with an explicit stack (profiles of deep recursion
** are thousands of frames deep; the C stack is never at risk) to sum the
** time of each bucket's outermost matching frames.
**
** Matching rules, one function per bucket (pyinstrument 5.1 on CPython
** 3.11 names frames as shown; class_name is present from 4.6 on):
**   submit     function "submit" in .../parsl/dataflow/dflow.py, class
**              DataFlowKernel when the class is known
**   logging    any frame whose file is logging/__init__.py or
**              logging/handlers.py (Logger.debug down to Handler.flush)
**   lock       "acquire" in a logging file (Handler.acquire)
**   serialize  parsl/serialize/, dill/, pickle.py, _pickle builtins
**   wait       threading.py wait/acquire/join, concurrent/futures
**              result/wait/as_completed, lock and RLock acquire builtins
**   import     <module> below the root, importlib._bootstrap frames
**   load       "load" in dflow.py (DataFlowKernelLoader.load)
**   cleanup    "cleanup" in dflow.py
*/
#include "pyinstrument.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A bit per bucket that is matched on frames (derived buckets have none). */
enum {
    M_IMPORT = 1 << 0,
    M_LOAD = 1 << 1,
    M_CLEANUP = 1 << 2,
    M_SUBMIT = 1 << 3,
    M_LOGGING = 1 << 4,
    M_SUBMIT_LOGGING = 1 << 5,
    M_LOCK = 1 << 6,
    M_SERIALIZE = 1 << 7,
    M_WAIT = 1 << 8,
    M_COVERED = 1 << 9     /* any of the above: what "rest" leaves out */
};

typedef struct pending {
    json_t *frame;      /* a frame object not yet visited (borrowed) */
    unsigned mask;      /* M_* bits of buckets an ancestor already counted */
    int depth;          /* depth in the tree, the root at 0 */
} pending;

typedef struct gz_source {
    gzFile gz;          /* the open file */
    int failed;         /* 1 after a read error */
} gz_source;

static const char *const bucket_names[PYI_BUCKET_COUNT] = {
    "total", "import", "load", "cleanup", "workload", "submit", "logging",
    "submit_logging", "logging_lock", "serialize", "wait", "rest"
};

const char *pyi_bucket_name(int bucket)
{
    if (bucket < 0 || bucket >= PYI_BUCKET_COUNT)
        return NULL;
    return bucket_names[bucket];
}

static size_t gz_read(void *buffer, size_t buflen, void *data)
{
    gz_source *src = data;
    int n = gzread(src->gz, buffer, buflen > (1u << 30) ? (1u << 30) : (unsigned)buflen);

    if (n < 0) {
        src->failed = 1;
        return (size_t)-1;
    }
    return (size_t)n;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int is_dflow(const char *path)
{
    return ends_with(path, "parsl/dataflow/dflow.py");
}

static int is_logging_file(const char *path)
{
    return ends_with(path, "logging/__init__.py") ||
           ends_with(path, "logging/handlers.py");
}

static int is_builtin(const char *path)
{
    return strcmp(path, "<built-in>") == 0;
}

static int match_submit(const char *fn, const char *path, const char *cls)
{
    return strcmp(fn, "submit") == 0 && is_dflow(path) &&
           (cls == NULL || strcmp(cls, "DataFlowKernel") == 0);
}

static int match_serialize(const char *fn, const char *path)
{
    if (strstr(path, "parsl/serialize/") || strstr(path, "dill/") ||
        ends_with(path, "/pickle.py") || strcmp(path, "pickle.py") == 0)
        return 1;
    return is_builtin(path) && (strncmp(fn, "_pickle.", 8) == 0 ||
                                strncmp(fn, "Pickler.", 8) == 0 ||
                                strncmp(fn, "Unpickler.", 10) == 0);
}

static int match_wait(const char *fn, const char *path)
{
    if (ends_with(path, "threading.py"))
        return strcmp(fn, "wait") == 0 || strcmp(fn, "acquire") == 0 ||
               strcmp(fn, "join") == 0 || strcmp(fn, "_wait_for_tstate_lock") == 0;
    if (strstr(path, "concurrent/futures/"))
        return strcmp(fn, "result") == 0 || strcmp(fn, "wait") == 0 ||
               strcmp(fn, "as_completed") == 0;
    if (is_builtin(path))
        return strcmp(fn, "lock.acquire") == 0 || strcmp(fn, "RLock.acquire") == 0;
    return 0;
}

static int match_import(const char *fn, const char *path, int depth)
{
    return (depth > 0 && strcmp(fn, "<module>") == 0) ||
           strstr(path, "importlib._bootstrap") != NULL;
}

/* The M_* bits of buckets that this frame starts, given the bits its
** ancestors already hold. */
static unsigned frame_bits(const char *fn, const char *path, const char *cls,
                           int depth, unsigned mask)
{
    unsigned bits = 0;
    int logging = is_logging_file(path);

    if (match_import(fn, path, depth))
        bits |= M_IMPORT;
    if (is_dflow(path) && strcmp(fn, "load") == 0)
        bits |= M_LOAD;
    if (is_dflow(path) && strcmp(fn, "cleanup") == 0)
        bits |= M_CLEANUP;
    if (match_submit(fn, path, cls))
        bits |= M_SUBMIT;
    if (logging)
        bits |= M_LOGGING;
    if (logging && ((mask | bits) & M_SUBMIT))
        bits |= M_SUBMIT_LOGGING;
    if (logging && strcmp(fn, "acquire") == 0)
        bits |= M_LOCK;
    if (match_serialize(fn, path))
        bits |= M_SERIALIZE;
    if (match_wait(fn, path))
        bits |= M_WAIT;
    if (bits)
        bits |= M_COVERED;
    return bits & ~mask;
}

static const char *opt_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Check a frame's required keys; on failure fill err and return SIM_EINPUT. */
static int frame_check(json_t *f, int depth, const char *parent,
                       const char *path, sim_error *err)
{
    const char *why = NULL;

    if (!json_is_object(f))
        why = "is not an object";
    else if (!json_is_string(json_object_get(f, "function")))
        why = "has no string 'function'";
    else if (!json_is_number(json_object_get(f, "time")))
        why = "has no number 'time'";
    else if (!json_is_array(json_object_get(f, "children")))
        why = "has no array 'children'";
    else if (json_object_get(f, "file_path") &&
             !json_is_string(json_object_get(f, "file_path")))
        why = "has a 'file_path' that is not a string";
    if (why == NULL)
        return 0;
    if (depth == 0)
        return error_set(err, SIM_EINPUT, path, 0, 0, "root_frame %s", why);
    return error_set(err, SIM_EINPUT, path, 0, 0,
                     "frame at depth %d under '%s' %s", depth, parent, why);
}

static int header_read(pyi_summary *s, json_t *root, const char *path,
                       sim_error *err)
{
    json_t *v;
    const char *target;

    if (!json_is_object(root))
        return error_set(err, SIM_EINPUT, path, 0, 0,
                         "not a pyinstrument JSON profile: the top level is not an object");
    if (json_object_get(root, "frame_records"))
        return error_set(err, SIM_EINPUT, path, 0, 0,
                         "a pyinstrument session file, not JSON renderer output "
                         "(render it with 'pyinstrument --load %s -r json')", path);
    if (json_object_get(root, "$schema") || json_object_get(root, "shared"))
        return error_set(err, SIM_EINPUT, path, 0, 0,
                         "a speedscope profile, not pyinstrument JSON renderer output");
    v = json_object_get(root, "root_frame");
    if (v == NULL)
        return error_set(err, SIM_EINPUT, path, 0, 0,
                         "no 'root_frame': not pyinstrument 4.x/5.x JSON renderer output");
    if (json_is_null(v))
        return error_set(err, SIM_EINPUT, path, 0, 0,
                         "'root_frame' is null: the profile has no samples");
    if (!json_is_number(json_object_get(root, "duration")) ||
        !json_is_integer(json_object_get(root, "sample_count")) ||
        !json_is_number(json_object_get(root, "start_time")))
        return error_set(err, SIM_EINPUT, path, 0, 0,
                         "no number 'start_time', 'duration' or 'sample_count': "
                         "not pyinstrument 4.x/5.x JSON renderer output");
    s->start_time = json_number_value(json_object_get(root, "start_time"));
    s->duration_s = json_number_value(json_object_get(root, "duration"));
    s->sample_count = (long)json_integer_value(json_object_get(root, "sample_count"));
    v = json_object_get(root, "cpu_time");
    s->cpu_time_s = json_is_number(v) ? json_number_value(v) : -1.0;
    target = opt_string(root, "target_description");
    if (target == NULL)
        target = opt_string(root, "program");   /* pyinstrument 3.x and 4.0 */
    snprintf(s->target, sizeof s->target, "%s", target ? target : "");
    return 0;
}

/* Walk the tree from root, iteratively, summing bucket times into s. */
static int tree_walk(pyi_summary *s, json_t *root, const char *path,
                     sim_error *err)
{
    static const struct { unsigned bit; int bucket; } map[] = {
        { M_IMPORT, PYI_IMPORT }, { M_LOAD, PYI_LOAD },
        { M_CLEANUP, PYI_CLEANUP }, { M_SUBMIT, PYI_SUBMIT },
        { M_LOGGING, PYI_LOGGING }, { M_SUBMIT_LOGGING, PYI_SUBMIT_LOGGING },
        { M_LOCK, PYI_LOGGING_LOCK }, { M_SERIALIZE, PYI_SERIALIZE },
        { M_WAIT, PYI_WAIT },
    };
    pending *stack = NULL;
    size_t n = 0, cap = 0, i;
    double covered = 0;
    int rc = frame_check(root, 0, "", path, err);

    if (rc != 0)
        return rc;
    cap = 256;
    stack = malloc(cap * sizeof *stack);
    if (stack == NULL)
        return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    stack[n++] = (pending){ root, 0, 0 };
    s->seconds[PYI_TOTAL] = json_number_value(json_object_get(root, "time"));

    while (n > 0) {
        pending p = stack[--n];
        json_t *children = json_object_get(p.frame, "children");
        const char *fn = json_string_value(json_object_get(p.frame, "function"));
        const char *fpath = opt_string(p.frame, "file_path");
        const char *cls = opt_string(p.frame, "class_name");
        double t = json_number_value(json_object_get(p.frame, "time"));
        unsigned bits = frame_bits(fn, fpath ? fpath : "", cls, p.depth, p.mask);
        size_t nc = json_array_size(children);

        s->frames++;
        if (cls)
            s->has_class_names = 1;
        if (p.depth > s->max_depth)
            s->max_depth = p.depth;
        for (i = 0; i < sizeof map / sizeof map[0]; i++)
            if (bits & map[i].bit)
                s->seconds[map[i].bucket] += t;
        if (bits & M_COVERED)
            covered += t;
        if (n + nc > cap) {
            size_t ncap = cap;
            pending *grown;
            while (n + nc > ncap)
                ncap *= 2;
            grown = realloc(stack, ncap * sizeof *stack);
            if (grown == NULL) {
                free(stack);
                return error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
            }
            stack = grown;
            cap = ncap;
        }
        for (i = nc; i-- > 0;) {
            json_t *c = json_array_get(children, i);
            if ((rc = frame_check(c, p.depth + 1, fn, path, err)) != 0) {
                free(stack);
                return rc;
            }
            stack[n++] = (pending){ c, p.mask | bits, p.depth + 1 };
        }
    }
    free(stack);
    s->seconds[PYI_WORKLOAD] = s->seconds[PYI_TOTAL] - s->seconds[PYI_IMPORT] -
                               s->seconds[PYI_LOAD] - s->seconds[PYI_CLEANUP];
    s->seconds[PYI_REST] = s->seconds[PYI_TOTAL] - covered;
    return 0;
}

int pyi_load(pyi_summary *s, const char *path, sim_error *err)
{
    gz_source src = { NULL, 0 };
    json_error_t jerr;
    json_t *root = NULL;
    int rc;

    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    src.gz = gzopen(path, "rb");
    if (src.gz == NULL)
        return error_set(err, SIM_EIO, path, 0, 0, "cannot open: %s",
                         strerror(errno ? errno : ENOMEM));
    gzbuffer(src.gz, 1 << 17);
    root = json_load_callback(gz_read, &src, 0, &jerr);
    gzclose(src.gz);
    if (src.failed)
        rc = error_set(err, SIM_EIO, path, 0, 0, "read error");
    else if (root == NULL && json_error_code(&jerr) == json_error_out_of_memory)
        rc = error_set(err, SIM_ENOMEM, path, 0, 0, "out of memory");
    else if (root == NULL)
        rc = error_set(err, SIM_EINPUT, path, jerr.line > 0 ? jerr.line : 0,
                       jerr.column > 0 ? jerr.column : 0, "%s", jerr.text);
    else if ((rc = header_read(s, root, path, err)) == 0)
        rc = tree_walk(s, json_object_get(root, "root_frame"), path, err);
    json_decref(root);
    return rc;
}
