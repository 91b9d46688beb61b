/*
** Processor sharing by virtual time; see cpu.h. The rate min(1, C/n) is
** the same for every running job, which is what makes one virtual clock
** enough: a change in n changes only how fast V advances, never the order
** in which jobs finish, so no job is ever rescheduled.
*/
#include "cpu.h"

#include <math.h>
#include <stddef.h>

/* Jobs running: a finished job waiting in its slot does not count. */
static double running(const cpu *c)
{
    return c->jobs.size - c->finished_on_top;
}

static double rate(const cpu *c)
{
    double n = running(c);
    return n <= c->cores ? 1.0 : c->cores / n;
}

/* Bring the virtual clock and the busy integral up to real time now. */
static void advance(cpu *c, double now)
{
    double dt = now - c->last_time;
    double n = running(c);

    if (dt > 0) {
        c->vnow += dt * rate(c);
        c->busy += dt * (n < c->cores ? n : c->cores);
        c->last_time = now;
    }
}

int cpu_init(cpu *c, int cores, uint32_t max_jobs)
{
    c->cores = cores;
    c->vnow = 0;
    c->last_time = 0;
    c->busy = 0;
    c->finished_on_top = 0;
    return heap_init(&c->jobs, max_jobs);
}

void cpu_release(cpu *c)
{
    heap_release(&c->jobs);
}

void cpu_start(cpu *c, double now, double work, uint64_t seq, uint32_t thread)
{
    advance(c, now);
    if (c->finished_on_top && c->jobs.events[0].arg == thread) {
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
    t = e->time - c->vnow;
    if (running(c) > c->cores)
        t /= rate(c);
    t += c->last_time;
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
