/*
** The one error convention of sim. Every function that can fail for a
** reason outside the program (a bad file, a full disk, a bad option)
** returns an int status (0 on success, a negative SIM_E* code otherwise)
** and fills a caller-owned sim_error with the code, the file it concerns,
** the 1-based line and column where there is one (0 where there is none)
** and a message. Library code never prints; the CLI prints the error once:
**
**   sim: error: experiments/x.yaml:12:5: unknown key 'wokers' in 'sweep'
*/
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

enum {
    SIM_OK = 0,
    SIM_EINPUT = -1,   /* bad input: a file's content or an option's value */
    SIM_EIO = -2,      /* the operating system refused: open, read, write */
    SIM_ENOMEM = -3,   /* out of memory, or a size beyond what memory allows */
    SIM_EUSAGE = -4,   /* bad command-line usage */
    SIM_EDB = -5,      /* SQLite failed */
    SIM_EFIT = -6      /* a fit failed (GSL) */
};

typedef struct sim_error {
    int code;            /* one of the SIM_E* codes; 0 when no error */
    char file[512];      /* the file the error concerns, or "" */
    int line;            /* 1-based line, or 0 when unknown */
    int column;          /* 1-based column, or 0 when unknown */
    char message[1024];  /* what went wrong, lowercase, no full stop */
} sim_error;

/* Clear an error struct to "no error". */
void error_clear(sim_error *err);

/* Fill err (when not NULL) and return code, so callers can write
** `return error_set(err, SIM_EINPUT, path, line, col, "bad %s", x);`. */
int error_set(sim_error *err, int code, const char *file, int line,
              int column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Format "file:line:col: message" (parts that are unknown left out) into
** buf. Returns buf. */
const char *error_format(const sim_error *err, char *buf, int size);

/* The process exit status the CLI uses for an error code: 2 for usage,
** 1 for everything else. */
int error_exit_status(int code);

#endif
