/*
** Tests of one simulated run (sim/sim.c, sim/dfk.c) on constant-cost
** models built here, where the makespan can be worked out by hand: the
** submitting process's GIL serializes everything of ThreadPoolExecutor, and
** a single HTEX task walks its pipeline alone. Also: the GIL is never held
** twice, the same seed gives identical results, bad configurations fail.
*/
#include <check.h>
#include <math.h>
#include <string.h>

#include "../sim/sim.h"
#include "suites.h"

#define US 1e-6

/* Constant costs in microseconds, no log records, a machine of 2 cores. */
static void constant_model(model *m)
{
    static const double cost_us[STAGE_COUNT] = {
        [STAGE_SUBMIT] = 10, [STAGE_DEP_CHECK] = 1, [STAGE_LAUNCH_THREADS] = 5,
        [STAGE_LAUNCH_HTEX] = 7, [STAGE_LAUNCH_SKIP] = 2, [STAGE_EXECUTE_THREADS] = 3,
        [STAGE_COMPLETE] = 4, [STAGE_INTERCHANGE_TASK] = 6, [STAGE_MANAGER_TASK] = 8,
        [STAGE_WORKER_EXECUTE] = 9, [STAGE_MANAGER_RESULT] = 11,
        [STAGE_INTERCHANGE_RESULT] = 12, [STAGE_RESULT_RECEIVE] = 13,
        [STAGE_JOIN_EXECUTE] = 14, [STAGE_JOIN_COMPLETE] = 15, [STAGE_COLLECT] = 0.5,
    };

    memset(m, 0, sizeof *m);
    strcpy(m->name, "constant");
    m->machine_cores = 2;
    for (int i = 0; i < STAGE_COUNT; i++) {
        m->stage[i].dist = DIST_CONSTANT;
        m->stage[i].mean_s = cost_us[i] * US;
    }
    m->join_pool_threads = 10;
    m->gil_switch_interval_s = 0.005;
    m->htex_cores_per_worker = 1;
}

/* The same means, drawn from lognormals of coefficient of variation cv,
** every stage writing `records` log records of 2 us each. */
static void lognormal_model(model *m, double cv, double records)
{
    constant_model(m);
    for (int i = 0; i < STAGE_COUNT; i++) {
        m->stage[i].dist = DIST_LOGNORMAL;
        m->stage[i].cv = cv;
        m->stage[i].records = records;
    }
    m->record_enabled_s = 2 * US;
}

static sim_config config(const model *m, int workload, long size, int executor,
                         int workers)
{
    sim_config c;

    memset(&c, 0, sizeof c);
    c.workload = workload;
    c.size = size;
    c.executor = executor;
    c.workers = workers;
    c.logging = LOGGING_ON;
    c.seed = 1;
    c.model = m;
    return c;
}

/* ThreadPoolExecutor, one process: the GIL is busy from the first submit
** to the last collect, so the makespan is the sum of every task's work. */
START_TEST(test_threads_double_sum_of_work)
{
    model m;
    sim_config c;
    sim_result r;
    sim_error err;

    constant_model(&m);
    c = config(&m, WORKLOAD_DOUBLE, 50, EXECUTOR_THREADS, 1);
    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
    ck_assert_int_eq(r.tasks, 50);
    ck_assert_double_eq_tol(r.makespan_s, 50 * (10 + 5 + 3 + 4 + 0.5) * US, 1e-12);
    ck_assert_double_eq_tol(r.gil_busy_s, r.makespan_s, 1e-12);
}
END_TEST

/* Full collections pause the GIL on the submitting thread: on one GIL
** they add to the sum of work exactly. A check every 10 submits from a
** random phase in 1..10 makes 5 collections in 50 submits, at submits
** p, p + 10, ..., p + 40, each 100 us + 1 us per task submitted. */
START_TEST(test_full_collections_pause_the_gil)
{
    model m;
    sim_config c;
    sim_result r, plain;
    sim_error err;
    const double work = 50 * (10 + 5 + 3 + 4 + 0.5) * US;
    int seen[11] = {0};

    constant_model(&m);
    c = config(&m, WORKLOAD_DOUBLE, 50, EXECUTOR_THREADS, 1);
    ck_assert_int_eq(sim_run(&c, &plain, &err), 0);
    ck_assert_int_eq(plain.gc_full_collections, 0);
    m.gc_full_check_tasks = 10;
    m.gc_full_base_s = 100 * US;
    m.gc_full_per_task_s = 1 * US;
    for (c.seed = 1; c.seed <= 20; c.seed++) {
        double phase;
        ck_assert_int_eq(sim_run(&c, &r, &err), 0);
        ck_assert_int_eq(r.gc_full_collections, 5);
        /* the pauses are 5 * 100 + (p + p + 10 + ... + p + 40) us */
        phase = (r.gc_busy_s / US - 600) / 5;
        ck_assert_double_eq_tol(phase, round(phase), 1e-6);
        ck_assert(phase >= 1 - 1e-6 && phase <= 10 + 1e-6);
        seen[(int)round(phase)] = 1;
        ck_assert_double_eq_tol(r.makespan_s, work + r.gc_busy_s, 1e-12);
    }
    /* the phase is drawn: 20 seeds give more than one */
    ck_assert_int_gt(seen[1] + seen[2] + seen[3] + seen[4] + seen[5] + seen[6] +
                     seen[7] + seen[8] + seen[9] + seen[10], 1);
    /* A known first check: at submits 7, 17, ..., 47, whatever the seed. */
    m.gc_full_first_tasks = 7;
    for (c.seed = 1; c.seed <= 3; c.seed++) {
        ck_assert_int_eq(sim_run(&c, &r, &err), 0);
        ck_assert_int_eq(r.gc_full_collections, 5);
        ck_assert_double_eq_tol(r.gc_busy_s, (500 + 7 + 17 + 27 + 37 + 47) * US, 1e-12);
    }
    m.gc_full_first_tasks = 0;
    /* Growth 1: after a collection at k, the next waits for 2k tasks. */
    m.gc_full_growth = 1.0;
    c.seed = 3;
    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
    ck_assert_int_lt(r.gc_full_collections, 5);
    ck_assert_int_ge(r.gc_full_collections, 2);
    /* check 0: no collections, and the run is the plain one bit for bit */
    m.gc_full_check_tasks = 0;
    c.seed = 1;
    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
    ck_assert_int_eq(r.gc_full_collections, 0);
    ck_assert(r.makespan_s == plain.makespan_s);
}
END_TEST

/* concurrent.futures starts a worker at a submit that finds none idle, up
** to its maximum: the internal join pool, which warm-up never touched,
** starts a thread for each of fibonacci(2)'s three joins when none is idle
** (on one GIL, the first join's body runs before the launch thread's next
** launch only if the launch thread yields: count what the run did). */
START_TEST(test_join_threads_started_on_demand)
{
    model m;
    sim_config c;
    sim_result cold, free_start;
    sim_error err;
    double extra;

    constant_model(&m);
    c = config(&m, WORKLOAD_FIBONACCI, 2, EXECUTOR_THREADS, 1);
    ck_assert_int_eq(sim_run(&c, &free_start, &err), 0);
    m.thread_start_s = 7 * US;
    ck_assert_int_eq(sim_run(&c, &cold, &err), 0);
    extra = (cold.makespan_s - free_start.makespan_s) / (7 * US);
    /* one to three thread starts, a whole number of them */
    ck_assert(extra > 0.5 && extra < 3.5);
    ck_assert_double_eq_tol(extra, round(extra), 1e-6);
}
END_TEST

/* A wake-up is latency, not work: with one task on one worker, the
** makespan is the work plus the wake-ups' dead time, while the cores are
** busy for the work alone. Every thread but the main one starts idle, so
** the launch thread, the worker and the main thread (blocked on the
** future) each wake once. */
START_TEST(test_wakeups_take_time_not_cores)
{
    model m;
    sim_config c;
    sim_result r;
    sim_error err;
    double work = (10 + 5 + 3 + 4 + 0.5) * US;

    constant_model(&m);
    m.gil_handoff_s = 100 * US;
    c = config(&m, WORKLOAD_DOUBLE, 1, EXECUTOR_THREADS, 1);
    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
    ck_assert_int_eq(r.wakeups, 3);
    ck_assert_double_eq_tol(r.makespan_s, work + 3 * 100 * US, 1e-12);
    ck_assert_double_eq_tol(r.core_utilization * r.cores * r.makespan_s, work, 1e-12);
}
END_TEST

/* concurrent.futures' pool lock, held across a lost GIL: the convoy. With
** the lock as long as the whole submit step, every forced switch that
** lands on the main thread lands inside it; from then on the main and
** launch threads hand the GIL over at every submit. Without the lock they
** work in batches of a switch interval, handing over a few times a run. */
static void run_without_and_with_lock(int workload, long size, double lock_s,
                                      sim_result *without, sim_result *with)
{
    model m;
    sim_config c;
    sim_error err;

    constant_model(&m);
    m.gil_handoff_s = 20 * US;
    c = config(&m, workload, size, EXECUTOR_THREADS, 4);
    c.logging = LOGGING_OFF;
    ck_assert_int_eq(sim_run(&c, without, &err), 0);
    m.pool_lock_s = lock_s;
    ck_assert_int_eq(sim_run(&c, with, &err), 0);
    ck_assert_int_eq(with->tasks, without->tasks);
}

START_TEST(test_pool_lock_convoy)
{
    sim_result batched, convoy;

    run_without_and_with_lock(WORKLOAD_DOUBLE, 2000, 10 * US, &batched, &convoy);
    ck_assert_int_eq(convoy.tasks, 2000);
    ck_assert(batched.wakeups < 0.1 * 2000);
    ck_assert(convoy.wakeups > 1.0 * 2000);
    ck_assert(convoy.makespan_s > batched.makespan_s + 0.5 * 2000 * 20 * US);
    ck_assert(convoy.gil_busy_s <= convoy.makespan_s * (1 + 1e-12));
}
END_TEST

/* Starting a join-pool thread holds the lock without the GIL, so
** fibonacci convoys from its first join, however short the lock; a lock
** of 0 never convoys. */
START_TEST(test_pool_lock_thread_start)
{
    sim_result none, some;

    run_without_and_with_lock(WORKLOAD_FIBONACCI, 10, 0.01 * US, &none, &some);
    ck_assert(some.wakeups > none.wakeups);
    ck_assert(some.makespan_s > none.makespan_s);
}
END_TEST

/* Whatever the lock's length, every run completes, on both executors,
** every workload, logging on or off, with the GIL never held twice. */
START_TEST(test_pool_lock_always_completes)
{
    static const double lock_us[] = {0.5, 3, 10, 40};
    model m;
    sim_config c;
    sim_result r;
    sim_error err;

    lognormal_model(&m, 1, 1);
    m.record_disabled_s = 0.1 * US;
    m.gil_handoff_s = 15 * US;
    m.thread_start_s = 50 * US;
    for (size_t k = 0; k < sizeof lock_us / sizeof lock_us[0]; k++)
        for (int w = 0; w < 3; w++)
            for (int e = 0; e < 2; e++)
                for (int l = LOGGING_ON; l <= LOGGING_OFF; l++) {
                    m.pool_lock_s = lock_us[k] * US;
                    c = config(&m, w, w == WORKLOAD_FIBONACCI ? 11 : 600, e, 4);
                    c.logging = l;
                    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
                    ck_assert_int_eq(r.tasks, sim_task_count(w, c.size));
                    ck_assert(r.gil_busy_s <= r.makespan_s * (1 + 1e-12));
                }
}
END_TEST

/* One HTEX task alone: submit, launch, interchange, manager, worker,
** manager, interchange, result thread, completion, collect, in turn. */
START_TEST(test_htex_single_task_pipeline)
{
    model m;
    sim_config c;
    sim_result r;
    sim_error err;

    constant_model(&m);
    c = config(&m, WORKLOAD_DOUBLE, 1, EXECUTOR_HTEX, 4);
    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
    ck_assert_int_eq(r.workers_started, 2);
    ck_assert_double_eq_tol(r.makespan_s,
        (10 + 7 + 6 + 8 + 9 + 11 + 12 + 13 + 4 + 0.5) * US, 1e-12);
    ck_assert_double_eq_tol(r.latency_p50_s, (10 + 7 + 6 + 8 + 9 + 11 + 12 + 13 + 4) * US,
                            1e-12);
}
END_TEST

/* Logging on: each record costs its GIL part and its I/O part; one task
** alone pays both in turn. Logging off: the disabled call only. */
START_TEST(test_logging_costs)
{
    model m;
    sim_config c;
    sim_result on, off;
    sim_error err;
    double base = (10 + 5 + 3 + 4 + 0.5) * US;

    constant_model(&m);
    m.stage[STAGE_SUBMIT].records = 6;
    m.stage[STAGE_COMPLETE].records = 4;
    m.record_enabled_s = 2 * US;
    m.record_io_s = 3 * US;
    m.record_disabled_s = 0.25 * US;
    c = config(&m, WORKLOAD_DOUBLE, 1, EXECUTOR_THREADS, 1);
    ck_assert_int_eq(sim_run(&c, &on, &err), 0);
    ck_assert_double_eq_tol(on.makespan_s, base + 10 * 5 * US, 1e-12);
    ck_assert_double_eq_tol(on.logging_busy_s, 10 * 5 * US, 1e-12);
    ck_assert_double_eq_tol(on.handler_busy_s, 10 * 3 * US, 1e-12);
    /* Uncontended, a thread is in logging for its records' CPU and their
    ** write, no more: main for the submit's 6, a worker for complete's 4. */
    ck_assert_double_eq_tol(on.role_logging_s[SIM_ROLE_MAIN], 6 * 5 * US, 1e-12);
    ck_assert_double_eq_tol(on.role_logging_s[SIM_ROLE_WORKERS], 4 * 5 * US, 1e-12);
    ck_assert_double_eq_tol(on.role_logging_s[SIM_ROLE_LAUNCH], 0, 1e-15);
    c.logging = LOGGING_OFF;
    ck_assert_int_eq(sim_run(&c, &off, &err), 0);
    ck_assert_double_eq_tol(off.makespan_s, base + 10 * 0.25 * US, 1e-12);
    ck_assert_double_eq_tol(off.handler_busy_s, 0, 1e-15);
    ck_assert_double_eq_tol(off.role_logging_s[SIM_ROLE_MAIN], 6 * 0.25 * US, 1e-12);
    /* At INFO, the DEBUG calls cost a disabled call: 4 of submit's 6 and
    ** 1 of complete's 4, so 5 records are written. */
    m.stage[STAGE_SUBMIT].debug_records = 4;
    m.stage[STAGE_COMPLETE].debug_records = 1;
    c.logging = LOGGING_INFO;
    ck_assert_int_eq(sim_run(&c, &off, &err), 0);
    ck_assert_double_eq_tol(off.makespan_s, base + 5 * 5 * US + 5 * 0.25 * US, 1e-12);
    ck_assert_double_eq_tol(off.handler_busy_s, 5 * 3 * US, 1e-12);
    ck_assert_double_eq_tol(off.role_logging_s[SIM_ROLE_MAIN], 2 * 5 * US + 4 * 0.25 * US,
                            1e-12);
}
END_TEST

/* A busy machine: with the other load on all but one core, a record's
** flush finds no core for a waiter to wake on, the writer keeps the GIL,
** and the hand-offs that logging costs on an idle machine are gone; with
** a core to spare beside the background they stay. */
START_TEST(test_busy_machine_keeps_the_gil)
{
    model m;
    sim_config c;
    sim_result idle, busy, spare;
    sim_error err;

    lognormal_model(&m, 0.5, 3);
    m.record_io_s = 1 * US;
    m.gil_handoff_s = 20 * US;
    m.record_handoffs = 2;
    c = config(&m, WORKLOAD_DOUBLE, 300, EXECUTOR_THREADS, 4);
    ck_assert_int_eq(sim_run(&c, &idle, &err), 0);
    ck_assert(idle.record_handoffs > 100);
    m.machine_background_cores = 1;
    ck_assert_int_eq(sim_run(&c, &busy, &err), 0);
    ck_assert(busy.record_handoffs == 0);
    ck_assert(busy.wakeups < idle.wakeups / 2);
    ck_assert(busy.makespan_s < 0.8 * idle.makespan_s);
    c.cores = 4;   /* 1 of 4 busy: a core to spare for the waiter */
    ck_assert_int_eq(sim_run(&c, &spare, &err), 0);
    ck_assert(spare.record_handoffs > 100);
}
END_TEST

/* Logging info changes the submitting process only: with every record at
** DEBUG it is logging off (HTEX's processes still log in both), with none
** it is logging on, draw for draw. */
START_TEST(test_logging_info_bounds)
{
    model m;
    sim_config c;
    sim_result info, other;
    sim_error err;

    lognormal_model(&m, 0.5, 3);
    m.record_io_s = 1 * US;
    m.record_disabled_s = 0.1 * US;
    m.gil_handoff_s = 10 * US;
    m.record_handoffs = 2;
    for (int executor = EXECUTOR_THREADS; executor <= EXECUTOR_HTEX; executor++) {
        c = config(&m, WORKLOAD_FIBONACCI, 8, executor, 4);
        for (int i = 0; i < STAGE_COUNT; i++)
            m.stage[i].debug_records = 0;
        c.logging = LOGGING_INFO;
        ck_assert_int_eq(sim_run(&c, &info, &err), 0);
        c.logging = LOGGING_ON;
        ck_assert_int_eq(sim_run(&c, &other, &err), 0);
        ck_assert(info.makespan_s == other.makespan_s);
        for (int i = 0; i < STAGE_COUNT; i++)
            m.stage[i].debug_records = m.stage[i].records;
        c.logging = LOGGING_INFO;
        ck_assert_int_eq(sim_run(&c, &info, &err), 0);
        c.logging = LOGGING_OFF;
        ck_assert_int_eq(sim_run(&c, &other, &err), 0);
        ck_assert(info.makespan_s == other.makespan_s);
        ck_assert(info.events == other.events);
    }
}
END_TEST

/* fibonacci(2) on threads: 6 tasks, all work on one GIL (see the count in
** the comment): 6 submits, 6 launches, 2 skipped attempts of the add that
** waits on two joins, 3 x 2 dependency checks, 3 join bodies, 3 adds run
** and completed, 3 join completions and the main thread's one collect. */
START_TEST(test_threads_fibonacci_sum_of_work)
{
    model m;
    sim_config c;
    sim_result r;
    sim_error err;

    constant_model(&m);
    c = config(&m, WORKLOAD_FIBONACCI, 2, EXECUTOR_THREADS, 1);
    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
    ck_assert_int_eq(r.tasks, 6);
    ck_assert_double_eq_tol(r.makespan_s,
        (6 * 10 + 6 * 5 + 2 * 2 + 6 * 1 + 3 * 14 + 3 * (3 + 4) + 3 * 15 + 0.5) * US,
        1e-12);
}
END_TEST

/* The chain: each increment waits on the one before, so on HTEX with one
** worker the tasks cannot overlap downstream; the makespan is at least
** d - 1 pipeline round trips. */
START_TEST(test_increment_is_a_chain)
{
    model m;
    sim_config c;
    sim_result r;
    sim_error err;
    double trip = (7 + 6 + 8 + 9 + 11 + 12 + 13 + 4) * US;

    constant_model(&m);
    c = config(&m, WORKLOAD_INCREMENT, 21, EXECUTOR_HTEX, 1);
    ck_assert_int_eq(sim_run(&c, &r, &err), 0);
    ck_assert_int_eq(r.tasks, 20);
    ck_assert(r.makespan_s >= 20 * trip);
}
END_TEST

/* With many threads contending, the GIL's busy time can never exceed the
** run (it would, were two threads ever to hold it at once; sim.c asserts
** the same at every grant). */
START_TEST(test_gil_held_once)
{
    model m;
    sim_config c;
    sim_result r;
    sim_error err;

    lognormal_model(&m, 0.5, 2);
    m.record_io_s = 5 * US;
    for (int w = 0; w < 3; w++) {
        c = config(&m, w, w == WORKLOAD_FIBONACCI ? 12 : 1000, EXECUTOR_THREADS, 8);
        ck_assert_int_eq(sim_run(&c, &r, &err), 0);
        ck_assert(r.gil_busy_s <= r.makespan_s * (1 + 1e-12));
        ck_assert(r.handler_busy_s <= r.makespan_s * (1 + 1e-12));
        ck_assert(r.gil_busy_s > 0.5 * r.makespan_s);
    }
}
END_TEST

START_TEST(test_same_seed_same_result)
{
    model m;
    sim_config c;
    sim_result a, b;
    sim_error err;

    constant_model(&m);
    for (int i = 0; i < STAGE_COUNT; i++) {
        m.stage[i].dist = i % 2 ? DIST_GAMMA : DIST_LOGNORMAL;
        m.stage[i].cv = 0.4;
    }
    c = config(&m, WORKLOAD_FIBONACCI, 10, EXECUTOR_HTEX, 4);
    c.seed = 7;
    ck_assert_int_eq(sim_run(&c, &a, &err), 0);
    ck_assert_int_eq(sim_run(&c, &b, &err), 0);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
    c.seed = 8;
    ck_assert_int_eq(sim_run(&c, &b, &err), 0);
    ck_assert(a.makespan_s != b.makespan_s);
}
END_TEST

START_TEST(test_bad_configurations)
{
    model m;
    sim_config c;
    sim_result r;
    sim_error err;

    constant_model(&m);
    c = config(&m, WORKLOAD_DOUBLE, 10, EXECUTOR_THREADS, 0);
    ck_assert_int_eq(sim_run(&c, &r, &err), SIM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "workers"));
    c.workers = -3;
    ck_assert_int_eq(sim_run(&c, &r, &err), SIM_EINPUT);
    c = config(&m, WORKLOAD_FIBONACCI, 80, EXECUTOR_HTEX, 4);
    ck_assert_int_eq(sim_run(&c, &r, &err), SIM_EINPUT);
    c = config(&m, WORKLOAD_INCREMENT, 1, EXECUTOR_HTEX, 4);
    ck_assert_int_eq(sim_run(&c, &r, &err), SIM_EINPUT);
}
END_TEST

/* HTEX starts min(asked, cores / cores_per_worker), as Parsl does. */
START_TEST(test_workers_started)
{
    model m;
    sim_config c;

    constant_model(&m);
    c = config(&m, WORKLOAD_DOUBLE, 10, EXECUTOR_HTEX, 192);
    ck_assert_int_eq(sim_workers_started(&c), 2);
    c.cores = 8;
    ck_assert_int_eq(sim_workers_started(&c), 8);
    c.workers = 3;
    ck_assert_int_eq(sim_workers_started(&c), 3);
    m.htex_cores_per_worker = 4;
    c.workers = 192;
    ck_assert_int_eq(sim_workers_started(&c), 2);
    c.executor = EXECUTOR_THREADS;
    ck_assert_int_eq(sim_workers_started(&c), 192);
}
END_TEST

Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_threads_double_sum_of_work);
    tcase_add_test(tc, test_full_collections_pause_the_gil);
    tcase_add_test(tc, test_htex_single_task_pipeline);
    tcase_add_test(tc, test_join_threads_started_on_demand);
    tcase_add_test(tc, test_wakeups_take_time_not_cores);
    tcase_add_test(tc, test_pool_lock_convoy);
    tcase_add_test(tc, test_pool_lock_thread_start);
    tcase_add_test(tc, test_pool_lock_always_completes);
    tcase_add_test(tc, test_logging_costs);
    tcase_add_test(tc, test_logging_info_bounds);
    tcase_add_test(tc, test_busy_machine_keeps_the_gil);
    tcase_add_test(tc, test_threads_fibonacci_sum_of_work);
    tcase_add_test(tc, test_increment_is_a_chain);
    tcase_add_test(tc, test_gil_held_once);
    tcase_add_test(tc, test_same_seed_same_result);
    tcase_add_test(tc, test_bad_configurations);
    tcase_add_test(tc, test_workers_started);
    suite_add_tcase(s, tc);
    return s;
}
