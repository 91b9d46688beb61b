/*
** The machine's cores under processor sharing. Every runnable burst of CPU
** work (a thread holding its process's GIL, or a log write outside it)
** is a job here; when n jobs run on C cores each advances at rate
** min(1, C/(n + B)), B being other processes' CPU-bound load (0 on an
** idle machine). Rather than rescheduling every job when n changes, the
** module keeps a virtual clock V that advances at that common rate: a job
** of w seconds started at V0 ends when V reaches V0 + w, so jobs finish in
** order of their virtual finish, kept in a heap. The event loop asks for
** the real time of the next finish; that queue is the event calendar.
*/
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <stdint.h>

#include "heap.h"

typedef struct cpu {
    heap jobs;            /* running jobs keyed by virtual finish time; arg = thread */
    double cores;         /* C */
    int background;       /* B: other processes' always-runnable jobs beside these */
    double vnow;          /* virtual time at last_time */
    double last_time;     /* real time of the last update */
    double busy;          /* integral of min(n, C) dt: busy core-seconds */
    int finished_on_top;  /* the earliest job has finished but is still stored */
    double *rate;         /* [n]: min(1, C/n) for n running jobs; owned, one block */
    double *inverse_rate; /* [n]: 1 / rate[n], in the same block */
    double *busy_cores;   /* [n]: min(n, C), in the same block */
} cpu;

/* Room for max_jobs concurrent jobs, beside background always-runnable
** jobs of other processes. Returns 0 or SIM_ENOMEM. */
int cpu_init(cpu *c, int cores, uint32_t max_jobs, int background);
void cpu_release(cpu *c);

/* Start a job of work seconds for thread at real time now (now is never
** before the last update). seq orders equal finishes. */
void cpu_start(cpu *c, double now, double work, uint64_t seq, uint32_t thread);

/* Real time at which the earliest job finishes, and its seq; INFINITY
** when nothing runs. */
double cpu_next(const cpu *c, uint64_t *seq);

/* Finish the earliest job at real time now (its cpu_next time); returns
** its thread. The job's slot stays at the top until cpu_settle, so that
** the first burst started while handling the finish, by any thread,
** reuses the slot (one sift-down instead of a push and a pop). */
uint32_t cpu_finish(cpu *c, double now);

/* Drop the finished job's slot if no burst took it. Call once after
** handling each cpu_finish. */
void cpu_settle(cpu *c);

#endif
