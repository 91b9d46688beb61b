/*
** A binary min-heap of events ordered by (time, seq). seq is taken from a
** counter the caller owns and bumps on every schedule, so events at equal
** times leave in the order they were scheduled. The heap is sized once, up
** front; pushing never allocates (libuv's timer heap works the same way).
** It is the benchmark's reference calendar (tests/bench.c); a run's own
** queues, which hold a few events each, are the sorted arrays of cal.h.
*/
#ifndef SIM_HEAP_H
#define SIM_HEAP_H

#include <stdint.h>

typedef struct heap_event {
    double time;      /* when the event fires, simulated seconds */
    uint64_t seq;     /* insertion sequence: breaks ties in time */
    uint32_t kind;    /* what happens, the caller's enum */
    uint32_t arg;     /* whom it happens to: a thread, a task */
} heap_event;

typedef struct heap {
    heap_event *events;   /* events[0] is the earliest; owned */
    uint32_t size;        /* events held */
    uint32_t capacity;    /* events that fit */
} heap;

/* Allocate room for capacity events. Returns 0, or SIM_ENOMEM. */
int heap_init(heap *h, uint32_t capacity);

/* Free the storage; h may be reused after another heap_init. */
void heap_release(heap *h);

/* Insert an event. The caller guarantees room (capacity is fixed from the
** model's size); it is a programming error, asserted, to overflow. */
void heap_push(heap *h, double time, uint64_t seq, uint32_t kind, uint32_t arg);

/* Remove the earliest event into *out. Returns 0, or -1 when empty. */
int heap_pop(heap *h, heap_event *out);

/* Replace the earliest event by a new one in one sift-down: a hold
** operation at half the cost of a pop and a push. The heap is not empty. */
void heap_replace_top(heap *h, double time, uint64_t seq, uint32_t kind, uint32_t arg);

/* The earliest event without removing it, or NULL when empty. */
static inline const heap_event *heap_peek(const heap *h)
{
    return h->size ? &h->events[0] : 0;
}

/* 1 when a is earlier than b in (time, seq) order. */
static inline int heap_before(const heap_event *a, const heap_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

#endif
