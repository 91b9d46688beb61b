/*
** The sim command line: a table of subcommands, each in its own cmd_*.c.
** main() only dispatches; parsing and work happen in the subcommand.
*/
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "error.h"

struct command {
    const char *name;                 /* as typed after "sim" */
    int (*run)(int argc, char **argv);
    const char *summary;              /* one line for "sim --help" */
};

static const struct command commands[] = {
    {"run", cmd_run, "simulate workloads on the Parsl model (one configuration or an experiment file)"},
    {"calibrate", cmd_calibrate, "fit a model file from trace bundles, runinfo folders and pyinstrument JSON"},
    {"validate", cmd_validate, "predict the runs of trace bundles with a model and report the errors"},

};

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: sim <command> [options]\n"
                 "       sim --version\n\n"
                 "A trace-driven discrete-event simulator of Parsl's per-task overheads.\n\n"
                 "commands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'sim <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    size_t i;

    /* GSL's default handler aborts; every caller checks the status. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("sim %s\n", SIM_REVISION);
        return 0;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sim: error: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
