/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Long mode for selftest guests: identity (or any) 4-level page tables
 * built in guest memory, a GDT with a 64-bit code segment, and the
 * register state of a VP running 64-bit code at CPL 0.
 */
#ifndef _MSHV_SELFTEST_PAGING_H
#define _MSHV_SELFTEST_PAGING_H

#include "mshv_lib.h"

/* 4-level paging entries */
#define MSHV_PTE_P		BIT(0)
#define MSHV_PTE_RW		BIT(1)
#define MSHV_PTE_US		BIT(2)
#define MSHV_PTE_A		BIT(5)
#define MSHV_PTE_D		BIT(6)
#define MSHV_PTE_PS		BIT(7)
#define MSHV_PTE_ADDR		0x000FFFFFFFFFF000ULL

#define MSHV_PAGE_2M		0x200000ULL

/* Selectors of the GDT written by mshv_vp_enter_long_mode() */
#define MSHV_GDT_CODE64		0x08
#define MSHV_GDT_DATA		0x10
#define MSHV_GDT_SIZE		24

/**
 * struct mshv_paging - guest page tables under construction
 * @vm: the VM whose memory (mshv_vm_add_memory()) holds the tables
 * @pml4: guest physical address of the PML4 (the CR3 value)
 * @next: next free page of the table area
 * @end: end of the table area
 */
struct mshv_paging {
	struct mshv_vm *vm;
	__u64 pml4;
	__u64 next;
	__u64 end;
};

void mshv_paging_init(struct mshv_paging *pg, struct mshv_vm *vm,
		      __u64 area_gpa, __u64 area_size);
void mshv_paging_map(struct mshv_paging *pg, __u64 gva, __u64 gpa,
		     __u64 size, __u64 page_size);
__u64 *mshv_paging_entry(struct mshv_paging *pg, __u64 gva,
			 unsigned int level);
void mshv_vp_enter_long_mode(struct mshv_vp *vp,
			     const struct mshv_paging *pg, __u64 gdt_gpa);

#endif /* _MSHV_SELFTEST_PAGING_H */
