/*
** Every check suite of sim, one line each. tests/check_<module>.c defines
** Suite *<module>_suite(void); tests/run_checks.c runs them all. To add a
** suite, add a SUITE(<module>) line here.
*/
#ifndef SIM_TESTS_SUITES_H
#define SIM_TESTS_SUITES_H

#include <check.h>

#define SIM_SUITES \
    SUITE(heap) \
    SUITE(dag) \
    SUITE(sim) \
    SUITE(fit) \
    SUITE(gcfit) \
    SUITE(threadcpu) \
    SUITE(htexcpu) \
    SUITE(whatif) \
    SUITE(spans) \
    SUITE(model) \
    SUITE(experiment) \
    SUITE(results) \
    SUITE(pyinstrument) \
    SUITE(profiles) \
    SUITE(parsllog) \
    SUITE(tracestore) \
    SUITE(validate)

#define SUITE(name) Suite *name##_suite(void);
SIM_SUITES
#undef SUITE

#endif
