/* check_run — the end of every unit test's main. */
#ifndef WALHOOK_CHECK_RUN_H
#define WALHOOK_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Runs the suite (in fork mode when CK_FORK=yes, as meson sets it); the
 * exit status of main. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
