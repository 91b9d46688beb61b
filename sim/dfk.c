/*
** What Parsl's DataFlowKernel and executors do at each step of a task's
** life, as sim.c's runtime asks: dfk_plan says how much CPU and log I/O a
** step costs, dfk_finish applies its effects (a task submitted, launched,
** handed on, completed) once the step's bursts are done. The flow follows
** parsl/dataflow/dflow.py (2026.10.26):
**
**   submit (caller's thread): task record, a done-callback on each
**     dependency, then launch_if_ready, which queues a launch attempt on
**     the single "Task-Launch" thread. A dependency already done calls
**     back at once, so a task with k dependencies gets k + 1 attempts.
**   launch attempt (Task-Launch): _count_deps walks every dependency; if
**     none is outstanding the task is launched (executor.submit), else the
**     attempt is skipped.
**   ThreadPoolExecutor: a worker thread runs the app and, in the same
**     thread, the DFK's completion callback.
**   HTEX: interchange -> manager -> worker process -> manager ->
**     interchange -> the result queue thread, which deserializes and
**     runs the completion callback.
**   join apps run on the internal ThreadPoolExecutor: the body submits
**     its children, returns a future, and the join task completes on the
**     thread that completes that future.
**   completion: state update, app future set; each dependent's callback
**     queues another launch attempt.
*/
#include "sim_int.h"

/* The work of one stage of one task on a thread of process p: its cost,
** drawn from the stage's own stream, plus its log records' GIL-held part
** (and, in a process of one thread, their I/O; elsewhere the I/O is added
** to sp->io, for the burst under the handler lock). The records' costs by
** the process's logging mode are worked out once, in sim.c's setup
** (stage_cost.log_*). Here, next to its callers and inline, so that the
** compiler inlines it: it runs about ten times a task, and the call alone
** was 5% of the run's instructions. */
static inline double stage_work(sim *s, int stage, const process *p, step_plan *sp)
{
    stage_cost *c = &s->cost[stage];
    double work;

    if (c->quantile) {
        /* One 32-bit draw: its top 8 bits pick the quantile interval, the
        ** other 24 the point within it. */
        uint32_t r = (uint32_t)c->get(c->state);
        uint32_t k = r >> 24;
        double frac = (r & 0xffffffu) * 0x1p-24;
        work = c->quantile[k] + frac * (c->quantile[k + 1] - c->quantile[k]);
    } else {
        work = c->mean;
    }
    s->res.stage_busy_s[stage] += work;
    if (c->records > 0) {
        /* A mode's zeros (no records counted or I/O apart when the
        ** logger is off) leave the sums as they were: they are sums of
        ** non-negative terms, which adding +0 does not change. */
        int m = p->log_mode;
        sp->records += c->log_records[m];
        sp->io += c->log_io[m];
        s->res.logging_busy_s += c->log_busy[m];
        sp->logging += c->log_cpu[m];
        work += c->log_cpu[m];
    }
    return work;
}

/* The main program: submit every top-level task, then wait on each. */
static double plan_main(sim *s, const thread *t, job *j, step_plan *sp)
{
    const dag *d = &s->dag;

    if (s->main_submit_next < d->top) {
        j->step = 0;
        s->latency[s->main_submit_next] = s->now;
        sp->locks = 1;    /* launch_if_ready: the launch pool's submit */
        return stage_work(s, STAGE_SUBMIT, t->proc, sp) + sim_collect(s);
    }
    /* Collect: the futures already done, in one burst, bounded so that
    ** the thread would not have kept the GIL past the switch interval. */
    {
        int32_t k = 0, i = s->main_collect_next;
        double work = 0;
        while (i + k < d->top && k < s->collect_batch &&
               s->status[i + k] == TASK_DONE) {
            work += stage_work(s, STAGE_COLLECT, t->proc, sp);
            k++;
        }
        j->step = 1;
        j->task = k;
        return work;
    }
}

static void submit_done(sim *s, int32_t task)
{
    int32_t already = s->dag.ndeps[task] - s->outstanding[task], i;

    s->status[task] = TASK_PENDING;
    for (i = 0; i <= already; i++)
        sim_pool_push(s, POOL_LAUNCH, sim_job_new(s, JOB_LAUNCH, task));
}

static int finish_main(sim *s, job *j, int32_t self)
{
    const dag *d = &s->dag;

    if (j->step == 0) {
        submit_done(s, s->main_submit_next++);
    } else {
        s->main_collect_next += j->task;
    }
    if (s->main_submit_next < d->top)
        return STEP_CONTINUE;
    if (s->main_collect_next == d->top) {
        s->finish_time = s->now;
        sim_job_free(s, self);
        return STEP_MOVED;
    }
    if (s->status[s->main_collect_next] == TASK_DONE)
        return STEP_CONTINUE;
    s->main_waiting = s->main_collect_next;
    return STEP_BLOCK;
}

/* Completion of task on the current thread; cost planned by plan_complete. */
static void complete(sim *s, int32_t task)
{
    const dag *d = &s->dag;
    int32_t i, join;

    s->status[task] = TASK_DONE;
    s->latency[task] = s->now - s->latency[task];
    s->done++;
    for (i = d->dependent_at[task]; i < d->dependent_at[task + 1]; i++) {
        int32_t c = d->dependent[i];
        s->outstanding[c]--;
        if (s->status[c] != TASK_UNSUBMITTED)
            sim_pool_push(s, POOL_LAUNCH, sim_job_new(s, JOB_LAUNCH, c));
    }
    if (s->main_waiting == task) {
        s->main_waiting = -1;
        sim_wake(s, s->main_thread);
    }
    join = d->join_of[task];
    if (join >= 0) {
        if (s->status[join] == TASK_JOINING)
            complete(s, join);
        else
            s->inner_done[join] = 1;
    }
}

static int has_dependents(const dag *d, int32_t task)
{
    return d->dependent_at[task + 1] > d->dependent_at[task];
}

static double plan_complete(sim *s, const thread *t, int32_t task, step_plan *sp)
{
    int32_t join = s->dag.join_of[task];
    double work = stage_work(s, STAGE_COMPLETE, t->proc, sp);

    /* each dependent's callback submits a launch attempt to the launch pool */
    sp->locks |= has_dependents(&s->dag, task);
    if (join >= 0 && s->status[join] == TASK_JOINING) {
        work += stage_work(s, STAGE_JOIN_COMPLETE, t->proc, sp);
        sp->locks |= has_dependents(&s->dag, join);
    }
    return work;
}

static double plan_launch(sim *s, const thread *t, job *j, step_plan *sp)
{
    int32_t task = j->task;
    const process *p = t->proc;
    double work = 0;
    int32_t i;

    for (i = 0; i < s->dag.ndeps[task]; i++)
        work += stage_work(s, STAGE_DEP_CHECK, p, sp);
    j->step = s->status[task] == TASK_PENDING && s->outstanding[task] == 0;
    if (!j->step)
        return work + stage_work(s, STAGE_LAUNCH_SKIP, p, sp);
    if (s->dag.kind[task] == DAG_JOIN || s->cfg->executor == EXECUTOR_THREADS) {
        /* A ThreadPoolExecutor starts a worker when the submit finds none
        ** idle, up to its maximum: step 2 says this launch starts one. */
        const pool *target = &s->pools[s->dag.kind[task] == DAG_JOIN ? POOL_JOIN : POOL_EXECUTE];
        /* Thread.start() waits for the new thread to run, with the pool
        ** lock held and the GIL let go (step_locks 2). */
        sp->locks = 1;
        if (target->nidle == 0 && target->unstarted > 0) {
            j->step = 2;
            work += s->thread_start;
            sp->locks = 2;
        }
        return work + stage_work(s, STAGE_LAUNCH_THREADS, p, sp);
    }
    return work + stage_work(s, s->app_launch_stage, p, sp);
}

static int finish_launch(sim *s, job *j, int32_t self)
{
    if (!j->step) {
        sim_job_free(s, self);
        return STEP_MOVED;
    }
    s->status[j->task] = TASK_LAUNCHED;
    if (s->dag.kind[j->task] == DAG_JOIN) {
        if (j->step == 2)
            sim_pool_start_thread(s, POOL_JOIN);
        j->step = 0;
        j->kind = JOB_JOIN_BODY;
        sim_pool_push(s, POOL_JOIN, self);
    } else if (s->cfg->executor == EXECUTOR_THREADS) {
        if (j->step == 2)
            sim_pool_start_thread(s, POOL_EXECUTE);
        j->step = 0;
        j->kind = JOB_EXECUTE;
        sim_pool_push(s, POOL_EXECUTE, self);
    } else {
        j->step = 0;
        j->kind = JOB_INTERCHANGE_TASK;
        sim_pool_push(s, POOL_INTERCHANGE, self);
    }
    return STEP_MOVED;
}

/* A join body: step i < children submits child i; the last step is the
** body itself and, when the returned future is already done, the join's
** completion. */
static double plan_join(sim *s, const thread *t, job *j, step_plan *sp)
{
    const dag *d = &s->dag;
    int32_t nchild = d->child_at[j->task + 1] - d->child_at[j->task];
    const process *p = t->proc;
    double work;

    if (j->step < nchild) {
        int32_t c = d->child[d->child_at[j->task] + j->step];
        s->latency[c] = s->now;
        sp->locks = 1;
        return stage_work(s, STAGE_SUBMIT, p, sp) + sim_collect(s);
    }
    work = stage_work(s, STAGE_JOIN_EXECUTE, p, sp);
    if (s->inner_done[j->task])
        work += stage_work(s, STAGE_JOIN_COMPLETE, p, sp);
    return work;
}

static int finish_join(sim *s, job *j, int32_t self)
{
    const dag *d = &s->dag;
    int32_t nchild = d->child_at[j->task + 1] - d->child_at[j->task];

    if (j->step < nchild) {
        submit_done(s, d->child[d->child_at[j->task] + j->step]);
        j->step++;
        return STEP_CONTINUE;
    }
    s->status[j->task] = TASK_JOINING;
    if (s->inner_done[j->task])
        complete(s, j->task);
    sim_job_free(s, self);
    return STEP_MOVED;
}

/* HTEX: hand the task to the manager while it has capacity; otherwise it
** waits in the interchange until a result frees a slot. */
static void dispatch(sim *s, int32_t self)
{
    job *j = &s->jobs[self];

    if (s->manager_outstanding < s->manager_capacity) {
        s->manager_outstanding++;
        j->kind = JOB_MANAGER_TASK;
        sim_pool_push(s, POOL_MANAGER, self);
        return;
    }
    j->next = -1;
    if (s->parked_tail >= 0)
        s->jobs[s->parked_tail].next = self;
    else
        s->parked_head = self;
    s->parked_tail = self;
}

double dfk_plan(sim *s, const thread *t, job *j, step_plan *sp)
{
    const process *p = t->proc;

    double work;

    switch (j->kind) {
    case JOB_MAIN:
        return plan_main(s, t, j, sp);
    case JOB_LAUNCH:
        return plan_launch(s, t, j, sp);
    case JOB_EXECUTE:
        work = stage_work(s, STAGE_EXECUTE_THREADS, p, sp);
        return work + plan_complete(s, t, j->task, sp);
    case JOB_JOIN_BODY:
        return plan_join(s, t, j, sp);
    case JOB_INTERCHANGE_TASK:
        return stage_work(s, STAGE_INTERCHANGE_TASK, p, sp);
    case JOB_MANAGER_TASK:
        return stage_work(s, STAGE_MANAGER_TASK, p, sp);
    case JOB_WORKER:
        return stage_work(s, STAGE_WORKER_EXECUTE, p, sp);
    case JOB_MANAGER_RESULT:
        return stage_work(s, STAGE_MANAGER_RESULT, p, sp);
    case JOB_INTERCHANGE_RESULT:
        return stage_work(s, STAGE_INTERCHANGE_RESULT, p, sp);
    case JOB_RESULT:
        work = stage_work(s, STAGE_RESULT_RECEIVE, p, sp);
        return work + plan_complete(s, t, j->task, sp);
    }
    return 0;
}

int dfk_finish(sim *s, int32_t self)
{
    job *j = &s->jobs[self];

    switch (j->kind) {
    case JOB_MAIN:
        return finish_main(s, j, self);
    case JOB_LAUNCH:
        return finish_launch(s, j, self);
    case JOB_EXECUTE:
    case JOB_RESULT:
        complete(s, j->task);
        sim_job_free(s, self);
        return STEP_MOVED;
    case JOB_JOIN_BODY:
        return finish_join(s, j, self);
    /* HTEX: the task goes on to the next process, and its result back */
    case JOB_INTERCHANGE_TASK:
        dispatch(s, self);
        return STEP_MOVED;
    case JOB_MANAGER_TASK:
        j->kind = JOB_WORKER;
        sim_pool_push(s, POOL_WORKER, self);
        return STEP_MOVED;
    case JOB_WORKER:
        j->kind = JOB_MANAGER_RESULT;
        sim_pool_push(s, POOL_MANAGER, self);
        return STEP_MOVED;
    case JOB_MANAGER_RESULT:
        j->kind = JOB_INTERCHANGE_RESULT;
        sim_pool_push(s, POOL_INTERCHANGE, self);
        return STEP_MOVED;
    case JOB_INTERCHANGE_RESULT:
        s->manager_outstanding--;
        j->kind = JOB_RESULT;
        sim_pool_push(s, POOL_RESULT, self);
        if (s->parked_head >= 0) {
            int32_t parked = s->parked_head;
            s->parked_head = s->jobs[parked].next;
            if (s->parked_head < 0)
                s->parked_tail = -1;
            dispatch(s, parked);
        }
        return STEP_MOVED;
    }
    return STEP_MOVED;
}
