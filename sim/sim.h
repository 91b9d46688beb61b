/*
** One simulated run: a workload DAG replayed through the Parsl model
** (submit side, ThreadPoolExecutor or HTEX) on the event engine, with the
** costs of one model file. This is the boundary the CLI, experiments and
** validation call; everything below it (engine, dag, executors) is theirs.
*/
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdint.h>

#include "../models/model.h"
#include "error.h"

enum sim_workload { WORKLOAD_DOUBLE, WORKLOAD_INCREMENT, WORKLOAD_FIBONACCI };
enum sim_executor { EXECUTOR_THREADS, EXECUTOR_HTEX };
/* The submitting process's threads by what they do, as the capture
** harness groups their measured CPU (runs.csv thread_cpu_<role>_s), then
** HTEX's own processes (runs.csv cpu_interchange_s, cpu_manager_s,
** cpu_workers_s). */
enum sim_role {
    SIM_ROLE_MAIN,         /* the user's program */
    SIM_ROLE_LAUNCH,       /* Parsl's Task-Launch thread */
    SIM_ROLE_WORKERS,      /* ThreadPoolExecutor workers */
    SIM_ROLE_JOIN,         /* the internal join-app pool */
    SIM_ROLE_RESULT,       /* HTEX's result thread */
    SIM_ROLE_SUBMIT_COUNT, /* the roles above are the submitting process's */
    SIM_ROLE_INTERCHANGE = SIM_ROLE_SUBMIT_COUNT,
    SIM_ROLE_MANAGER,
    SIM_ROLE_HTEX_WORKERS, /* HTEX's worker processes, together */
    SIM_ROLE_COUNT
};

enum sim_logging {
    LOGGING_ON,      /* Parsl's default: DEBUG file logging everywhere */
    LOGGING_OFF,     /* initialize_logging=False: submit side silent, HTEX workers still log */
    LOGGING_OFF_ALL, /* the worker side silenced too */
    LOGGING_INFO,    /* on, with the submitting process's parsl logger at INFO: its DEBUG
                     ** calls make no record (HTEX's processes log as with on) */
    LOGGING_COUNT
};

typedef struct sim_config {
    int workload;           /* enum sim_workload */
    long size;              /* the program's argument: N, depth or n */
    int executor;           /* enum sim_executor */
    int workers;            /* threads or HTEX workers asked for */
    int logging;            /* enum sim_logging */
    int cores;              /* machine cores; 0 = the model's machine_cores */
    uint64_t seed;          /* seeds every random stream of the run */
    const model *model;     /* costs; borrowed, not freed */
} sim_config;

typedef struct sim_result {
    long tasks;               /* Parsl tasks the workload created */
    int workers_started;      /* workers Parsl would really start */
    int cores;                /* cores simulated */
    double makespan_s;        /* first submit to last result, seconds */
    double throughput_tps;    /* tasks / makespan */
    double latency_mean_s;    /* per task: submit start to app future set */
    double latency_p50_s;
    double latency_p99_s;
    double stage_busy_s[STAGE_COUNT]; /* CPU seconds spent in each stage, logging excluded */
    double role_cpu_s[SIM_ROLE_COUNT];  /* the threads by role (enum sim_role): their
                                        ** bursts (stages, records, log I/O), seconds */
    double role_dead_s[SIM_ROLE_COUNT]; /* and their wake-ups' and records' hand-offs' dead time */
    double role_logging_s[SIM_ROLE_COUNT]; /* their wall time inside logging calls, as a
                                        ** sampling profiler sees it: the records' CPU, then
                                        ** from the flush letting the GIL go to the thread's
                                        ** next burst (the write, the handler lock, the GIL
                                        ** back, the hand-offs) */
    double logging_busy_s;    /* CPU seconds in logging calls, all processes */
    double gil_busy_s;        /* seconds the submitting process's GIL was held */
    double handler_busy_s;    /* seconds the submit side's log handler lock was held */
    double core_utilization;  /* busy core-seconds / (cores * makespan) */
    long wakeups;             /* blocked threads of the submitting process woken */
    double record_handoffs;   /* GIL hand-offs its log records' flushes caused while others waited; with wakeups, what its voluntary context switches count */
    long gc_full_collections; /* CPython full collections in the submitting process */
    double gc_busy_s;         /* seconds they held its GIL */
    long events;              /* events the engine processed */
} sim_result;

/* The task count of a workload at a size, without building it (fibonacci
** in closed form). Returns -1 for a size out of range. */
long sim_task_count(int workload, long size);

/* Of those, the python_app tasks an executor runs; -1 out of range. */
long sim_app_task_count(int workload, long size);

/* The workers Parsl would start for the executor on the machine: all of
** them for threads, min(asked, cores / cores_per_worker) for HTEX. */
int sim_workers_started(const sim_config *cfg);

/* Run one configuration. Returns 0 with res filled, SIM_EINPUT for a bad
** configuration (workers < 1, unknown workload) or SIM_ENOMEM when the
** DAG does not fit in memory; err says which. Deterministic: the same
** config (seed included) gives bit-identical results. */
int sim_run(const sim_config *cfg, sim_result *res, sim_error *err);

/* Names for the enums, as used on the command line and in files, and
** back (-1 when unknown). */
const char *sim_workload_name(int workload);
const char *sim_executor_name(int executor);
const char *sim_logging_name(int logging);
const char *sim_role_name(int role);     /* "main", "launch", "workers", "join", "result",
                                        ** "interchange", "manager", "htex_workers" */
int sim_workload_lookup(const char *name);
int sim_executor_lookup(const char *name);
int sim_logging_lookup(const char *name);

#endif
