/*
** The machine's cores under processor sharing. Every runnable burst of CPU
** work (a thread holding its process's GIL, or a log write outside it)
** is a job here; when n jobs run on C cores each advances at rate
** min(1, C/(n + B)), B being other processes' CPU-bound load (0 on an
** idle machine). Rather than rescheduling every job when n changes, the
** module keeps a virtual clock V that advances at that common rate: a job
** of w seconds started at V0 ends when V reaches V0 + w, so jobs finish in
** order of their virtual finish, kept in a calendar (cal.h). The event
** loop asks for the real time of the next finish.
*/
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <stdint.h>

#include "cal.h"

/* The cores' share with n jobs running. */
typedef struct cpu_share {
    double rate;          /* min(1, C/(n + B)) */
    double inverse_rate;  /* 1 / rate */
    double busy_cores;    /* n * rate: these jobs' busy cores */
} cpu_share;

typedef struct cpu {
    cal jobs;             /* running jobs keyed by virtual finish time, by thread */
    double cores;         /* C */
    int background;       /* B: other processes' always-runnable jobs beside these */
    double vnow;          /* virtual time at last_time */
    double last_time;     /* real time of the last update */
    double busy;          /* integral of min(n, C) dt: busy core-seconds */
    cpu_share *shares;    /* [n] for every n up to max_jobs, once; owned */
    const cpu_share *share; /* shares[n] for the n jobs running now */
} cpu;

/* Room for max_jobs concurrent jobs, beside background always-runnable
** jobs of other processes. Returns 0 or SIM_ENOMEM. */
int cpu_init(cpu *c, int cores, uint32_t max_jobs, int background);
void cpu_release(cpu *c);

/* Start a job of work seconds for thread at real time now (now is never
** before the last update). seq orders equal finishes. */
void cpu_start(cpu *c, double now, double work, uint64_t seq, uint32_t thread);

/* cpu_start of a job of no work, which finishes at now. When it would be
** the cores' next finish (every running job's is later), it is finished
** at once instead, as if started and then given to cpu_finish: returns 1,
** and the caller handles its end. Returns 0 when it was started. */
int cpu_start_nothing(cpu *c, double now, uint64_t seq, uint32_t thread);

/* Real time at which the earliest job finishes, and its calendar key
** (cal_event.key: its seq, for ties); INFINITY when nothing runs. */
double cpu_next(const cpu *c, uint64_t *key);

/* Finish the earliest job at real time now (its cpu_next time) and drop
** it; returns its thread. */
uint32_t cpu_finish(cpu *c, double now);

#endif
