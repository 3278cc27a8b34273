/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two functions every hvsim/user/fuzz_*.c target defines.  The
 * Makefile links them as libFuzzer's entry points (initialisation and
 * one input; --defsym keeps libFuzzer's names out of the C sources).
 */
#ifndef _HVSIM_USER_FUZZ_H
#define _HVSIM_USER_FUZZ_H

/* Once, before the first input; returns 0 */
int fuzz_initialize(int *argc, char ***argv);

/* One input: 0, or -1 to keep it out of the corpus; abort() on a bug */
int fuzz_test_one_input(const u8 *data, size_t size);

#endif /* _HVSIM_USER_FUZZ_H */
