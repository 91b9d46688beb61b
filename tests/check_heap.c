/*
** Tests of the event queues (sim/heap.c, the binary heap the benchmark's
** reference uses; sim/cal.h, the run's calendar of few events) and the
** processor-sharing cores (sim/cpu.c): (time, seq) order, ties broken in
** insertion order, replace-top, and PS finish times worked out by hand.
*/
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "../sim/cal.h"
#include "../sim/cpu.h"
#include "../sim/heap.h"
#include "suites.h"

START_TEST(test_time_order)
{
    heap h;
    heap_event e;
    double times[] = {5, 1, 4, 2, 3, 0.5, 9, 7};
    double last = -1;
    uint64_t seq = 0;

    ck_assert_int_eq(heap_init(&h, 8), 0);
    for (int i = 0; i < 8; i++)
        heap_push(&h, times[i], seq++, 0, (uint32_t)i);
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(heap_pop(&h, &e), 0);
        ck_assert(e.time >= last);
        last = e.time;
    }
    ck_assert_int_eq(heap_pop(&h, &e), -1);
    heap_release(&h);
}
END_TEST

START_TEST(test_ties_in_insertion_order)
{
    heap h;
    heap_event e;
    uint64_t seq = 100;

    ck_assert_int_eq(heap_init(&h, 64), 0);
    /* Interleave two times so the heap must reorder; within a time the
    ** args must come back in the order pushed. */
    for (uint32_t i = 0; i < 64; i++)
        heap_push(&h, (i % 2) ? 1.0 : 2.0, seq++, 0, i);
    for (uint32_t k = 0; k < 32; k++) {
        heap_pop(&h, &e);
        ck_assert_double_eq(e.time, 1.0);
        ck_assert_uint_eq(e.arg, 2 * k + 1);
    }
    for (uint32_t k = 0; k < 32; k++) {
        heap_pop(&h, &e);
        ck_assert_double_eq(e.time, 2.0);
        ck_assert_uint_eq(e.arg, 2 * k);
    }
    heap_release(&h);
}
END_TEST

static int by_time_then_seq(const void *a, const void *b)
{
    const heap_event *x = a, *y = b;

    return heap_before(x, y) ? -1 : heap_before(y, x) ? 1 : 0;
}

/* Random holds against a sorted reference. */
START_TEST(test_random_against_sort)
{
    enum { N = 2000 };
    heap h;
    heap_event ref[N], e;
    uint64_t seq = 0;
    unsigned x = 12345;

    ck_assert_int_eq(heap_init(&h, N), 0);
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        ref[i].time = (x >> 20) % 97;   /* many ties */
        ref[i].seq = seq++;
        ref[i].kind = 0;
        ref[i].arg = (uint32_t)i;
        heap_push(&h, ref[i].time, ref[i].seq, 0, ref[i].arg);
    }
    qsort(ref, N, sizeof ref[0], by_time_then_seq);
    for (int i = 0; i < N; i++) {
        heap_pop(&h, &e);
        ck_assert_double_eq(e.time, ref[i].time);
        ck_assert_uint_eq(e.seq, ref[i].seq);
    }
    heap_release(&h);
}
END_TEST

START_TEST(test_replace_top)
{
    heap h;
    heap_event e;

    ck_assert_int_eq(heap_init(&h, 4), 0);
    heap_push(&h, 1, 0, 0, 10);
    heap_push(&h, 2, 1, 0, 20);
    heap_push(&h, 3, 2, 0, 30);
    heap_replace_top(&h, 2.5, 3, 0, 11);
    ck_assert_uint_eq(h.size, 3);
    heap_pop(&h, &e);
    ck_assert_uint_eq(e.arg, 20);
    heap_pop(&h, &e);
    ck_assert_uint_eq(e.arg, 11);
    heap_pop(&h, &e);
    ck_assert_uint_eq(e.arg, 30);
    heap_release(&h);
}
END_TEST

/* The calendar against the heap on random pushes and pops, with many
** ties: the same events leave in the same order. */
START_TEST(test_cal_against_heap)
{
    enum { N = 64 };
    heap h;
    heap_event e;
    cal c;
    uint64_t seq = 0;
    unsigned x = 4321;

    ck_assert_int_eq(heap_init(&h, N), 0);
    ck_assert_int_eq(cal_init(&c, N), 0);
    ck_assert(isinf(cal_time(cal_peek(&c))));
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        if (h.size < N && (h.size == 0 || (x >> 16) % 3)) {
            double t = (x >> 20) % 13;
            heap_push(&h, t, seq, 0, (uint32_t)(i & 0xffff));
            cal_push(&c, t, seq, (uint32_t)(i & 0xffff));
            seq++;
        } else {
            const cal_event *top = cal_peek(&c);
            heap_pop(&h, &e);
            ck_assert_double_eq(cal_time(top), e.time);
            ck_assert_uint_eq(cal_seq(top), e.seq);
            ck_assert_uint_eq(cal_pop(&c), e.arg);
        }
        ck_assert_uint_eq(cal_size(&c), h.size);
    }
    cal_release(&c);
    heap_release(&h);
}
END_TEST

/* One core, two jobs of 1 s and 3 s started together: they share the core,
** so the short one ends at 2 s; the long one then runs alone and ends at 4 s. */
START_TEST(test_cpu_sharing_one_core)
{
    cpu c;
    uint64_t seq;

    ck_assert_int_eq(cpu_init(&c, 1, 4, 0), 0);
    cpu_start(&c, 0, 1.0, 1, 7);
    cpu_start(&c, 0, 3.0, 2, 8);
    ck_assert_double_eq_tol(cpu_next(&c, &seq), 2.0, 1e-12);
    ck_assert_uint_eq(cpu_finish(&c, 2.0), 7);
    ck_assert_double_eq_tol(cpu_next(&c, &seq), 4.0, 1e-12);
    ck_assert_uint_eq(cpu_finish(&c, 4.0), 8);
    ck_assert(isinf(cpu_next(&c, &seq)));
    ck_assert_double_eq_tol(c.busy, 4.0, 1e-12);
    cpu_release(&c);
}
END_TEST

/* Two cores, three equal jobs of 1 s: each runs at 2/3, all end at 1.5 s
** in the order started; a job arriving later sees the shared rate. */
START_TEST(test_cpu_sharing_two_cores)
{
    cpu c;
    uint64_t seq;

    ck_assert_int_eq(cpu_init(&c, 2, 8, 0), 0);
    cpu_start(&c, 0, 1.0, 1, 1);
    cpu_start(&c, 0, 1.0, 2, 2);
    cpu_start(&c, 0, 1.0, 3, 3);
    for (uint32_t k = 1; k <= 3; k++) {
        ck_assert_double_eq_tol(cpu_next(&c, &seq), 1.5, 1e-12);
        ck_assert_uint_eq(seq >> CAL_ARG_BITS, k);
        ck_assert_uint_eq(cpu_finish(&c, 1.5), k);
    }
    /* Alone on two cores a job runs at full speed. */
    cpu_start(&c, 2.0, 0.25, 4, 9);
    ck_assert_double_eq_tol(cpu_next(&c, &seq), 2.25, 1e-12);
    cpu_release(&c);
}
END_TEST

/* Other processes' load shares the cores alike: one core, one background
** job, a job of 1 s runs at half speed and ends at 2 s, and the busy time
** counts this job's share only. Two cores and one background job leave
** a lone job its full speed. */
START_TEST(test_cpu_background)
{
    cpu c;
    uint64_t seq;

    ck_assert_int_eq(cpu_init(&c, 1, 4, 1), 0);
    cpu_start(&c, 0, 1.0, 1, 5);
    ck_assert_double_eq_tol(cpu_next(&c, &seq), 2.0, 1e-12);
    ck_assert_uint_eq(cpu_finish(&c, 2.0), 5);
    ck_assert_double_eq_tol(c.busy, 1.0, 1e-12);
    cpu_release(&c);
    ck_assert_int_eq(cpu_init(&c, 2, 4, 1), 0);
    cpu_start(&c, 0, 1.0, 1, 5);
    ck_assert_double_eq_tol(cpu_next(&c, &seq), 1.0, 1e-12);
    cpu_start(&c, 0, 1.0, 2, 6);   /* three on two cores: 2/3 each */
    ck_assert_double_eq_tol(cpu_next(&c, &seq), 1.5, 1e-12);
    cpu_release(&c);
}
END_TEST

/* A finished job's thread starting again at once: one job left. */
START_TEST(test_cpu_restart_same_thread)
{
    cpu c;
    uint64_t seq;

    ck_assert_int_eq(cpu_init(&c, 1, 2, 0), 0);
    cpu_start(&c, 0, 1.0, 1, 5);
    ck_assert_uint_eq(cpu_finish(&c, 1.0), 5);
    cpu_start(&c, 1.0, 2.0, 2, 5);
    ck_assert_uint_eq(cal_size(&c.jobs), 1);
    ck_assert_double_eq_tol(cpu_next(&c, &seq), 3.0, 1e-12);
    cpu_release(&c);
}
END_TEST

Suite *heap_suite(void)
{
    Suite *s = suite_create("heap");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_time_order);
    tcase_add_test(tc, test_ties_in_insertion_order);
    tcase_add_test(tc, test_random_against_sort);
    tcase_add_test(tc, test_replace_top);
    tcase_add_test(tc, test_cal_against_heap);
    tcase_add_test(tc, test_cpu_sharing_one_core);
    tcase_add_test(tc, test_cpu_sharing_two_cores);
    tcase_add_test(tc, test_cpu_background);
    tcase_add_test(tc, test_cpu_restart_same_thread);
    suite_add_tcase(s, tc);
    return s;
}
