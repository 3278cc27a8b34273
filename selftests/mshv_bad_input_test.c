// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bad-input table: for every ioctl of /dev/mshv, the partition fd and
 * the VP fd, and every field of its argument, each invalid value (unknown
 * flag bits, non-zero reserved bytes, size 0, overflowing ranges,
 * misaligned addresses, the wrong kind of fd, out-of-range indexes,
 * pointers to unmapped memory, read-only output buffers) with the exact
 * errno mainline returns.  After every case the state that the call could
 * have changed is read back and must be what it was before: hvsim's
 * partitions and deposited pages, the regions, the doorbell ports, the
 * GPA access states, the VP's registers and LAPIC state, a partition
 * property, the MSI routes.
 *
 * Prints "bad input: <n> cases, all exact" when every case returned its
 * errno and changed nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"
#include "mshv_guest32.h"

#define PAGE		MSHV_PAGE_SIZE
#define REGION_GFN	0x100ULL	/* the fixture's region: 16 pages */
#define REGION_PAGES	16ULL
#define SPARE_GFN	0x400ULL	/* free guest range for map attempts */
#define SPARE_PAGES	16ULL
#define DIRTY_PAGES	8ULL		/* of the region: accessed + dirty */
#define DOORBELL	0x10000ULL	/* the fixture's ioeventfd: len 4, dm 7 */
#define GSI_EDGE	5		/* edge-triggered route, irqfd bound */
#define GSI_LEVEL	6		/* level-triggered route */
#define MAX_GSI		4096
#define KERNEL_PTR	0xffff800000000000ULL
/* Below mmap_min_addr: never mapped */
#define HOLE		((char *)0x2000UL)
#define NREGS		6
#define MSR_ACTION	HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION
#define XSAVE_SIZE	HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE
#define ARG_SIZE	(80 * 1024)	/* the largest MSI table and then some */

#define PT_BIT(b)	(1ULL << MSHV_PT_BIT_##b)
#define RW		BIT(MSHV_SET_MEM_BIT_WRITABLE)
#define RWX		(RW | BIT(MSHV_SET_MEM_BIT_EXECUTABLE))
#define UNMAP		BIT(MSHV_SET_MEM_BIT_UNMAP)
#define IRQFD_DEASSIGN	BIT(MSHV_IRQFD_BIT_DEASSIGN)
#define IRQFD_RESAMPLE	BIT(MSHV_IRQFD_BIT_RESAMPLE)
#define IOEV_DM		BIT(MSHV_IOEVENTFD_BIT_DATAMATCH)
#define IOEV_PIO	BIT(MSHV_IOEVENTFD_BIT_PIO)
#define IOEV_DEASSIGN	BIT(MSHV_IOEVENTFD_BIT_DEASSIGN)

enum fd_kind { FD_DEV, FD_PT, FD_VP };

static const char *const fd_names[] = { "/dev/mshv", "partition", "VP" };

/**
 * struct ctx - the objects every case runs against
 * @g: the guest: partition, VP 0 (flat 32-bit) and control region
 * @vm: its partition and /dev/mshv
 * @vp: its VP 0
 * @id: the partition's id in hvsim
 * @mem: host memory of the region at REGION_GFN
 * @spare: host memory not mapped into the guest
 * @ro: two read-only pages
 * @none: two inaccessible pages
 * @hole: two pages that are not mapped at all (HOLE)
 * @edge: a read-write page followed by an inaccessible one
 * @rw_page: a page whose contents a case may protect read-only
 * @arg: scratch for the ioctl argument (ARG_SIZE bytes)
 * @efd: eventfds: [0] drives the irqfd on GSI_EDGE, [1] the ioeventfd at
 *	DOORBELL, [2] and [3] are unbound
 * @pipefd: a pipe: fds of the wrong file type
 * @hv_in: input of the valid GET_PARTITION_PROPERTY call
 * @hv_out: its output
 * @lapic: page-aligned buffer for the LAPIC state read-back
 * @xsave_size: the partition's XSAVE state size
 * @vs_sz: buf_sz a VP state case passed
 * @numa: the NUMA balancing mode to restore
 */
struct ctx {
	struct mshv_g32 *g;
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	__u64 id;
	char *mem;
	char *spare;
	char *ro;
	char *none;
	char *hole;
	char *edge;
	char *rw_page;
	__u8 *arg;
	int efd[4];
	int pipefd[2];
	struct hv_input_get_partition_property hv_in;
	struct hv_output_get_partition_property hv_out;
	__u8 *lapic;
	__u32 xsave_size;
	__u32 vs_sz;
	__u64 numa;
};

static unsigned long uptr(const void *p)
{
	return (unsigned long)p;
}

/*
 * Argument builders: each returns the ioctl's third argument, built in
 * c->arg (or pointing elsewhere), from the case parameter @p.
 */
typedef unsigned long (*build_fn)(struct ctx *c, __u64 p);

static unsigned long arg_zero(struct ctx *c, __u64 p)
{
	memset(c->arg, 0, PAGE);
	return uptr(c->arg);
}

static unsigned long arg_null(struct ctx *c, __u64 p)
{
	return 0;
}

static unsigned long arg_hole(struct ctx *c, __u64 p)
{
	return uptr(c->hole);
}

static unsigned long arg_kernel(struct ctx *c, __u64 p)
{
	return KERNEL_PTR;
}

/* MSHV_CREATE_PARTITION */

static unsigned long cp_flag_bit(struct ctx *c, __u64 p)
{
	struct mshv_create_partition *a = (void *)c->arg;

	memset(a, 0, sizeof(*a));
	a->pt_flags = PT_BIT(LAPIC) | 1ULL << p;
	return uptr(a);
}

static unsigned long cp_isolation(struct ctx *c, __u64 p)
{
	struct mshv_create_partition *a = (void *)c->arg;

	memset(a, 0, sizeof(*a));
	a->pt_flags = PT_BIT(LAPIC);
	a->pt_isolation = p;
	return uptr(a);
}

static struct mshv_create_partition_v2 *cp2_valid(void *where)
{
	struct mshv_create_partition_v2 *a = where;

	memset(a, 0, sizeof(*a));
	a->pt_flags = PT_BIT(LAPIC) | PT_BIT(CPU_AND_XSAVE_FEATURES);
	a->pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS;
	return a;
}

static unsigned long cp2_banks(struct ctx *c, __u64 p)
{
	struct mshv_create_partition_v2 *a = cp2_valid(c->arg);

	a->pt_num_cpu_fbanks = p;
	return uptr(a);
}

static unsigned long cp2_rsvd(struct ctx *c, __u64 p)
{
	struct mshv_create_partition_v2 *a = cp2_valid(c->arg);

	a->pt_rsvd[p] = 0x80;
	return uptr(a);
}

static unsigned long cp2_rsvd1(struct ctx *c, __u64 p)
{
	struct mshv_create_partition_v2 *a = cp2_valid(c->arg);

	a->pt_rsvd1[p] = 1ULL << 40;
	return uptr(a);
}

static unsigned long cp2_flag_bit(struct ctx *c, __u64 p)
{
	struct mshv_create_partition_v2 *a = cp2_valid(c->arg);

	a->pt_flags |= 1ULL << p;
	return uptr(a);
}

static unsigned long cp2_isolation(struct ctx *c, __u64 p)
{
	struct mshv_create_partition_v2 *a = cp2_valid(c->arg);

	a->pt_isolation = p;
	return uptr(a);
}

/* The v1 part readable, the rest of the v2 struct in an inaccessible page */
static unsigned long cp2_truncated(struct ctx *c, __u64 p)
{
	struct mshv_create_partition v1 = {
		.pt_flags = PT_BIT(LAPIC) | PT_BIT(CPU_AND_XSAVE_FEATURES),
	};
	char *at = c->edge + PAGE - sizeof(v1);

	memcpy(at, &v1, sizeof(v1));
	return uptr(at);
}

/* MSHV_ROOT_HVCALL: a valid GET_PARTITION_PROPERTY, then one change */

static struct mshv_root_hvcall *hv_valid(struct ctx *c, void *where)
{
	struct mshv_root_hvcall *a = where;

	memset(&c->hv_in, 0, sizeof(c->hv_in));
	c->hv_in.property_code = HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH;
	memset(a, 0, sizeof(*a));
	a->code = HVCALL_GET_PARTITION_PROPERTY;
	a->in_sz = sizeof(c->hv_in);
	a->out_sz = sizeof(c->hv_out);
	a->in_ptr = uptr(&c->hv_in);
	a->out_ptr = uptr(&c->hv_out);
	return a;
}

static unsigned long hv_status(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->status = p;
	return uptr(a);
}

static unsigned long hv_in_null(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->in_ptr = 0;
	return uptr(a);
}

static unsigned long hv_in_sz(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->in_sz = p;
	return uptr(a);
}

static unsigned long hv_rsvd(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->rsvd[p] = 1;
	return uptr(a);
}

static unsigned long hv_out_sz(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->out_sz = p;
	return uptr(a);
}

static unsigned long hv_code(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->code = p;
	return uptr(a);
}

static unsigned long hv_in_hole(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->in_ptr = uptr(c->hole);
	return uptr(a);
}

static unsigned long hv_in_kernel(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->in_ptr = KERNEL_PTR;
	return uptr(a);
}

static unsigned long hv_out_ro(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->out_ptr = uptr(c->ro);
	return uptr(a);
}

static unsigned long hv_out_hole(struct ctx *c, __u64 p)
{
	struct mshv_root_hvcall *a = hv_valid(c, c->arg);

	a->out_ptr = uptr(c->hole);
	return uptr(a);
}

/* The argument itself read-only: status and reps cannot be written back */
static unsigned long hv_args_ro(struct ctx *c, __u64 p)
{
	MSHV_TEST_ASSERT(!mprotect(c->rw_page, PAGE, PROT_READ | PROT_WRITE),
			 "mprotect");
	hv_valid(c, c->rw_page);
	MSHV_TEST_ASSERT(!mprotect(c->rw_page, PAGE, PROT_READ), "mprotect");
	return uptr(c->rw_page);
}

/* SET_PARTITION_PROPERTY (asynchronous): the partition fd only */
static unsigned long hv_set_property(struct ctx *c, __u64 p)
{
	static struct hv_input_set_partition_property in;
	struct mshv_root_hvcall *a = (void *)c->arg;

	memset(&in, 0, sizeof(in));
	in.property_code = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	in.property_value = 1;
	memset(a, 0, sizeof(*a));
	a->code = HVCALL_SET_PARTITION_PROPERTY;
	a->in_sz = sizeof(in);
	a->in_ptr = uptr(&in);
	return uptr(a);
}

/* MSHV_CREATE_VP */

static unsigned long cvp_index(struct ctx *c, __u64 p)
{
	struct mshv_create_vp *a = (void *)c->arg;

	a->vp_index = p;
	return uptr(a);
}

/* MSHV_SET_GUEST_MEMORY: a valid map of 2 spare pages, then one change */

static struct mshv_user_mem_region *sm(struct ctx *c, __u64 gfn,
				       const void *hva, __u64 pages,
				       __u8 flags)
{
	struct mshv_user_mem_region *a = (void *)c->arg;

	memset(a, 0, sizeof(*a));
	a->size = pages * PAGE;
	a->guest_pfn = gfn;
	a->userspace_addr = uptr(hva);
	a->flags = flags;
	return a;
}

static unsigned long sm_size(struct ctx *c, __u64 p)
{
	struct mshv_user_mem_region *a = sm(c, SPARE_GFN, c->spare, 0, RW);

	a->size = p;
	return uptr(a);
}

static unsigned long sm_uaddr_off(struct ctx *c, __u64 p)
{
	return uptr(sm(c, SPARE_GFN, c->spare + p, 2, RW));
}

static unsigned long sm_flags(struct ctx *c, __u64 p)
{
	return uptr(sm(c, SPARE_GFN, c->spare, 2, p));
}

static unsigned long sm_rsvd(struct ctx *c, __u64 p)
{
	struct mshv_user_mem_region *a = sm(c, SPARE_GFN, c->spare, 2, RW);

	a->rsvd[p] = 1;
	return uptr(a);
}

static unsigned long sm_hole(struct ctx *c, __u64 p)
{
	return uptr(sm(c, SPARE_GFN, c->hole, 2, RW));
}

static unsigned long sm_uaddr(struct ctx *c, __u64 p)
{
	struct mshv_user_mem_region *a = sm(c, SPARE_GFN, c->spare, 2, RW);

	a->userspace_addr = p;
	return uptr(a);
}

/* The guest range ends past the end of the GPA space: @p + 2 pages at -@p */
static unsigned long sm_gfn_wrap(struct ctx *c, __u64 p)
{
	return uptr(sm(c, ~0ULL - p, c->spare, p + 2, RW));
}

/* Overlaps of the fixture's region; @p selects the shape */
static unsigned long sm_overlap(struct ctx *c, __u64 p)
{
	static const struct { __s64 off; __u64 pages; } shape[] = {
		{ 0, REGION_PAGES },		/* the same range */
		{ 1, 2 },			/* inside */
		{ -2, 3 },			/* across the start */
		{ REGION_PAGES - 1, 4 },	/* across the end */
		{ -1, REGION_PAGES + 2 },	/* around it */
	};

	return uptr(sm(c, REGION_GFN + shape[p].off, c->spare,
		       shape[p].pages, RW));
}

/* Unmaps that do not match the fixture's region; @p selects which */
static unsigned long sm_unmap_mismatch(struct ctx *c, __u64 p)
{
	switch (p) {
	case 0:		/* smaller */
		return uptr(sm(c, REGION_GFN, c->mem, REGION_PAGES / 2, UNMAP));
	case 1:		/* larger */
		return uptr(sm(c, REGION_GFN, c->mem, REGION_PAGES * 2, UNMAP));
	case 2:		/* other host address */
		return uptr(sm(c, REGION_GFN, c->mem + PAGE, REGION_PAGES,
			       UNMAP));
	case 3:		/* other host memory */
		return uptr(sm(c, REGION_GFN, c->spare, REGION_PAGES, UNMAP));
	case 4:		/* starts inside the region */
		return uptr(sm(c, REGION_GFN + 1, c->mem + PAGE,
			       REGION_PAGES - 1, UNMAP));
	default:	/* where no region is */
		return uptr(sm(c, SPARE_GFN, c->spare, 2, UNMAP));
	}
}

/* MSHV_IRQFD */

static unsigned long irqfd_arg(struct ctx *c, int fd, int resamplefd,
			       __u32 gsi, __u32 flags)
{
	struct mshv_user_irqfd *a = (void *)c->arg;

	a->fd = fd;
	a->resamplefd = resamplefd;
	a->gsi = gsi;
	a->flags = flags;
	return uptr(a);
}

static unsigned long irq_flag_bit(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, c->efd[2], -1, GSI_EDGE, 1U << p);
}

/* @p: 0 not open, 1 a pipe */
static unsigned long irq_fd(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, p ? c->pipefd[0] : 1000, -1, GSI_EDGE, 0);
}

static unsigned long irq_deassign_fd(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, p ? c->pipefd[0] : 1000, -1, GSI_EDGE,
			 IRQFD_DEASSIGN);
}

/* RESAMPLE with a valid resamplefd on GSI @p (not level-triggered) */
static unsigned long irq_resample_gsi(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, c->efd[2], c->efd[3], p, IRQFD_RESAMPLE);
}

/* RESAMPLE on the level route; resamplefd @p: 0 not open, 1 a pipe */
static unsigned long irq_resamplefd(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, c->efd[2], p ? c->pipefd[1] : 1000, GSI_LEVEL,
			 IRQFD_RESAMPLE);
}

/* RESAMPLE on the edge route with a resamplefd that is not open */
static unsigned long irq_resamplefd_edge(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, c->efd[2], 1000, GSI_EDGE, IRQFD_RESAMPLE);
}

/* A GSI past the routing table's end with an fd that is not open */
static unsigned long irq_gsi_bad_fd(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, 1000, -1, p, 0);
}

/* The eventfd that already drives the irqfd on GSI_EDGE, on GSI @p */
static unsigned long irq_busy(struct ctx *c, __u64 p)
{
	return irqfd_arg(c, c->efd[0], -1, p, 0);
}

/* MSHV_IOEVENTFD */

static struct mshv_user_ioeventfd *ioev(struct ctx *c, int fd, __u64 addr,
					__u32 len, __u64 dm, __u32 flags)
{
	struct mshv_user_ioeventfd *a = (void *)c->arg;

	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->addr = addr;
	a->len = len;
	a->datamatch = dm;
	a->flags = flags;
	return a;
}

static unsigned long ioev_flag_bit(struct ctx *c, __u64 p)
{
	return uptr(ioev(c, c->efd[2], 2 * DOORBELL, 4, 0, 1U << p));
}

static unsigned long ioev_rsvd(struct ctx *c, __u64 p)
{
	struct mshv_user_ioeventfd *a = ioev(c, c->efd[2], 2 * DOORBELL, 4,
					     0, 0);

	a->rsvd[p] = 1;
	return uptr(a);
}

static unsigned long ioev_pio(struct ctx *c, __u64 p)
{
	return uptr(ioev(c, c->efd[2], 0x3f8, 1, 0, IOEV_PIO | p));
}

static unsigned long ioev_len(struct ctx *c, __u64 p)
{
	return uptr(ioev(c, c->efd[2], 2 * DOORBELL, p, 0, 0));
}

/* addr + len wraps: @p is the distance of addr from the top */
static unsigned long ioev_wrap(struct ctx *c, __u64 p)
{
	return uptr(ioev(c, c->efd[2], ~0ULL - p, 8, 0, 0));
}

/* @p: 0 not open, 1 a pipe; with DEASSIGN if @p >= 2 */
static unsigned long ioev_fd(struct ctx *c, __u64 p)
{
	return uptr(ioev(c, p & 1 ? c->pipefd[0] : 1000, 2 * DOORBELL, 4, 0,
			 p >= 2 ? IOEV_DEASSIGN : 0));
}

/* Same address and length as the fixture's: @p 0 same datamatch, 1 any */
static unsigned long ioev_dup(struct ctx *c, __u64 p)
{
	return uptr(ioev(c, c->efd[2], DOORBELL, 4, 7, p ? 0 : IOEV_DM));
}

/* Deassigns that match nothing; @p selects the field that differs */
static unsigned long ioev_deassign(struct ctx *c, __u64 p)
{
	int fd = p == 0 ? c->efd[2] : c->efd[1];
	__u64 addr = p == 1 ? DOORBELL + 8 : DOORBELL;
	__u32 len = p == 2 ? 8 : 4;
	__u64 dm = p == 3 ? 8 : 7;
	__u32 flags = IOEV_DEASSIGN | (p == 4 ? 0 : IOEV_DM);

	return uptr(ioev(c, fd, addr, len, dm, flags));
}

/* MSHV_SET_MSI_ROUTING: a valid table of two, then one change */

static struct mshv_user_irq_table *msi(void *where, __u32 nr)
{
	struct mshv_user_irq_table *t = where;
	__u32 i;

	t->nr = nr;
	t->rsvd = 0;
	for (i = 0; i < nr && i <= MAX_GSI; i++) {
		t->entries[i].gsi = 1000 + i;
		t->entries[i].address_lo = 0xFEE00000;
		t->entries[i].address_hi = 0;
		t->entries[i].data = 0x40;
	}
	return t;
}

static unsigned long msi_nr(struct ctx *c, __u64 p)
{
	return uptr(msi(c->arg, p));
}

static unsigned long msi_rsvd(struct ctx *c, __u64 p)
{
	struct mshv_user_irq_table *t = msi(c->arg, 2);

	t->rsvd = p;
	return uptr(t);
}

static unsigned long msi_gsi(struct ctx *c, __u64 p)
{
	struct mshv_user_irq_table *t = msi(c->arg, 2);

	t->entries[1].gsi = p;
	return uptr(t);
}

static unsigned long msi_address_hi(struct ctx *c, __u64 p)
{
	struct mshv_user_irq_table *t = msi(c->arg, 2);

	t->entries[1].address_hi = p;
	return uptr(t);
}

/* A GSI twice in a table of @p entries: first and last */
static unsigned long msi_dup(struct ctx *c, __u64 p)
{
	struct mshv_user_irq_table *t = msi(c->arg, p);

	t->entries[p - 1].gsi = t->entries[0].gsi;
	return uptr(t);
}

/* The header and one entry readable, the second entry is not */
static unsigned long msi_edge(struct ctx *c, __u64 p)
{
	struct mshv_user_irq_table *t;

	t = (void *)(c->edge + PAGE - sizeof(*t) - sizeof(t->entries[0]));
	t->nr = 2;
	t->rsvd = 0;
	t->entries[0].gsi = 1;
	t->entries[0].address_lo = 0xFEE00000;
	t->entries[0].address_hi = 0;
	t->entries[0].data = 0x30;
	return uptr(t);
}

/* MSHV_GET_GPAP_ACCESS_BITMAP: a valid dirty CLEAR, then one change */

static struct mshv_gpap_access_bitmap *gp(struct ctx *c)
{
	struct mshv_gpap_access_bitmap *a = (void *)c->arg;

	memset(a, 0, sizeof(*a));
	a->access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY;
	a->access_op = MSHV_GPAP_ACCESS_OP_CLEAR;
	a->page_count = REGION_PAGES;
	a->gpap_base = REGION_GFN;
	a->bitmap_ptr = uptr(c->spare);
	return a;
}

static unsigned long gp_type(struct ctx *c, __u64 p)
{
	struct mshv_gpap_access_bitmap *a = gp(c);

	a->access_type = p;
	return uptr(a);
}

static unsigned long gp_op(struct ctx *c, __u64 p)
{
	struct mshv_gpap_access_bitmap *a = gp(c);

	a->access_op = p;
	return uptr(a);
}

static unsigned long gp_rsvd(struct ctx *c, __u64 p)
{
	struct mshv_gpap_access_bitmap *a = gp(c);

	a->rsvd[p] = 1;
	return uptr(a);
}

static unsigned long gp_count(struct ctx *c, __u64 p)
{
	struct mshv_gpap_access_bitmap *a = gp(c);

	a->page_count = p;
	return uptr(a);
}

static unsigned long gp_base_wrap(struct ctx *c, __u64 p)
{
	struct mshv_gpap_access_bitmap *a = gp(c);

	a->gpap_base = ~0ULL - p;
	a->page_count = p + 2;
	return uptr(a);
}

/* bitmap_ptr: 0 NULL, 1 unmapped, 2 read-only, 3 a kernel address */
static unsigned long gp_ptr(struct ctx *c, __u64 p)
{
	struct mshv_gpap_access_bitmap *a = gp(c);
	const unsigned long ptr[] = { 0, uptr(c->hole), uptr(c->ro),
				      KERNEL_PTR };

	a->bitmap_ptr = ptr[p];
	return uptr(a);
}

/* MSHV_RUN_VP: @p 0 read-only, 1 unmapped message buffer */
static unsigned long run_buf(struct ctx *c, __u64 p)
{
	return p ? uptr(c->hole) : uptr(c->ro);
}

/* MSHV_GET/SET_VP_STATE: a valid LAPIC transfer, then one change */

static struct mshv_get_set_vp_state *vs(struct ctx *c, __u8 type)
{
	struct mshv_get_set_vp_state *a = (void *)c->arg;

	memset(a, 0, sizeof(*a));
	a->type = type;
	a->buf_sz = 4 * PAGE;
	a->buf_ptr = uptr(c->spare);
	c->vs_sz = a->buf_sz;
	return a;
}

static unsigned long vs_type(struct ctx *c, __u64 p)
{
	return uptr(vs(c, p));
}

static unsigned long vs_rsvd(struct ctx *c, __u64 p)
{
	struct mshv_get_set_vp_state *a = vs(c, MSHV_VP_STATE_LAPIC);

	a->rsvd[p] = p == 2 ? 0x80 : 1;
	return uptr(a);
}

static unsigned long vs_size(struct ctx *c, __u64 p)
{
	struct mshv_get_set_vp_state *a = vs(c, MSHV_VP_STATE_LAPIC);

	a->buf_sz = p;
	c->vs_sz = p;
	return uptr(a);
}

static unsigned long vs_ptr_off(struct ctx *c, __u64 p)
{
	struct mshv_get_set_vp_state *a = vs(c, MSHV_VP_STATE_LAPIC);

	a->buf_ptr += p;
	return uptr(a);
}

/* Buffers outside the user address space: @p 0 kernel, 1 crossing its end */
static unsigned long vs_ptr_user_end(struct ctx *c, __u64 p)
{
	struct mshv_get_set_vp_state *a = vs(c, MSHV_VP_STATE_LAPIC);

	a->buf_ptr = p ? 0x7ffffffff000ULL : KERNEL_PTR;
	a->buf_sz = 2 * PAGE;
	c->vs_sz = a->buf_sz;
	return uptr(a);
}

/* State type @p with an inaccessible buffer */
static unsigned long vs_none(struct ctx *c, __u64 p)
{
	struct mshv_get_set_vp_state *a = vs(c, p);

	a->buf_ptr = uptr(c->none);
	a->buf_sz = 2 * PAGE;
	return uptr(a);
}

/* State type @p with a read-only buffer */
static unsigned long vs_ro(struct ctx *c, __u64 p)
{
	struct mshv_get_set_vp_state *a = vs(c, p);

	a->buf_ptr = uptr(c->ro);
	a->buf_sz = 2 * PAGE;
	return uptr(a);
}

/**
 * struct state - what a refused call must leave as it was
 * @partitions: hvsim's partitions (a created one would show up here)
 * @pt: hvsim's line of the fixture's partition (pool, SLAT, faults)
 * @deposited: pages the driver deposited for it
 * @nregions: the driver's regions of the partition
 * @regions: the first of them (their counters may move with host memory
 *	management; where and what they are may not)
 * @ports: hvsim's doorbell ports of the partition
 * @gpa: the access state byte of each page of the region
 * @regs: VP 0's registers
 * @lapic: VP 0's LAPIC state
 * @msr_action: a partition property SET_PARTITION_PROPERTY could change
 */
struct state {
	int partitions;
	struct mshv_dbg_partition pt;
	__u64 deposited;
	int nregions;
	struct mshv_dbg_region regions[4];
	int ports;
	__u8 gpa[REGION_PAGES];
	union hv_register_value regs[NREGS];
	__u8 lapic[1024];
	__u64 msr_action;
};

/*
 * Per-case checks of the argument after the call, beyond the common state
 */
typedef bool (*check_fn)(struct __test_metadata *_metadata, struct ctx *c,
			 __u64 p, const char *name);

/* EINVAL before anything is read: buf_sz is what the caller passed */
static bool vs_sz_unchanged(struct __test_metadata *_metadata, struct ctx *c,
			    __u64 p, const char *name)
{
	const struct mshv_get_set_vp_state *a = (void *)c->arg;

	EXPECT_EQ(c->vs_sz, a->buf_sz) TH_LOG("%s: buf_sz written", name);
	return c->vs_sz == a->buf_sz;
}

static __u32 vs_state_size(struct ctx *c, __u8 type)
{
	switch (type) {
	case MSHV_VP_STATE_XSAVE:
		return c->xsave_size;
	case MSHV_VP_STATE_SYNTHETIC_TIMERS:
		return 200;
	default:
		return 4096;
	}
}

/* The buffer was checked after the size: buf_sz holds the state's size */
static bool vs_sz_written(struct __test_metadata *_metadata, struct ctx *c,
			  __u64 p, const char *name)
{
	const struct mshv_get_set_vp_state *a = (void *)c->arg;

	EXPECT_EQ(vs_state_size(c, p), a->buf_sz) TH_LOG("%s: buf_sz", name);
	return vs_state_size(c, p) == a->buf_sz;
}

/* Neither status nor output of a refused call are written */
static bool hv_untouched(struct __test_metadata *_metadata, struct ctx *c,
			 __u64 p, const char *name)
{
	const struct mshv_root_hvcall *a = (void *)c->arg;
	bool ok = a->reps == 0 && c->hv_out.property_value == ~0ULL;

	EXPECT_EQ(0, a->reps) TH_LOG("%s: reps written", name);
	EXPECT_EQ(~0ULL, c->hv_out.property_value)
		TH_LOG("%s: output written", name);
	return ok;
}

static void read_state(struct ctx *c, struct state *s);

/*
 * A GPAP case could only show that it consumed nothing while the region
 * still has dirty pages to lose: the first page must still be dirty.
 */
static bool gp_dirty_kept(struct __test_metadata *_metadata, struct ctx *c,
			  __u64 p, const char *name)
{
	struct state s;

	read_state(c, &s);
	EXPECT_EQ(HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, s.gpa[0])
		TH_LOG("%s: the first page is no longer dirty", name);
	return s.gpa[0] == (HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY);
}

static int irqfd_call(int pt, int fd, int resamplefd, __u32 gsi,
		      __u32 flags)
{
	struct mshv_user_irqfd a = {
		.fd = fd, .resamplefd = resamplefd, .gsi = gsi, .flags = flags,
	};

	return ioctl(pt, MSHV_IRQFD, &a);
}

/*
 * The routes are still the fixture's: RESAMPLE is taken on the level
 * route and refused on the edge one.
 */
static bool msi_unchanged(struct __test_metadata *_metadata, struct ctx *c,
			  __u64 p, const char *name)
{
	int pt = c->vm->fd, edge, level, undo;

	errno = 0;
	edge = irqfd_call(pt, c->efd[2], c->efd[3], GSI_EDGE, IRQFD_RESAMPLE);
	EXPECT_EQ(-1, edge) TH_LOG("%s: edge route became level", name);
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s", name);
	level = irqfd_call(pt, c->efd[2], c->efd[3], GSI_LEVEL,
			   IRQFD_RESAMPLE);
	EXPECT_EQ(0, level) TH_LOG("%s: level route lost: %s", name,
				   strerror(errno));
	undo = irqfd_call(pt, c->efd[2], -1, GSI_LEVEL, IRQFD_DEASSIGN);
	EXPECT_EQ(0, undo);
	return edge == -1 && level == 0 && undo == 0;
}

/**
 * struct bad_input - one row of the table
 * @name: what is wrong
 * @fds: the fd kinds the ioctl is issued on (one case each)
 * @cmd: the ioctl
 * @build: builds the argument from the case parameter
 * @lo: first case parameter
 * @more: further parameters: one case per value from @lo to @lo + @more
 * @err: the errno mainline returns
 * @check: extra checks of the argument afterwards, or NULL
 * @cmd2: a second ioctl that takes the same argument, with the same
 *	result (one case each), or 0
 */
struct bad_input {
	const char *name;
	unsigned int fds;
	unsigned long cmd;
	build_fn build;
	__u64 lo, more;
	int err;
	check_fn check;
	unsigned long cmd2;
};

#define DEV	BIT(FD_DEV)
#define PT	BIT(FD_PT)
#define VP	BIT(FD_VP)
#define ALL	(DEV | PT | VP)

#define ROW(n, f, c, b, p, e)		{ n, f, c, b, p, 0, e, NULL, 0 }
#define ROWS(n, f, c, b, lo, more, e)	{ n, f, c, b, lo, more, e, NULL, 0 }
#define ROWC(n, f, c, b, lo, more, e, k) { n, f, c, b, lo, more, e, k, 0 }
/* An ioctl on a kind of fd that does not have it */
#define WRONG_FD(c, f)	ROW(#c " on the wrong fd", f, c, arg_zero, 0, ENOTTY)
#define HV(n, f, b, p, e) ROWC("hvcall: " n, f, MSHV_ROOT_HVCALL, b, p, 0, e, \
			       hv_untouched)
#define GET		MSHV_GET_VP_STATE
/* MSHV_GET_VP_STATE and MSHV_SET_VP_STATE */
#define VS(n, b, lo, more, e, k) \
	{ "get/set state: " n, VP, GET, b, lo, more, e, k, MSHV_SET_VP_STATE }

static const struct bad_input table[] = {
	/* Each fd kind's ioctls on the other kinds */
	WRONG_FD(MSHV_CREATE_PARTITION, PT | VP),
	WRONG_FD(MSHV_INITIALIZE_PARTITION, DEV | VP),
	WRONG_FD(MSHV_CREATE_VP, DEV | VP),
	WRONG_FD(MSHV_SET_GUEST_MEMORY, DEV | VP),
	WRONG_FD(MSHV_IRQFD, DEV | VP),
	WRONG_FD(MSHV_IOEVENTFD, DEV | VP),
	WRONG_FD(MSHV_SET_MSI_ROUTING, DEV | VP),
	WRONG_FD(MSHV_GET_GPAP_ACCESS_BITMAP, DEV | VP),
	WRONG_FD(MSHV_RUN_VP, DEV | PT),
	WRONG_FD(MSHV_GET_VP_STATE, DEV | PT),
	WRONG_FD(MSHV_SET_VP_STATE, DEV | PT),

	/* MSHV_CREATE_PARTITION */
	ROWS("create: unknown pt_flags bit", DEV, MSHV_CREATE_PARTITION,
	     cp_flag_bit, MSHV_PT_BIT_COUNT, 63 - MSHV_PT_BIT_COUNT, EINVAL),
	ROW("create: pt_isolation", DEV, MSHV_CREATE_PARTITION,
	    cp_isolation, MSHV_PT_ISOLATION_COUNT, EINVAL),
	ROW("create: pt_isolation", DEV, MSHV_CREATE_PARTITION,
	    cp_isolation, 2, EINVAL),
	ROW("create: pt_isolation", DEV, MSHV_CREATE_PARTITION,
	    cp_isolation, 0x100, EINVAL),
	ROW("create: pt_isolation", DEV, MSHV_CREATE_PARTITION,
	    cp_isolation, ~0ULL, EINVAL),
	ROWS("create v2: pt_num_cpu_fbanks", DEV, MSHV_CREATE_PARTITION,
	     cp2_banks, 0, 1, EINVAL),
	ROW("create v2: pt_num_cpu_fbanks", DEV, MSHV_CREATE_PARTITION,
	    cp2_banks, 3, EINVAL),
	ROW("create v2: pt_num_cpu_fbanks", DEV, MSHV_CREATE_PARTITION,
	    cp2_banks, 0xffff, EINVAL),
	ROWS("create v2: pt_rsvd[i]", DEV, MSHV_CREATE_PARTITION,
	     cp2_rsvd, 0, 5, EINVAL),
	ROWS("create v2: pt_rsvd1[i]", DEV, MSHV_CREATE_PARTITION,
	     cp2_rsvd1, 0, 1, EINVAL),
	ROW("create v2: unknown pt_flags bit", DEV, MSHV_CREATE_PARTITION,
	    cp2_flag_bit, MSHV_PT_BIT_COUNT, EINVAL),
	ROW("create v2: pt_isolation", DEV, MSHV_CREATE_PARTITION,
	    cp2_isolation, MSHV_PT_ISOLATION_COUNT, EINVAL),
	ROW("create v2: struct past the readable memory", DEV,
	    MSHV_CREATE_PARTITION, cp2_truncated, 0, EFAULT),
	ROW("create: argument NULL", DEV, MSHV_CREATE_PARTITION, arg_null,
	    0, EFAULT),
	ROW("create: argument unmapped", DEV, MSHV_CREATE_PARTITION,
	    arg_hole, 0, EFAULT),
	ROW("create: argument kernel", DEV, MSHV_CREATE_PARTITION,
	    arg_kernel, 0, EFAULT),

	/* MSHV_ROOT_HVCALL on each fd kind */
	HV("status != 0", ALL, hv_status, 1, EINVAL),
	HV("status != 0", ALL, hv_status, HV_STATUS_INVALID_PARAMETER, EINVAL),
	HV("in_ptr NULL", ALL, hv_in_null, 0, EINVAL),
	ROWC("hvcall: in_sz", ALL, MSHV_ROOT_HVCALL, hv_in_sz, 0, 7, EINVAL,
	     hv_untouched),
	HV("in_sz", ALL, hv_in_sz, MSHV_HV_PAGE_SIZE + 1, EINVAL),
	HV("in_sz", ALL, hv_in_sz, 0xffff, EINVAL),
	ROWC("hvcall: rsvd[i]", ALL, MSHV_ROOT_HVCALL, hv_rsvd, 0, 5, EINVAL,
	     hv_untouched),
	HV("out_sz 0 with out_ptr", ALL, hv_out_sz, 0, EINVAL),
	HV("out_sz", ALL, hv_out_sz, MSHV_HV_PAGE_SIZE + 1, EINVAL),
	HV("out_sz", ALL, hv_out_sz, 0xffff, EINVAL),
	HV("code not allowed", ALL, hv_code, HVCALL_CREATE_PARTITION, EINVAL),
	HV("code not allowed", ALL, hv_code, HVCALL_DELETE_PARTITION, EINVAL),
	HV("code not allowed", ALL, hv_code, HVCALL_DEPOSIT_MEMORY, EINVAL),
	HV("code not allowed", ALL, hv_code, HVCALL_MAP_GPA_PAGES, EINVAL),
	HV("code not allowed", ALL, hv_code, 0, EINVAL),
	HV("code not allowed", ALL, hv_code, 0xffff, EINVAL),
	HV("code not allowed", DEV, hv_code, HVCALL_SET_PARTITION_PROPERTY,
	   EINVAL),
	HV("code not allowed", DEV, hv_code, HVCALL_GET_VP_REGISTERS, EINVAL),
	HV("code not allowed", DEV, hv_code, HVCALL_SET_VP_REGISTERS, EINVAL),
	HV("code not allowed", DEV, hv_code, HVCALL_INSTALL_INTERCEPT, EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_INITIALIZE_PARTITION,
	   EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_FINALIZE_PARTITION,
	   EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_WITHDRAW_MEMORY,
	   EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_UNMAP_GPA_PAGES,
	   EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_CREATE_VP, EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_DELETE_VP, EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_DISPATCH_VP, EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_MAP_VP_STATE_PAGE,
	   EINVAL),
	HV("code not allowed", PT | VP, hv_code, HVCALL_GET_VP_STATE, EINVAL),
	HV("in_ptr unmapped", ALL, hv_in_hole, 0, EFAULT),
	HV("in_ptr kernel", ALL, hv_in_kernel, 0, EFAULT),
	ROW("hvcall: out_ptr read-only", ALL, MSHV_ROOT_HVCALL, hv_out_ro, 0,
	    EFAULT),
	ROW("hvcall: out_ptr unmapped", ALL, MSHV_ROOT_HVCALL, hv_out_hole, 0,
	    EFAULT),
	ROW("hvcall: argument read-only", ALL, MSHV_ROOT_HVCALL, hv_args_ro,
	    0, EFAULT),
	ROW("hvcall: argument NULL", ALL, MSHV_ROOT_HVCALL, arg_null, 0,
	    EFAULT),
	ROW("hvcall: argument unmapped", ALL, MSHV_ROOT_HVCALL, arg_hole, 0,
	    EFAULT),
	ROW("hvcall: SET_PARTITION_PROPERTY on a VP fd", VP, MSHV_ROOT_HVCALL,
	    hv_set_property, 0, EINVAL),

	/* MSHV_INITIALIZE_PARTITION has no argument to get wrong */

	/* MSHV_CREATE_VP */
	ROWS("create VP: vp_index", PT, MSHV_CREATE_VP, cvp_index, 256, 1,
	     EINVAL),
	ROW("create VP: vp_index", PT, MSHV_CREATE_VP, cvp_index, 2048,
	    EINVAL),
	ROW("create VP: vp_index", PT, MSHV_CREATE_VP, cvp_index, 0x80000000,
	    EINVAL),
	ROW("create VP: vp_index", PT, MSHV_CREATE_VP, cvp_index, 0xffffffff,
	    EINVAL),
	ROW("create VP: vp_index exists", PT, MSHV_CREATE_VP, cvp_index, 0,
	    EEXIST),
	ROW("create VP: argument NULL", PT, MSHV_CREATE_VP, arg_null, 0,
	    EFAULT),
	ROW("create VP: argument unmapped", PT, MSHV_CREATE_VP, arg_hole, 0,
	    EFAULT),

	/* MSHV_SET_GUEST_MEMORY */
	ROW("memory: size 0", PT, MSHV_SET_GUEST_MEMORY, sm_size, 0, EINVAL),
	ROW("memory: size unaligned", PT, MSHV_SET_GUEST_MEMORY, sm_size, 100,
	    EINVAL),
	ROW("memory: size unaligned", PT, MSHV_SET_GUEST_MEMORY, sm_size,
	    PAGE + 1, EINVAL),
	ROW("memory: size unaligned", PT, MSHV_SET_GUEST_MEMORY, sm_size,
	    2 * PAGE - 1, EINVAL),
	ROW("memory: userspace_addr unaligned", PT, MSHV_SET_GUEST_MEMORY,
	    sm_uaddr_off, 1, EINVAL),
	ROW("memory: userspace_addr unaligned", PT, MSHV_SET_GUEST_MEMORY,
	    sm_uaddr_off, PAGE / 2, EINVAL),
	ROW("memory: unknown flag", PT, MSHV_SET_GUEST_MEMORY, sm_flags,
	    RW | 0x08, EINVAL),
	ROW("memory: unknown flag", PT, MSHV_SET_GUEST_MEMORY, sm_flags,
	    RW | 0x10, EINVAL),
	ROW("memory: unknown flag", PT, MSHV_SET_GUEST_MEMORY, sm_flags,
	    RW | 0x20, EINVAL),
	ROW("memory: unknown flag", PT, MSHV_SET_GUEST_MEMORY, sm_flags,
	    RW | 0x40, EINVAL),
	ROW("memory: unknown flag", PT, MSHV_SET_GUEST_MEMORY, sm_flags,
	    RW | 0x80, EINVAL),
	ROW("memory: unknown flag with UNMAP", PT, MSHV_SET_GUEST_MEMORY,
	    sm_flags, UNMAP | 0x80, EINVAL),
	ROWS("memory: rsvd[i]", PT, MSHV_SET_GUEST_MEMORY, sm_rsvd, 0, 6,
	     EINVAL),
	ROW("memory: userspace_addr not mapped", PT, MSHV_SET_GUEST_MEMORY,
	    sm_hole, 0, EINVAL),
	ROW("memory: userspace_addr kernel", PT, MSHV_SET_GUEST_MEMORY,
	    sm_uaddr, KERNEL_PTR, EINVAL),
	ROW("memory: userspace range wraps", PT, MSHV_SET_GUEST_MEMORY,
	    sm_uaddr, -PAGE, EINVAL),
	ROW("memory: guest range wraps", PT, MSHV_SET_GUEST_MEMORY,
	    sm_gfn_wrap, 0, EINVAL),
	ROW("memory: guest range wraps", PT, MSHV_SET_GUEST_MEMORY,
	    sm_gfn_wrap, 2, EINVAL),
	ROW("memory: guest range wraps", PT, MSHV_SET_GUEST_MEMORY,
	    sm_gfn_wrap, 7, EINVAL),
	ROWS("memory: guest range overlaps a region", PT,
	     MSHV_SET_GUEST_MEMORY, sm_overlap, 0, 4, EEXIST),
	ROWS("memory: unmap does not match the region", PT,
	     MSHV_SET_GUEST_MEMORY, sm_unmap_mismatch, 0, 5, EINVAL),
	ROW("memory: argument NULL", PT, MSHV_SET_GUEST_MEMORY, arg_null, 0,
	    EFAULT),
	ROW("memory: argument unmapped", PT, MSHV_SET_GUEST_MEMORY, arg_hole,
	    0, EFAULT),

	/* MSHV_IRQFD */
	ROWS("irqfd: unknown flag bit", PT, MSHV_IRQFD, irq_flag_bit,
	     MSHV_IRQFD_BIT_COUNT, 31 - MSHV_IRQFD_BIT_COUNT, EINVAL),
	ROW("irqfd: fd not open", PT, MSHV_IRQFD, irq_fd, 0, EBADF),
	ROW("irqfd: fd not an eventfd", PT, MSHV_IRQFD, irq_fd, 1, EINVAL),
	ROW("irqfd: fd not open, gsi past the table", PT, MSHV_IRQFD,
	    irq_gsi_bad_fd, MAX_GSI, EBADF),
	ROW("irqfd: fd not open, gsi past the table", PT, MSHV_IRQFD,
	    irq_gsi_bad_fd, 0xffffffff, EBADF),
	ROW("irqfd: RESAMPLE on an edge route", PT, MSHV_IRQFD,
	    irq_resample_gsi, GSI_EDGE, EINVAL),
	ROW("irqfd: RESAMPLE on a GSI without a route", PT, MSHV_IRQFD,
	    irq_resample_gsi, 100, EINVAL),
	ROW("irqfd: resamplefd not open", PT, MSHV_IRQFD, irq_resamplefd, 0,
	    EBADF),
	ROW("irqfd: resamplefd not an eventfd", PT, MSHV_IRQFD,
	    irq_resamplefd, 1, EINVAL),
	ROW("irqfd: resamplefd not open, edge route", PT, MSHV_IRQFD,
	    irq_resamplefd_edge, 0, EBADF),
	ROW("irqfd: eventfd drives another irqfd", PT, MSHV_IRQFD, irq_busy,
	    7, EBUSY),
	ROW("irqfd: eventfd drives another irqfd", PT, MSHV_IRQFD, irq_busy,
	    GSI_EDGE, EBUSY),
	ROW("irqfd: DEASSIGN fd not open", PT, MSHV_IRQFD, irq_deassign_fd, 0,
	    EBADF),
	ROW("irqfd: DEASSIGN fd not an eventfd", PT, MSHV_IRQFD,
	    irq_deassign_fd, 1, EINVAL),
	ROW("irqfd: argument NULL", PT, MSHV_IRQFD, arg_null, 0, EFAULT),
	ROW("irqfd: argument unmapped", PT, MSHV_IRQFD, arg_hole, 0, EFAULT),

	/* MSHV_IOEVENTFD */
	ROWS("ioeventfd: unknown flag bit", PT, MSHV_IOEVENTFD, ioev_flag_bit,
	     MSHV_IOEVENTFD_BIT_COUNT, 31 - MSHV_IOEVENTFD_BIT_COUNT, EINVAL),
	ROWS("ioeventfd: rsvd[i]", PT, MSHV_IOEVENTFD, ioev_rsvd, 0, 3,
	     EINVAL),
	ROW("ioeventfd: PIO", PT, MSHV_IOEVENTFD, ioev_pio, 0, EOPNOTSUPP),
	ROW("ioeventfd: PIO with DEASSIGN", PT, MSHV_IOEVENTFD, ioev_pio,
	    IOEV_DEASSIGN, EOPNOTSUPP),
	ROW("ioeventfd: len", PT, MSHV_IOEVENTFD, ioev_len, 3, EINVAL),
	ROWS("ioeventfd: len", PT, MSHV_IOEVENTFD, ioev_len, 5, 2, EINVAL),
	ROW("ioeventfd: len", PT, MSHV_IOEVENTFD, ioev_len, 9, EINVAL),
	ROW("ioeventfd: len", PT, MSHV_IOEVENTFD, ioev_len, 16, EINVAL),
	ROW("ioeventfd: len", PT, MSHV_IOEVENTFD, ioev_len, 0xffffffff,
	    EINVAL),
	ROWS("ioeventfd: addr + len wraps", PT, MSHV_IOEVENTFD, ioev_wrap, 0,
	     3, EINVAL),
	ROW("ioeventfd: fd not open", PT, MSHV_IOEVENTFD, ioev_fd, 0, EBADF),
	ROW("ioeventfd: fd not an eventfd", PT, MSHV_IOEVENTFD, ioev_fd, 1,
	    EINVAL),
	ROW("ioeventfd: DEASSIGN fd not open", PT, MSHV_IOEVENTFD, ioev_fd, 2,
	    EBADF),
	ROW("ioeventfd: DEASSIGN fd not an eventfd", PT, MSHV_IOEVENTFD,
	    ioev_fd, 3, EINVAL),
	ROWS("ioeventfd: same address and length", PT, MSHV_IOEVENTFD,
	     ioev_dup, 0, 1, EEXIST),
	ROWS("ioeventfd: DEASSIGN matches nothing", PT, MSHV_IOEVENTFD,
	     ioev_deassign, 0, 4, ENOENT),
	ROW("ioeventfd: argument NULL", PT, MSHV_IOEVENTFD, arg_null, 0,
	    EFAULT),
	ROW("ioeventfd: argument unmapped", PT, MSHV_IOEVENTFD, arg_hole, 0,
	    EFAULT),

	/* MSHV_SET_MSI_ROUTING */
	ROWC("msi: nr", PT, MSHV_SET_MSI_ROUTING, msi_nr, MAX_GSI + 1, 0,
	     EINVAL, msi_unchanged),
	ROWC("msi: rsvd", PT, MSHV_SET_MSI_ROUTING, msi_rsvd, 1, 0, EINVAL,
	     msi_unchanged),
	ROWC("msi: rsvd", PT, MSHV_SET_MSI_ROUTING, msi_rsvd, 0x80000000, 0,
	     EINVAL, msi_unchanged),
	ROWC("msi: gsi", PT, MSHV_SET_MSI_ROUTING, msi_gsi, MAX_GSI, 0, EINVAL,
	     msi_unchanged),
	ROWC("msi: gsi", PT, MSHV_SET_MSI_ROUTING, msi_gsi, 0xffffffff, 0,
	     EINVAL, msi_unchanged),
	ROWC("msi: address_hi", PT, MSHV_SET_MSI_ROUTING, msi_address_hi, 1, 0,
	     EINVAL, msi_unchanged),
	ROWC("msi: address_hi", PT, MSHV_SET_MSI_ROUTING, msi_address_hi,
	     0x80000000, 0, EINVAL, msi_unchanged),
	ROWC("msi: gsi twice", PT, MSHV_SET_MSI_ROUTING, msi_dup, 2, 0, EINVAL,
	     msi_unchanged),
	ROWC("msi: gsi twice", PT, MSHV_SET_MSI_ROUTING, msi_dup, 1000, 0,
	     EINVAL, msi_unchanged),
	ROWC("msi: entries past the readable memory", PT,
	     MSHV_SET_MSI_ROUTING, msi_edge, 0, 0, EFAULT, msi_unchanged),
	ROWC("msi: argument NULL", PT, MSHV_SET_MSI_ROUTING, arg_null, 0, 0,
	     EFAULT, msi_unchanged),
	ROWC("msi: argument unmapped", PT, MSHV_SET_MSI_ROUTING, arg_hole, 0,
	     0, EFAULT, msi_unchanged),

	/* MSHV_GET_GPAP_ACCESS_BITMAP */
	ROW("gpap: access_type", PT, MSHV_GET_GPAP_ACCESS_BITMAP, gp_type,
	    MSHV_GPAP_ACCESS_TYPE_COUNT, EINVAL),
	ROW("gpap: access_type", PT, MSHV_GET_GPAP_ACCESS_BITMAP, gp_type,
	    255, EINVAL),
	ROW("gpap: access_op", PT, MSHV_GET_GPAP_ACCESS_BITMAP, gp_op,
	    MSHV_GPAP_ACCESS_OP_COUNT, EINVAL),
	ROW("gpap: access_op", PT, MSHV_GET_GPAP_ACCESS_BITMAP, gp_op, 255,
	    EINVAL),
	ROWS("gpap: rsvd[i]", PT, MSHV_GET_GPAP_ACCESS_BITMAP, gp_rsvd, 0, 5,
	     EINVAL),
	ROW("gpap: page_count 0", PT, MSHV_GET_GPAP_ACCESS_BITMAP, gp_count,
	    0, EINVAL),
	ROW("gpap: bitmap_ptr NULL", PT, MSHV_GET_GPAP_ACCESS_BITMAP, gp_ptr,
	    0, EINVAL),
	ROWC("gpap: bitmap_ptr not writable", PT, MSHV_GET_GPAP_ACCESS_BITMAP,
	     gp_ptr, 1, 2, EFAULT, gp_dirty_kept),
	ROWS("gpap: guest range wraps", PT, MSHV_GET_GPAP_ACCESS_BITMAP,
	     gp_base_wrap, 0, 1, EINVAL),
	ROW("gpap: argument NULL", PT, MSHV_GET_GPAP_ACCESS_BITMAP, arg_null,
	    0, EFAULT),
	ROW("gpap: argument unmapped", PT, MSHV_GET_GPAP_ACCESS_BITMAP,
	    arg_hole, 0, EFAULT),

	/* MSHV_RUN_VP: the message buffer is output only */
	ROWS("run: message buffer not writable", VP, MSHV_RUN_VP, run_buf, 0,
	     1, EFAULT),
	ROW("run: message buffer NULL", VP, MSHV_RUN_VP, arg_null, 0, EFAULT),

	/* MSHV_GET_VP_STATE, MSHV_SET_VP_STATE */
	VS("type", vs_type, MSHV_VP_STATE_COUNT, 0, EINVAL, vs_sz_unchanged),
	VS("type", vs_type, 255, 0, EINVAL, vs_sz_unchanged),
	VS("rsvd[i]", vs_rsvd, 0, 2, EINVAL, vs_sz_unchanged),
	VS("buf_sz", vs_size, 0, 0, EINVAL, vs_sz_unchanged),
	VS("buf_sz", vs_size, 200, 0, EINVAL, vs_sz_unchanged),
	VS("buf_sz", vs_size, 4097, 0, EINVAL, vs_sz_unchanged),
	VS("buf_sz", vs_size, 8191, 0, EINVAL, vs_sz_unchanged),
	VS("buf_ptr misaligned", vs_ptr_off, 8, 0, EINVAL, vs_sz_unchanged),
	VS("buf_ptr misaligned", vs_ptr_off, 2048, 0, EINVAL,
	   vs_sz_unchanged),
	VS("buffer beyond user space", vs_ptr_user_end, 0, 1, EFAULT,
	   vs_sz_unchanged),
	VS("buffer inaccessible", vs_none, 0, MSHV_VP_STATE_COUNT - 1, EFAULT,
	   vs_sz_written),
	VS("argument NULL", arg_null, 0, 0, EFAULT, NULL),
	VS("argument unmapped", arg_hole, 0, 0, EFAULT, NULL),
	/* Only a GET writes the buffer */
	ROWC("get state: buffer read-only", VP, GET, vs_ro, 0,
	     MSHV_VP_STATE_COUNT - 1, EFAULT, vs_sz_written),
};

static const __u32 reg_names[NREGS] = {
	HV_X64_REGISTER_RAX, HV_X64_REGISTER_RSP, HV_X64_REGISTER_RIP,
	HV_X64_REGISTER_RFLAGS, HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR4,
};

static void read_state(struct ctx *c, struct state *s)
{
	struct mshv_dbg_partition pts[64];
	struct mshv_dbg_region regions[64];
	struct hv_input_get_gpa_pages_access_state in = {
		.hv_gpa_page_number = REGION_GFN,
	};
	struct mshv_root_hvcall hv = {
		.code = HVCALL_GET_GPA_PAGES_ACCESS_STATES,
		.reps = REGION_PAGES,
		.in_sz = sizeof(in),
		.out_sz = sizeof(s->gpa),
		.in_ptr = uptr(&in),
		.out_ptr = uptr(s->gpa),
	};
	struct mshv_get_set_vp_state vs = {
		.type = MSHV_VP_STATE_LAPIC,
		.buf_sz = PAGE,
		.buf_ptr = uptr(c->lapic),
	};
	int i, n;

	memset(s, 0, sizeof(*s));
	s->partitions = mshv_dbg_partitions(pts, 64);
	s->pt = mshv_dbg_partition_get(c->id);
	s->deposited = mshv_dbg_deposited_get(c->id);
	n = mshv_dbg_regions(regions, 64);
	MSHV_TEST_ASSERT(n >= 0, "mshv_root/regions");
	for (i = 0; i < n; i++) {
		if (regions[i].partition != c->id)
			continue;
		if (s->nregions < 4)
			s->regions[s->nregions] = regions[i];
		s->nregions++;
	}
	s->ports = mshv_dbg_ports_of(c->id);
	/* Flags 0: read the states, change nothing */
	MSHV_TEST_ASSERT(!ioctl(c->vm->fd, MSHV_ROOT_HVCALL, &hv) &&
			 hv.reps == REGION_PAGES,
			 "GET_GPA_PAGES_ACCESS_STATES: status %#x, reps %u",
			 hv.status, hv.reps);
	mshv_vp_get_registers(c->vp, reg_names, s->regs, NREGS);
	MSHV_TEST_ASSERT(!ioctl(c->vp->fd, MSHV_GET_VP_STATE, &vs),
			 "GET_VP_STATE LAPIC");
	memcpy(s->lapic, c->lapic, sizeof(s->lapic));
	s->msr_action = mshv_get_partition_property(c->vm->fd, MSR_ACTION);
}

static void same_u64(struct __test_metadata *_metadata, const char *name,
		     const char *what, __u64 before, __u64 after, bool *same)
{
	if (before != after)
		*same = false;
	EXPECT_EQ(before, after) TH_LOG("%s: %s changed", name, what);
}

static void same_bytes(struct __test_metadata *_metadata, const char *name,
		       const char *what, const void *before,
		       const void *after, size_t size, bool *same)
{
	bool eq = !memcmp(before, after, size);

	if (!eq)
		*same = false;
	EXPECT_TRUE(eq) TH_LOG("%s: %s changed", name, what);
}

static bool same_state(struct __test_metadata *_metadata, const char *name,
		       const struct state *a, const struct state *b)
{
	bool same = true;
	int i;

	same_u64(_metadata, name, "hvsim's partition count", a->partitions,
		 b->partitions, &same);
	same_u64(_metadata, name, "the partition's pool", a->pt.pool_pages,
		 b->pt.pool_pages, &same);
	same_u64(_metadata, name, "the partition's free pool",
		 a->pt.pool_free, b->pt.pool_free, &same);
	same_u64(_metadata, name, "the 4K SLAT entries", a->pt.slat_4k,
		 b->pt.slat_4k, &same);
	same_u64(_metadata, name, "the 2M SLAT entries", a->pt.slat_2m,
		 b->pt.slat_2m, &same);
	same_u64(_metadata, name, "the GPA fault count", a->pt.gpa_faults,
		 b->pt.gpa_faults, &same);
	same_u64(_metadata, name, "the deposited pages", a->deposited,
		 b->deposited, &same);
	same_u64(_metadata, name, "the region count", a->nregions,
		 b->nregions, &same);
	for (i = 0; i < 4; i++) {
		same_u64(_metadata, name, "a region's first page",
			 a->regions[i].gfn, b->regions[i].gfn, &same);
		same_u64(_metadata, name, "a region's size",
			 a->regions[i].pages, b->regions[i].pages, &same);
		same_bytes(_metadata, name, "a region's type",
			   a->regions[i].type, b->regions[i].type,
			   sizeof(a->regions[i].type), &same);
	}
	same_u64(_metadata, name, "the doorbell ports", a->ports, b->ports,
		 &same);
	same_bytes(_metadata, name, "the GPA access states", a->gpa, b->gpa,
		   sizeof(a->gpa), &same);
	same_bytes(_metadata, name, "the VP registers", a->regs, b->regs,
		   sizeof(a->regs), &same);
	same_bytes(_metadata, name, "the LAPIC state", a->lapic, b->lapic,
		   sizeof(a->lapic), &same);
	same_u64(_metadata, name, "the MSR action property", a->msr_action,
		 b->msr_action, &same);
	return same;
}

FIXTURE(bad)
{
	struct ctx c;
};

static char *map(size_t pages, int prot)
{
	char *p = mmap(NULL, pages * PAGE, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	MSHV_TEST_ASSERT(p != MAP_FAILED, "mmap");
	return p;
}

FIXTURE_SETUP(bad)
{
	struct ctx *c = &self->c;
	struct {
		struct mshv_user_irq_table hdr;
		struct mshv_user_irq_entry e[2];
	} routes = {
		.hdr.nr = 2,
		.e[0] = { .gsi = GSI_EDGE, .address_lo = 0xFEE00000,
			  .data = 0x30 },
		.e[1] = { .gsi = GSI_LEVEL, .address_lo = 0xFEE00000,
			  .data = 0x8031 },
	};
	struct mshv_user_ioeventfd doorbell = {
		.datamatch = 7, .addr = DOORBELL, .len = 4,
		.flags = IOEV_DM,
	};
	struct hv_input_set_partition_property track;
	struct mshv_root_hvcall hc = { 0 };
	struct state s;
	struct mshv_gpap_access_bitmap dirty = {
		.access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY,
		.access_op = MSHV_GPAP_ACCESS_OP_CLEAR,
		.page_count = REGION_PAGES - DIRTY_PAGES,
		.gpap_base = REGION_GFN + DIRTY_PAGES,
	};
	int i;

	memset(c, 0, sizeof(*c));
	/* No fault-injection rule left by a test that was killed */
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	/* Its hinting faults would unmap the region's pages (and states) */
	c->numa = mshv_numa_balancing_set(0);
	c->g = mshv_g32_create();
	c->vm = c->g->vm;
	c->vp = c->g->vp;
	c->id = c->g->partition;
	c->xsave_size = mshv_get_partition_property(c->vm->fd, XSAVE_SIZE);
	ASSERT_NE(0U, c->xsave_size);
	ASSERT_GE(2 * PAGE, c->xsave_size);

	c->mem = mshv_alloc_host_memory(REGION_PAGES * PAGE);
	c->spare = mshv_alloc_host_memory(SPARE_PAGES * PAGE);
	c->arg = mshv_alloc_host_memory(ARG_SIZE);
	c->lapic = mshv_alloc_host_memory(PAGE);
	c->ro = map(2, PROT_READ);
	c->none = map(2, PROT_NONE);
	c->hole = HOLE;
	c->edge = map(2, PROT_READ | PROT_WRITE);
	ASSERT_EQ(0, mprotect(c->edge + PAGE, PAGE, PROT_NONE));
	c->rw_page = map(1, PROT_READ | PROT_WRITE);

	mshv_map_guest_memory(c->vm->fd, REGION_GFN << 12, c->mem,
			      REGION_PAGES * PAGE, RWX);
	/*
	 * The guest writes every page of the region (accessed and dirty);
	 * then the second half is cleaned.  Not every model needs the
	 * tracking property, so its result does not matter.
	 */
	memset(&track, 0, sizeof(track));
	track.property_code = HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING;
	track.property_value = 1;
	hc.code = HVCALL_SET_PARTITION_PROPERTY;
	hc.in_sz = sizeof(track);
	hc.in_ptr = uptr(&track);
	__mshv_hvcall(c->vm->fd, &hc);
	mshv_g32_run_strided(c->g, MSHV_G32_WRITE, REGION_GFN << 12, PAGE,
			     REGION_PAGES, 0x5a5a5a5a);
	dirty.bitmap_ptr = uptr(c->spare);
	ASSERT_EQ(0, ioctl(c->vm->fd, MSHV_GET_GPAP_ACCESS_BITMAP, &dirty));
	read_state(c, &s);
	ASSERT_EQ(HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, s.gpa[0]);
	ASSERT_EQ(HV_GPA_PAGE_ACCESSED, s.gpa[REGION_PAGES - 1]);
	ASSERT_EQ(0, ioctl(c->vm->fd, MSHV_SET_MSI_ROUTING, &routes));
	for (i = 0; i < 4; i++) {
		c->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ASSERT_LE(0, c->efd[i]);
	}
	ASSERT_EQ(0, pipe(c->pipefd));
	ASSERT_EQ(0, irqfd_call(c->vm->fd, c->efd[0], -1, GSI_EDGE, 0));
	doorbell.fd = c->efd[1];
	ASSERT_EQ(0, ioctl(c->vm->fd, MSHV_IOEVENTFD, &doorbell));
	/* Nothing may be open at the fd number the cases use as "not open" */
	ASSERT_EQ(-1, fcntl(1000, F_GETFD));
}

FIXTURE_TEARDOWN(bad)
{
	struct ctx *c = &self->c;
	int i;

	mshv_g32_free(c->g);
	mshv_numa_balancing_set(c->numa);
	for (i = 0; i < 4; i++)
		close(c->efd[i]);
	close(c->pipefd[0]);
	close(c->pipefd[1]);
}

static int fd_of(const struct ctx *c, enum fd_kind kind)
{
	switch (kind) {
	case FD_DEV:
		return c->vm->dev_fd;
	case FD_PT:
		return c->vm->fd;
	default:
		return c->vp->fd;
	}
}

static void on_alarm(int sig)
{
}

/*
 * The ioctl of a case.  A VP that a refused MSHV_RUN_VP runs anyway may
 * not stop by itself (a halted guest): a timer ends such a run with EINTR.
 */
static int issue(int fd, unsigned long cmd, unsigned long arg)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval t = { .it_value.tv_sec = 2 };
	struct itimerval off = { 0 };
	int ret, err;

	if (cmd != MSHV_RUN_VP)
		return ioctl(fd, cmd, arg);
	MSHV_TEST_ASSERT(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	MSHV_TEST_ASSERT(setitimer(ITIMER_REAL, &t, NULL) == 0, "setitimer");
	ret = ioctl(fd, cmd, arg);
	err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	errno = err;
	return ret;
}

/* Run one case; true if it returned its errno and changed nothing */
static bool run_case(struct __test_metadata *_metadata, struct ctx *c,
		     const struct bad_input *row, unsigned long cmd,
		     enum fd_kind fd, __u64 p)
{
	struct state before, after;
	char name[160];
	unsigned long arg;
	bool exact;
	int ret, err;

	snprintf(name, sizeof(name), "%s%s (%s fd)", row->name,
		 !row->cmd2 ? "" : cmd == row->cmd ? " [GET]" : " [SET]",
		 fd_names[fd]);
	if (row->more || p)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 " %#llx", (unsigned long long)p);

	read_state(c, &before);
	c->hv_out.property_value = ~0ULL;
	arg = row->build(c, p);
	errno = 0;
	ret = issue(fd_of(c, fd), cmd, arg);
	err = errno;
	if (ret >= 0 && (cmd == MSHV_CREATE_PARTITION ||
			 cmd == MSHV_CREATE_VP))
		close(ret);

	exact = ret == -1 && err == row->err;
	EXPECT_EQ(-1, ret) TH_LOG("%s: returned %d", name, ret);
	EXPECT_EQ(row->err, err) TH_LOG("%s: errno %d (%s), mainline %d (%s)",
					name, err, strerror(err), row->err,
					strerror(row->err));
	if (row->check && !row->check(_metadata, c, p, name))
		exact = false;
	read_state(c, &after);
	if (!same_state(_metadata, name, &before, &after))
		exact = false;
	if (!exact)
		fprintf(stderr,
			"# not exact: %s: ret %d errno %d (%s), expected %d (%s)\n",
			name, ret, err, strerror(err), row->err,
			strerror(row->err));
	return exact;
}

/* The whole table in one test: TCG runs it in about a minute */
TEST_F_TIMEOUT(bad, table, 600)
{
	unsigned int cases = 0, inexact = 0;
	enum fd_kind fd;
	__u64 k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		for (fd = FD_DEV; fd <= FD_VP; fd++) {
			if (!(table[i].fds & BIT(fd)))
				continue;
			for (k = 0; k <= table[i].more; k++) {
				cases++;
				if (!run_case(_metadata, &self->c, &table[i],
					      table[i].cmd, fd, table[i].lo + k))
					inexact++;
				if (!table[i].cmd2)
					continue;
				cases++;
				if (!run_case(_metadata, &self->c, &table[i],
					      table[i].cmd2, fd, table[i].lo + k))
					inexact++;
			}
		}
	}
	if (inexact)
		printf("bad input: %u cases, %u not exact\n", cases, inexact);
	else
		printf("bad input: %u cases, all exact\n", cases);
	fflush(stdout);
	EXPECT_EQ(0U, inexact);
}

TEST_HARNESS_MAIN
