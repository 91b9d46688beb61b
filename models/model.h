/*
** The model file: every cost the simulator uses, read from and written to
** YAML (models/NAME.yaml, format in docs/model.md). `sim calibrate` writes
** it, `sim run` and `sim validate` read it. The struct is plain data: the
** simulator copies what it needs into its own tables before a run, so
** nothing here sits on the event loop's path.
**
** Costs are per-task stages, each paid on a named thread or process (see
** the stage list below), with a distribution (constant, lognormal or
** gamma, given by mean and coefficient of variation) and a count of log
** records the stage writes when logging is enabled. Logging is a cost
** family of its own: one enabled record costs record_enabled_s on the GIL
** plus record_io_s holding the log handler's lock with the GIL released
** (the write and flush); a disabled call costs record_disabled_s.
*/
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include "../sim/error.h"

/* The per-task stages, in the order a task meets them. Where a stage runs
** is fixed by the simulator's Parsl model (docs/model.md), not by the file. */
enum model_stage_id {
    STAGE_SUBMIT,             /* app call + DFK submit, on the caller's thread */
    STAGE_DEP_CHECK,          /* one outstanding dependency counted (per dependency, per check) */
    STAGE_LAUNCH_THREADS,     /* launch thread: launch_if_ready + ThreadPoolExecutor.submit */
    STAGE_LAUNCH_HTEX,        /* launch thread: launch_if_ready + serialize + ZMQ send */
    STAGE_LAUNCH_SKIP,        /* launch thread: a launch attempt that finds dependencies outstanding */
    STAGE_EXECUTE_THREADS,    /* ThreadPoolExecutor worker thread: wrapper + app body */
    STAGE_COMPLETE,           /* DFK completion callback: state, app future, dependents */
    STAGE_INTERCHANGE_TASK,   /* interchange process: receive a task, dispatch to a manager */
    STAGE_MANAGER_TASK,       /* manager process: receive a task, hand it to a worker */
    STAGE_WORKER_EXECUTE,     /* worker process: deserialize, run, serialize */
    STAGE_MANAGER_RESULT,     /* manager process: forward a result */
    STAGE_INTERCHANGE_RESULT, /* interchange process: forward a result to the client */
    STAGE_RESULT_RECEIVE,     /* HTEX result thread: receive and deserialize */
    STAGE_JOIN_EXECUTE,       /* join app body on the internal pool thread (children's submits apart) */
    STAGE_JOIN_COMPLETE,      /* join task completion when its inner future is done */
    STAGE_COLLECT,            /* main thread: fut.result() on one future, and the sum */
    STAGE_COUNT
};

enum model_dist {
    DIST_CONSTANT,
    DIST_LOGNORMAL,
    DIST_GAMMA
};

typedef struct model_cost {
    int dist;         /* enum model_dist */
    double mean_s;    /* mean cost, seconds, logging excluded */
    double cv;        /* coefficient of variation, sd / mean; 0 for constant */
    double records;   /* log records written per task at this stage, logging on */
    double debug_records; /* of them, DEBUG ones: at logging info, disabled calls */
} model_cost;

typedef struct model {
    char name[128];              /* a short name for tables and the results store */
    int calibrated;              /* 1 when fitted from traces by sim calibrate */
    char parsl_version[64];      /* Parsl the costs describe, e.g. "2026.10.26" */
    char python_version[32];     /* Python the costs describe */
    int machine_cores;           /* cores of the machine the costs describe */
    char machine_cpu[128];       /* its CPU model */
    char machine_host[64];       /* its anonymized host id */
    double machine_memory_gib;   /* its memory */
    int machine_background_cores; /* cores' worth of other CPU-bound load beside Parsl (0: idle) */
    char provenance[512];        /* where the numbers came from (bundle, date) */

    model_cost stage[STAGE_COUNT];   /* indexed by enum model_stage_id */

    double record_enabled_s;     /* one enabled log record: GIL-held part */
    double record_io_s;          /* one enabled log record: handler lock held, GIL released */
    double record_disabled_s;    /* one logging call with the logger disabled */
    double record_handoffs;      /* GIL hand-offs each further record of a step costs while others wait (2 in theory: away and back) */

    int join_pool_threads;       /* Parsl's internal thread pool for join apps */
    double gil_switch_interval_s; /* CPython's sys.getswitchinterval(): the longest a thread keeps the GIL while others wait */
    double gil_handoff_s;        /* dead time when the GIL or a lock passes to a blocked thread (the OS wakes it) */
    double thread_start_s;       /* a ThreadPoolExecutor starting one more worker thread, on the submitting thread */
    double pool_lock_s;          /* how long a ThreadPoolExecutor.submit holds concurrent.futures' global lock; 0 = never contended */
    int htex_prefetch_capacity;  /* tasks a manager takes beyond its idle workers */
    double htex_poll_period_s;   /* interchange/manager poll period */
    double htex_result_push_period_s; /* manager result batching period; 0 = immediate */
    int htex_cores_per_worker;   /* HTEX starts min(asked, cores / this) workers */

    /* CPython's cyclic collector in the submitting process. A full
    ** (generation 2) collection walks every tracked object with the GIL
    ** held; the objects are mostly the futures the program holds, one set
    ** per task submitted. */
    double gc_full_base_s;       /* a full collection's pause with no task held */
    double gc_full_per_task_s;   /* its added pause per task submitted (held) */
    int gc_full_check_tasks;     /* submits between full-collection checks; 0 = none */
    int gc_full_first_tasks;     /* the submit of the first check; 0 = drawn from 1..check_tasks */
    double gc_full_growth;       /* a check collects once the tasks held grew by this fraction since the last */

    char path[512];              /* the file it was loaded from, or "" */
    char hash[17];               /* FNV-1a 64 of the file's bytes, hex; "" if none */
} model;

/* Load the model at path into m (caller-owned storage). Every key must be
** known and every stage present; errors carry file:line:column. Returns 0,
** or SIM_EIO / SIM_EINPUT with err filled and m undefined. */
int model_load(model *m, const char *path, sim_error *err);

/* Write m to path in the model file format, atomically (a temporary file
** renamed over path), so a failure leaves any previous file untouched.
** Returns 0 or SIM_EIO. */
int model_write(const model *m, const char *path, sim_error *err);

/* Apply one override "key=value" style, key a dotted path as in the file
** ("stages.submit.mean_s", "logging.record_enabled_s", "htex.prefetch_capacity").
** Returns 0, or SIM_EINPUT naming the key. */
int model_set(model *m, const char *key, const char *value, sim_error *err);

/* The file's name for a stage ("submit", "launch_htex", ...), and back:
** model_stage_lookup returns the stage id or -1. */
const char *model_stage_name(int stage);
int model_stage_lookup(const char *name);

#endif
