/*
** pyinstrument profiles grouped by configuration (profiles.h).
*/
#include "profiles.h"

#include <stdlib.h>
#include <string.h>

#include "group.h"

static int same_config(const profile_shares *p, int k, const bundle_run *r)
{
    return p->bundle == k && p->workload == r->workload && p->size == r->size &&
           p->executor == r->executor && p->workers == r->workers_requested &&
           p->logging == r->logging;
}

/* The median share of each bucket over the profiles of configuration c,
** read again: profiles are few (one or two a configuration). */
static int medians(const bundle *b, profile_shares *c, sim_error *err)
{
    double *x = malloc(sizeof *x * (size_t)c->profiles * (PYI_BUCKET_COUNT + 1));
    char path[1200];
    int n = 0, rc = 0;

    if (x == NULL)
        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; rc == 0 && i < b->nruns; i++) {
        const bundle_run *r = &b->runs[i];
        pyi_summary s;
        double work;
        if (!r->profile || !r->ok || !same_config(c, c->bundle, r) ||
            !bundle_run_file(b, r, "profile.json", path, sizeof path))
            continue;
        if ((rc = pyi_load(&s, path, err)) != 0)
            break;
        work = s.seconds[PYI_WORKLOAD] > 0 ? s.seconds[PYI_WORKLOAD] : s.seconds[PYI_TOTAL];
        x[n] = work;
        for (int k = 0; k < PYI_BUCKET_COUNT; k++)
            x[(size_t)(k + 1) * c->profiles + n] = work > 0 ? s.seconds[k] / work : 0;
        n++;
    }
    if (rc == 0) {
        c->workload_s = group_median(x, n);
        for (int k = 0; k < PYI_BUCKET_COUNT; k++)
            c->share[k] = group_median(x + (size_t)(k + 1) * c->profiles, n);
    }
    free(x);
    return rc;
}

int profiles_collect(const bundle *bundles, int nb, profile_shares **out, int *n,
                     sim_error *err)
{
    profile_shares *p = NULL;
    char path[1200];
    int count = 0, cap = 0, rc = 0;

    for (int k = 0; k < nb; k++)
        for (int i = 0; i < bundles[k].nruns; i++) {
            const bundle_run *r = &bundles[k].runs[i];
            int j;
            if (!r->profile || !r->ok || r->workload < 0 || r->executor < 0 || r->logging < 0 ||
                !bundle_run_file(&bundles[k], r, "profile.json", path, sizeof path))
                continue;
            for (j = 0; j < count && !same_config(&p[j], k, r); j++)
                ;
            if (j == count) {
                if (count == cap) {
                    profile_shares *grown;
                    cap = cap ? 2 * cap : 8;
                    if ((grown = realloc(p, sizeof *p * (size_t)cap)) == NULL) {
                        free(p);
                        return error_set(err, SIM_ENOMEM, NULL, 0, 0, "out of memory");
                    }
                    p = grown;
                }
                memset(&p[count], 0, sizeof p[count]);
                p[count].bundle = k;
                p[count].workload = r->workload;
                p[count].size = r->size;
                p[count].executor = r->executor;
                p[count].workers = r->workers_requested;
                p[count].logging = r->logging;
                count++;
            }
            p[j].profiles++;
        }
    for (int j = 0; rc == 0 && j < count; j++)
        rc = medians(&bundles[p[j].bundle], &p[j], err);
    if (rc != 0) {
        free(p);
        p = NULL;
        count = 0;
    }
    *out = p;
    *n = count;
    return rc;
}
