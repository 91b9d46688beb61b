/*
** Tests of the workload DAGs (sim/dag.c): task counts, fibonacci's closed
** form 4 fib(n+1) - 2, and the shapes of the seed's three programs.
*/
#include <check.h>
#include <string.h>

#include "../sim/dag.h"
#include "../sim/sim.h"
#include "suites.h"

static long fib(long k)
{
    long a = 0, b = 1;

    for (long i = 0; i < k; i++) {
        long t = a + b;
        a = b;
        b = t;
    }
    return a;
}

START_TEST(test_counts)
{
    ck_assert_int_eq(dag_task_count(WORKLOAD_DOUBLE, 10), 10);
    ck_assert_int_eq(dag_task_count(WORKLOAD_DOUBLE, 1000000), 1000000);
    ck_assert_int_eq(dag_task_count(WORKLOAD_INCREMENT, 11), 10);
    ck_assert_int_eq(dag_task_count(WORKLOAD_INCREMENT, 1), -1);
    ck_assert_int_eq(dag_task_count(WORKLOAD_DOUBLE, 0), -1);
    ck_assert_int_eq(dag_task_count(WORKLOAD_DOUBLE, -5), -1);
    ck_assert_int_eq(dag_task_count(WORKLOAD_FIBONACCI, 3), 10);
    ck_assert_int_eq(dag_task_count(WORKLOAD_FIBONACCI, 27), 1271242);
    /* fib(n+1) beyond int32 tasks is refused, not overflowed */
    ck_assert_int_eq(dag_task_count(WORKLOAD_FIBONACCI, 60), -1);
    /* the executor's tasks: fibonacci's adds, not its joins */
    ck_assert_int_eq(dag_app_count(WORKLOAD_DOUBLE, 1000), 1000);
    ck_assert_int_eq(dag_app_count(WORKLOAD_INCREMENT, 1001), 1000);
    ck_assert_int_eq(dag_app_count(WORKLOAD_FIBONACCI, 12), 465);
    ck_assert_int_eq(dag_app_count(WORKLOAD_FIBONACCI, 60), -1);
}
END_TEST

/* Built fibonacci DAGs match the closed form and the recursion's shape. */
START_TEST(test_fibonacci_shape)
{
    int n = _i;
    dag d;
    sim_error err;
    long joins = 0, adds = 0;

    ck_assert_int_eq(dag_build(&d, WORKLOAD_FIBONACCI, n, &err), 0);
    ck_assert_int_eq(d.tasks, 4 * fib(n + 1) - 2);
    ck_assert_int_eq(d.top, 1);
    ck_assert_int_eq(d.kind[0], DAG_JOIN);
    for (int32_t i = 0; i < d.tasks; i++) {
        int32_t nchild = d.child_at[i + 1] - d.child_at[i];
        int32_t ndependents = d.dependent_at[i + 1] - d.dependent_at[i];
        ck_assert_int_le(ndependents, 1);
        if (d.kind[i] == DAG_JOIN) {
            int32_t add;
            joins++;
            ck_assert(nchild == 1 || nchild == 3);
            add = d.child[d.child_at[i] + nchild - 1];
            ck_assert_int_eq(d.kind[add], DAG_APP);
            ck_assert_int_eq(d.join_of[add], i);
            if (nchild == 3) {
                int32_t j1 = d.child[d.child_at[i]], j2 = d.child[d.child_at[i] + 1];
                ck_assert_int_eq(d.kind[j1], DAG_JOIN);
                ck_assert_int_eq(d.kind[j2], DAG_JOIN);
                ck_assert_int_eq(d.ndeps[add], 2);
                ck_assert_int_eq(d.dependent[d.dependent_at[j1]], add);
                ck_assert_int_eq(d.dependent[d.dependent_at[j2]], add);
            } else {
                ck_assert_int_eq(d.ndeps[add], 0);
            }
        } else {
            adds++;
            ck_assert_int_eq(nchild, 0);
            ck_assert_int_ge(d.join_of[i], 0);
        }
    }
    ck_assert_int_eq(joins, 2 * fib(n + 1) - 1);
    ck_assert_int_eq(adds, joins);
    ck_assert_int_eq(adds, dag_app_count(WORKLOAD_FIBONACCI, n));
    dag_release(&d);
}
END_TEST

START_TEST(test_double_and_increment_shape)
{
    dag d;
    sim_error err;

    ck_assert_int_eq(dag_build(&d, WORKLOAD_DOUBLE, 100, &err), 0);
    ck_assert_int_eq(d.tasks, 100);
    ck_assert_int_eq(d.top, 100);
    for (int32_t i = 0; i < d.tasks; i++) {
        ck_assert_int_eq(d.ndeps[i], 0);
        ck_assert_int_eq(d.dependent_at[i + 1] - d.dependent_at[i], 0);
        ck_assert_int_eq(d.kind[i], DAG_APP);
    }
    dag_release(&d);

    ck_assert_int_eq(dag_build(&d, WORKLOAD_INCREMENT, 101, &err), 0);
    ck_assert_int_eq(d.tasks, 100);
    ck_assert_int_eq(d.ndeps[0], 0);
    for (int32_t i = 1; i < d.tasks; i++) {
        ck_assert_int_eq(d.ndeps[i], 1);
        ck_assert_int_eq(d.dependent[d.dependent_at[i - 1]], i);
    }
    ck_assert_int_eq(d.dependent_at[d.tasks] - d.dependent_at[d.tasks - 1], 0);
    dag_release(&d);
}
END_TEST

START_TEST(test_bad_size)
{
    dag d;
    sim_error err;

    ck_assert_int_eq(dag_build(&d, WORKLOAD_DOUBLE, 0, &err), SIM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "out of range"));
    ck_assert_int_eq(dag_build(&d, WORKLOAD_FIBONACCI, 70, &err), SIM_EINPUT);
}
END_TEST

Suite *dag_suite(void)
{
    Suite *s = suite_create("dag");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_counts);
    tcase_add_loop_test(tc, test_fibonacci_shape, 1, 21);
    tcase_add_test(tc, test_double_and_increment_shape);
    tcase_add_test(tc, test_bad_size);
    suite_add_tcase(s, tc);
    return s;
}
