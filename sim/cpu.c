/*
** Processor sharing by virtual time; see cpu.h. The rate min(1, C/n) is
** the same for every running job, which is what makes one virtual clock
** enough: a change in n changes only how fast V advances, never the order
** in which jobs finish, so no job is ever rescheduled.
*/
#include "cpu.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "error.h"

/* Jobs running: a finished job waiting in its slot does not count. */
static uint32_t running(const cpu *c)
{
    return c->jobs.size - (uint32_t)c->finished_on_top;
}

/* Bring the virtual clock and the busy integral up to real time now. */
static void advance(cpu *c, double now)
{
    double dt = now - c->last_time;
    uint32_t n = running(c);

    if (dt > 0) {
        c->vnow += dt * c->rate[n];
        c->busy += dt * c->busy_cores[n];
        c->last_time = now;
    }
}

int cpu_init(cpu *c, int cores, uint32_t max_jobs, int background)
{
    c->cores = cores;
    c->background = background;
    c->vnow = 0;
    c->last_time = 0;
    c->busy = 0;
    c->finished_on_top = 0;
    /* The rate, its inverse and the busy cores for every n, once: the
    ** loop then never divides. */
    c->rate = malloc(sizeof *c->rate * 3 * ((size_t)max_jobs + 1));
    if (c->rate == NULL)
        return SIM_ENOMEM;
    c->inverse_rate = c->rate + max_jobs + 1;
    c->busy_cores = c->inverse_rate + max_jobs + 1;
    for (uint32_t n = 0; n <= max_jobs; n++) {
        double all = (double)n + background;   /* the background shares the cores alike */
        c->rate[n] = all <= c->cores ? 1.0 : c->cores / all;
        c->inverse_rate[n] = 1.0 / c->rate[n];
        c->busy_cores[n] = all <= c->cores ? n : n * c->cores / all;
    }
    return heap_init(&c->jobs, max_jobs);
}

void cpu_release(cpu *c)
{
    heap_release(&c->jobs);
    free(c->rate);
    c->rate = NULL;
}

void cpu_start(cpu *c, double now, double work, uint64_t seq, uint32_t thread)
{
    advance(c, now);
    if (c->finished_on_top) {
        /* The finished job's slot is free, whichever thread this burst is
        ** for: one sift-down instead of a push now and a pop at
        ** cpu_settle. (time, seq) is a total order, so the jobs leave in
        ** the same order whatever the heap's layout. */
        c->finished_on_top = 0;
        heap_replace_top(&c->jobs, c->vnow + work, seq, 0, thread);
        return;
    }
    heap_push(&c->jobs, c->vnow + work, seq, 0, thread);
}

double cpu_next(const cpu *c, uint64_t *seq)
{
    const heap_event *e = heap_peek(&c->jobs);
    double t;

    if (e == NULL)
        return INFINITY;
    *seq = e->seq;
    t = c->last_time + (e->time - c->vnow) * c->inverse_rate[running(c)];
    return t < c->last_time ? c->last_time : t;
}

uint32_t cpu_finish(cpu *c, double now)
{
    const heap_event *e = &c->jobs.events[0];

    advance(c, now);
    /* Rounding can leave vnow a hair short of the finish; snap it so later
    ** jobs never see time run backwards. */
    if (c->vnow < e->time)
        c->vnow = e->time;
    c->finished_on_top = 1;
    return e->arg;
}

void cpu_settle(cpu *c)
{
    heap_event e;

    if (c->finished_on_top) {
        c->finished_on_top = 0;
        heap_pop(&c->jobs, &e);
    }
}
