/*
** Filling and formatting sim_error: see error.h for the convention.
*/
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(sim_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
}

int error_set(sim_error *err, int code, const char *file, int line,
              int column, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

const char *error_format(const sim_error *err, char *buf, int size)
{
    if (err->file[0] && err->line > 0 && err->column > 0)
        snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line,
                 err->column, err->message);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->message);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, err->message);
    else
        snprintf(buf, size, "%s", err->message);
    return buf;
}

int error_exit_status(int code)
{
    return code == SIM_EUSAGE ? 2 : 1;
}
