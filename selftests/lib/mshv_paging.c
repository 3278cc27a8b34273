// SPDX-License-Identifier: GPL-2.0-only
/*
 * Long-mode helpers of the selftest VMM library: see mshv_paging.h.
 *
 * The tables are written through the VMM's own mapping of the guest
 * memory region, so a test can read the accessed and dirty bits the guest
 * (the processor, here hvsim) set in them.
 */
#include <string.h>

#include "mshv_paging.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* CR0, CR4 and EFER bits of a long-mode VP */
#define CR0_PE		BIT(0)
#define CR0_ET		BIT(4)
#define CR0_WP		BIT(16)
#define CR0_PG		BIT(31)
#define CR4_PAE		BIT(5)
#define EFER_LME	BIT(8)
#define EFER_LMA	BIT(10)
#define EFER_NXE	BIT(11)

/* Segment attributes: present, DPL 0, accessed; code RX + L, data RW + D/B */
#define SEG_CODE64	0xA09B
#define SEG_DATA	0xC093

/* Host address of guest physical [gpa, gpa + len) in the VM's region */
static void *paging_hva(struct mshv_vm *vm, __u64 gpa, __u64 len)
{
	MSHV_TEST_ASSERT(vm->mem && gpa >= vm->mem_gpa &&
			 gpa - vm->mem_gpa + len <= vm->mem_size,
			 "GPA %#llx + %#llx outside the VM's memory",
			 (unsigned long long)gpa, (unsigned long long)len);
	return (char *)vm->mem + (gpa - vm->mem_gpa);
}

static __u64 paging_alloc(struct mshv_paging *pg)
{
	__u64 gpa = pg->next;

	MSHV_TEST_ASSERT(gpa + MSHV_PAGE_SIZE <= pg->end,
			 "page-table area full at %#llx",
			 (unsigned long long)gpa);
	memset(paging_hva(pg->vm, gpa, MSHV_PAGE_SIZE), 0, MSHV_PAGE_SIZE);
	pg->next += MSHV_PAGE_SIZE;
	return gpa;
}

/**
 * mshv_paging_init() - start page tables in [area_gpa, area_gpa + area_size)
 * @pg: the tables
 * @vm: the VM; the area must be inside its memory region
 * @area_gpa: page-aligned start of the area the tables are allocated from
 * @area_size: its size in bytes
 *
 * Allocates the (empty) PML4.
 */
void mshv_paging_init(struct mshv_paging *pg, struct mshv_vm *vm,
		      __u64 area_gpa, __u64 area_size)
{
	MSHV_TEST_ASSERT(!(area_gpa % MSHV_PAGE_SIZE),
			 "unaligned table area %#llx",
			 (unsigned long long)area_gpa);
	pg->vm = vm;
	pg->next = area_gpa;
	pg->end = area_gpa + area_size;
	pg->pml4 = paging_alloc(pg);
}

/*
 * The entry for @gva at @level (4: PML4 ... 1: PT); with @create, missing
 * tables above it are allocated.  NULL when a table is missing (or a large
 * page ends the walk above @level) and @create is false.
 */
static __u64 *paging_walk(struct mshv_paging *pg, __u64 gva,
			  unsigned int level, bool create)
{
	__u64 table = pg->pml4;
	unsigned int l;

	for (l = 4; ; l--) {
		unsigned int shift = 12 + 9 * (l - 1);
		__u64 *e = paging_hva(pg->vm, table + ((gva >> shift) & 511) * 8,
				      8);

		if (l == level)
			return e;
		if (!(*e & MSHV_PTE_P)) {
			if (!create)
				return NULL;
			*e = paging_alloc(pg) | MSHV_PTE_P | MSHV_PTE_RW;
		}
		if (*e & MSHV_PTE_PS)
			return NULL;
		table = *e & MSHV_PTE_ADDR;
	}
}

/**
 * mshv_paging_map() - map [gva, gva + size) to [gpa, gpa + size)
 * @pg: the tables
 * @gva: start, aligned to @page_size
 * @gpa: start, aligned to @page_size; need not be in the VM's memory
 * @size: a multiple of @page_size
 * @page_size: MSHV_PAGE_SIZE (4 KiB) or MSHV_PAGE_2M
 *
 * Present, writable, supervisor entries without accessed/dirty bits.
 */
void mshv_paging_map(struct mshv_paging *pg, __u64 gva, __u64 gpa,
		     __u64 size, __u64 page_size)
{
	unsigned int level = page_size == MSHV_PAGE_2M ? 2 : 1;
	__u64 off;

	MSHV_TEST_ASSERT((page_size == MSHV_PAGE_SIZE ||
			  page_size == MSHV_PAGE_2M) &&
			 !(gva % page_size) && !(gpa % page_size) &&
			 !(size % page_size),
			 "bad mapping %#llx -> %#llx size %#llx page %#llx",
			 (unsigned long long)gva, (unsigned long long)gpa,
			 (unsigned long long)size,
			 (unsigned long long)page_size);
	for (off = 0; off < size; off += page_size) {
		__u64 *e = paging_walk(pg, gva + off, level, true);

		MSHV_TEST_ASSERT(e, "GVA %#llx is inside a large page",
				 (unsigned long long)(gva + off));
		*e = (gpa + off) | MSHV_PTE_P | MSHV_PTE_RW |
		     (level == 2 ? MSHV_PTE_PS : 0);
	}
}

/**
 * mshv_paging_entry() - the VMM's view of a paging-structure entry
 * @pg: the tables
 * @gva: a guest virtual address
 * @level: 4 (PML4) to 1 (PT)
 *
 * Return: a pointer into guest memory to the entry that maps @gva at
 * @level, for reading the bits the guest set; NULL if the walk for @gva
 * does not reach @level.
 */
__u64 *mshv_paging_entry(struct mshv_paging *pg, __u64 gva,
			 unsigned int level)
{
	return paging_walk(pg, gva, level, false);
}

/**
 * mshv_vp_enter_long_mode() - put @vp in 64-bit mode on @pg's tables
 * @vp: the VP
 * @pg: the page tables (CR3)
 * @gdt_gpa: where to write the GDT (MSHV_GDT_SIZE bytes, in VM memory)
 *
 * Writes a GDT with a null descriptor, a 64-bit code segment
 * (MSHV_GDT_CODE64) and a flat data segment (MSHV_GDT_DATA) and sets,
 * through SET_VP_REGISTERS, GDTR, CS, DS/ES/SS/FS/GS, CR0 (PE, ET, WP,
 * PG), CR3, CR4 (PAE) and EFER (LME, LMA, NXE).
 */
void mshv_vp_enter_long_mode(struct mshv_vp *vp,
			     const struct mshv_paging *pg, __u64 gdt_gpa)
{
	static const __u64 gdt[3] = {
		0,
		0x00AF9B000000FFFFULL,	/* code: base 0, G, L, P, RX */
		0x00CF93000000FFFFULL,	/* data: base 0, G, D/B, P, RW */
	};
	const struct hv_x64_segment_register code = {
		.base = 0, .limit = 0xFFFFFFFF,
		.selector = MSHV_GDT_CODE64, .attributes = SEG_CODE64,
	};
	const struct hv_x64_segment_register data = {
		.base = 0, .limit = 0xFFFFFFFF,
		.selector = MSHV_GDT_DATA, .attributes = SEG_DATA,
	};
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_GDTR,
		  .value.table = { .limit = MSHV_GDT_SIZE - 1,
				   .base = gdt_gpa } },
		{ .name = HV_X64_REGISTER_CS, .value.segment = code },
		{ .name = HV_X64_REGISTER_DS, .value.segment = data },
		{ .name = HV_X64_REGISTER_ES, .value.segment = data },
		{ .name = HV_X64_REGISTER_SS, .value.segment = data },
		{ .name = HV_X64_REGISTER_FS, .value.segment = data },
		{ .name = HV_X64_REGISTER_GS, .value.segment = data },
		{ .name = HV_X64_REGISTER_CR3, .value.reg64 = pg->pml4 },
		{ .name = HV_X64_REGISTER_CR4, .value.reg64 = CR4_PAE },
		{ .name = HV_X64_REGISTER_EFER,
		  .value.reg64 = EFER_LME | EFER_LMA | EFER_NXE },
		{ .name = HV_X64_REGISTER_CR0,
		  .value.reg64 = CR0_PE | CR0_ET | CR0_WP | CR0_PG },
	};

	memcpy(paging_hva(vp->vm, gdt_gpa, sizeof(gdt)), gdt, sizeof(gdt));
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
}
