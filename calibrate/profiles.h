/*
** The main thread's time in a bundle's pyinstrument profiles, by
** configuration: the share of its workload time under each bucket of
** pyinstrument.h (DataFlowKernel.submit, logging, the handler's lock),
** the median over a configuration's profiled runs. The calibration report
** prints them; sim validate sets them beside the simulator's own account
** of the main thread (sim_result.role_logging_s), which is what the
** profiler would have seen of the model.
*/
#ifndef SIM_PROFILES_H
#define SIM_PROFILES_H

#include "../sim/error.h"
#include "bundle.h"
#include "pyinstrument.h"

typedef struct profile_shares {
    int bundle;                     /* index of the bundle in the caller's array */
    int workload, executor, logging; /* enums of sim.h */
    long size;
    int workers;                    /* asked for */
    int profiles;                   /* profiled runs read */
    double workload_s;              /* median seconds of workload time */
    double share[PYI_BUCKET_COUNT]; /* median share of workload time per bucket */
} profile_shares;

/* Every configuration of the nb bundles with an ok, profiled run whose
** profile.json (or .gz) exists, in the order first seen. Returns 0 with
** *out (caller frees; NULL when none) and *n set; SIM_EINPUT naming the
** file when a profile cannot be read, SIM_ENOMEM. */
int profiles_collect(const bundle *bundles, int nb, profile_shares **out, int *n,
                     sim_error *err);

#endif
