// SPDX-License-Identifier: GPL-2.0-only
/*
 * TRANSLATE_VIRTUAL_ADDRESS and GET_GPA_PAGES_ACCESS_STATES through
 * MSHV_ROOT_HVCALL (READ_GPA and WRITE_GPA refused), on a long-mode VP
 * whose page tables the test builds (lib/mshv_paging.c).
 *
 * The guest first reads the pages the tests use, so that the driver has
 * mapped them (movable regions are mapped when the guest faults) and the
 * SLAT has the page-table pages too.  The SLAT permissions are the
 * driver's choice: the tests only rely on pages the host wrote being
 * writable and on the read-only region being read-only.  Every result
 * code and status is the exact value the TLFS gives (translate-GVA result
 * codes and HV_STATUS_* in hvabi.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "mshv_test.h"
#include "mshv_paging.h"
#pragma GCC diagnostic ignored "-Wsign-compare"

#define MEM_SIZE	0x100000ULL	/* 1 MiB of RW memory at 0: 4 KiB SLAT entries */
#define CODE_GPA	0x1000ULL
#define GDT_GPA		0x2000ULL
#define DATA_GPA	0x5000ULL
#define TABLES_GPA	0x10000ULL
#define TABLES_SIZE	0x10000ULL
#define RO_GPA		0x400000ULL	/* one read-only page */
#define HOLE_GPA	0x800000ULL	/* no memory */
#define HOLE_GVA	0x600000ULL
#define NOPAGE_GVA	0x700000ULL	/* no guest mapping */

#define RW_FLAGS	((1 << MSHV_SET_MEM_BIT_WRITABLE) | \
			 (1 << MSHV_SET_MEM_BIT_EXECUTABLE))

FIXTURE(gpa)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	struct mshv_paging pg;
	void *ro;
};

/* Addresses are DATA_GPA, RO_GPA and the two pages after DATA_GPA */
MSHV_GUEST_CODE(setup_code, 64,
		"	movabs 0x5000, %al\n"
		"	movabs 0x400000, %al\n"
		"	hlt\n");
MSHV_GUEST_CODE(load_code, 64,
		"	movabs 0x7000, %al\n"
		"	hlt\n");
MSHV_GUEST_CODE(store_code, 64,
		"	movabs %al, 0x5008\n"
		"	hlt\n");
MSHV_GUEST_CODE(load_store_code, 64,
		"	movabs 0x5000, %al\n"
		"	movabs %al, 0x7000\n"
		"	hlt\n");

FIXTURE_SETUP(gpa)
{
	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	self->ro = mshv_alloc_host_memory(MSHV_PAGE_SIZE);
	memset(self->ro, 0x5a, MSHV_PAGE_SIZE);
	mshv_map_guest_memory(self->vm->fd, RO_GPA, self->ro, MSHV_PAGE_SIZE,
			      0);
	self->vp = mshv_vp_create(self->vm, 0);
	mshv_paging_init(&self->pg, self->vm, TABLES_GPA, TABLES_SIZE);
	mshv_paging_map(&self->pg, 0, 0, MEM_SIZE, MSHV_PAGE_SIZE);
	mshv_paging_map(&self->pg, RO_GPA, RO_GPA, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_paging_map(&self->pg, HOLE_GVA, HOLE_GPA, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_vp_enter_long_mode(self->vp, &self->pg, GDT_GPA);
	mshv_vm_write(self->vm, CODE_GPA, setup_code,
		      MSHV_GUEST_SIZE(setup_code));
	/*
	 * Touch the three data pages from the host, so that the driver maps
	 * them writable when the guest faults (an untouched anonymous page is
	 * the shared zero page, which it may map read-only).
	 */
	memset((__u8 *)self->vm->mem + DATA_GPA, 0, 3 * MSHV_PAGE_SIZE);
	memcpy((__u8 *)self->vm->mem + DATA_GPA, "0123456789abcdefXYZ", 19);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_run_expect_halt(self->vp);
}

FIXTURE_TEARDOWN(gpa)
{
	mshv_vp_free(self->vp);
	/* closing the partition unmapped RO_GPA: its backing goes now */
	mshv_vm_free(self->vm);
	mshv_free_host_memory(self->ro, MSHV_PAGE_SIZE);
}

/* MSHV_ROOT_HVCALL on the partition fd; returns the HV status */
static __u16 hvcall(int fd, __u16 code, __u16 reps, const void *in,
		    __u16 in_sz, void *out, __u16 out_sz, __u16 *reps_done)
{
	struct mshv_root_hvcall a = mshv_hvcall_args(code, reps, in, in_sz,
						     out, out_sz);
	__u16 status = mshv_hvcall_checked(fd, &a, NULL);

	if (reps_done)
		*reps_done = a.reps;
	return status;
}

static __u16 translate(struct mshv_vm *vm, __u64 gva, __u64 flags,
		       struct hv_output_translate_virtual_address *out)
{
	struct hv_input_translate_virtual_address in = {
		.control_flags = flags,
		.gva_page = gva >> 12,
	};

	memset(out, 0xcc, sizeof(*out));
	return hvcall(vm->fd, HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0, &in,
		      sizeof(in), out, sizeof(*out), NULL);
}

#define R	HV_TRANSLATE_GVA_VALIDATE_READ
#define W	HV_TRANSLATE_GVA_VALIDATE_WRITE
#define X	HV_TRANSLATE_GVA_VALIDATE_EXECUTE

TEST_F(gpa, translate_results)
{
	static const struct {
		__u64 gva, flags;
		__u32 result;
		__u64 gpa_page;
	} cases[] = {
		{ DATA_GPA + 0x123, R | W, HV_TRANSLATE_GVA_SUCCESS, 5 },
		{ DATA_GPA, 0, HV_TRANSLATE_GVA_SUCCESS, 5 },
		{ CODE_GPA, X, HV_TRANSLATE_GVA_SUCCESS, 1 },
		{ RO_GPA, R, HV_TRANSLATE_GVA_SUCCESS, RO_GPA >> 12 },
		{ RO_GPA, W, HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS,
		  RO_GPA >> 12 },
		{ HOLE_GVA, R, HV_TRANSLATE_GVA_GPA_UNMAPPED, HOLE_GPA >> 12 },
		{ NOPAGE_GVA, R, HV_TRANSLATE_GVA_PAGE_NOT_PRESENT, 0 },
		{ 0x0000800000000000ULL, R,
		  HV_TRANSLATE_GVA_PAGE_NOT_PRESENT, 0 },
		/* the test's table entries have no U/S bit */
		{ DATA_GPA, R | HV_TRANSLATE_GVA_USER_ACCESS,
		  HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION, 0 },
		{ DATA_GPA, R | HV_TRANSLATE_GVA_SUPERVISOR_ACCESS,
		  HV_TRANSLATE_GVA_SUCCESS, 5 },
	};
	struct hv_output_translate_virtual_address out;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		__u32 cache = 0;

		if (cases[i].gpa_page)
			cache = HV_CACHE_TYPE_X64_WB;
		EXPECT_EQ(HV_STATUS_SUCCESS,
			  translate(self->vm, cases[i].gva, cases[i].flags,
				    &out)) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].result, out.result_code) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].gpa_page, out.gpa_page) TH_LOG("case %u", i);
		EXPECT_EQ(cache, out.flags) TH_LOG("case %u", i);
	}
}

TEST_F(gpa, translate_page_table_faults)
{
	struct hv_output_translate_virtual_address out;
	__u64 *pte = mshv_paging_entry(&self->pg, DATA_GPA, 1);

	*pte &= ~MSHV_PTE_RW;
	EXPECT_EQ(0, translate(self->vm, DATA_GPA, W, &out));
	EXPECT_EQ(HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION, out.result_code);
	EXPECT_EQ(0, out.gpa_page);
	*pte |= MSHV_PTE_RW | (1ULL << 51);	/* reserved address bit */
	EXPECT_EQ(0, translate(self->vm, DATA_GPA, R, &out));
	EXPECT_EQ(HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS, out.result_code);
}

TEST_F(gpa, translate_set_page_table_bits)
{
	struct hv_output_translate_virtual_address out;
	__u64 *pte = mshv_paging_entry(&self->pg, DATA_GPA + 0x1000, 1);

	*pte &= ~(MSHV_PTE_A | MSHV_PTE_D);
	EXPECT_EQ(0, translate(self->vm, DATA_GPA + 0x1000, R | W, &out));
	EXPECT_EQ(0, out.result_code);
	EXPECT_EQ(0, *pte & (MSHV_PTE_A | MSHV_PTE_D));
	EXPECT_EQ(0, translate(self->vm, DATA_GPA + 0x1000,
			       R | HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS, &out));
	EXPECT_EQ(MSHV_PTE_A, *pte & (MSHV_PTE_A | MSHV_PTE_D));
	EXPECT_EQ(0, translate(self->vm, DATA_GPA + 0x1000,
			       W | HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS, &out));
	EXPECT_EQ(MSHV_PTE_A | MSHV_PTE_D, *pte & (MSHV_PTE_A | MSHV_PTE_D));
}

/*
 * A VMM emulating a string I/O instruction translates the guest's
 * buffer address and writes through its own mapping.  The page may be
 * out of the SLAT (Linux reclaimed, merged or moved it) or in it
 * read-only (the shared zero page): the translation still succeeds,
 * and the page is then mapped with the access it validated, backed by
 * the page the VMM writes.
 */
TEST_F(gpa, translate_maps_movable_page)
{
	struct hv_output_translate_virtual_address out;
	__u8 *page = (__u8 *)self->vm->mem + DATA_GPA + 0x2000;

	mshv_vm_write(self->vm, CODE_GPA + 0x200, load_code,
		      MSHV_GUEST_SIZE(load_code));

	/* out of the SLAT: the guest never touched it since the discard */
	ASSERT_EQ(0, madvise(page, MSHV_PAGE_SIZE, MADV_DONTNEED));
	EXPECT_EQ(0, translate(self->vm, DATA_GPA + 0x2000, R | W, &out));
	EXPECT_EQ(HV_TRANSLATE_GVA_SUCCESS, out.result_code);
	EXPECT_EQ((DATA_GPA >> 12) + 2, out.gpa_page);
	page[0] = 0x3c;
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA + 0x200);
	mshv_vp_run_expect_halt(self->vp);
	EXPECT_EQ(0x3c, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX) & 0xff);

	/* in the SLAT read-only: the guest read the shared zero page */
	ASSERT_EQ(0, madvise(page, MSHV_PAGE_SIZE, MADV_DONTNEED));
	EXPECT_EQ(0, page[0]);	/* maps the shared zero page */
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA + 0x200);
	mshv_vp_run_expect_halt(self->vp);
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX) & 0xff);
	EXPECT_EQ(0, translate(self->vm, DATA_GPA + 0x2000, R, &out));
	EXPECT_EQ(HV_TRANSLATE_GVA_SUCCESS, out.result_code);
	EXPECT_EQ(0, translate(self->vm, DATA_GPA + 0x2000, W, &out));
	EXPECT_EQ(HV_TRANSLATE_GVA_SUCCESS, out.result_code);
	EXPECT_EQ((DATA_GPA >> 12) + 2, out.gpa_page);
	page[0] = 0x5d;
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA + 0x200);
	mshv_vp_run_expect_halt(self->vp);
	EXPECT_EQ(0x5d, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX) & 0xff);

	/* no region, or a region that does not allow the access: as before */
	EXPECT_EQ(0, translate(self->vm, RO_GPA, W, &out));
	EXPECT_EQ(HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS, out.result_code);
	EXPECT_EQ(0, translate(self->vm, HOLE_GVA, R | W, &out));
	EXPECT_EQ(HV_TRANSLATE_GVA_GPA_UNMAPPED, out.result_code);
	EXPECT_EQ(HOLE_GPA >> 12, out.gpa_page);
}

TEST_F(gpa, translate_invalid)
{
	static const __u64 bad_flags[] = {
		HV_TRANSLATE_GVA_SHADOW_STACK, 0x800, 1ULL << 55,
		HV_TRANSLATE_GVA_USER_ACCESS |
		HV_TRANSLATE_GVA_SUPERVISOR_ACCESS,
		HV_TRANSLATE_GVA_ENFORCE_SMAP | HV_TRANSLATE_GVA_OVERRIDE_SMAP,
		1ULL << 56,	/* input VTL 1 */
	};
	struct hv_input_translate_virtual_address in = { .gva_page = 5 };
	struct hv_output_translate_virtual_address out;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		in.control_flags = bad_flags[i];
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
			  hvcall(self->vm->fd, HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
				 0, &in, sizeof(in), &out, sizeof(out), NULL))
			TH_LOG("flags %#llx", (unsigned long long)bad_flags[i]);
	}
	in.control_flags = (__u64)HV_INPUT_VTL_USE_TARGET << 56;
	EXPECT_EQ(0, hvcall(self->vm->fd, HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0,
			    &in, sizeof(in), &out, sizeof(out), NULL));
	in.control_flags = 0;
	in.padding = 1;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  hvcall(self->vm->fd, HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0,
			 &in, sizeof(in), &out, sizeof(out), NULL));
	in.padding = 0;
	in.gva_page = 1ULL << 52;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  hvcall(self->vm->fd, HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0,
			 &in, sizeof(in), &out, sizeof(out), NULL));
	in.gva_page = 5;
	in.vp_index = 1;
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX,
		  hvcall(self->vm->fd, HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0,
			 &in, sizeof(in), &out, sizeof(out), NULL));
}

static __u16 access_states(struct mshv_vm *vm, __u64 gfn, __u16 count,
			   __u64 flags, __u8 *out, __u16 *done)
{
	struct hv_input_get_gpa_pages_access_state in = {
		.flags = flags,
		.hv_gpa_page_number = gfn,
	};

	memset(out, 0xcc, count);
	return hvcall(vm->fd, HVCALL_GET_GPA_PAGES_ACCESS_STATES, count, &in,
		      sizeof(in), out, count, done);
}

#define CA	HV_GPA_ACCESS_STATE_CLEAR_ACCESSED
#define SA	HV_GPA_ACCESS_STATE_SET_ACCESSED
#define CD	HV_GPA_ACCESS_STATE_CLEAR_DIRTY
#define SD	HV_GPA_ACCESS_STATE_SET_DIRTY

/*
 * MSHV_ROOT_HVCALL of @code on @fd is refused before it reaches the
 * hypervisor: EINVAL, status left at 0, the output untouched.
 */
static bool hvcall_refused(int fd, __u16 code, const void *in, __u16 in_sz)
{
	__u8 out[32];
	struct mshv_root_hvcall a = mshv_hvcall_args(code, 0, in, in_sz, out,
						     sizeof(out));
	int ret;

	memset(out, 0xcc, sizeof(out));
	errno = 0;
	ret = __mshv_hvcall(fd, &a);
	return ret == -1 && errno == EINVAL && !a.status && out[0] == 0xcc;
}

/*
 * READ_GPA and WRITE_GPA are not in the released mainline driver's
 * MSHV_ROOT_HVCALL allow-list: refused on the partition and VP fds,
 * memory and access bits untouched.
 */
TEST_F(gpa, read_write_refused)
{
	struct hv_input_write_gpa win = {
		.byte_count = 5,
		.base_gpa = DATA_GPA + 0x1100,
		.data = "hello",
	};
	struct hv_input_read_gpa rin = {
		.byte_count = 16,
		.base_gpa = DATA_GPA + 0x1000,
	};
	const __u8 *mem = self->vm->mem;
	__u8 st[1];
	__u16 done;

	/* the page both calls name starts with neither bit */
	ASSERT_EQ(0, access_states(self->vm, (DATA_GPA >> 12) + 1, 1, CA | CD,
				   st, &done));

	EXPECT_TRUE(hvcall_refused(self->vm->fd, HVCALL_WRITE_GPA, &win,
				   sizeof(win)));
	EXPECT_TRUE(hvcall_refused(self->vp->fd, HVCALL_WRITE_GPA, &win,
				   sizeof(win)));
	EXPECT_EQ(0, mem[DATA_GPA + 0x1100]);
	EXPECT_TRUE(hvcall_refused(self->vm->fd, HVCALL_READ_GPA, &rin,
				   sizeof(rin)));
	EXPECT_TRUE(hvcall_refused(self->vp->fd, HVCALL_READ_GPA, &rin,
				   sizeof(rin)));

	/* no access was made on the guest's behalf */
	ASSERT_EQ(0, access_states(self->vm, (DATA_GPA >> 12) + 1, 1, 0, st,
				   &done));
	EXPECT_EQ(0, st[0]);
}

TEST_F(gpa, access_states)
{
	const __u64 data = DATA_GPA >> 12, hole = HOLE_GPA >> 12;
	__u8 st[4];
	__u16 done;

	/* clean slate for the data page and the next two */
	ASSERT_EQ(0, access_states(self->vm, data, 3, CA | CD, st, &done));
	EXPECT_EQ(3, done);
	ASSERT_EQ(0, access_states(self->vm, data, 3, 0, st, &done));
	EXPECT_EQ(0, st[0]);
	EXPECT_EQ(0, st[1]);
	EXPECT_EQ(0, st[2]);

	/* a guest load sets accessed, a guest store accessed and dirty */
	mshv_vm_write(self->vm, CODE_GPA + 0x100, load_store_code,
		      MSHV_GUEST_SIZE(load_store_code));
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA + 0x100);
	mshv_vp_run_expect_halt(self->vp);
	ASSERT_EQ(0, access_states(self->vm, data, 3, CD, st, &done));
	EXPECT_EQ(HV_GPA_PAGE_ACCESSED, st[0]);
	EXPECT_EQ(0, st[1]);
	EXPECT_EQ(HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, st[2]);
	/* the previous call reported, then cleared dirty */
	ASSERT_EQ(0, access_states(self->vm, data, 3, SD, st, &done));
	EXPECT_EQ(HV_GPA_PAGE_ACCESSED, st[0]);
	EXPECT_EQ(0, st[1]);
	EXPECT_EQ(HV_GPA_PAGE_ACCESSED, st[2]);
	ASSERT_EQ(0, access_states(self->vm, data, 2, CA, st, &done));
	EXPECT_EQ(HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, st[0]);
	EXPECT_EQ(HV_GPA_PAGE_DIRTY, st[1]);
	ASSERT_EQ(0, access_states(self->vm, data, 2, SA, st, &done));
	EXPECT_EQ(HV_GPA_PAGE_DIRTY, st[0]);

	/* a page without memory reports 0 and stays 0 */
	ASSERT_EQ(0, access_states(self->vm, hole, 1, SA | SD, st, &done));
	EXPECT_EQ(0, st[0]);
	ASSERT_EQ(0, access_states(self->vm, hole, 1, 0, st, &done));
	EXPECT_EQ(0, st[0]);

	/* a guest store sets dirty */
	ASSERT_EQ(0, access_states(self->vm, data, 1, CA | CD, st, &done));
	mshv_vm_write(self->vm, CODE_GPA + 0x100, store_code,
		      MSHV_GUEST_SIZE(store_code));
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA + 0x100);
	mshv_vp_run_expect_halt(self->vp);
	ASSERT_EQ(0, access_states(self->vm, data, 1, 0, st, &done));
	EXPECT_EQ(HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, st[0]);
}

TEST_F(gpa, access_states_invalid)
{
	static const __u64 bad[] = { CA | SA, CD | SD, 0x10, 1ULL << 63 };
	unsigned int i;
	__u8 st[2];
	__u16 done;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
			  access_states(self->vm, 5, 2, bad[i], st, &done));
		EXPECT_EQ(0, done);
	}
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  access_states(self->vm, ~0ULL, 2, 0, st, &done));
}

/*
 * GPA_PAGE_ACCESS_TRACKING, TIME_FREEZE, REFERENCE_TIME.  The reference
 * clock ran from the fixture's dispatch until TIME_FREEZE stopped it:
 * REFERENCE_TIME then reads the same non-zero value until it is set.
 */
TEST_F(gpa, properties)
{
	static const __u32 codes[] = {
		HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
		HV_PARTITION_PROPERTY_TIME_FREEZE,
		HV_PARTITION_PROPERTY_REFERENCE_TIME,
	};
	struct hv_input_set_partition_property in = { 0 };
	unsigned int i;
	__u64 v;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		v = mshv_get_partition_property(self->vm->fd, codes[i]);
		if (codes[i] == HV_PARTITION_PROPERTY_REFERENCE_TIME) {
			EXPECT_LT(0ULL, v);
			EXPECT_EQ(v, mshv_get_partition_property(self->vm->fd,
								 codes[i]));
		} else {
			EXPECT_EQ(0ULL, v);
		}
		in.property_code = codes[i];
		in.property_value = 1;
		EXPECT_EQ(0, hvcall(self->vm->fd,
				    HVCALL_SET_PARTITION_PROPERTY, 0, &in,
				    sizeof(in), NULL, 0, NULL));
		EXPECT_EQ(1, mshv_get_partition_property(self->vm->fd,
							 codes[i]));
		in.property_value = 2;
		EXPECT_EQ(i == 2 ? 0 : HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE,
			  hvcall(self->vm->fd, HVCALL_SET_PARTITION_PROPERTY,
				 0, &in, sizeof(in), NULL, 0, NULL));
		EXPECT_EQ(i == 2 ? 2 : 1,
			  mshv_get_partition_property(self->vm->fd, codes[i]));
	}
}

TEST_HARNESS_MAIN
