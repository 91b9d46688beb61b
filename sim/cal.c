/*
** The calendar's storage; the operations are inline in cal.h, since the
** event loop calls them a few times an event.
*/
#include "cal.h"

#include <math.h>
#include <stdlib.h>

#include "error.h"

int cal_init(cal *c, uint32_t capacity)
{
    c->events = malloc(sizeof *c->events * ((size_t)capacity + 1));
    if (c->events == NULL)
        return SIM_ENOMEM;
    c->events[0].time = cal_bits(INFINITY);
    c->events[0].key = UINT64_MAX;
    c->top = c->events;
    c->end = c->events + capacity;
    return 0;
}

void cal_release(cal *c)
{
    free(c->events);
    c->events = c->top = c->end = NULL;
}
