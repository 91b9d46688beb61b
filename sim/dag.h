/*
** Workload DAGs with the exact shapes of the seed's three Parsl programs.
** A DAG is static: which tasks exist, what kind each is, whom each waits
** on and, for join apps, which children its body submits. The simulator
** (sim.c) walks it; nothing here knows about time or costs.
**
**   double N      N independent double(i) tasks, submitted in order by the
**                 main thread, whose results the main thread then sums.
**   increment d   futs[i] = increment(futs[i-1]) for i in 1..d-1, futs[0] = 0:
**                 a chain of d-1 tasks, each waiting on the one before.
**   fibonacci n   join_app fibonacci(n): its body, on Parsl's internal
**                 thread pool, submits fibonacci(n-1), fibonacci(n-2) and
**                 add(f1, f2) (or add() / add(1) at n = 0 / 1) and returns
**                 the add's future. 2 fib(n+1) - 1 join tasks plus as many
**                 add tasks: 4 fib(n+1) - 2 in all.
**
** The main thread submits tasks 0 .. top-1 in order and then waits on each
** of them in order; every other task is submitted by a join body.
*/
#ifndef SIM_DAG_H
#define SIM_DAG_H

#include <stdint.h>

#include "error.h"

enum dag_task_kind {
    DAG_APP,    /* a python_app: runs on the user's executor */
    DAG_JOIN    /* a join_app: its body runs on the internal thread pool */
};

typedef struct dag {
    int32_t tasks;          /* number of tasks */
    int32_t top;            /* tasks 0..top-1 are submitted by the main thread */
    uint8_t *kind;          /* [tasks] enum dag_task_kind */
    int32_t *ndeps;         /* [tasks] futures the task's arguments wait on */
    int32_t *dependent_at;  /* [tasks+1] CSR offsets into dependent[] */
    int32_t *dependent;     /* tasks that wait on task i: dependent[dependent_at[i] ..] */
    int32_t *child_at;      /* [tasks+1] CSR offsets into child[]: a join body's submits */
    int32_t *child;         /* children in submission order */
    int32_t *join_of;       /* [tasks] the join task whose body returned this task's future, or -1 */
} dag;

/* The task count of a workload at its program argument, without building
** anything; -1 when the size is out of range (below 1, or the count above
** INT32_MAX). workload is an enum sim_workload. */
long dag_task_count(int workload, long size);

/* Of those, the python_app tasks: the ones an executor runs (join apps run
** on the DataFlowKernel's internal pool and never reach HTEX). -1 as above. */
long dag_app_count(int workload, long size);

/* Build the DAG of a workload into d (caller-owned struct; the arrays are
** the DAG's, freed by dag_release). Returns 0, SIM_EINPUT for a bad size,
** or SIM_ENOMEM with err filled and nothing left allocated. */
int dag_build(dag *d, int workload, long size, sim_error *err);

void dag_release(dag *d);

#endif
