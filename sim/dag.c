/*
** Building the workload DAGs of dag.h. Each builder fills the arrays in
** two passes where it must (first counts, then offsets, then edges), so
** every array is allocated once at its final size.
*/
#include "dag.h"

#include <stdlib.h>
#include <string.h>

#include "sim.h"

long dag_task_count(int workload, long size)
{
    long a = 1, b = 1, t, i;   /* fib(1), fib(2) */

    if (size < 1)
        return -1;
    switch (workload) {
    case WORKLOAD_DOUBLE:
        return size <= INT32_MAX ? size : -1;
    case WORKLOAD_INCREMENT:
        return size >= 2 && size - 1 <= INT32_MAX ? size - 1 : -1;
    case WORKLOAD_FIBONACCI:
        /* 4 fib(n+1) - 2; fib(n+1) overflows int32 long before long. */
        for (i = 1; i < size + 1; i++) {
            t = a + b;
            a = b;
            b = t;
            if (a > INT32_MAX / 4)
                return -1;
        }
        return 4 * a - 2;
    }
    return -1;
}

long dag_app_count(int workload, long size)
{
    long tasks = dag_task_count(workload, size);

    /* Every fibonacci join task has its one add task. */
    return workload == WORKLOAD_FIBONACCI && tasks > 0 ? tasks / 2 : tasks;
}

static int allocate(dag *d, int32_t tasks, int32_t dependents, int32_t children,
                    sim_error *err)
{
    memset(d, 0, sizeof *d);
    d->tasks = tasks;
    d->kind = calloc(tasks, 1);
    d->ndeps = calloc(tasks, sizeof *d->ndeps);
    d->dependent_at = calloc((size_t)tasks + 1, sizeof *d->dependent_at);
    d->dependent = malloc(sizeof *d->dependent * (dependents ? dependents : 1));
    d->child_at = calloc((size_t)tasks + 1, sizeof *d->child_at);
    d->child = malloc(sizeof *d->child * (children ? children : 1));
    d->join_of = malloc(sizeof *d->join_of * tasks);
    if (!d->kind || !d->ndeps || !d->dependent_at || !d->dependent ||
        !d->child_at || !d->child || !d->join_of) {
        dag_release(d);
        return error_set(err, SIM_ENOMEM, NULL, 0, 0,
                         "out of memory building a DAG of %ld tasks", (long)tasks);
    }
    for (int32_t i = 0; i < tasks; i++)
        d->join_of[i] = -1;
    return 0;
}

static int build_double(dag *d, int32_t n, sim_error *err)
{
    int rc = allocate(d, n, 0, 0, err);

    if (rc == 0)
        d->top = n;
    return rc;
}

static int build_increment(dag *d, int32_t n, sim_error *err)
{
    int rc = allocate(d, n, n - 1, 0, err);
    int32_t i;

    if (rc)
        return rc;
    d->top = n;
    for (i = 0; i < n; i++) {
        d->ndeps[i] = i > 0;
        d->dependent_at[i] = i;
        if (i + 1 < n)
            d->dependent[i] = i + 1;
    }
    d->dependent_at[n] = n - 1;
    return 0;
}

/*
** Fibonacci: tasks are numbered breadth-first, each join's children taking
** the next ids, so a join's children are contiguous and no recursion can
** overflow the C stack. A join at argument k >= 2 has children [join(k-1), join(k-2), add]
** and its add waits on the two joins; at k < 2 its only child is the add.
** Every task has at most one dependent (a child join's parent add), so
** dependent_at[i+1] - dependent_at[i] is 0 or 1.
*/
static int build_fibonacci(dag *d, int32_t n, int32_t tasks, sim_error *err)
{
    int32_t joins = tasks / 2, next = 0, i;
    int32_t *arg = NULL, *dep_of = NULL;
    int rc;

    /* Children: each join has 1 or 3; adds in joins at k >= 2 have 2 deps. */
    rc = allocate(d, tasks, tasks, tasks + joins, err);
    if (rc)
        return rc;
    arg = malloc(sizeof *arg * tasks);
    dep_of = malloc(sizeof *dep_of * tasks);
    if (!arg || !dep_of) {
        rc = error_set(err, SIM_ENOMEM, NULL, 0, 0,
                       "out of memory building a DAG of %ld tasks", (long)tasks);
        goto fail;
    }
    d->top = 1;
    d->kind[0] = DAG_JOIN;
    arg[0] = n;
    dep_of[0] = -1;
    next = 1;
    for (i = 0; i < next; i++) {
        int32_t k, add;
        if (d->kind[i] != DAG_JOIN)
            continue;
        k = arg[i];
        if (k >= 2) {
            int32_t j1 = next++, j2 = next++;
            add = next++;
            d->kind[j1] = d->kind[j2] = DAG_JOIN;
            arg[j1] = k - 1;
            arg[j2] = k - 2;
            dep_of[j1] = dep_of[j2] = add;
            d->ndeps[add] = 2;
        } else {
            add = next++;
            d->ndeps[add] = 0;
        }
        d->kind[add] = DAG_APP;
        dep_of[add] = -1;
        d->join_of[add] = i;
    }
    if (next != tasks) {
        rc = error_set(err, SIM_EINPUT, NULL, 0, 0,
                       "internal: fibonacci(%d) built %d tasks, expected %d",
                       (int)n, (int)next, (int)tasks);
        goto fail;
    }
    /* Children of join i are the ids it assigned: contiguous, in order. */
    {
        int32_t c = 0;
        for (i = 0; i < tasks; i++) {
            d->child_at[i] = c;
            if (d->kind[i] == DAG_JOIN)
                c += arg[i] >= 2 ? 3 : 1;
        }
        d->child_at[tasks] = c;
    }
    {
        for (i = 0; i < tasks; i++)
            if (d->kind[i] == DAG_APP && d->join_of[i] >= 0) {
                int32_t j = d->join_of[i];
                int32_t k = arg[j];
                if (k >= 2) {
                    d->child[d->child_at[j]] = i - 2;
                    d->child[d->child_at[j] + 1] = i - 1;
                    d->child[d->child_at[j] + 2] = i;
                } else {
                    d->child[d->child_at[j]] = i;
                }
            }
    }
    {
        int32_t e = 0;
        for (i = 0; i < tasks; i++) {
            d->dependent_at[i] = e;
            if (dep_of[i] >= 0)
                d->dependent[e++] = dep_of[i];
        }
        d->dependent_at[tasks] = e;
    }
    free(arg);
    free(dep_of);
    return 0;
fail:
    free(arg);
    free(dep_of);
    dag_release(d);
    return rc;
}

int dag_build(dag *d, int workload, long size, sim_error *err)
{
    long tasks = dag_task_count(workload, size);

    memset(d, 0, sizeof *d);
    if (tasks < 1)
        return error_set(err, SIM_EINPUT, NULL, 0, 0,
                         "size %ld is out of range for %s", size,
                         sim_workload_name(workload));
    switch (workload) {
    case WORKLOAD_DOUBLE:
        return build_double(d, (int32_t)tasks, err);
    case WORKLOAD_INCREMENT:
        return build_increment(d, (int32_t)tasks, err);
    case WORKLOAD_FIBONACCI:
        return build_fibonacci(d, (int32_t)size, (int32_t)tasks, err);
    }
    return error_set(err, SIM_EINPUT, NULL, 0, 0, "unknown workload %d", workload);
}

void dag_release(dag *d)
{
    free(d->kind);
    free(d->ndeps);
    free(d->dependent_at);
    free(d->dependent);
    free(d->child_at);
    free(d->child);
    free(d->join_of);
    memset(d, 0, sizeof *d);
}
