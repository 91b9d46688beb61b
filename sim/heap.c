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

/* Put e in the hole at the root and sift it down among the first n. */
static void sift_down(heap *h, heap_event last, uint32_t n)
{
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
    uint32_t n;

    if (h->size == 0)
        return -1;
    *out = h->events[0];
    n = --h->size;
    if (n > 0)
        sift_down(h, h->events[n], n);
    return 0;
}

void heap_replace_top(heap *h, double time, uint64_t seq, uint32_t kind, uint32_t arg)
{
    heap_event e = {time, seq, kind, arg};

    assert(h->size > 0);
    sift_down(h, e, h->size);
}
