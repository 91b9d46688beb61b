/*
** The trace store: one SQLite database holding everything calibration
** fits from (schema in docs/tracestore.md): runs, tasks, per-task events
** and log-record counts read from parsl.log and the HTEX logs,
** pyinstrument summaries, micro-benchmarks, and one row of provenance per
** ingested file. It sits after the readers (parsllog.c, pyinstrument.c)
** and before the fits.
**
** Every ingest is one transaction: a file that fails half way leaves the
** store exactly as it was. A file whose FNV-1a 64 hash is already stored
** is skipped, so ingesting a bundle twice is harmless.
*/
#ifndef SIM_TRACESTORE_H
#define SIM_TRACESTORE_H

#include <stdint.h>

#include "../sim/error.h"

typedef struct tracestore tracestore;

/* A timing run, as traces/capture describes it (strings may be ""). */
typedef struct tracestore_run {
    char bundle[256];        /* the bundle (or folder) it came from */
    char name[128];          /* the run's id within the bundle; (bundle, name) is unique */
    char workload[32];       /* double, increment, fibonacci, ... */
    long size;               /* workload size parameter (N, depth, n) */
    long tasks;              /* tasks the workload creates, or -1 */
    char executor[32];       /* threads or htex */
    int workers_requested;   /* workers asked for */
    int workers_started;     /* workers Parsl started, or -1 */
    char logging[16];        /* on, off, off_all */
    int rep;                 /* repetition index */
    char role[16];           /* fit, validate, startup, ... */
    double makespan_s;       /* workload wall time, or -1 */
    double load_s;           /* parsl.load time, or -1 */
    double shutdown_s;       /* cleanup time, or -1 */
} tracestore_run;

/* Open (creating when absent) the store at path. Returns 0 with *out set
** (the caller closes it with tracestore_close), or SIM_EDB. */
int tracestore_open(tracestore **out, const char *path, sim_error *err);
void tracestore_close(tracestore *ts);

/* Add a run, or find the one with the same (bundle, name), whose other
** fields are then updated. Returns 0 with *run_id set, or SIM_EDB. */
int tracestore_run_add(tracestore *ts, const tracestore_run *run,
                       int64_t *run_id, sim_error *err);

/* Ingest a Parsl log file for run_id: parsl.log, worker_N.log,
** manager.log or interchange.log (told apart by name, plain or .gz).
** Ingest parsl.log before the worker logs of the same run so worker
** records find their tasks. Returns 0 with *skipped (may be NULL) 1 when
** the file's content was already stored, 0 when ingested; or SIM_EIO,
** SIM_EINPUT (from the reader, with line) or SIM_EDB, leaving the store
** unchanged. */
int tracestore_ingest_log(tracestore *ts, int64_t run_id, const char *path,
                          int *skipped, sim_error *err);

/* Ingest a pyinstrument JSON profile for run_id (0 for none): its header
** and the bucket seconds of pyinstrument.h. Returns as
** tracestore_ingest_log. */
int tracestore_ingest_profile(tracestore *ts, int64_t run_id,
                              const char *path, int *skipped, sim_error *err);

/* Ingest a Parsl monitoring database (monitoring.db, MonitoringHub's
** SQLite) for run_id: every row of its status table (task id, state,
** timestamp) as a task_events row of event "monitoring". Returns as
** tracestore_ingest_log; SIM_EINPUT names the file when it has no
** readable status table. */
int tracestore_ingest_monitoring(tracestore *ts, int64_t run_id, const char *path,
                                 int *skipped, sim_error *err);

/* Record one micro-benchmark result measured by source (a file name or a
** label). Returns 0 or SIM_EDB. */
int tracestore_micro_add(tracestore *ts, const char *source, const char *bench,
                         double median_s, double spread_s, long n,
                         sim_error *err);

/* FNV-1a 64 of the file's bytes as 16 hex digits into hex[17], and its
** size. Returns 0 or SIM_EIO. */
int tracestore_file_hash(const char *path, char hex[17], int64_t *size,
                         sim_error *err);

/* The underlying connection, for queries by the fits and the tests.
** Owned by ts. */
struct sqlite3 *tracestore_db(tracestore *ts);

#endif
