/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Input format of the fuzz_x86_emu target, shared with the seed writer of
 * x86_emu_test (--seeds DIR).  An input is a struct fuzz_x86_input
 * followed by guest memory bytes, loaded at GPA XT_CODE.
 */
#ifndef _HVSIM_USER_FUZZ_X86_EMU_H
#define _HVSIM_USER_FUZZ_X86_EMU_H

/* fuzz_x86_input.mode, bits 0-1 */
enum fuzz_x86_mode {
	FUZZ_REAL,		/* real mode, segment bases 0 */
	FUZZ_PROT32,		/* flat protected mode, no paging */
	FUZZ_LONG,		/* long mode, the fixed identity tables */
	FUZZ_LONG_TABLES,	/* long mode, CR3 inside the input bytes */
};

/* fuzz_x86_input.flags */
#define FUZZ_F_CPL3		0x01	/* SS and CS DPL 3 */
#define FUZZ_F_NO_WP		0x02	/* CR0.WP clear */
#define FUZZ_F_NO_NXE		0x04	/* EFER.NXE clear */
#define FUZZ_F_UNMAPPED		0x08	/* page unmapped_page has no mapping */
#define FUZZ_F_READ_ONLY	0x10	/* page ro_page is read-only */
#define FUZZ_F_CODE16		0x20	/* FUZZ_PROT32 with 16-bit CS and SS */
#define FUZZ_F_TLB		0x40	/* steps with the software TLB */

/* fuzz_x86_input.xlate */
#define FUZZ_X_ACCESS_MASK	0x03	/* enum x86_emu_access (3: READ) */
#define FUZZ_X_SET_AD		0x04

#define FUZZ_MAX_STEPS		64
/* Guest memory bytes land at XT_CODE and stay below the fixed tables */
#define FUZZ_MAX_DATA		(XT_PML4 - XT_CODE)

struct fuzz_x86_input {
	__u8 mode;
	__u8 flags;
	__u8 steps;		/* modulo FUZZ_MAX_STEPS, plus 1 */
	__u8 xlate;
	__u8 unmapped_page;	/* modulo XT_LOW_PAGES */
	__u8 ro_page;		/* modulo XT_LOW_PAGES */
	__u8 cr3_page;		/* FUZZ_LONG_TABLES: CR3 = XT_CODE + this page */
	__u8 vector;		/* interrupt delivered before the first step */
	__u64 rflags;
	__u64 xlate_gva;
	__u64 gpr[16];
};

#endif /* _HVSIM_USER_FUZZ_X86_EMU_H */
