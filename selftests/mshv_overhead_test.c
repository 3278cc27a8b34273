// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory a partition costs besides its guest memory, as a cluster
 * scheduler must reserve it (Documentation/regions.rst, "Memory overhead
 * of a partition"): the driver's own memory (driver_bytes of
 * mshv_root/partitions, exact per object with the costs of
 * mshv_root/sizes) and the pages deposited into the hypervisor
 * (deposited_pages), both checked against the documented bound
 *
 *   driver    <= DRV_A + DRV_C * VPs + DRV_D * regions + DRV_B * GiB
 *   deposited <= DEP_A + DEP_C * VPs + DEP_D * regions + DEP_B * GiB
 *
 * for guests of a few sizes and VP counts, each VP writing its share of
 * all or half of the guest's pages or one page per 2 MiB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "mshv_region_common.h"

#define SZ_1M		0x100000ULL
#define SZ_1G		0x40000000ULL

/* The documented bound (regions.rst); bytes, per VP, per region, per GiB */
#define DRV_A		8192ULL
#define DRV_C		1024ULL
#define DRV_F		(32 * 1024ULL)	/* per fault buffer */
#define DRV_D		4096ULL
#define DRV_B_MOVABLE	256ULL
#define DRV_B_PINNED	(8 * SZ_1M)
/* pages */
#define DEP_A		465ULL
#define DEP_C		90ULL
#define DEP_D		6ULL
#define DEP_B		514ULL

/* One line per case, for the report */
#define SUMMARY \
	"overhead: guest %llu MiB, %u VPs: driver %llu, deposited %llu pages, formula %llu\n"

/* Mainline's fixed deposits: before INITIALIZE_PARTITION, per CREATE_VP */
#define INIT_DEPOSIT	208ULL
#define VP_DEPOSIT	90ULL

/* The bound for @vps VPs, @regions regions and @bytes of guest memory */
static __u64 bound_driver(__u64 vps, __u64 regions, __u64 bytes)
{
	__u64 b = mshv_pin_regions() ? DRV_B_PINNED : DRV_B_MOVABLE;
	__u64 bufs = mshv_dbg_sizes_get().fault_bufs;

	return DRV_A + DRV_C * vps + DRV_F * (vps < bufs ? vps : bufs) +
	       DRV_D * regions + mshv_div_up(b * bytes, SZ_1G);
}

static __u64 bound_deposited(__u64 vps, __u64 regions, __u64 bytes)
{
	return DEP_A + DEP_C * vps + DEP_D * regions +
	       mshv_div_up(DEP_B * bytes, SZ_1G);
}

static __u64 meta_bytes_of(__u64 id)
{
	struct mshv_dbg_region r[64];
	__u64 sum = 0;
	int i, n = mshv_dbg_regions(r, 64);

	MSHV_TEST_ASSERT(n >= 0 && n <= 64, "%s/regions: %d lines",
			 MSHV_DBG_ROOT, n);
	for (i = 0; i < n; i++)
		if (r[i].partition == id)
			sum += r[i].meta_bytes;
	return sum;
}

static int msi_routing(int pt_fd, __u32 nr)
{
	struct {
		struct mshv_user_irq_table hdr;
		struct mshv_user_irq_entry e[8];
	} t = { .hdr.nr = nr };
	__u32 i;

	for (i = 0; i < nr; i++) {
		t.e[i].gsi = i;
		t.e[i].address_lo = 0xFEE00000;
		t.e[i].data = 0x30 + i;
	}
	return ioctl(pt_fd, MSHV_SET_MSI_ROUTING, &t);
}

/*
 * Every object counted in driver_bytes, added and removed one at a time:
 * the figure is exact at each step and back where it was after each
 * removal.
 */
TEST(exact)
{
	struct mshv_dbg_sizes z = mshv_dbg_sizes_get();
	struct mshv_dbg_root_partition p;
	struct mshv_vp *vps[16];
	struct mshv_dbg_region r;
	struct mshv_hostmem m;
	struct mshv_vm *vm;
	__u64 id, base, routed;
	int efd, i;

	TH_LOG("sizes: partition %llu vp %llu region %llu vp_fault %llu irqfd %llu ioeventfd %llu",
	       z.partition, z.vp, z.region, z.vp_fault, z.irqfd, z.ioeventfd);
	TH_LOG("fault buffers per partition: at most %llu", z.fault_bufs);
	vm = mshv_vm_create();
	id = mshv_dbg_newest_partition();

	/* 0 VPs, 0 regions */
	p = mshv_dbg_root_partition_get(id);
	EXPECT_EQ(z.partition, p.driver_bytes);
	EXPECT_EQ(INIT_DEPOSIT, p.deposited_pages);
	EXPECT_EQ(p.deposited_pages, mshv_dbg_partition_get(id).pool_pages);

	for (i = 0; i < 16; i++) {
		vps[i] = mshv_vp_create(vm, i);
		p = mshv_dbg_root_partition_get(id);
		EXPECT_EQ(z.partition + (i + 1) * z.vp, p.driver_bytes);
		EXPECT_EQ(INIT_DEPOSIT + (i + 1) * VP_DEPOSIT,
			  p.deposited_pages);
	}
	base = z.partition + 16 * z.vp;
	/* A refused VP costs nothing */
	EXPECT_EQ(-1, __mshv_create_vp(vm->fd, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(base, mshv_dbg_root_partition_get(id).driver_bytes);

	/* A region: its meta_bytes, structure plus chunk maps */
	ASSERT_TRUE(mshv_hostmem_alloc(&m, BACK_4K, 256 * SZ_1M, 0));
	ASSERT_EQ(0, __mshv_set_guest_memory(vm->fd, m.size,
					     MSHV_PFN(DATA_GPA),
					     mshv_hva_u64(m.hva), RW));
	r = mshv_dbg_region_get(id, MSHV_PFN(DATA_GPA));
	if (!mshv_pin_regions())	/* 128 chunks: two 16-byte maps */
		EXPECT_EQ(z.region + 32, r.meta_bytes);
	EXPECT_EQ(base + r.meta_bytes,
		  mshv_dbg_root_partition_get(id).driver_bytes);
	ASSERT_EQ(0, __mshv_set_guest_memory(vm->fd, m.size,
					     MSHV_PFN(DATA_GPA),
					     mshv_hva_u64(m.hva), UNMAP));
	EXPECT_EQ(base, mshv_dbg_root_partition_get(id).driver_bytes);
	mshv_hostmem_free(&m);

	/* The MSI routing table, replaced and cleared */
	ASSERT_EQ(0, msi_routing(vm->fd, 1));
	routed = mshv_dbg_root_partition_get(id).driver_bytes;
	EXPECT_LT(base, routed);
	ASSERT_EQ(0, msi_routing(vm->fd, 8));
	EXPECT_LE(routed, mshv_dbg_root_partition_get(id).driver_bytes);
	ASSERT_EQ(0, msi_routing(vm->fd, 1));
	EXPECT_EQ(routed, mshv_dbg_root_partition_get(id).driver_bytes);
	ASSERT_EQ(0, msi_routing(vm->fd, 0));
	EXPECT_EQ(base, mshv_dbg_root_partition_get(id).driver_bytes);

	/* An irqfd and an ioeventfd */
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, __mshv_irqfd(vm->fd, efd, -1, 5, 0));
	EXPECT_EQ(base + z.irqfd, mshv_dbg_root_partition_get(id).driver_bytes);
	ASSERT_EQ(0, __mshv_irqfd(vm->fd, efd, -1, 5,
				  1 << MSHV_IRQFD_BIT_DEASSIGN));
	EXPECT_EQ(base, mshv_dbg_root_partition_get(id).driver_bytes);
	ASSERT_EQ(0, __mshv_ioeventfd(vm->fd, efd, 0xE000, 4, 0, 0));
	EXPECT_EQ(base + z.ioeventfd,
		  mshv_dbg_root_partition_get(id).driver_bytes);
	ASSERT_EQ(0, __mshv_ioeventfd(vm->fd, efd, 0xE000, 4, 0,
				      1 << MSHV_IOEVENTFD_BIT_DEASSIGN));
	EXPECT_EQ(base, mshv_dbg_root_partition_get(id).driver_bytes);
	/* One left assigned: the teardown frees it */
	ASSERT_EQ(0, __mshv_irqfd(vm->fd, efd, -1, 6, 0));
	close(efd);

	for (i = 0; i < 16; i++)
		mshv_vp_free(vps[i]);
	mshv_vm_free(vm);
	EXPECT_EQ(-1, mshv_dbg_root_partition(id, &p));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * A guest of @size bytes at DATA_GPA with @vps VPs; VP i writes the i-th
 * share of the first @touch_pct percent of its pages, one every @stride
 * bytes.
 */
FIXTURE(guest)
{
	struct mshv_g32 *g;
	struct mshv_hostmem m;
	struct mshv_vp *vps[16];
};

FIXTURE_VARIANT(guest)
{
	__u64 size;
	unsigned int vps;
	unsigned int touch_pct;
	__u64 stride;
	enum mshv_backing backing;
};

/* Every page, or half of them: the driver's and hvsim's worst case */
FIXTURE_VARIANT_ADD(guest, m64_vp1_all)
{
	.size = 64 * SZ_1M, .vps = 1, .touch_pct = 100, .stride = PAGE,
	.backing = BACK_4K,
};

FIXTURE_VARIANT_ADD(guest, m64_vp4_half)
{
	.size = 64 * SZ_1M, .vps = 4, .touch_pct = 50, .stride = PAGE,
	.backing = BACK_4K,
};

FIXTURE_VARIANT_ADD(guest, m256_vp4_all)
{
	.size = 256 * SZ_1M, .vps = 4, .touch_pct = 100, .stride = PAGE,
	.backing = BACK_4K,
};

/*
 * One page per 2 MiB: with 4 KiB backing the SLAT needs a leaf table per
 * chunk all the same, so the deposits are those of every page touched,
 * at a fraction of the time (the debug kernel runs under TCG)
 */
FIXTURE_VARIANT_ADD(guest, m256_vp16_chunks)
{
	.size = 256 * SZ_1M, .vps = 16, .touch_pct = 100, .stride = SZ_2M,
	.backing = BACK_4K,
};

FIXTURE_VARIANT_ADD(guest, g1_vp1_chunks)
{
	.size = SZ_1G, .vps = 1, .touch_pct = 100, .stride = SZ_2M,
	.backing = BACK_4K,
};

FIXTURE_VARIANT_ADD(guest, g1_vp16_chunks)
{
	.size = SZ_1G, .vps = 16, .touch_pct = 100, .stride = SZ_2M,
	.backing = BACK_4K,
};

/* 2 MiB SLAT entries: no leaf tables */
FIXTURE_VARIANT_ADD(guest, m256_vp4_thp_chunks)
{
	.size = 256 * SZ_1M, .vps = 4, .touch_pct = 100, .stride = SZ_2M,
	.backing = BACK_THP,
};

FIXTURE_SETUP(guest)
{
	unsigned int i;

	self->g = mshv_g32_create();
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, variant->backing,
				       variant->size, 0));
	ASSERT_EQ(0, __mshv_set_guest_memory(self->g->vm->fd, self->m.size,
					     MSHV_PFN(DATA_GPA),
					     mshv_hva_u64(self->m.hva), RW));
	self->vps[0] = self->g->vp;
	for (i = 1; i < variant->vps; i++) {
		self->vps[i] = mshv_vp_create(self->g->vm, i);
		mshv_vp_start_ap(self->vps[i]);
		mshv_g32_enter_protected_mode(self->vps[i]);
	}
}

FIXTURE_TEARDOWN(guest)
{
	unsigned int i;

	if (!self->g)
		return;
	for (i = 1; i < variant->vps; i++)
		mshv_vp_free(self->vps[i]);
	self->g->vp = self->vps[0];
	mshv_g32_free(self->g);
	mshv_hostmem_free(&self->m);
}

TEST_F_TIMEOUT(guest, within_bound, 600)
{
	struct mshv_dbg_sizes z = mshv_dbg_sizes_get();
	__u64 id = self->g->partition, pages, share, fixed, faulted;
	__u64 guest = variant->size + MSHV_G32_CTL_SIZE;
	__u64 drv_max, dep_max, formula;
	struct mshv_dbg_root_partition p;
	unsigned int i;

	pages = variant->size / variant->stride * variant->touch_pct / 100;
	share = pages / variant->vps;
	for (i = 0; i < variant->vps; i++) {
		self->g->vp = self->vps[i];
		mshv_g32_run_strided(self->g, MSHV_G32_WRITE,
				     DATA_GPA + i * share * variant->stride,
				     variant->stride, share, i + 1);
	}
	self->g->vp = self->vps[0];

	p = mshv_dbg_root_partition_get(id);
	/* What hvsim holds is exactly what the driver deposited */
	EXPECT_EQ(p.deposited_pages, mshv_dbg_partition_get(id).pool_pages);

	/*
	 * Exact: the partition, its VPs, its two regions' meta_bytes and one
	 * fault buffer per fault the partition had in flight at once (the
	 * VPs run one after the other here: exactly one on movable regions,
	 * whose data the guest faults in; none on pinned regions, mapped up
	 * front), never more than the VPs nor the pool's maximum
	 */
	fixed = z.partition + variant->vps * z.vp + meta_bytes_of(id);
	ASSERT_LE(fixed, p.driver_bytes);
	faulted = (p.driver_bytes - fixed) / z.vp_fault;
	EXPECT_EQ(fixed + faulted * z.vp_fault, p.driver_bytes);
	EXPECT_EQ(mshv_pin_regions() ? 0 : 1, faulted);
	EXPECT_LE(faulted, variant->vps);
	EXPECT_LE(faulted, z.fault_bufs);

	drv_max = bound_driver(variant->vps, 2, guest);
	dep_max = bound_deposited(variant->vps, 2, guest);
	formula = drv_max + dep_max * PAGE;
	EXPECT_LE(p.driver_bytes, drv_max);
	EXPECT_LE(p.deposited_pages, dep_max);
	EXPECT_LE(INIT_DEPOSIT + variant->vps * VP_DEPOSIT, p.deposited_pages);
	printf(SUMMARY,
	       (unsigned long long)(variant->size / SZ_1M), variant->vps,
	       (unsigned long long)p.driver_bytes,
	       (unsigned long long)p.deposited_pages,
	       (unsigned long long)formula);
}

TEST_HARNESS_MAIN
