/*
** Reader for pyinstrument profiles in the JSON renderer's format
** (pyinstrument 4.x and 5.x, `python -m pyinstrument -r json`), plain or
** gzipped. It walks the frame tree once and attributes the main thread's
** time to buckets the calibration fits need: time under
** DataFlowKernel.submit, under the logging module, logging within submit,
** the logging handler's lock, serialization, waiting on locks and futures,
** and the start-up parts (imports, parsl.load, cleanup) that are not
** workload. It sits between traces/capture and the trace store: the store
** calls pyi_load and keeps the summary.
**
** Frame times in the format are inclusive, so a bucket's time is the sum
** of the times of its outermost matching frames: a logging frame under
** submit counts once in logging and once in submit_logging, and a logging
** frame under another logging frame is not counted again.
*/
#ifndef SIM_PYINSTRUMENT_H
#define SIM_PYINSTRUMENT_H

#include "../sim/error.h"

enum pyi_bucket {
    PYI_TOTAL,          /* the root frame: all sampled main-thread time */
    PYI_IMPORT,         /* module imports (<module> frames below the root, importlib) */
    PYI_LOAD,           /* parsl.load: DataFlowKernelLoader.load and the DFK's start-up */
    PYI_CLEANUP,        /* DataFlowKernel.cleanup */
    PYI_WORKLOAD,       /* total - import - load - cleanup */
    PYI_SUBMIT,         /* under DataFlowKernel.submit (parsl/dataflow/dflow.py) */
    PYI_LOGGING,        /* under the logging module (logging/__init__.py, handlers.py) */
    PYI_SUBMIT_LOGGING, /* logging frames under submit */
    PYI_LOGGING_LOCK,   /* Handler.acquire inside logging: the handler lock wait */
    PYI_SERIALIZE,      /* parsl/serialize, dill, pickle */
    PYI_WAIT,           /* threading wait/acquire, lock builtins, futures result/wait */
    PYI_REST,           /* total minus every bucket above that is not derived */
    PYI_BUCKET_COUNT
};

typedef struct pyi_summary {
    char path[512];                    /* the file read */
    double start_time;                 /* profile start, Unix seconds */
    double duration_s;                 /* wall-clock duration of the profile */
    double cpu_time_s;                 /* process CPU time, or -1 when absent */
    long sample_count;                 /* samples taken */
    char target[256];                  /* target_description (the program), or "" */
    double seconds[PYI_BUCKET_COUNT];  /* seconds per bucket, indexed by enum pyi_bucket */
    long frames;                       /* frames in the tree */
    int max_depth;                     /* deepest frame, the root at 0 */
    int has_class_names;               /* 1 when frames carry class_name (pyinstrument 4.6+) */
} pyi_summary;

/* Read the profile at path (".gz" read through zlib) into s, caller-owned.
** Returns 0; or SIM_EIO when the file cannot be read, SIM_EINPUT when it is
** not a pyinstrument JSON profile (syntax errors carry line and column;
** a missing root_frame or a frame without function/time/children names
** the key), SIM_ENOMEM; err filled and s undefined on failure. */
int pyi_load(pyi_summary *s, const char *path, sim_error *err);

/* The bucket's name ("submit", "submit_logging", ...), NULL when out of range. */
const char *pyi_bucket_name(int bucket);

#endif
