/*
** A streaming reader of Parsl's log files: the submitting process's
** parsl.log (the DFK's default DEBUG file handler) and the HTEX
** interchange.log, manager.log and worker_N.log, which share its line
** format:
**
**   %(created)f %(asctime)s %(processName)s-%(process)d
**   %(threadName)s-%(thread)d %(name)s:%(lineno)d %(funcName)s
**   %(levelname)s: %(message)s
**
** Lines that do not start a record continue the previous one (multi-line
** messages). The reader runs in constant memory apart from per-task
** counters: it reads with zlib (plain and gzipped files alike), hands each
** record to a callback with the per-task event it recognized (one table of
** message patterns, see parsllog.c), and counts records per task per
** thread role. It sits between the files of a trace bundle or a user's
** runinfo folder and the trace store (tracestore.c), which calls it.
*/
#ifndef SIM_PARSLLOG_H
#define SIM_PARSLLOG_H

#include "../sim/error.h"

/* Which thread or process wrote a record, from its thread and process names. */
enum parsllog_role {
    PLOG_ROLE_MAIN,          /* MainThread of the submitting process */
    PLOG_ROLE_LAUNCH,        /* Task-Launch_N: the DFK's task-launch thread */
    PLOG_ROLE_RESULT,        /* HTEX-Result-Queue-Thread */
    PLOG_ROLE_JOIN,          /* ThreadPoolExecutor-_parsl_internal_N: join apps */
    PLOG_ROLE_TPE_WORKER,    /* ThreadPoolExecutor-<label>_N worker threads */
    PLOG_ROLE_HTEX_WORKER,   /* an HTEX worker process (worker_N.log) */
    PLOG_ROLE_MANAGER,       /* the HTEX manager (manager.log) */
    PLOG_ROLE_INTERCHANGE,   /* the HTEX interchange (interchange.log) */
    PLOG_ROLE_OTHER,         /* any other thread (job status poller, ...) */
    PLOG_ROLE_COUNT
};

/* What kind of file is read; decides the role of a MainThread record. */
enum parsllog_file {
    PLOG_FILE_PARSL,         /* parsl.log of the submitting process */
    PLOG_FILE_WORKER,        /* worker_N.log */
    PLOG_FILE_MANAGER,       /* manager.log */
    PLOG_FILE_INTERCHANGE    /* interchange.log */
};

/* One log record as the callback sees it. The strings point into the
** reader's buffers and are valid only during the callback. */
typedef struct parsllog_record {
    int line;                /* 1-based line of the record's first line */
    double time;             /* %(created)f, Unix seconds */
    const char *process;     /* process name without the pid ("MainProcess") */
    long pid;                /* process id */
    const char *thread;      /* thread name without the id ("Task-Launch_0") */
    long tid;                /* thread id */
    const char *logger;      /* logger name ("parsl.dataflow.dflow") */
    int lineno;              /* source line of the logging call */
    const char *func;        /* function of the logging call */
    const char *level;       /* DEBUG, INFO, WARNING, ERROR or CRITICAL */
    const char *message;     /* the message, continuation lines joined by '\n' */
    int role;                /* enum parsllog_role */
    const char *event;       /* the recognized pattern's name, or NULL */
    int is_event;            /* 1 when the pattern is a lifecycle event for the store */
    long task;               /* Parsl task id the record names or is attributed to, or -1 */
    long exec_id;            /* HTEX executor task id when named, or -1 */
    int try_id;              /* try number when named, or -1 */
    char state[32];          /* new state for state events ("launched"), or "" */
    char word[128];          /* the app (submitted) or executor label (sent, launched), or "" */
    int deps;                /* dependencies named by a "submitted" record */
} parsllog_record;

/* Called once per record; a non-zero return stops the read, which then
** returns that value (the callback fills err itself if it wants to). */
typedef int (*parsllog_fn)(void *ud, const parsllog_record *rec);

typedef struct parsllog_stats {
    long lines;              /* physical lines read */
    long records;            /* log records */
    long matched;            /* records that matched a pattern */
    double first_time;       /* time of the first record */
    double last_time;        /* time of the last record */
    char parsl_version[64];  /* from "Parsl version: X", or "" */
    char run_id[64];         /* from "Run id is: X", or "" */
    long by_role[PLOG_ROLE_COUNT];     /* records per role */
    long unattributed[PLOG_ROLE_COUNT]; /* records per role with no task */
} parsllog_stats;

typedef struct parsllog parsllog;

/* A reader with empty counters. Returns NULL when out of memory; the
** caller frees it with parsllog_free. */
parsllog *parsllog_new(void);
void parsllog_free(parsllog *p);

/* Read the file at path (".gz" or plain, both through zlib) as kind
** (enum parsllog_file), calling fn (may be NULL) for every record and
** adding to the reader's counters. Read parsl.log before the worker logs
** of the same run so executor task ids map to Parsl task ids. Returns 0;
** SIM_EIO when the file cannot be read; SIM_EINPUT with the line when the
** first non-empty line is not a record in Parsl's format, or the file has
** no record; or the callback's non-zero return. */
int parsllog_read(parsllog *p, const char *path, int kind, parsllog_fn fn,
                  void *ud, sim_error *err);

/* Counters across every file read so far. */
const parsllog_stats *parsllog_stats_get(const parsllog *p);

/* One more than the largest Parsl task id seen (0 when none). */
long parsllog_task_limit(const parsllog *p);

/* Records attributed to task (0 <= task < limit) written by role. */
long parsllog_task_records(const parsllog *p, long task, int role);

/* The Parsl task id of an HTEX executor task id, or -1 when unknown. */
long parsllog_task_of_exec(const parsllog *p, long exec_id);

/* Tell the reader that executor task exec_id is Parsl task task (from a
** parsl.log read earlier, e.g. by the trace store). Returns 0, or
** SIM_ENOMEM. */
int parsllog_exec_map(parsllog *p, long exec_id, long task);

/* Names: "main", "launch", "result", "join", "tpe_worker", "htex_worker",
** "manager", "interchange", "other"; NULL when out of range. */
const char *parsllog_role_name(int role);

/* The file kind from a file name: worker_*.log, manager.log and
** interchange.log (".gz" allowed), else PLOG_FILE_PARSL. */
int parsllog_kind_of(const char *path);

#endif
