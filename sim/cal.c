/*
** The calendar's storage; the operations are inline in cal.h, since the
** event loop calls them a few times an event.
*/
#include "cal.h"

#include <stdlib.h>

#include "error.h"

int cal_init(cal *c, uint32_t capacity)
{
    c->size = 0;
    c->capacity = capacity ? capacity : 1;
    c->events = malloc(sizeof *c->events * c->capacity);
    return c->events ? 0 : SIM_ENOMEM;
}

void cal_release(cal *c)
{
    free(c->events);
    c->events = NULL;
    c->size = c->capacity = 0;
}
