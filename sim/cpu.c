/*
** Processor sharing by virtual time; see cpu.h. The rate min(1, C/(n + B)) is
** the same for every running job, which is what makes one virtual clock
** enough: a change in n changes only how fast V advances, never the order
** in which jobs finish, so no job is ever rescheduled.
*/
#include "cpu.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "error.h"

/* Bring the virtual clock and the busy integral up to real time now. */
static void advance(cpu *c, double now)
{
    double dt = now - c->last_time;

    if (dt > 0) {
        c->vnow += dt * c->share->rate;
        c->busy += dt * c->share->busy_cores;
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
    /* The rate, its inverse and the busy cores for every n, once: the
    ** loop then never divides. */
    c->shares = malloc(sizeof *c->shares * ((size_t)max_jobs + 1));
    if (c->shares == NULL)
        return SIM_ENOMEM;
    for (uint32_t n = 0; n <= max_jobs; n++) {
        cpu_share *sh = &c->shares[n];
        double all = (double)n + background;   /* the background shares the cores alike */
        sh->rate = all <= c->cores ? 1.0 : c->cores / all;
        sh->inverse_rate = 1.0 / sh->rate;
        sh->busy_cores = all <= c->cores ? n : n * c->cores / all;
    }
    c->share = c->shares;
    return cal_init(&c->jobs, max_jobs);
}

void cpu_release(cpu *c)
{
    cal_release(&c->jobs);
    free(c->shares);
    c->shares = NULL;
    c->share = NULL;
}

void cpu_start(cpu *c, double now, double work, uint64_t seq, uint32_t thread)
{
    advance(c, now);
    cal_push(&c->jobs, c->vnow + work, seq, thread);
    c->share++;
}

int cpu_start_nothing(cpu *c, double now, uint64_t seq, uint32_t thread)
{
    advance(c, now);
    /* Its virtual finish is vnow, its seq the newest: it leaves first
    ** exactly when every running job's finish is later. */
    if (cal_time(cal_peek(&c->jobs)) > c->vnow)
        return 1;
    cal_push(&c->jobs, c->vnow, seq, thread);
    c->share++;
    return 0;
}

double cpu_next(const cpu *c, uint64_t *key)
{
    /* With nothing running this is the sentinel: INFINITY comes out of
    ** the sum, with no branch of its own. */
    const cal_event *e = cal_peek(&c->jobs);
    double t;

    *key = e->key;
    t = c->last_time + (cal_time(e) - c->vnow) * c->share->inverse_rate;
    return t < c->last_time ? c->last_time : t;
}

uint32_t cpu_finish(cpu *c, double now)
{
    const cal_event *e = cal_peek(&c->jobs);

    advance(c, now);
    /* Rounding can leave vnow a hair short of the finish; snap it so later
    ** jobs never see time run backwards. */
    if (c->vnow < cal_time(e))
        c->vnow = cal_time(e);
    c->share--;
    return cal_pop(&c->jobs);
}
