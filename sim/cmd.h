/*
** The subcommands of the sim CLI, one cmd_<name>.c each, in the manner of
** git's builtins. Each takes the arguments after the subcommand name
** (argv[0] is the subcommand) and returns the process exit status:
** 0 success, 1 bad input or a runtime failure, 2 bad usage.
*/
#ifndef SIM_CMD_H
#define SIM_CMD_H

int cmd_run(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_validate(int argc, char **argv);

/* Print "sim <command>: <fmt with arg>" and the command's short usage to
** stderr; returns 2, the exit status of bad usage. */
int cmd_misuse(const char *command, const char *usage, const char *fmt, const char *arg);

/* Print "sim: error: <formatted err>" to stderr, once, and return the
** exit status for its code. */
struct sim_error;
int cmd_fail(const struct sim_error *err);

#endif
