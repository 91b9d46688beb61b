/*
** This file implements the Parsl log reader declared in parsllog.h. Lines
** come from zlib (gzgets, so a plain file reads the same way as a gzipped
** one) into a growing line buffer; a line that parses as a record header
** starts a record, any other line is appended to the record before it. A
** record is complete when the next header or the end of the file arrives;
** it is then matched against the pattern table below, attributed to a
** task, counted and handed to the caller.
**
** Attribution. A record that names a task ("Task 5 ...", "Parsl task 5
** try 0 ...", "... for task 5 ...", "executor task 6" in worker logs) is
** the task's. Some per-task records name no task; the table says where
** they belong: PREV records (e.g. "Gathering dependencies" after "Task 5
** will be sent to executor", "Sent TasksOutgoing message" after "Task 5
** will not be memoized") go to the last task the same thread named; NEXT
** records ("Receiving ResultsIncoming message" on the HTEX result thread)
** go to the next task the thread names. Everything else is counted as
** unattributed for its role: start-up, shutdown, strategy ticks.
*/
#include "parsllog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum attach {
    A_ID,       /* the record names its task (%t or %x) */
    A_PREV,     /* no id: the thread's last task */
    A_NEXT      /* no id: the thread's next task */
};

/* The patterns, in matching order (a more specific one before a more
** general one with the same start). In a pattern, %t is a Parsl task id,
** %x an HTEX executor task id, %n a try number, %w a word (ends at a
** space or a comma), %s a state name and %* any text (lazy: up to the
** literal after it, or to the end). Other characters match themselves,
** and the whole message must be consumed. Written by Parsl 2026.10.26. */
typedef struct pattern {
    const char *name;    /* event name, stored in task_events */
    const char *text;    /* the pattern */
    int attach;          /* enum attach */
    int is_event;        /* 1: a lifecycle event for the store */
} pattern;

static const pattern patterns[] = {
    /* submit side: DataFlowKernel.submit on the caller's thread */
    { "sent",          "Task %t will be sent to executor %w", A_ID, 1 },
    { "submitted",     "Task %t submitted for App %w, %*", A_ID, 1 },
    { "app_future",    "Task %t has AppFuture: %*", A_ID, 0 },
    { "dependency",    "Task %t has dependency %*", A_ID, 0 },
    { "state",         "Task %t initializing state to %s", A_ID, 1 },
    { "state",         "Task %t changing state from %w to %s", A_ID, 1 },
    { "output_deps",   "Adding output dependencies", A_PREV, 0 },
    { "output_deps",   "Added output dependencies", A_PREV, 0 },
    { "gather_deps",   "Gathering dependencies", A_PREV, 0 },
    { "gather_deps",   "Gathered dependencies", A_PREV, 0 },
    { "stage_in",      "Not performing input staging", A_PREV, 0 },
    /* launch: the task-launch thread */
    { "memo_miss",     "Task %t will not be memoized", A_ID, 1 },
    { "memo_hit",      "Reusing cached result for task %t", A_ID, 1 },
    { "dep_wait",      "Task %t has outstanding dependencies, so launch_if_ready skipping", A_ID, 1 },
    { "not_pending",   "Task %t is not pending, so launch_if_ready skipping", A_ID, 1 },
    { "launched",      "Parsl task %t try %n launched on executor %w with executor id %x", A_ID, 1 },
    { "launched",      "Parsl task %t try %n launched on executor %w", A_ID, 1 },
    { "htex_push",     "Pushing function %* to queue with args %*", A_PREV, 0 },
    { "zmq_send",      "Sending TasksOutgoing message", A_PREV, 0 },
    { "zmq_send",      "Sent TasksOutgoing message", A_PREV, 0 },
    { "launch_end",    "Normal ending for _launch_if_ready_async on thread %*", A_PREV, 0 },
    { "std_stream",    "Standard out for task %t %*", A_ID, 0 },
    { "std_stream",    "Standard error for task %t %*", A_ID, 0 },
    /* results and completion */
    { "zmq_recv",      "Receiving ResultsIncoming message", A_NEXT, 0 },
    { "join_skip",     "Join callback for task %t skipping because task is not in joining state", A_ID, 0 },
    { "join_callback", "Join callback for task %t, %*", A_ID, 1 },
    { "join_not_done", "A joinable future %* is not done for task %t - skipping callback", A_ID, 0 },
    { "try_failed",    "Task %t try %n failed %*", A_ID, 1 },
    { "dep_failed",    "Task %t failed due to dependency failure%*", A_ID, 1 },
    { "join_failed",   "Task %t failed due to failure of an inner join future", A_ID, 1 },
    { "retry_failed",  "Task %t failed after %n retry attempts", A_ID, 1 },
    { "bad_executor",  "Task %t requested invalid executor %*", A_ID, 1 },
    /* HTEX worker processes (worker_N.log) */
    { "worker_received", "Received executor task %x", A_ID, 1 },
    { "worker_completed", "Completed executor task %x", A_ID, 1 },
    { "worker_finished", "All processing finished for executor task %x", A_ID, 1 },
};

enum { NPATTERNS = sizeof patterns / sizeof patterns[0] };

typedef struct thread_state {
    long pid;            /* process id */
    long tid;            /* thread id */
    long last_task;      /* the last task this thread named, or -1 */
    long pending_next;   /* NEXT records waiting for the thread's next task */
    int role;            /* the thread's role */
} thread_state;

struct parsllog {
    long (*counts)[PLOG_ROLE_COUNT]; /* records per task per role, by task id */
    long limit;                      /* one more than the largest task id seen */
    long cap;                        /* rows allocated in counts */
    long *exec_map;                  /* Parsl task id by executor task id, -1 unknown */
    long exec_cap;                   /* entries allocated in exec_map */
    thread_state *threads;           /* per-thread attribution state */
    int nthreads;                    /* threads in use */
    int threads_cap;                 /* threads allocated */
    parsllog_stats stats;            /* totals over every file read */
};

typedef struct header {
    double time;          /* created */
    size_t process, process_len;  /* offsets into the record text */
    long pid;
    size_t thread, thread_len;
    long tid;
    size_t logger, logger_len;
    int lineno;
    size_t func, func_len;
    size_t level, level_len;
    size_t message;       /* offset of the message */
} header;

typedef struct buf {
    char *data;          /* bytes, NUL-terminated */
    size_t len;          /* bytes used */
    size_t cap;          /* bytes allocated */
} buf;

static const char *const role_names[PLOG_ROLE_COUNT] = {
    "main", "launch", "result", "join", "tpe_worker", "htex_worker",
    "manager", "interchange", "other"
};

const char *parsllog_role_name(int role)
{
    return role >= 0 && role < PLOG_ROLE_COUNT ? role_names[role] : NULL;
}

parsllog *parsllog_new(void)
{
    parsllog *p = calloc(1, sizeof *p);
    return p;
}

void parsllog_free(parsllog *p)
{
    if (p == NULL)
        return;
    free(p->counts);
    free(p->exec_map);
    free(p->threads);
    free(p);
}

const parsllog_stats *parsllog_stats_get(const parsllog *p)
{
    return &p->stats;
}

long parsllog_task_limit(const parsllog *p)
{
    return p->limit;
}

long parsllog_task_records(const parsllog *p, long task, int role)
{
    if (task < 0 || task >= p->limit || role < 0 || role >= PLOG_ROLE_COUNT)
        return 0;
    return p->counts[task][role];
}

long parsllog_task_of_exec(const parsllog *p, long exec_id)
{
    if (exec_id < 0 || exec_id >= p->exec_cap)
        return -1;
    return p->exec_map[exec_id];
}

static int exec_map_set(parsllog *p, long exec_id, long task);

int parsllog_exec_map(parsllog *p, long exec_id, long task)
{
    if (exec_id < 0 || exec_map_set(p, exec_id, task) != 0)
        return exec_id < 0 ? 0 : SIM_ENOMEM;
    return 0;
}

int parsllog_kind_of(const char *path)
{
    const char *base = strrchr(path, '/');

    base = base ? base + 1 : path;
    if (strncmp(base, "worker_", 7) == 0)
        return PLOG_FILE_WORKER;
    if (strncmp(base, "manager.log", 11) == 0)
        return PLOG_FILE_MANAGER;
    if (strncmp(base, "interchange.log", 15) == 0)
        return PLOG_FILE_INTERCHANGE;
    return PLOG_FILE_PARSL;
}

static int buf_reserve(buf *b, size_t need)
{
    char *grown;
    size_t cap = b->cap ? b->cap : 4096;

    if (need + 1 <= b->cap)
        return 0;
    while (cap < need + 1)
        cap *= 2;
    grown = realloc(b->data, cap);
    if (grown == NULL)
        return -1;
    b->data = grown;
    b->cap = cap;
    return 0;
}

/* Read one line (without its newline or a trailing '\r') into b.
** Returns 1 for a line, 0 at the end of the file, -1 on a read error,
** -2 when out of memory, -3 for truncated or corrupt gzip data. */
static int line_read(gzFile gz, buf *b)
{
    b->len = 0;
    for (;;) {
        if (buf_reserve(b, b->len + 4096) != 0)
            return -2;
        if (gzgets(gz, b->data + b->len, (int)(b->cap - b->len)) == NULL) {
            int code;
            gzerror(gz, &code);
            if (code != Z_OK)
                return code == Z_ERRNO ? -1 : -3;
            if (b->len == 0)
                return 0;
            break;
        }
        b->len += strlen(b->data + b->len);
        if (b->len > 0 && b->data[b->len - 1] == '\n')
            break;
        if (gzeof(gz))
            break;
    }
    while (b->len > 0 && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
        b->len--;
    b->data[b->len] = '\0';
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* The level name at s when s is "LEVEL: ", else 0; returns its length. */
static size_t level_at(const char *s)
{
    static const char *const levels[] = {
        "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"
    };
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        size_t n = strlen(levels[i]);
        if (strncmp(s, levels[i], n) == 0 && s[n] == ':' &&
            (s[n + 1] == ' ' || s[n + 1] == '\0'))
            return n;
    }
    return 0;
}

/* Split "name-123" at its last '-': returns 1 and fills *name_len and *id
** when the part after the dash is a number. */
static int split_id(const char *s, size_t len, size_t *name_len, long *id)
{
    size_t i = len;

    while (i > 0 && s[i - 1] != '-')
        i--;
    if (i == 0 || i == len || !digits(s + i, (int)(len - i)))
        return 0;
    *name_len = i - 1;
    *id = strtol(s + i, NULL, 10);
    return 1;
}

/* Parse a record header at the start of s. Returns 1 and fills h (offsets
** relative to s) when the line starts a record, else 0. */
static int header_parse(const char *s, header *h)
{
    const char *p = s, *q, *end;
    char *num_end;
    size_t n;

    if (!is_digit(*p))
        return 0;
    h->time = strtod(p, &num_end);
    p = num_end;
    if (*p++ != ' ')
        return 0;
    if (!(digits(p, 4) && p[4] == '-' && digits(p + 5, 2) && p[7] == '-' &&
          digits(p + 8, 2) && p[10] == ' '))
        return 0;
    p += 11;
    if (!(digits(p, 2) && p[2] == ':' && digits(p + 3, 2) && p[5] == ':' &&
          digits(p + 6, 2)))
        return 0;
    p += 8;
    if (*p == ',' && digits(p + 1, 3))
        p += 4;
    if (*p++ != ' ')
        return 0;
    /* process-pid: one token */
    q = strchr(p, ' ');
    if (q == NULL || !split_id(p, (size_t)(q - p), &n, &h->pid))
        return 0;
    h->process = (size_t)(p - s);
    h->process_len = n;
    p = q + 1;
    /* the level: the first " LEVEL: " after the thread, logger and func */
    for (q = p; (q = strchr(q, ' ')) != NULL; q++)
        if ((n = level_at(q + 1)) != 0)
            break;
    if (q == NULL)
        return 0;
    h->level = (size_t)(q + 1 - s);
    h->level_len = n;
    h->message = h->level + n + (q[1 + n + 1] == ' ' ? 2 : 1);
    /* backwards from the level: func, then logger:lineno, then the thread */
    end = q;
    for (q = end; q > p && q[-1] != ' '; q--)
        ;
    if (q == p || q == end)
        return 0;
    h->func = (size_t)(q - s);
    h->func_len = (size_t)(end - q);
    end = q - 1;
    for (q = end; q > p && q[-1] != ' '; q--)
        ;
    if (q == p || q == end)
        return 0;
    {
        const char *colon = end;
        while (colon > q && colon[-1] != ':')
            colon--;
        if (colon == q || colon == end || !digits(colon, (int)(end - colon)))
            return 0;
        h->logger = (size_t)(q - s);
        h->logger_len = (size_t)(colon - 1 - q);
        h->lineno = atoi(colon);
    }
    end = q - 1;
    if (end <= p || !split_id(p, (size_t)(end - p), &n, &h->tid))
        return 0;
    h->thread = (size_t)(p - s);
    h->thread_len = n;
    return 1;
}

/* Match msg against pattern text; fill rec's ids and words. Returns 1 on
** a match. */
static int pattern_match(const char *t, const char *m, parsllog_record *rec)
{
    while (*t) {
        if (*t != '%') {
            if (*t++ != *m++)
                return 0;
            continue;
        }
        t++;
        switch (*t++) {
        case 't': case 'x': case 'n': {
            char c = t[-1];
            long v = 0;
            if (!is_digit(*m))
                return 0;
            while (is_digit(*m))
                v = v * 10 + (*m++ - '0');
            if (c == 't')
                rec->task = v;
            else if (c == 'x')
                rec->exec_id = v;
            else
                rec->try_id = (int)v;
            break;
        }
        case 'w': case 's': {
            const char *w = m;
            char *dst = t[-1] == 's' ? rec->state : rec->word;
            size_t cap = t[-1] == 's' ? sizeof rec->state : sizeof rec->word;
            size_t n;
            while (*m && *m != ' ' && *m != ',' && *m != '\n')
                m++;
            if (m == w)
                return 0;
            n = (size_t)(m - w) < cap - 1 ? (size_t)(m - w) : cap - 1;
            memcpy(dst, w, n);
            dst[n] = '\0';
            break;
        }
        case '*': {
            const char *lit = t, *stop = strchr(t, '%');
            size_t n = stop ? (size_t)(stop - lit) : strlen(lit);
            char key[96];
            const char *hit;
            if (n == 0) {
                /* the rest of the message; count tasks a submit waits on */
                const char *w = m;
                while ((w = strstr(w, "task ")) != NULL) {
                    rec->deps++;
                    w += 5;
                }
                return 1;
            }
            if (n >= sizeof key)
                return 0;
            memcpy(key, lit, n);
            key[n] = '\0';
            hit = strstr(m, key);
            if (hit == NULL)
                return 0;
            m = hit;
            break;
        }
        default:
            return 0;
        }
    }
    return *m == '\0';
}

static int role_of(int kind, const char *thread, size_t len)
{
    if (kind == PLOG_FILE_WORKER)
        return PLOG_ROLE_HTEX_WORKER;
    if (kind == PLOG_FILE_MANAGER)
        return PLOG_ROLE_MANAGER;
    if (kind == PLOG_FILE_INTERCHANGE)
        return PLOG_ROLE_INTERCHANGE;
#define IS(lit) (len >= sizeof(lit) - 1 && memcmp(thread, lit, sizeof(lit) - 1) == 0)
    if (len == 10 && IS("MainThread"))
        return PLOG_ROLE_MAIN;
    if (IS("Task-Launch"))
        return PLOG_ROLE_LAUNCH;
    if (IS("HTEX-Result-Queue-Thread"))
        return PLOG_ROLE_RESULT;
    if (IS("ThreadPoolExecutor-_parsl_internal"))
        return PLOG_ROLE_JOIN;
    if (IS("ThreadPoolExecutor-"))
        return PLOG_ROLE_TPE_WORKER;
#undef IS
    return PLOG_ROLE_OTHER;
}

static thread_state *thread_get(parsllog *p, long pid, long tid, int role)
{
    for (int i = 0; i < p->nthreads; i++)
        if (p->threads[i].pid == pid && p->threads[i].tid == tid &&
            p->threads[i].role == role)
            return &p->threads[i];
    if (p->nthreads == p->threads_cap) {
        int cap = p->threads_cap ? 2 * p->threads_cap : 16;
        thread_state *grown = realloc(p->threads, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        p->threads = grown;
        p->threads_cap = cap;
    }
    p->threads[p->nthreads] = (thread_state){ pid, tid, -1, 0, role };
    return &p->threads[p->nthreads++];
}

static int task_reserve(parsllog *p, long task)
{
    if (task >= p->cap) {
        long cap = p->cap ? p->cap : 1024;
        void *grown;
        while (cap <= task)
            cap *= 2;
        grown = realloc(p->counts, (size_t)cap * sizeof *p->counts);
        if (grown == NULL)
            return -1;
        p->counts = grown;
        memset(p->counts + p->cap, 0, (size_t)(cap - p->cap) * sizeof *p->counts);
        p->cap = cap;
    }
    if (task >= p->limit)
        p->limit = task + 1;
    return 0;
}

static int exec_map_set(parsllog *p, long exec_id, long task)
{
    if (exec_id >= p->exec_cap) {
        long cap = p->exec_cap ? p->exec_cap : 1024;
        long *grown;
        while (cap <= exec_id)
            cap *= 2;
        grown = realloc(p->exec_map, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        for (long i = p->exec_cap; i < cap; i++)
            grown[i] = -1;
        p->exec_map = grown;
        p->exec_cap = cap;
    }
    p->exec_map[exec_id] = task;
    return 0;
}

/* Match, attribute and count one complete record, then call fn. */
static int record_finish(parsllog *p, int kind, char *text, const header *h,
                         int line, parsllog_fn fn, void *ud, const char *path,
                         sim_error *err)
{
    parsllog_record rec;
    thread_state *th;
    const pattern *pat = NULL;
    const char *msg = text + h->message;
    int i;

    memset(&rec, 0, sizeof rec);
    rec.line = line;
    rec.time = h->time;
    rec.pid = h->pid;
    rec.tid = h->tid;
    rec.lineno = h->lineno;
    rec.message = msg;
    rec.task = rec.exec_id = -1;
    rec.try_id = -1;
    rec.role = role_of(kind, text + h->thread, h->thread_len);
    text[h->process + h->process_len] = '\0';
    text[h->thread + h->thread_len] = '\0';
    text[h->logger + h->logger_len] = '\0';
    text[h->func + h->func_len] = '\0';
    text[h->level + h->level_len] = '\0';
    rec.process = text + h->process;
    rec.thread = text + h->thread;
    rec.logger = text + h->logger;
    rec.func = text + h->func;
    rec.level = text + h->level;

    for (i = 0; i < NPATTERNS; i++) {
        if (patterns[i].text[0] != msg[0] && patterns[i].text[0] != '%')
            continue;
        rec.task = rec.exec_id = -1;
        rec.try_id = -1;
        rec.deps = 0;
        rec.state[0] = rec.word[0] = '\0';
        if (pattern_match(patterns[i].text, msg, &rec)) {
            pat = &patterns[i];
            break;
        }
    }
    if (pat == NULL) {
        rec.task = rec.exec_id = -1;
        rec.try_id = -1;
        rec.deps = 0;
        rec.state[0] = rec.word[0] = '\0';
    }

    p->stats.records++;
    p->stats.by_role[rec.role]++;
    if (p->stats.records == 1)
        p->stats.first_time = rec.time;
    if (rec.time > p->stats.last_time)
        p->stats.last_time = rec.time;
    if (pat == NULL && kind == PLOG_FILE_PARSL) {
        if (strncmp(msg, "Parsl version: ", 15) == 0 && !p->stats.parsl_version[0])
            snprintf(p->stats.parsl_version, sizeof p->stats.parsl_version, "%s", msg + 15);
        else if (strncmp(msg, "Run id is: ", 11) == 0 && !p->stats.run_id[0])
            snprintf(p->stats.run_id, sizeof p->stats.run_id, "%s", msg + 11);
    }

    th = thread_get(p, rec.pid, rec.tid, rec.role);
    if (th == NULL)
        return error_set(err, SIM_ENOMEM, path, line, 0, "out of memory");
    if (pat != NULL) {
        p->stats.matched++;
        rec.event = pat->name;
        rec.is_event = pat->is_event;
        if (rec.exec_id >= 0 && rec.task >= 0 && exec_map_set(p, rec.exec_id, rec.task) != 0)
            return error_set(err, SIM_ENOMEM, path, line, 0, "out of memory");
        if (rec.exec_id >= 0 && rec.task < 0)
            rec.task = parsllog_task_of_exec(p, rec.exec_id);
        if (pat->attach == A_PREV)
            rec.task = th->last_task;
    }
    if (pat != NULL && pat->attach == A_NEXT) {
        th->pending_next++;
    } else if (rec.task >= 0) {
        if (task_reserve(p, rec.task) != 0)
            return error_set(err, SIM_ENOMEM, path, line, 0, "out of memory");
        p->counts[rec.task][rec.role] += 1 + th->pending_next;
        th->pending_next = 0;
        if (pat->attach == A_ID)
            th->last_task = rec.task;
    } else {
        p->stats.unattributed[rec.role]++;
    }
    return fn ? fn(ud, &rec) : 0;
}

int parsllog_read(parsllog *p, const char *path, int kind, parsllog_fn fn,
                  void *ud, sim_error *err)
{
    gzFile gz;
    buf line = { 0 }, rec = { 0 };
    header h, cur;
    int rc = 0, got, have = 0, rec_line = 0, lineno = 0;

    errno = 0;
    gz = gzopen(path, "rb");
    if (gz == NULL)
        return error_set(err, SIM_EIO, path, 0, 0, "cannot open: %s",
                         strerror(errno ? errno : ENOMEM));
    gzbuffer(gz, 1 << 17);
    while ((got = line_read(gz, &line)) == 1) {
        lineno++;
        p->stats.lines++;
        if (header_parse(line.data, &h)) {
            if (have && (rc = record_finish(p, kind, rec.data, &cur, rec_line,
                                            fn, ud, path, err)) != 0)
                goto done;
            /* swap the buffers: the line becomes the record */
            buf t = rec;
            rec = line;
            line = t;
            cur = h;
            have = 1;
            rec_line = lineno;
        } else if (have) {
            if (buf_reserve(&rec, rec.len + 1 + line.len) != 0) {
                rc = error_set(err, SIM_ENOMEM, path, lineno, 0, "out of memory");
                goto done;
            }
            rec.data[rec.len++] = '\n';
            memcpy(rec.data + rec.len, line.data, line.len + 1);
            rec.len += line.len;
        } else if (line.len > strspn(line.data, " \t")) {
            rc = error_set(err, SIM_EINPUT, path, lineno, 1,
                           "not a Parsl log record: expected '<created> "
                           "<date> <time> <process>-<pid> <thread>-<id> "
                           "<logger>:<line> <func> <LEVEL>: <message>'");
            goto done;
        }
    }
    if (got == -2) {
        rc = error_set(err, SIM_ENOMEM, path, lineno, 0, "out of memory");
        goto done;
    }
    if (got == -3) {
        rc = error_set(err, SIM_EINPUT, path, lineno + 1, 0,
                       "truncated or corrupt gzip data");
        goto done;
    }
    if (got == -1) {
        int code;
        rc = error_set(err, SIM_EIO, path, lineno, 0, "read error: %s",
                       gzerror(gz, &code));
        goto done;
    }
    if (!have) {
        rc = error_set(err, SIM_EINPUT, path, 0, 0, "no log records: the file is empty");
        goto done;
    }
    rc = record_finish(p, kind, rec.data, &cur, rec_line, fn, ud, path, err);
    /* NEXT records still waiting at the end belong to no task */
    for (int i = 0; i < p->nthreads; i++) {
        p->stats.unattributed[p->threads[i].role] += p->threads[i].pending_next;
        p->threads[i].pending_next = 0;
    }
done:
    free(line.data);
    free(rec.data);
    gzclose(gz);
    return rc;
}
