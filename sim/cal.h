/*
** A calendar of few pending events: the run's two event queues (the
** cores' running bursts, keyed by virtual finish, and the threads' dead
** times, keyed by real end) hold one event per thread at most, and in the
** benchmark's runs two or three at a time. At that size a sorted array
** beats a binary heap (sim/heap.c): the earliest event sits at the end,
** so a peek is one load and a pop one decrement, and a push moves only
** the events that end before the new one. A sentinel that never leaves
** (time INFINITY, the largest key) sits below the events: a push's scan
** stops there without a bounds check, and an empty calendar's peek is the
** sentinel, whose INFINITY the event loop reads as "nothing pending". The order is heap.h's (time,
** seq), a total order since seq is unique, so events leave in the same
** order as from a heap and a run stays bit for bit the same.
**
** An event is 16 bytes: the time, then the seq and the thread in one
** word (seq above CAL_ARG_BITS, the thread below), which compares as the
** seq alone because seq is unique.
*/
#ifndef SIM_CAL_H
#define SIM_CAL_H

#include <assert.h>
#include <math.h>
#include <stdint.h>

#define CAL_ARG_BITS 24    /* threads per run: under 2^24 */

typedef struct cal_event {
    double time;          /* virtual or real finish, seconds */
    uint64_t key;         /* seq << CAL_ARG_BITS | thread */
} cal_event;

typedef struct cal {
    cal_event *events;    /* [1..size], latest first, so events[size] is the
                          ** earliest; [0] the sentinel; owned */
    uint32_t size;        /* events held, the sentinel not counted */
    uint32_t capacity;    /* events that fit */
} cal;

/* Room for capacity events. Returns 0 or SIM_ENOMEM. */
int cal_init(cal *c, uint32_t capacity);

/* Free the storage. */
void cal_release(cal *c);

/* 1 when a leaves before b. */
static inline int cal_before(const cal_event *a, const cal_event *b)
{
    return a->time < b->time || (a->time == b->time && a->key < b->key);
}

/* Insert the event (time, seq) of thread arg. The caller guarantees room
** (one event per thread) and arg < 2^CAL_ARG_BITS; both asserted. */
static inline void cal_push(cal *c, double time, uint64_t seq, uint32_t arg)
{
    cal_event e = {time, seq << CAL_ARG_BITS | arg};
    uint32_t i = ++c->size;

    assert(i <= c->capacity && arg < (1u << CAL_ARG_BITS));
    /* Shift up the events that leave before this one; the sentinel never
    ** does, since no event leaves after it (an INFINITY event's key is
    ** smaller). */
    while (cal_before(&c->events[i - 1], &e)) {
        c->events[i] = c->events[i - 1];
        i--;
    }
    c->events[i] = e;
}

/* The earliest event; the sentinel (time INFINITY) when there is none. */
static inline const cal_event *cal_peek(const cal *c)
{
    return &c->events[c->size];
}

/* Drop the earliest event (there is one); returns its thread. */
static inline uint32_t cal_pop(cal *c)
{
    assert(c->size > 0);
    return (uint32_t)(c->events[c->size--].key & ((1u << CAL_ARG_BITS) - 1));
}

static inline uint64_t cal_seq(const cal_event *e)
{
    return e->key >> CAL_ARG_BITS;
}

#endif
