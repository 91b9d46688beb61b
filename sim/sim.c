/*
** One simulated run (sim.h): builds the workload DAG and the Python
** runtime of the chosen executor (processes, threads, GILs, handler
** locks, pools; see sim_int.h), then runs the event loop until the main
** program returns. dfk.c decides what each step costs and does; this file
** decides when it runs: who holds which GIL, who waits, which burst ends
** next on the shared cores.
**
** Everything a run needs is allocated before the loop starts, sized from
** the DAG (jobs: at most one per launch attempt, tasks + edges + 1), so the
** loop itself never allocates, logs or formats.
*/
#include "sim_int.h"

#include <assert.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *workload_names[] = {"double", "increment", "fibonacci"};
static const char *executor_names[] = {"threads", "htex"};
static const char *logging_names[] = {"on", "off", "off_all", "info"};
_Static_assert(sizeof logging_names / sizeof logging_names[0] == LOGGING_COUNT,
               "a name for every enum sim_logging");
static const char *role_names[] = {"main", "launch", "workers", "join", "result",
                                   "interchange", "manager", "htex_workers"};

#define NAMES(a) ((int)(sizeof a / sizeof a[0]))

static int lookup(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

const char *sim_workload_name(int w) { return w >= 0 && w < NAMES(workload_names) ? workload_names[w] : "?"; }
const char *sim_executor_name(int e) { return e >= 0 && e < NAMES(executor_names) ? executor_names[e] : "?"; }
const char *sim_logging_name(int l) { return l >= 0 && l < NAMES(logging_names) ? logging_names[l] : "?"; }
const char *sim_role_name(int r) { return r >= 0 && r < NAMES(role_names) ? role_names[r] : "?"; }
int sim_workload_lookup(const char *n) { return lookup(workload_names, NAMES(workload_names), n); }
int sim_executor_lookup(const char *n) { return lookup(executor_names, NAMES(executor_names), n); }
int sim_logging_lookup(const char *n) { return lookup(logging_names, NAMES(logging_names), n); }

long sim_task_count(int workload, long size)
{
    return dag_task_count(workload, size);
}

long sim_app_task_count(int workload, long size)
{
    return dag_app_count(workload, size);
}

static int cores_of(const sim_config *cfg)
{
    return cfg->cores > 0 ? cfg->cores : cfg->model->machine_cores;
}

int sim_workers_started(const sim_config *cfg)
{
    int per, cap;

    if (cfg->executor == EXECUTOR_THREADS)
        return cfg->workers;
    per = cfg->model->htex_cores_per_worker > 0 ? cfg->model->htex_cores_per_worker : 1;
    cap = cores_of(cfg) / per;
    if (cap < 1)
        cap = 1;
    return cfg->workers < cap ? cfg->workers : cap;
}

/* ---- jobs and pools -------------------------------------------------- */

int32_t sim_job_new(sim *s, int kind, int32_t task)
{
    int32_t j = s->free_job;

    /* A freed job first, else one never used: the same order as a free
    ** list of every job linked in index order, without writing all of
    ** them up front (a double run of 10^6 tasks has six alive at most).
    ** Capacity is sized so this cannot fail: see the file comment. */
    if (j >= 0) {
        s->free_job = s->jobs[j].next;
    } else {
        assert(s->jobs_used < s->jobs_capacity);
        j = s->jobs_used++;
    }
    s->jobs[j].task = task;
    s->jobs[j].next = -1;
    s->jobs[j].kind = (uint8_t)kind;
    s->jobs[j].step = 0;
    return j;
}

void sim_job_free(sim *s, int32_t j)
{
    s->jobs[j].next = s->free_job;
    s->free_job = j;
}

static void run_step(sim *s, int32_t th);

void sim_pool_push(sim *s, int id, int32_t j)
{
    pool *p = &s->pools[id];

    if (p->nidle > 0) {
        int32_t th = p->idle[--p->nidle];
        s->threads[th].job = j;
        s->threads[th].woken = 1;
        run_step(s, th);
        return;
    }
    s->jobs[j].next = -1;
    if (p->tail >= 0)
        s->jobs[p->tail].next = j;
    else
        p->head = j;
    p->tail = j;
}

static int32_t pool_pop(sim *s, int id)
{
    pool *p = &s->pools[id];
    int32_t j = p->head;

    if (j >= 0) {
        p->head = s->jobs[j].next;
        if (p->head < 0)
            p->tail = -1;
    }
    return j;
}

/* One task submitted: the pause of a full collection when this submit
** makes one. CPython considers a full collection every so many young
** collections (gc_check submits' worth of allocations) and makes it only
** once the objects it promoted since the last exceed a quarter of those
** that one left (here: once the tasks submitted grew by gc_growth, fitted);
** the collection walks every object, and the objects are mostly the
** futures held, one set per task submitted. It runs on the submitting
** thread with the GIL held. */
double sim_collect(sim *s)
{
    double pause;

    if (++s->gc_submitted < s->gc_next_check)
        return 0;
    s->gc_next_check += s->gc_check;
    if (s->gc_submitted < s->gc_last_full * (1 + s->gc_growth))
        return 0;
    s->gc_last_full = s->gc_submitted;
    pause = s->gc_base + s->gc_per_task * (double)s->gc_submitted;
    s->res.gc_full_collections++;
    s->res.gc_busy_s += pause;
    return pause;
}

/* ---- the GIL, the handler lock and the cores ------------------------- */

/* Start a burst. A thread that was blocked (idle on its pool, waiting
** for the GIL, the handler lock or a future) first waits for the OS to
** wake it: the hand-off's dead time, paid once, with whatever it holds
** (the GIL) held, but on no core: waking is latency, not work. */
/* The role of each pool's threads. */
static const int8_t role_of_pool[POOL_COUNT] = {
    [POOL_MAIN] = SIM_ROLE_MAIN, [POOL_LAUNCH] = SIM_ROLE_LAUNCH,
    [POOL_EXECUTE] = SIM_ROLE_WORKERS, [POOL_JOIN] = SIM_ROLE_JOIN,
    [POOL_RESULT] = SIM_ROLE_RESULT, [POOL_INTERCHANGE] = SIM_ROLE_INTERCHANGE,
    [POOL_MANAGER] = SIM_ROLE_MANAGER, [POOL_WORKER] = SIM_ROLE_HTEX_WORKERS,
};

/* The end, at until, of a thread's time in logging since its records'
** flush let the GIL go (sim_result.role_logging_s). */
static void logging_close(sim *s, int32_t th, double until)
{
    thread *t = &s->threads[th];

    if (t->in_logging) {
        s->res.role_logging_s[t->role] += until - t->logging_since;
        t->in_logging = 0;
    }
}

static void burst(sim *s, int32_t th, double work, int phase)
{
    thread *t = &s->threads[th];
    double dead = 0;
    int role = t->role;

    if (t->woken) {
        dead += s->handoff;
        t->woken = 0;
        s->res.wakeups += t->proc->is_submit;
    }
    if (phase == PHASE_CPU) {
        dead += t->dead;
        t->dead = 0;
        /* Back at work once the dead time is over: until then the
        ** thread is still in the flush that let the GIL go. */
        logging_close(s, th, s->now + dead);
    }
    s->res.role_cpu_s[role] += work;
    s->res.role_dead_s[role] += dead;
    if (dead <= 0) {
        t->phase = (uint8_t)phase;
        cpu_start(&s->cpu, s->now, work, ++s->seq, (uint32_t)th);
        return;
    }
    t->pending = work;
    t->pending_phase = (uint8_t)phase;
    t->phase = PHASE_WAKING;
    cal_push(&s->delays, s->now + dead, ++s->seq, (uint32_t)th);
}

static void enqueue(sim *s, int32_t *head, int32_t *tail, int32_t th)
{
    s->threads[th].next_waiter = -1;
    if (*tail >= 0)
        s->threads[*tail].next_waiter = th;
    else
        *head = th;
    *tail = th;
}

static int32_t dequeue(sim *s, int32_t *head, int32_t *tail)
{
    int32_t th = *head;

    if (th >= 0) {
        *head = s->threads[th].next_waiter;
        if (*head < 0)
            *tail = -1;
    }
    return th;
}

static double planned_work(sim *s, int32_t th);

static void gil_take(sim *s, int32_t th)
{
    thread *t = &s->threads[th];

    assert(t->proc->gil_holder < 0);
    t->proc->gil_holder = th;
    /* Every waiter's timed wait starts over with a new holder (CPython
    ** counts switches and drops the request of a wait that saw one). */
    t->proc->gil_wait_start = s->now;
    t->holds_gil = 1;
    t->gil_since = s->now;
}

static void gil_grant(sim *s, int32_t th)
{
    gil_take(s, th);
    burst(s, th, planned_work(s, th), PHASE_CPU);
}

static void gil_release(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    process *p = t->proc;
    int32_t next;

    if (p->is_submit)
        s->res.gil_busy_s += s->now - t->gil_since;
    t->holds_gil = 0;
    p->gil_holder = -1;
    next = dequeue(s, &p->gil_head, &p->gil_tail);
    if (next >= 0) {
        s->threads[next].woken = 1;
        gil_grant(s, next);
    }
}

static void handler_grant(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    process *p = t->proc;

    assert(p->handler_holder < 0);
    p->handler_holder = th;
    p->handler_since = s->now;
    burst(s, th, t->io, PHASE_IO);
}

static void handler_release(sim *s, int32_t th)
{
    process *p = s->threads[th].proc;
    int32_t next;

    if (p->is_submit)
        s->res.handler_busy_s += s->now - p->handler_since;
    p->handler_holder = -1;
    next = dequeue(s, &p->handler_head, &p->handler_tail);
    if (next >= 0) {
        s->threads[next].woken = 1;
        handler_grant(s, next);
    }
}

/* The work of the step a thread is about to run: planned when the thread
** gets the GIL, so the state it sees is the state at the step's start. */
static double planned_work(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    double work;

    if (t->lock_section || t->lock_regain) {
        /* The rest of a submit that holds the pool lock, or one that comes
        ** after the step's records: its cost was in the step already;
        ** what the lock adds is the waiting. */
        t->io = 0;
        t->records = 0;
        t->flush = 0;
        if (t->lock_section)
            t->lock_step = 0;
        t->lock_regain = 0;
        return 0;
    }
    {
        step_plan sp = {0, 0, 0, 0};
        work = dfk_plan(s, t, &s->jobs[t->job], &sp);
        t->io = sp.io;
        t->records = sp.records;
        t->flush = t->shared && sp.records > 0;
        s->res.role_logging_s[t->role] += sp.logging;
        t->lock_step = (uint8_t)sp.locks;
    }
    return work;
}

/* Queue for the GIL. The first waiter starts the switch interval's clock:
** CPython's waiter sleeps that long, then asks the holder to drop it. */
static void gil_wait(sim *s, int32_t th)
{
    process *p = s->threads[th].proc;

    if (p->gil_head < 0)
        p->gil_wait_start = s->now;
    s->threads[th].phase = PHASE_WAIT_GIL;
    enqueue(s, &p->gil_head, &p->gil_tail, th);
}

/* Start the current job's next step: take the GIL if the thread lacks it.
** A thread that keeps running keeps the GIL, unless others have waited for
** it a whole switch interval. One call of planned_work and burst for every
** way in, so that the function stays small enough to inline. */
static void run_step(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    process *p = t->proc;

    if (!t->holds_gil ||
        (p->gil_head >= 0 && !(s->now < p->gil_wait_start + s->switch_interval))) {
        if (t->holds_gil)
            gil_release(s, th);
        if (p->gil_holder >= 0) {
            gil_wait(s, th);
            return;
        }
        gil_take(s, th);
    }
    burst(s, th, planned_work(s, th), PHASE_CPU);
}

/* Letting the pool lock go wakes the first thread blocked on it; the lock
** stays free while the OS wakes it (a wake-up's dead time, on no core),
** so a thread that comes back for it sooner takes it first. */
static void lock_release(sim *s, int32_t th)
{
    process *p = s->threads[th].proc;
    int32_t next = dequeue(s, &p->lock_head, &p->lock_tail);

    p->lock_holder = -1;
    if (next >= 0) {
        s->threads[next].phase = PHASE_LOCK_WAKE;
        s->res.wakeups += p->is_submit;
        s->res.role_dead_s[s->threads[next].role] += s->handoff;
        cal_push(&s->delays, s->now + s->handoff, ++s->seq, (uint32_t)next);
    }
}

/* A thread woken for the pool lock takes it if it is still free, and must
** then wait for the GIL to finish its submit: while two threads submit in
** turn, every submit hands the GIL over (the convoy). Else it sleeps
** again, first in line. */
static void lock_woken(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    process *p = t->proc;

    if (p->lock_holder < 0) {
        p->lock_holder = th;
        t->lock_section = 1;
        run_step(s, th);
        return;
    }
    t->phase = PHASE_WAIT_LOCK;
    t->next_waiter = p->lock_head;
    p->lock_head = th;
    if (p->lock_tail < 0)
        p->lock_tail = th;
}

/* A step that calls ThreadPoolExecutor.submit has done its work; the
** submit's last pool_lock seconds hold the pool lock. Returns 1 when the
** thread must wait (for the lock, or, preempted while holding it, for
** the GIL) before the step takes effect. */
static int lock_step_end(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    process *p = t->proc;
    int starts_thread = t->lock_step == 2;
    double expiry;

    t->lock_step = 0;
    if (p->lock_holder >= 0 && p->lock_holder != th) {
        logging_close(s, th, s->now);
        if (t->holds_gil)
            gil_release(s, th);
        t->phase = PHASE_WAIT_LOCK;
        enqueue(s, &p->lock_head, &p->lock_tail, th);
        return 1;
    }
    if (!t->holds_gil || s->pool_lock <= 0)
        return 0;
    if (!starts_thread) {
        /* Preempted only when the waiter's drop request fell inside the
        ** locked part; then the thread lets the GIL go with the lock held. */
        if (p->gil_head < 0)
            return 0;
        expiry = p->gil_wait_start + s->switch_interval;
        if (expiry > s->now || expiry <= s->now - s->pool_lock)
            return 0;
    }
    p->lock_holder = th;
    t->lock_section = 1;
    gil_release(s, th);
    t->woken = 1;
    if (p->gil_holder < 0)
        gil_grant(s, th);
    else
        gil_wait(s, th);
    return 1;
}

/* A blocked thread (the main thread waiting on a future) resumes. */
void sim_wake(sim *s, int32_t th)
{
    s->threads[th].woken = 1;
    run_step(s, th);
}

static void step_done(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    const process *p = t->proc;
    int outcome;

    if (t->lock_step && !t->holds_gil && s->pool_lock > 0 && p->lock_holder < 0) {
        /* The step's records let the GIL go; its submit, the step's last
        ** act, runs once the thread has it back, and can lose it there.
        ** A GIL nobody took is back at once, with no burst of its own. */
        if (p->gil_holder >= 0) {
            t->lock_regain = 1;
            run_step(s, th);
            return;
        }
        gil_take(s, th);
    }
    if (t->lock_step && lock_step_end(s, th))
        return;
    if (t->lock_section) {
        t->lock_section = 0;
        lock_release(s, th);
    }
    outcome = dfk_finish(s, t->job);
    if (outcome == STEP_CONTINUE) {
        run_step(s, th);
        return;
    }
    if (outcome == STEP_BLOCK) {
        logging_close(s, th, s->now);
        if (t->holds_gil)
            gil_release(s, th);
        t->phase = PHASE_BLOCKED;
        return;
    }
    t->job = pool_pop(s, t->pool);
    if (t->job >= 0) {
        run_step(s, th);
        return;
    }
    /* Idle, it is out of logging once the flush is done. A thread alone in
    ** its process (HTEX's) keeps the GIL: nobody waits for it, and no one
    ** sees who holds it (gil_busy_s is the submitting process's), so it
    ** needs no release now and no take when it runs again. Nor does it
    ** flush with the GIL let go: it is never in logging. */
    if (!p->single_thread) {
        logging_close(s, th, s->now);
        if (t->holds_gil)
            gil_release(s, th);
    }
    t->phase = PHASE_IDLE;
    s->pools[t->pool].idle[s->pools[t->pool].nidle++] = th;
}

static void burst_done(sim *s, int32_t th)
{
    thread *t = &s->threads[th];
    process *p = t->proc;

    if (t->flush) {
        /* Each record's flush releases the GIL. With other threads waiting
        ** for it, every record after the first passes the GIL away and
        ** back (record_handoffs wake-ups, 2 in theory; fitted). The wait is
        ** this thread's: it is paid before its next burst on the GIL, not
        ** under the handler lock (charging it to the lock made the lock a
        ** bottleneck that over-predicted HTEX runs by 30-50%). On a busy
        ** machine no waiter gets to run before the write returns: the
        ** writer keeps the GIL through its write, and nothing passes. */
        int keep = s->flush_keeps_gil && p->gil_head >= 0;
        t->flush = 0;
        if (!keep && p->gil_head >= 0 && t->records > 1) {
            t->dead += s->record_handoffs * (t->records - 1) * s->handoff;
            if (p->is_submit)
                s->res.record_handoffs += s->record_handoffs * (t->records - 1);
        }
        t->in_logging = 1;
        t->logging_since = s->now;
        if (!keep)
            gil_release(s, th);
        if (t->io > 0 || p->handler_holder >= 0) {
            if (p->handler_holder < 0) {
                handler_grant(s, th);
            } else {
                t->phase = PHASE_WAIT_HANDLER;
                enqueue(s, &p->handler_head, &p->handler_tail, th);
            }
            return;
        }
        /* No write time outside the GIL: the flush only lets the GIL go,
        ** and the step ends here, with no event of its own. */
    } else if (t->phase == PHASE_IO) {
        handler_release(s, th);
    }
    step_done(s, th);
}

/* A thread's dead time is over: it takes the pool lock it was woken for,
** or starts the burst that waited. Returns 1 when that burst, of no work
** (a submit that regains the GIL), ends at once: the cores' next event and
** before every dead time still pending (one ending now was scheduled
** before it, so it would come first), so that the caller handles its end
** now rather than through the calendar, in the same order. */
static int woken(sim *s, int32_t th)
{
    thread *t = &s->threads[th];

    if (t->phase == PHASE_LOCK_WAKE) {
        lock_woken(s, th);
        return 0;
    }
    t->phase = t->pending_phase;
    if (t->pending == 0 && cal_time(cal_peek(&s->delays)) > s->now)
        return cpu_start_nothing(&s->cpu, s->now, ++s->seq, (uint32_t)th);
    cpu_start(&s->cpu, s->now, t->pending, ++s->seq, (uint32_t)th);
    return 0;
}

/* ---- setup ----------------------------------------------------------- */

static int32_t add_process(sim *s, int logging, int single, int submit)
{
    process *p = &s->processes[s->nprocesses];

    p->gil_holder = p->gil_head = p->gil_tail = -1;
    p->handler_holder = p->handler_head = p->handler_tail = -1;
    p->lock_holder = p->lock_head = p->lock_tail = -1;
    p->logging = (uint8_t)logging;
    p->single_thread = (uint8_t)single;
    p->log_mode = logging == PROCESS_LOG_NONE ? LOG_OFF : single ? LOG_SINGLE :
                  logging == PROCESS_LOG_INFO ? LOG_INFO : LOG_SHARED;
    p->is_submit = (uint8_t)submit;
    return s->nprocesses++;
}

/* A thread of a pool; a thread of a ThreadPoolExecutor (lazy = 1) exists
** only once the executor starts it (sim_pool_start_thread). */
static int32_t add_thread(sim *s, int32_t process, int pool_id, int lazy)
{
    thread *t = &s->threads[s->nthreads];
    pool *p = &s->pools[pool_id];

    t->proc = &s->processes[process];
    t->pool = pool_id;
    t->role = (uint8_t)role_of_pool[pool_id];
    t->shared = !t->proc->single_thread;
    t->job = -1;
    t->next_waiter = -1;
    t->phase = PHASE_IDLE;
    if (lazy) {
        if (p->unstarted++ == 0)
            p->next_start = s->nthreads;
    } else {
        p->idle[p->nidle++] = s->nthreads;
    }
    return s->nthreads++;
}

/* concurrent.futures starts a worker when a submit finds none idle. */
void sim_pool_start_thread(sim *s, int id)
{
    pool *p = &s->pools[id];

    assert(p->unstarted > 0);
    p->unstarted--;
    p->idle[p->nidle++] = p->next_start++;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Quantiles at the midpoints (k + 0.5) / (QUANTILES + 1), so the table's
** ends stay finite, then rescaled so the table's mean (of the piecewise
** linear quantile function) is the model's mean exactly. */
static void fill_quantiles(double *q, const model_cost *mc)
{
    double sigma, zeta, shape, scale, mean = 0;

    for (int k = 0; k <= QUANTILES; k++) {
        double p = (k + 0.5) / (QUANTILES + 1.0);
        if (mc->dist == DIST_LOGNORMAL) {
            sigma = sqrt(log1p(mc->cv * mc->cv));
            zeta = log(mc->mean_s) - sigma * sigma / 2;
            q[k] = gsl_cdf_lognormal_Pinv(p, zeta, sigma);
        } else {
            shape = 1.0 / (mc->cv * mc->cv);
            scale = mc->mean_s / shape;
            q[k] = gsl_cdf_gamma_Pinv(p, shape, scale);
        }
    }
    for (int k = 0; k < QUANTILES; k++)
        mean += (q[k] + q[k + 1]) / 2;
    mean /= QUANTILES;
    for (int k = 0; k <= QUANTILES; k++)
        q[k] *= mc->mean_s / mean;
}

static int setup_costs(sim *s, sim_error *err)
{
    const model *m = s->cfg->model;

    for (int i = 0; i < STAGE_COUNT; i++) {
        const model_cost *mc = &m->stage[i];
        stage_cost *c = &s->cost[i];
        double r = mc->records, d = mc->debug_records;
        c->mean = mc->mean_s;
        c->records = r;
        /* The same products and sums, in the same order, as each record
        ** cost before they were worked out here once. */
        c->log_records[LOG_SINGLE] = c->log_records[LOG_SHARED] = r;
        c->log_records[LOG_OFF] = 0;
        c->log_cpu[LOG_SINGLE] = r * m->record_enabled_s + r * m->record_io_s;
        c->log_cpu[LOG_SHARED] = r * m->record_enabled_s;
        c->log_cpu[LOG_OFF] = r * m->record_disabled_s;
        c->log_io[LOG_SINGLE] = c->log_io[LOG_OFF] = 0;
        c->log_io[LOG_SHARED] = r * m->record_io_s;
        c->log_busy[LOG_SINGLE] = c->log_busy[LOG_SHARED] =
            r * (m->record_enabled_s + m->record_io_s);
        c->log_busy[LOG_OFF] = c->log_cpu[LOG_OFF];
        /* At INFO the DEBUG records are disabled calls (d of r). */
        c->log_records[LOG_INFO] = r - d;
        c->log_cpu[LOG_INFO] = (r - d) * m->record_enabled_s + d * m->record_disabled_s;
        c->log_io[LOG_INFO] = (r - d) * m->record_io_s;
        c->log_busy[LOG_INFO] = (r - d) * (m->record_enabled_s + m->record_io_s) +
                                d * m->record_disabled_s;
        if (mc->dist != DIST_CONSTANT && mc->cv > 0 && mc->mean_s > 0) {
            c->quantile = malloc(sizeof *c->quantile * (QUANTILES + 1));
            if (c->quantile == NULL)
                return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
            fill_quantiles(c->quantile, mc);
        }
        /* One stream per stage, so a what-if that changes one stage's
        ** cost leaves every other stage's draws as they were. */
        c->rng = gsl_rng_alloc(gsl_rng_taus2);
        /* stage draws use all 32 bits of a taus2 draw (QUANTILES = 2^8) */
        assert(c->rng == NULL || (gsl_rng_min(c->rng) == 0 && gsl_rng_max(c->rng) == 0xffffffffUL));
        if (c->rng == NULL)
            return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
        gsl_rng_set(c->rng, (unsigned long)splitmix64(s->cfg->seed * 64 + (uint64_t)i));
        c->get = c->rng->type->get;
        c->state = c->rng->state;
    }
    s->switch_interval = m->gil_switch_interval_s > 0 ? m->gil_switch_interval_s : 0.005;
    s->handoff = m->gil_handoff_s;
    s->record_handoffs = m->record_handoffs;
    s->thread_start = m->thread_start_s;
    s->pool_lock = m->pool_lock_s;
    /* A flush's waiter wakes on a core of its own beside the writer's;
    ** with the machine's other load on all but one core, the write returns
    ** before the waiter runs and the writer takes the GIL back (measured:
    ** docs/validate.md, "Logging at INFO, and a busy machine"). */
    s->flush_keeps_gil = m->machine_background_cores > 0 &&
                         s->cpu.cores - m->machine_background_cores < 2;
    s->gc_check = m->gc_full_check_tasks;
    s->gc_growth = m->gc_full_growth;
    s->gc_base = m->gc_full_base_s;
    s->gc_per_task = m->gc_full_per_task_s;
    s->gc_next_check = LONG_MAX;
    if (s->gc_check > 0 && m->gc_full_first_tasks > 0) {
        s->gc_next_check = m->gc_full_first_tasks;
    } else if (s->gc_check > 0) {
        /* Where the run starts in the collector's cycle depends on all
        ** that came before it (imports, warm-up); a model that does not
        ** know it draws it, uniform, from a stream of its own. */
        gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
        if (r == NULL)
            return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
        gsl_rng_set(r, (unsigned long)splitmix64(s->cfg->seed * 64 + STAGE_COUNT));
        s->gc_next_check = 1 + (long)gsl_rng_uniform_int(r, (unsigned long)s->gc_check);
        gsl_rng_free(r);
    }
    return 0;
}

static void sim_free(sim *s)
{
    for (int i = 0; i < STAGE_COUNT; i++) {
        gsl_rng_free(s->cost[i].rng);
        free(s->cost[i].quantile);
    }
    for (int i = 0; i < POOL_COUNT; i++)
        free(s->pools[i].idle);
    free(s->status);
    free(s->inner_done);
    free(s->outstanding);
    free(s->latency);
    free(s->jobs);
    free(s->threads);
    free(s->processes);
    cpu_release(&s->cpu);
    cal_release(&s->delays);
    dag_release(&s->dag);
}

static int setup(sim *s, const sim_config *cfg, sim_error *err)
{
    const model *m = cfg->model;
    int workers = sim_workers_started(cfg);
    int htex = cfg->executor == EXECUTOR_HTEX;
    int joins = m->join_pool_threads > 0 ? m->join_pool_threads : 1;
    int32_t tasks, edges, nthreads, nprocs, submit, i;
    int rc;

    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    rc = dag_build(&s->dag, cfg->workload, cfg->size, err);
    if (rc)
        return rc;
    tasks = s->dag.tasks;
    edges = s->dag.dependent_at[tasks];
    nthreads = 2 + joins + (htex ? 1 + 2 + workers : workers);
    nprocs = 1 + (htex ? 2 + workers : 0);
    if (nthreads >= 1 << CAL_ARG_BITS) {
        /* the calendars name a thread in CAL_ARG_BITS bits */
        dag_release(&s->dag);
        return error_set(err, SIM_EINPUT, NULL, 0, 0,
                         "too many threads to simulate: %ld", (long)nthreads);
    }
    s->status = calloc(tasks, 1);
    s->inner_done = calloc(tasks, 1);
    s->outstanding = malloc(sizeof *s->outstanding * tasks);
    s->latency = malloc(sizeof *s->latency * tasks);
    s->jobs_capacity = tasks + edges + 1;
    s->jobs = malloc(sizeof *s->jobs * s->jobs_capacity);
    s->threads = calloc(nthreads, sizeof *s->threads);
    s->processes = calloc(nprocs, sizeof *s->processes);
    for (i = 0; i < POOL_COUNT; i++) {
        s->pools[i].head = s->pools[i].tail = -1;
        s->pools[i].idle = malloc(sizeof(int32_t) * nthreads);
    }
    if (!s->status || !s->inner_done || !s->outstanding || !s->latency ||
        !s->jobs || !s->threads || !s->processes || !s->pools[POOL_COUNT - 1].idle ||
        cpu_init(&s->cpu, cores_of(cfg), nthreads, m->machine_background_cores) ||
        cal_init(&s->delays, nthreads)) {
        sim_free(s);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0,
                         "out of memory simulating %ld tasks", (long)tasks);
    }
    for (i = 0; i < POOL_COUNT; i++)
        if (s->pools[i].idle == NULL) {
            sim_free(s);
            return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
        }
    for (i = 0; i < tasks; i++)
        s->outstanding[i] = s->dag.ndeps[i];
    s->free_job = -1;
    rc = setup_costs(s, err);
    if (rc) {
        sim_free(s);
        return rc;
    }

    submit = add_process(s, cfg->logging == LOGGING_ON ? PROCESS_LOG_ALL :
                            cfg->logging == LOGGING_INFO ? PROCESS_LOG_INFO : PROCESS_LOG_NONE,
                         0, 1);
    s->main_thread = add_thread(s, submit, POOL_MAIN, 0);
    add_thread(s, submit, POOL_LAUNCH, 0);
    for (i = 0; i < joins; i++)
        add_thread(s, submit, POOL_JOIN, 1);
    if (htex) {
        int worker_side = cfg->logging != LOGGING_OFF_ALL ? PROCESS_LOG_ALL : PROCESS_LOG_NONE;
        add_thread(s, submit, POOL_RESULT, 0);
        add_thread(s, add_process(s, worker_side, 1, 0), POOL_INTERCHANGE, 0);
        add_thread(s, add_process(s, worker_side, 1, 0), POOL_MANAGER, 0);
        for (i = 0; i < workers; i++)
            add_thread(s, add_process(s, worker_side, 1, 0), POOL_WORKER, 0);
        s->manager_capacity = workers + (m->htex_prefetch_capacity > 0 ? m->htex_prefetch_capacity : 0);
        s->app_launch_stage = STAGE_LAUNCH_HTEX;
    } else {
        /* Warm runs: the harness ran one task per worker first, so the
        ** user's pool has started its threads; the internal join pool,
        ** which warm-up never touches, starts its own on demand. */
        for (i = 0; i < workers; i++)
            add_thread(s, submit, POOL_EXECUTE, 0);
        s->app_launch_stage = STAGE_LAUNCH_THREADS;
    }
    s->parked_head = s->parked_tail = -1;
    s->main_waiting = -1;
    s->collect_batch = 1;
    if (m->stage[STAGE_COLLECT].mean_s > 0)
        s->collect_batch = (int32_t)fmax(1.0, fmin(1e6, s->switch_interval /
                                          m->stage[STAGE_COLLECT].mean_s));
    s->res.tasks = tasks;
    s->res.workers_started = workers;
    s->res.cores = cores_of(cfg);
    return 0;
}

/* ---- results --------------------------------------------------------- */

static double select_kth(double *a, long n, long k)
{
    long lo = 0, hi = n - 1;

    /* Hoare's quickselect; the middle pivot keeps sorted input linear. */
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

static void summarize(sim *s)
{
    sim_result *r = &s->res;
    long n = s->dag.tasks, i;
    double sum = 0;

    r->makespan_s = s->finish_time;
    r->throughput_tps = r->makespan_s > 0 ? n / r->makespan_s : 0;
    for (i = 0; i < n; i++)
        sum += s->latency[i];
    r->latency_mean_s = sum / n;
    {
        long k50 = (long)floor(0.50 * (n - 1)), k99 = (long)floor(0.99 * (n - 1));
        r->latency_p50_s = select_kth(s->latency, n, k50);
        /* Quickselect leaves everything from k50 on no smaller than the
        ** median, so the 99th percentile is found among those alone. */
        r->latency_p99_s = select_kth(s->latency + k50, n - k50, k99 - k50);
    }
    r->core_utilization = r->makespan_s > 0 ?
        s->cpu.busy / (r->cores * r->makespan_s) : 0;
}

/* ---- the event loop -------------------------------------------------- */

int sim_run(const sim_config *cfg, sim_result *res, sim_error *err)
{
    sim s;
    int rc;
    int32_t main_job;
    long events = 0;

    memset(res, 0, sizeof *res);
    if (cfg->workers < 1)
        return error_set(err, SIM_EINPUT, NULL, 0, 0,
                         "workers must be at least 1, not %d", cfg->workers);
    if (cfg->workload < 0 || cfg->workload > WORKLOAD_FIBONACCI ||
        cfg->executor < 0 || cfg->executor > EXECUTOR_HTEX ||
        cfg->logging < 0 || cfg->logging >= LOGGING_COUNT)
        return error_set(err, SIM_EINPUT, NULL, 0, 0, "bad configuration");
    if (cores_of(cfg) < 1)
        return error_set(err, SIM_EINPUT, NULL, 0, 0,
                         "cores must be at least 1, not %d", cores_of(cfg));
    rc = setup(&s, cfg, err);
    if (rc)
        return rc;

    main_job = sim_job_new(&s, JOB_MAIN, -1);
    s.pools[POOL_MAIN].nidle = 0;
    s.threads[s.main_thread].job = main_job;
    run_step(&s, s.main_thread);

    /* Every event is the end of a CPU or log I/O burst, or of a thread's
    ** dead time (a wake-up, on no core): the model has no other timed waits
    ** (current HTEX pushes results as they come, unbatched), so the cores'
    ** queue and the dead times' are the whole calendar. */
    for (;;) {
        uint64_t key;
        double t = cpu_next(&s.cpu, &key);
        const cal_event *d = cal_peek(&s.delays);
        int32_t th;
        if (cal_before(d, &(cal_event){cal_bits(t), key})) {
            s.now = cal_time(d);
            events++;
            th = (int32_t)cal_pop(&s.delays);
            if (!woken(&s, th))
                continue;
        } else {
            if (t == INFINITY)
                break;
            s.now = t;
            th = (int32_t)cpu_finish(&s.cpu, t);
        }
        events++;
        burst_done(&s, th);
    }
    s.res.events = events;
    if (s.done != s.dag.tasks) {
        rc = error_set(err, SIM_EINPUT, NULL, 0, 0,
                       "internal: run ended with %ld of %ld tasks done",
                       s.done, (long)s.dag.tasks);
    } else {
        summarize(&s);
    }
    *res = s.res;
    sim_free(&s);
    return rc;
}
