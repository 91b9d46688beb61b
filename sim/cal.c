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
    c->size = 0;
    c->capacity = capacity;
    c->events = malloc(sizeof *c->events * ((size_t)capacity + 1));
    if (c->events == NULL)
        return SIM_ENOMEM;
    c->events[0].time = INFINITY;
    c->events[0].key = UINT64_MAX;
    return 0;
}

void cal_release(cal *c)
{
    free(c->events);
    c->events = NULL;
    c->size = c->capacity = 0;
}
