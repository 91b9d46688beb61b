/*
** Helpers the check suites share: a bundle built in memory from runs, for
** the calibration modules that read bundles (threadcpu.c, htexcpu.c); one
** configuration simulated, 4 workers, for the fit's suites.
*/
#ifndef SIM_TESTS_FIXTURE_H
#define SIM_TESTS_FIXTURE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../calibrate/bundle.h"
#include "../sim/sim.h"

/* b holds a copy of runs[0..n) on 2 cores; bundle_release frees it. */
static inline void fixture_bundle(bundle *b, const bundle_run *runs, int n)
{
    memset(b, 0, sizeof *b);
    b->cores = 2;
    b->runs = calloc(n, sizeof *b->runs);
    ck_assert_ptr_nonnull(b->runs);
    memcpy(b->runs, runs, sizeof *runs * n);
    b->nruns = n;
}

/* m's simulation of one configuration, 4 workers, into *res. */
static inline void fixture_simulate(const model *m, int workload, long size, int executor,
                                    int logging, unsigned long seed, sim_result *res)
{
    sim_config cfg;
    sim_error err;

    memset(&cfg, 0, sizeof cfg);
    cfg.workload = workload;
    cfg.size = size;
    cfg.executor = executor;
    cfg.workers = 4;
    cfg.logging = logging;
    cfg.seed = seed;
    cfg.model = m;
    ck_assert_int_eq(sim_run(&cfg, res, &err), 0);
}

#endif
