/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest code written as assembler in a selftest.
 *
 * MSHV_GUEST_CODE(name, bits, text) assembles @text, at file scope, with
 * the compiler's assembler in 16-, 32- or 64-bit mode (@bits is 16, 32 or
 * 64) into .rodata, and declares for C
 *
 *	const __u8 name[], name_end[];
 *
 * the first byte of the code and the byte after it.  The code is data in
 * the test program: a test copies it into guest memory (mshv_vm_write())
 * and runs it there, so it must not depend on where it was assembled:
 * jumps to labels inside the same block are relative, and an absolute
 * guest address is written as a number.
 *
 * A label in @text that C needs (the guest address of an instruction, for
 * a test that asserts RIP) is a symbol of its own, declared with
 * MSHV_GUEST_LABEL(); MSHV_GUEST_OFFSET() is its offset in the block:
 *
 *	MSHV_GUEST_CODE(ud_main, 64,
 *		"	ud2\n"
 *		"ud_main_out:\n"
 *		"	out %al, $0x87\n"
 *		"	hlt\n");
 *	MSHV_GUEST_LABEL(ud_main_out);
 *
 *	mshv_vm_write(vm, CODE_GPA, ud_main, MSHV_GUEST_SIZE(ud_main));
 *	rip = CODE_GPA + MSHV_GUEST_OFFSET(ud_main, ud_main_out);
 *
 * Numeric labels ("1:", "jnz 1b") need no declaration.  The symbols are
 * local to the object file; MSHV_GUEST_CODE_GLOBAL() makes @name and
 * name_end global, for code a library file provides to the tests, and a
 * label of such a block is made global with ".globl label" in @text.
 *
 * A value from a C macro goes into @text with MSHV_GUEST_STR() if the
 * macro expands to a plain number, e.g. "out %al, $" MSHV_GUEST_STR(PORT).
 */
#ifndef _MSHV_SELFTEST_GUEST_CODE_H
#define _MSHV_SELFTEST_GUEST_CODE_H

#include <linux/types.h>

#define __MSHV_GUEST_STR(x)	#x
#define MSHV_GUEST_STR(x)	__MSHV_GUEST_STR(x)

#define __MSHV_GUEST_CODE(name, bits, globl, text)			\
	extern const __u8 name[], name##_end[];				\
	__asm__(".pushsection .rodata, \"a\"\n"				\
		globl							\
		"	.type " #name ", @object\n"			\
		"	.code" #bits "\n"				\
		#name ":\n"						\
		text "\n"						\
		#name "_end:\n"						\
		"	.size " #name ", " #name "_end - " #name "\n"	\
		"	.code64\n"					\
		"	.popsection\n")

/**
 * MSHV_GUEST_CODE() - assemble guest code into .rodata
 * @name: C name of the first byte; name_end is the byte after the last
 * @bits: 16, 32 or 64: the mode the code is assembled for
 * @text: the assembler source (AT&T syntax), one string
 */
#define MSHV_GUEST_CODE(name, bits, text)				\
	__MSHV_GUEST_CODE(name, bits, "", text)

/**
 * MSHV_GUEST_CODE_GLOBAL() - MSHV_GUEST_CODE() with global symbols
 * @name: C name of the first byte; name_end is the byte after the last
 * @bits: 16, 32 or 64: the mode the code is assembled for
 * @text: the assembler source (AT&T syntax), one string
 */
#define MSHV_GUEST_CODE_GLOBAL(name, bits, text)			\
	__MSHV_GUEST_CODE(name, bits,					\
			  "	.globl " #name ", " #name "_end\n", text)

/* Declare a label of @text for C: the address of the byte it labels */
#define MSHV_GUEST_LABEL(label)		extern const __u8 label[]

/* Size of the block @name in bytes */
#define MSHV_GUEST_SIZE(name)		((size_t)((name##_end) - (name)))

/* Offset of @label from the start of the block @name */
#define MSHV_GUEST_OFFSET(name, label)	((__u64)((label) - (name)))

#endif /* _MSHV_SELFTEST_GUEST_CODE_H */
