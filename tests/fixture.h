/*
** Helpers the check suites share: a bundle built in memory from runs, for
** the calibration modules that read bundles (threadcpu.c, htexcpu.c).
*/
#ifndef SIM_TESTS_FIXTURE_H
#define SIM_TESTS_FIXTURE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/bundle.h"

/* b holds a copy of runs[0..n) on 2 cores; bundle_release frees it. */
static inline void fixture_bundle(bundle *b, const bundle_run *runs, int n)
{
    memset(b, 0, sizeof *b);
    b->cores = 2;
    b->switch_cpu_s = -1;
    b->runs = calloc(n, sizeof *b->runs);
    ck_assert_ptr_nonnull(b->runs);
    memcpy(b->runs, runs, sizeof *runs * n);
    b->nruns = n;
}

#endif
