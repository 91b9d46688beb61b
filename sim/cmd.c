/*
** What the subcommands (cmd_*.c) share: printing an error once, in git's
** manner, and mapping it to the exit status. Only the CLI prints.
*/
#include "cmd.h"

#include <stdio.h>

#include "error.h"

int cmd_misuse(const char *command, const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "sim %s: ", command);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

int cmd_fail(const struct sim_error *err)
{
    char buf[2048];

    fprintf(stderr, "sim: error: %s\n", error_format(err, buf, sizeof buf));
    return error_exit_status(err->code);
}
