/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest program of mshv_guest_1tib_test.c, assembled there; its last
 * instruction is a one-byte HLT.
 */
#ifndef _MSHV_GUEST_1TIB_TEST_H
#define _MSHV_GUEST_1TIB_TEST_H

extern const unsigned char tib_code[], tib_code_end[];

#endif /* _MSHV_GUEST_1TIB_TEST_H */
