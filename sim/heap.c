/*
** Binary min-heap of events in (time, seq) order; see heap.h. The array
** layout and the sift loops follow the classic textbook heap: the hole is
** moved rather than swapping at each level, which halves the stores.
*/
#include "heap.h"

#include <assert.h>
#include <stdlib.h>

#include "error.h"

int heap_init(heap *h, uint32_t capacity)
{
    h->size = 0;
    h->capacity = capacity ? capacity : 1;
    h->events = malloc(sizeof *h->events * h->capacity);
    return h->events ? 0 : SIM_ENOMEM;
}

void heap_release(heap *h)
{
    free(h->events);
    h->events = NULL;
    h->size = h->capacity = 0;
}

void heap_push(heap *h, double time, uint64_t seq, uint32_t kind, uint32_t arg)
{
    heap_event e = {time, seq, kind, arg};
    uint32_t i;

    assert(h->size < h->capacity);
    i = h->size++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!heap_before(&e, &h->events[parent]))
            break;
        h->events[i] = h->events[parent];
        i = parent;
    }
    h->events[i] = e;
}

/* Put the event (time, seq, kind, arg) in the hole at the root and sift
** it down among the first n. It comes as scalars, not a heap_event by
** value: a struct of 24 bytes is passed through the stack, and reading it
** back in one wide load from the narrow stores that built it stalls the
** CPU (a failed store-to-load forward) on every replace_top. */
static void sift_down(heap *h, double time, uint64_t seq, uint32_t kind, uint32_t arg,
                      uint32_t n)
{
    heap_event last = {time, seq, kind, arg};
    uint32_t i = 0;

    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && heap_before(&h->events[child + 1], &h->events[child]))
            child++;
        if (!heap_before(&h->events[child], &last))
            break;
        h->events[i] = h->events[child];
        i = child;
    }
    h->events[i] = last;
}

int heap_pop(heap *h, heap_event *out)
{
    const heap_event *last;
    uint32_t n;

    if (h->size == 0)
        return -1;
    *out = h->events[0];
    n = --h->size;
    last = &h->events[n];
    if (n > 0)
        sift_down(h, last->time, last->seq, last->kind, last->arg, n);
    return 0;
}

void heap_replace_top(heap *h, double time, uint64_t seq, uint32_t kind, uint32_t arg)
{
    assert(h->size > 0);
    sift_down(h, time, seq, kind, arg, h->size);
}
