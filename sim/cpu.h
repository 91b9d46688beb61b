/*
** The machine's cores under processor sharing. Every runnable burst of CPU
** work (a thread holding its process's GIL, or a log write outside it)
** is a job here; when n jobs run on C cores each advances at rate
** min(1, C/n). Rather than rescheduling every job when n changes, the
** module keeps a virtual clock V that advances at that common rate: a job
** of w seconds started at V0 ends when V reaches V0 + w, so jobs finish in
** order of their virtual finish, kept in a calendar (cal.h). The event
** loop asks for the real time of the next finish.
*/
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <stdint.h>

#include "cal.h"

typedef struct cpu {
    cal jobs;             /* running jobs keyed by virtual finish time, by thread */
    double cores;         /* C */
    double vnow;          /* virtual time at last_time */
    double last_time;     /* real time of the last update */
    double busy;          /* integral of min(n, C) dt: busy core-seconds */
    double *rate;         /* [n]: min(1, C/n) for n running jobs; owned, one block */
    double *inverse_rate; /* [n]: 1 / rate[n], in the same block */
    double *busy_cores;   /* [n]: min(n, C), in the same block */
} cpu;

/* Room for max_jobs concurrent jobs. Returns 0 or SIM_ENOMEM. */
int cpu_init(cpu *c, int cores, uint32_t max_jobs);
void cpu_release(cpu *c);

/* Start a job of work seconds for thread at real time now (now is never
** before the last update). seq orders equal finishes. */
void cpu_start(cpu *c, double now, double work, uint64_t seq, uint32_t thread);

/* Real time at which the earliest job finishes, and its calendar key
** (cal_event.key: its seq, for ties); INFINITY when nothing runs. */
double cpu_next(const cpu *c, uint64_t *key);

/* Finish the earliest job at real time now (its cpu_next time) and drop
** it; returns its thread. */
uint32_t cpu_finish(cpu *c, double now);

#endif
