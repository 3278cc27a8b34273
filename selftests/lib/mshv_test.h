/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Include kselftest_harness.h (from $(KSRC)/tools/testing/selftests) in a
 * test program built with -Wall -Wextra -Werror.
 *
 * The harness of Linux 6.12 is not -Wextra clean, and the warnings arise
 * where its TEST()/TEST_F() macros expand, i.e. in our files: the
 * variant/ucontext parameters of its generated functions are unused
 * (-Wunused-parameter) and its fork-after-setjmp wrapper trips
 * -Wclobbered.  Only those two are silenced, for the whole test program;
 * the library and the demo build with every warning enabled.
 */
#ifndef _MSHV_SELFTEST_TEST_H
#define _MSHV_SELFTEST_TEST_H

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"

#include "kselftest_harness.h"
#include "mshv_lib.h"
#include "mshv_guest_code.h"

#endif /* _MSHV_SELFTEST_TEST_H */
