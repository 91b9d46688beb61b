/*
** The unit test runner: every suite listed in tests/suites.h, in one
** SRunner. `make unit` builds and runs it from the repository root (tests
** read models/ and experiments/ by relative path). CK_FORK and
** CK_RUN_SUITE / CK_RUN_CASE in the environment work as check documents.
** Exits 0 when every test passes, 1 otherwise.
*/
#include <gsl/gsl_errno.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(NULL);
    int failed;

    gsl_set_error_handler_off();   /* as sim's main: statuses, not aborts */
#define SUITE(name) srunner_add_suite(sr, name##_suite());
    SIM_SUITES
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
