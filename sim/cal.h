/*
** A calendar of few pending events: the run's two event queues (the
** cores' running bursts, keyed by virtual finish, and the threads' dead
** times, keyed by real end) hold one event per thread at most, and in the
** benchmark's runs two or three at a time. At that size a sorted array
** beats a binary heap (sim/heap.c): the earliest event sits at the top,
** so a peek is one load and a pop one decrement, and a push moves only
** the events that end before the new one. A sentinel that never leaves
** (time INFINITY, the largest key) sits below the events: a push's scan
** stops there without a bounds check, and an empty calendar's peek is the
** sentinel, whose INFINITY the event loop reads as "nothing pending".
**
** The order is heap.h's (time, seq), a total order since seq is unique,
** so events leave in the same order as from a heap and a run stays bit for
** bit the same. An event is two words compared as integers: the time's
** bits (times are never negative, and the bits of non-negative doubles
** order as the doubles do), then the seq and the thread in one word (seq
** above CAL_ARG_BITS, the thread below), which orders as the seq alone.
*/
#ifndef SIM_CAL_H
#define SIM_CAL_H

#include <assert.h>
#include <stdint.h>
#include <string.h>

#define CAL_ARG_BITS 24    /* threads per run: under 2^24 (the caller checks) */

typedef struct cal_event {
    uint64_t time;        /* the bits of the virtual or real finish, seconds */
    uint64_t key;         /* seq << CAL_ARG_BITS | thread */
} cal_event;

typedef struct cal {
    cal_event *top;       /* the earliest event, or the sentinel when none */
    cal_event *events;    /* [0] the sentinel, then the events, latest first; owned */
    cal_event *end;       /* the last slot: events + capacity */
} cal;

/* Room for capacity events. Returns 0 or SIM_ENOMEM. */
int cal_init(cal *c, uint32_t capacity);

/* Free the storage. */
void cal_release(cal *c);

static inline uint64_t cal_bits(double time)
{
    uint64_t b;

    memcpy(&b, &time, sizeof b);
    return b;
}

/* An event's time, in seconds (INFINITY for the sentinel). */
static inline double cal_time(const cal_event *e)
{
    double t;

    memcpy(&t, &e->time, sizeof t);
    return t;
}

static inline uint64_t cal_seq(const cal_event *e)
{
    return e->key >> CAL_ARG_BITS;
}

/* Events held. */
static inline uint32_t cal_size(const cal *c)
{
    return (uint32_t)(c->top - c->events);
}

/* 1 when a leaves before b. */
static inline int cal_before(const cal_event *a, const cal_event *b)
{
    return a->time < b->time || (a->time == b->time && a->key < b->key);
}

/* Insert the event (time, seq) of thread arg. The caller guarantees that
** time >= 0 and is not -0 (times start at +0 and only grow), room (one
** event per thread; asserted) and arg < 2^CAL_ARG_BITS. */
static inline void cal_push(cal *c, double time, uint64_t seq, uint32_t arg)
{
    cal_event e = {cal_bits(time), seq << CAL_ARG_BITS | arg};
    cal_event *p = ++c->top;

    assert(p <= c->end);
    /* Shift up the events that leave before this one; the sentinel never
    ** does, since no event leaves after it (an INFINITY event's key is
    ** smaller). */
    while (cal_before(p - 1, &e)) {
        *p = p[-1];
        p--;
    }
    *p = e;
}

/* The earliest event; the sentinel (time INFINITY) when there is none. */
static inline const cal_event *cal_peek(const cal *c)
{
    return c->top;
}

/* Drop the earliest event (there is one); returns its thread. */
static inline uint32_t cal_pop(cal *c)
{
    assert(c->top > c->events);
    return (uint32_t)((c->top--)->key & ((1u << CAL_ARG_BITS) - 1));
}

#endif
