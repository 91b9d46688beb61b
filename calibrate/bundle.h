/*
** Reading a trace bundle written by traces/capture (format: docs/bundle.md):
** manifest.json (machine, versions, completeness), runs.csv (one timing
** run a row) and micro.json (micro-benchmarks). The run logs stay on disk;
** bundle_run_file finds them. This is the first step of calibration: the
** fits (fit.c) and the trace store (tracestore.c) take what it reads.
*/
#ifndef SIM_BUNDLE_H
#define SIM_BUNDLE_H

#include "../sim/error.h"

/* The submitting process's threads, by what they do (runner.py's roles). */
enum thread_role {
    THREAD_MAIN,      /* the user's program: submits, then collects */
    THREAD_LAUNCH,    /* Parsl's task-launch thread */
    THREAD_WORKERS,   /* ThreadPoolExecutor workers: app bodies and completions */
    THREAD_JOIN,      /* the internal pool running join apps' bodies */
    THREAD_RESULT,    /* HTEX's result thread: receives and completes */
    THREAD_ROLE_COUNT
};

typedef struct bundle_run {
    char id[160];            /* run_id: the folder under runs/ */
    char group[64];          /* the plan group */
    int workload;            /* enum sim_workload, or -1 for an unknown one */
    long size;               /* the program's argument */
    long tasks;              /* tasks it created */
    int executor;            /* enum sim_executor, or -1 */
    int workers_requested;   /* workers asked for */
    int workers_started;     /* workers Parsl started (the manager's log), or -1 */
    int logging;             /* enum sim_logging, or -1 */
    int rep;                 /* repetition */
    int heldout;             /* 1: role heldout, for validation only */
    int profile;             /* 1: profile.json was recorded */
    int monitoring;          /* 1: Parsl monitoring was on */
    int worker_debug;        /* 1: HTEX ran with worker_debug (DEBUG logs on the worker side) */
    int background;          /* busy-loop processes the run had beside it (a busy machine); 0 */
    int off_held;            /* 1: held out for one calibration only (sim calibrate --logging-off-from) */
    int ok;                  /* 1: status ok */
    double makespan_s;       /* warm timed section, first submit to last result; -1 if none */
    double load_s;           /* parsl.load, -1 if none */
    double warmup_s;         /* until every worker ran a task, -1 if none */
    double cleanup_s;        /* DFK cleanup, -1 if none */
    long task_first;         /* first Parsl task id of the timed section, -1 if none */
    long task_last;          /* last one */
    double t_start;          /* Unix time the timed section started, -1 if none */
    double t_end;            /* and ended */
    double cpu_submit_s;     /* CPU of the submitting process in the timed section, -1 if none */
    double host_busy_s;      /* the machine's busy CPU in the timed section, all processes; -1 */
    long switches;           /* its voluntary context switches there, -1 if none */
    double cpu_interchange_s; /* HTEX: of the interchange, -1 if none */
    double cpu_manager_s;    /* HTEX: of the manager */
    double cpu_workers_s;    /* HTEX: of its workers, together */
    double records_interchange; /* HTEX: log records per task in interchange.log, -1 if none */
    double records_manager;  /* HTEX: in manager.log */
    double records_workers;  /* HTEX: in the worker logs, together */
    double thread_cpu_s[THREAD_ROLE_COUNT]; /* CPU of the submitting process's threads
                             ** by role in the timed section, -1 if not measured */
    double thread_switches[THREAD_ROLE_COUNT]; /* their voluntary context switches there,
                             ** -1 if not counted */
} bundle_run;

/* One full (generation 2) cyclic collection of the submitting process
** during a run's timed section (gc.csv; younger generations are not kept). */
typedef struct bundle_collection {
    int run;                 /* index into the bundle's runs */
    double t_s;              /* since the timed section started */
    double duration_s;       /* the pause */
    long tasks_submitted;    /* tasks the run had submitted when it started */
} bundle_collection;

typedef struct bundle {
    char path[512];          /* the bundle's folder */
    char name[128];          /* manifest "name", or the folder's base name */
    int complete;            /* manifest "complete" */
    int cores;               /* machine cores */
    char cpu[128];           /* machine CPU model */
    char cpu_id[64];         /* its family, model and stepping; "" before 2026-12-03 */
    char host[64];           /* anonymized host id */
    double memory_gib;       /* machine memory */
    char os[128];            /* operating system */
    char parsl_version[64];  /* versions */
    char python_version[32];
    bundle_run *runs;        /* [nruns]; owned */
    int nruns;
    bundle_collection *collections; /* [ncollections], full ones, in file order; owned */
    int ncollections;
    int has_gc;              /* 1 when the bundle has gc.csv (harnesses since 2026-12) */
    double log_enabled_s;    /* micro: one enabled Parsl log record, median; -1 if absent */
    double log_disabled_s;   /* micro: one disabled logging call, median; -1 if absent */
    double log_dropped_s;    /* micro: a DEBUG record built, then dropped by an INFO handler
                             ** (set_file_logger's way on HTEX's worker side); -1 if absent */
    double handoff_roundtrip_s; /* micro: queue put/get to another thread and back; -1 if absent */
    double switch_cpu_s;     /* micro: the round trip's CPU over its voluntary switches
                             ** (harnesses since 2026-12-03); -1 if absent */
    double thread_start_s;   /* micro: threading.Thread start, until it runs; -1 if absent */
    double pool_submit_s;    /* micro: ThreadPoolExecutor.submit, under concurrent.futures' lock; -1 if absent */
    double future_done_s;    /* micro: Future.done() on a done future; -1 if absent */
    double future_result_s;  /* micro: Future.result() on a done future; -1 if absent */
} bundle;

/* Read the bundle in folder dir into b (caller's struct; bundle_release
** frees what it holds). Returns 0; SIM_EIO when a file cannot be read;
** SIM_EINPUT with file, line and column when one is malformed (a
** runs.csv row with the wrong number of fields, an unknown column, a
** manifest that is not JSON). Nothing is allocated on failure. */
int bundle_load(bundle *b, const char *dir, sim_error *err);
void bundle_release(bundle *b);

/* 1 when a and b were captured on one machine: the same host, cores and
** CPU model (a VM's host id can stay while it moves to another CPU), and
** CPU family, model and stepping where both recorded them. */
int bundle_same_machine(const bundle *a, const bundle *b);

/* Cores' worth of other processes' CPU beside run r in its timed section:
** the machine's busy CPU less the run's own (the submitting process and
** HTEX's), over the makespan; NAN when the bundle did not measure it. A
** busy machine changes Parsl's regime (docs/validate.md). */
double bundle_run_other_load(const bundle_run *r);

/* 1 when dir looks like a bundle (has manifest.json and runs.csv). */
int bundle_is(const char *dir);

/* The path of a run's file "name" (tries name, then name.gz) into buf.
** Returns buf, or NULL when neither exists. */
const char *bundle_run_file(const bundle *b, const bundle_run *r,
                            const char *name, char *buf, int size);

#endif
