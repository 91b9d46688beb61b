/*
** The inside of one simulated run, shared by sim.c (the Python runtime:
** threads, GILs, the log handler lock, the cores, the event loop) and
** dfk.c (what Parsl does at each step of a task's life). Tests may include
** it to look at a run's state.
**
** A run is a set of Python processes, each with one GIL and one log
** handler lock, and threads in them. Threads serve pools: a pool is a FIFO
** of jobs and the threads that take jobs from it (the main thread and the
** task-launch thread are pools of one; ThreadPoolExecutor workers, the
** internal join pool and HTEX's worker processes are pools of many). A job
** is one task at one stage of its life, and runs as one or more steps; a
** step is a burst of CPU work holding the GIL, then, when the step wrote
** log records, a burst of log I/O holding the handler lock with the GIL
** released. Bursts run on the cores under processor sharing (cpu.h).
** A step that calls ThreadPoolExecutor.submit ends holding the process's
** pool lock (concurrent.futures' _global_shutdown_lock) for the submit's
** last pool_lock seconds: a thread preempted there keeps the lock without
** the GIL, and the lock convoy that follows is sim.c's to play out.
*/
#ifndef SIM_SIM_INT_H
#define SIM_SIM_INT_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "cpu.h"
#include "dag.h"
#include "cal.h"
#include "sim.h"

enum job_kind {
    JOB_MAIN,               /* the user's program on the main thread */
    JOB_LAUNCH,             /* one launch attempt on the task-launch thread */
    JOB_EXECUTE,            /* a ThreadPoolExecutor worker runs and completes the task */
    JOB_JOIN_BODY,          /* a join body: its children's submits, then the body */
    JOB_INTERCHANGE_TASK,   /* HTEX, task on its way out ... */
    JOB_MANAGER_TASK,
    JOB_WORKER,
    JOB_MANAGER_RESULT,     /* ... and its result on the way back */
    JOB_INTERCHANGE_RESULT,
    JOB_RESULT              /* the HTEX result thread receives and completes */
};

enum step_outcome {
    STEP_CONTINUE,   /* the same job has another step on the same thread */
    STEP_MOVED,      /* the job went to another pool, or was freed */
    STEP_BLOCK       /* the thread waits (the main thread on a future) */
};

enum pool_id {
    POOL_MAIN, POOL_LAUNCH, POOL_EXECUTE, POOL_JOIN, POOL_RESULT,
    POOL_INTERCHANGE, POOL_MANAGER, POOL_WORKER, POOL_COUNT
};

enum thread_phase {
    PHASE_IDLE, PHASE_WAIT_GIL, PHASE_CPU, PHASE_WAIT_HANDLER, PHASE_IO,
    PHASE_BLOCKED, PHASE_WAIT_LOCK, PHASE_LOCK_WAKE, PHASE_WAKING
};

enum task_status {
    TASK_UNSUBMITTED, TASK_PENDING, TASK_LAUNCHED, TASK_JOINING, TASK_DONE
};

typedef struct job {
    int32_t task;     /* the task, or -1 for the main program */
    int32_t next;     /* link in a pool's FIFO, the free list, or a parked queue */
    uint8_t kind;     /* enum job_kind */
    uint8_t step;     /* which step; a launch attempt keeps its decision here */
} job;

typedef struct process process;

typedef struct thread {
    process *proc;        /* owning process, in sim.processes */
    int32_t pool;         /* pool it serves */
    int32_t job;          /* current job, or -1 */
    int32_t next_waiter;  /* link in a GIL, handler-lock or pool-lock wait queue */
    uint8_t role;         /* enum sim_role, its pool's */
    uint8_t shared;       /* its process has other threads */
    uint8_t phase;        /* enum thread_phase */
    uint8_t holds_gil;    /* 1 while it holds its process's GIL */
    uint8_t woken;        /* it was blocked; its next burst pays the wake-up */
    uint8_t lock_step;    /* the current step ends in ThreadPoolExecutor.submit */
    uint8_t lock_section; /* it holds the pool lock; its next burst ends the submit */
    uint8_t lock_regain;  /* its submit waits for the GIL its records' flush let go */
    uint8_t in_logging;   /* its records' flush let the GIL go; not yet back at work */
    double logging_since; /* when that flush began */
    double gil_since;     /* when it took the GIL */
    double io;            /* the current step's log I/O, seconds */
    double records;       /* log records the current step writes */
    uint8_t flush;        /* its CPU burst ends in their flush, which lets the
                          ** GIL go (records, in a process of many threads) */
    double dead;          /* hand-off dead time owed to its next burst */
    double pending;       /* the burst's work while it waits out its dead time */
    uint8_t pending_phase; /* and its phase */
} thread;

enum process_logging {
    PROCESS_LOG_NONE,         /* every logging call is a disabled one */
    PROCESS_LOG_ALL,          /* every record is written (the parsl logger at DEBUG) */
    PROCESS_LOG_INFO          /* DEBUG calls are disabled ones, the rest written */
};

struct process {
    int32_t gil_holder;       /* thread holding the GIL, or -1 */
    int32_t gil_head;         /* FIFO of threads waiting for it */
    int32_t gil_tail;
    double gil_wait_start;    /* when the head waiter's wait on this holder began */
    int32_t handler_holder;   /* thread holding the log handler's lock, or -1 */
    int32_t handler_head;
    int32_t handler_tail;
    double handler_since;     /* when the holder took it */
    int32_t lock_holder;      /* thread holding the pool lock, or -1 */
    int32_t lock_head;        /* FIFO of threads blocked on it */
    int32_t lock_tail;
    uint8_t logging;          /* enum process_logging: which records its logger writes */
    uint8_t single_thread;    /* one thread: log I/O folds into the CPU burst, and
                              ** the thread keeps the GIL while idle (step_done) */
    uint8_t log_mode;         /* enum log_mode, from the two above */
    uint8_t is_submit;        /* the submitting process (GIL accounting) */
};

typedef struct pool {
    int32_t head;         /* FIFO of jobs waiting for a thread */
    int32_t tail;
    int32_t *idle;        /* stack of idle threads; owned */
    int32_t nidle;
    int32_t unstarted;    /* threads a ThreadPoolExecutor has yet to start */
    int32_t next_start;   /* the thread it starts next */
} pool;

/* Draws come from a table of the distribution's quantiles (GSL's inverse
** CDFs), interpolated: one uniform per draw instead of a Gaussian and an
** exp, which at ~11 draws a task was a third of the event loop's time.
** The tails beyond the outermost quantiles are cut: 1 in 2 * QUANTILES. */
#define QUANTILES 256     /* 2^8: a draw's top 8 bits index it */

/* How a process's records cost (stage_cost.log_*): written by the GIL
** holder with the I/O in its burst (a process of one thread), written with
** the I/O apart under the handler lock, or not written (logger off). */
/* LOG_INFO: a process of several threads at INFO, its DEBUG calls disabled ones. */
enum log_mode { LOG_SINGLE, LOG_SHARED, LOG_OFF, LOG_INFO, LOG_MODES };

typedef struct stage_cost {
    double mean;          /* seconds; every draw when quantile is NULL */
    double records;       /* log records per task at this stage */
    double *quantile;     /* [QUANTILES + 1] or NULL for a constant; owned */
    gsl_rng *rng;         /* this stage's own stream; owned */
    unsigned long (*get)(void *); /* rng's generator and its state, as
                          ** gsl_rng_get calls them, one load each a draw */
    void *state;
    /* by enum log_mode, the stage's records: */
    double log_records[LOG_MODES];  /* records written: records, or 0 when off */
    double log_cpu[LOG_MODES];      /* CPU in logging calls, in the stage's burst */
    double log_io[LOG_MODES];       /* I/O in a burst of its own (LOG_SHARED) */
    double log_busy[LOG_MODES];     /* their share of sim_result.logging_busy_s */
} stage_cost;

/* What dfk_plan says a step costs besides its CPU work. */
typedef struct step_plan {
    double io;            /* log I/O outside the GIL, seconds */
    double records;       /* log records it writes */
    double logging;       /* its logging calls' CPU (records, disabled calls) */
    int locks;            /* it calls ThreadPoolExecutor.submit: 1, or 2 when
                          ** that starts a thread */
} step_plan;

typedef struct sim {
    const sim_config *cfg;
    dag dag;                  /* the workload; owned */
    uint8_t *status;          /* [tasks] enum task_status */
    uint8_t *inner_done;      /* [tasks] a join's returned future finished first */
    int32_t *outstanding;     /* [tasks] dependencies not yet done */
    double *latency;          /* [tasks] submit time, then submit-to-done seconds */

    job *jobs;                /* job pool, sized once in setup; owned */
    int32_t jobs_capacity;    /* tasks + edges + 1: enough, see sim.c */
    int32_t jobs_used;        /* jobs[jobs_used..] never handed out yet */
    int32_t free_job;         /* head of the freed jobs' list, or -1 */

    thread *threads;          /* owned */
    int32_t nthreads;
    process *processes;       /* owned */
    int32_t nprocesses;
    pool pools[POOL_COUNT];

    cpu cpu;                  /* the cores: every pending burst */
    cal delays;               /* dead times: threads waking, on no core */
    uint64_t seq;             /* insertion sequence for both */
    double now;

    stage_cost cost[STAGE_COUNT];
    double switch_interval;
    double handoff;           /* wake-up dead time of a blocked thread */
    double record_handoffs;   /* wake-ups per further record of a contended step */
    double thread_start;      /* starting a pool thread */
    double pool_lock;         /* a ThreadPoolExecutor.submit's time under the pool lock */
    int flush_keeps_gil;      /* other load leaves no core for a flush's waiter to wake on */

    int32_t main_thread;
    int32_t main_submit_next;     /* next top-level task to submit */
    int32_t main_collect_next;    /* next top-level future to wait on */
    int32_t main_waiting;         /* task the main thread blocks on, or -1 */
    int32_t collect_batch;        /* futures one collect step takes at most */
    double finish_time;           /* when the main program returned */

    int32_t manager_capacity;     /* HTEX: workers + prefetch */
    int32_t manager_outstanding;  /* tasks at the manager or its workers */
    int32_t parked_head;          /* tasks waiting in the interchange */
    int32_t parked_tail;
    int app_launch_stage;         /* STAGE_LAUNCH_THREADS or _HTEX */

    /* CPython's full collections in the submitting process (model gc.*) */
    long gc_submitted;            /* tasks submitted so far */
    long gc_next_check;           /* the submit that makes the next check */
    long gc_last_full;            /* gc_submitted at the last full collection */
    long gc_check;                /* submits between checks; 0 = never */
    double gc_growth;             /* growth since the last that a check needs */
    double gc_base, gc_per_task;  /* a full collection's pause: base + per task held */

    sim_result res;               /* the accumulators, in the run's own block
                                  ** (no pointer to follow an event); copied
                                  ** out when the run ends */
    long done;                    /* tasks completed */
} sim;

/* sim.c: the runtime, for dfk.c */
int32_t sim_job_new(sim *s, int kind, int32_t task);
void sim_job_free(sim *s, int32_t j);
void sim_pool_push(sim *s, int pool, int32_t j);
void sim_wake(sim *s, int32_t thread);
void sim_pool_start_thread(sim *s, int pool);
double sim_collect(sim *s);

/* dfk.c: Parsl's side of each step */
double dfk_plan(sim *s, const thread *t, job *j, step_plan *sp);
int dfk_finish(sim *s, int32_t j);

#endif
