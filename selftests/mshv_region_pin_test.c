// SPDX-License-Identifier: GPL-2.0-only
/*
 * Region accounting and MSHV_GET_GPAP_ACCESS_BITMAP.
 *
 *  - Pinned regions (mshv_root.pin_regions=1) are charged to
 *    RLIMIT_MEMLOCK like VFIO and iommufd (VmLck or VmPin of the process
 *    grows by the region's size and shrinks back when it is removed; over
 *    the limit the map fails with ENOMEM).  Movable regions are charged
 *    nothing and fit under any limit.
 *  - The driver's metadata per region, from mshv_root/regions: a movable
 *    GiB costs at most 4 KiB.
 *  - GET_GPAP_ACCESS_BITMAP: validation errno and mainline's semantics
 *    over GET_GPA_PAGES_ACCESS_STATES (bits beyond the pages written stay
 *    untouched).
 */
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "mshv_region_common.h"

#define SZ_1G	0x40000000ULL

/* Drop CAP_IPC_LOCK from the effective set so RLIMIT_MEMLOCK applies */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d);
}

static __u64 locked_kb(void)
{
	return mshv_proc_status_kb("VmLck") + mshv_proc_status_kb("VmPin");
}

TEST(memlock_charge)
{
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_hostmem m;
	__u64 kb0, kb1, kb2;
	bool pinned = mshv_pin_regions();

	ASSERT_TRUE(mshv_hostmem_alloc(&m, BACK_4K, 2 * SZ_2M, 0));
	kb0 = locked_kb();
	ASSERT_EQ(0, __mshv_set_guest_memory(vm->fd, m.size, MSHV_PFN(DATA_GPA),
					     mshv_hva_u64(m.hva), RW));
	kb1 = locked_kb();
	EXPECT_EQ(pinned ? m.size / 1024 : 0, kb1 - kb0);
	ASSERT_EQ(0, __mshv_set_guest_memory(vm->fd, m.size, MSHV_PFN(DATA_GPA),
					     mshv_hva_u64(m.hva), UNMAP));
	kb2 = locked_kb();
	EXPECT_EQ(kb0, kb2);
	mshv_vm_free(vm);
	mshv_hostmem_free(&m);
}

/* Over RLIMIT_MEMLOCK: ENOMEM for a pinned region, nothing charged */
TEST(memlock_limit)
{
	struct rlimit rl = { .rlim_cur = SZ_2M, .rlim_max = SZ_2M };
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_hostmem m;
	bool pinned = mshv_pin_regions();
	__u64 kb0;

	ASSERT_TRUE(mshv_hostmem_alloc(&m, BACK_4K, 2 * SZ_2M, 0));
	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	kb0 = locked_kb();
	errno = 0;
	if (pinned) {
		EXPECT_EQ(-1, __mshv_set_guest_memory(vm->fd, m.size,
						      MSHV_PFN(DATA_GPA),
						      mshv_hva_u64(m.hva), RW));
		EXPECT_EQ(ENOMEM, errno);
		EXPECT_EQ(kb0, locked_kb());
		/* one window fits under the limit */
		EXPECT_EQ(0, __mshv_set_guest_memory(vm->fd, SZ_2M,
						     MSHV_PFN(DATA_GPA),
						     mshv_hva_u64(m.hva), RW));
	} else {
		EXPECT_EQ(0, __mshv_set_guest_memory(vm->fd, m.size,
						     MSHV_PFN(DATA_GPA),
						     mshv_hva_u64(m.hva), RW));
		EXPECT_EQ(kb0, locked_kb());
	}
	mshv_vm_free(vm);
	mshv_hostmem_free(&m);
}

/* A movable GiB costs the driver at most 4 KiB of metadata */
TEST(meta_bytes_movable)
{
	struct mshv_vm *vm;
	struct mshv_dbg_region r;
	__u64 id;
	void *p;

	if (mshv_pin_regions())
		SKIP(return, "regions are pinned");
	vm = mshv_vm_create();
	id = mshv_dbg_newest_partition();
	p = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, __mshv_set_guest_memory(vm->fd, SZ_1G, MSHV_PFN(SZ_1G),
					     mshv_hva_u64(p), RW));
	r = mshv_dbg_region_get(id, MSHV_PFN(SZ_1G));
	EXPECT_STREQ("movable", r.type);
	EXPECT_EQ(SZ_1G / PAGE, r.pages);
	EXPECT_GE(4096, r.meta_bytes);
	EXPECT_EQ(0, r.faults);
	EXPECT_EQ(0, r.maps);
	mshv_vm_free(vm);
	munmap(p, SZ_1G);
}

static int gpap(int fd, __u8 type, __u8 op, __u64 count, __u64 base,
		void *bitmap)
{
	struct mshv_gpap_access_bitmap a = {
		.access_type = type,
		.access_op = op,
		.page_count = count,
		.gpap_base = base,
		.bitmap_ptr = mshv_hva_u64(bitmap),
	};

	return ioctl(fd, MSHV_GET_GPAP_ACCESS_BITMAP, &a);
}

#define EXPECT_EINVAL(call) do {					\
		errno = 0;						\
		EXPECT_EQ(-1, (call)) TH_LOG("%s", #call);		\
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", #call);		\
	} while (0)

TEST(gpap_validation)
{
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_gpap_access_bitmap a;
	__u8 bitmap[16];
	unsigned int i;

	EXPECT_EINVAL(gpap(vm->fd, MSHV_GPAP_ACCESS_TYPE_COUNT,
			   MSHV_GPAP_ACCESS_OP_NOOP, 8, 0, bitmap));
	EXPECT_EINVAL(gpap(vm->fd, 0xff, MSHV_GPAP_ACCESS_OP_NOOP, 8, 0,
			   bitmap));
	EXPECT_EINVAL(gpap(vm->fd, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			   MSHV_GPAP_ACCESS_OP_COUNT, 8, 0, bitmap));
	EXPECT_EINVAL(gpap(vm->fd, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			   MSHV_GPAP_ACCESS_OP_NOOP, 0, 0, bitmap));
	EXPECT_EINVAL(gpap(vm->fd, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			   MSHV_GPAP_ACCESS_OP_NOOP, 8, 0, NULL));
	for (i = 0; i < sizeof(a.rsvd); i++) {
		memset(&a, 0, sizeof(a));
		a.page_count = 8;
		a.bitmap_ptr = mshv_hva_u64(bitmap);
		a.rsvd[i] = 1;
		EXPECT_EINVAL(ioctl(vm->fd, MSHV_GET_GPAP_ACCESS_BITMAP, &a));
	}
	mshv_vm_free(vm);
}

/*
 * Dirty tracking over a guest write: bit i is page i, CLEAR resets the
 * state, the bytes after ceil(page_count / 8) are untouched and the bits
 * past page_count in the last byte are zero.
 */
TEST(gpap_dirty)
{
	struct mshv_g32 *g = mshv_g32_create();
	struct mshv_root_hvcall hc;
	struct mshv_hostmem m;
	struct {
		struct hv_input_set_partition_property in;
	} prop;
	__u8 bm[4];
	__u32 w[2];

	ASSERT_TRUE(mshv_hostmem_alloc(&m, BACK_4K, SZ_2M, 0));
	ASSERT_EQ(0, __mshv_set_guest_memory(g->vm->fd, SZ_2M,
					     MSHV_PFN(DATA_GPA),
					     mshv_hva_u64(m.hva), RW));
	memset(&prop, 0, sizeof(prop));
	prop.in.property_code = HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING;
	prop.in.property_value = 1;
	memset(&hc, 0, sizeof(hc));
	hc.code = HVCALL_SET_PARTITION_PROPERTY;
	hc.in_sz = sizeof(prop.in);
	hc.in_ptr = mshv_hva_u64(&prop.in);
	__mshv_hvcall(g->vm->fd, &hc);	/* not every model needs it */

	w[0] = DATA_GPA + 3 * PAGE;
	w[1] = DATA_GPA + 9 * PAGE + 4;
	mshv_g32_run(g, MSHV_G32_WRITE, w, 2, 0);

	memset(bm, 0xff, sizeof(bm));
	ASSERT_EQ(0, gpap(g->vm->fd, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			  MSHV_GPAP_ACCESS_OP_CLEAR, 10, MSHV_PFN(DATA_GPA),
			  bm)) TH_LOG("errno %d", errno);
	EXPECT_EQ(1 << 3, bm[0]);
	EXPECT_EQ(1 << 1, bm[1]);	/* page 9; bits 10-15 zero */
	EXPECT_EQ(0xff, bm[2]);		/* only ceil(10 / 8) bytes written */
	EXPECT_EQ(0xff, bm[3]);

	memset(bm, 0xff, sizeof(bm));
	ASSERT_EQ(0, gpap(g->vm->fd, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			  MSHV_GPAP_ACCESS_OP_NOOP, 10, MSHV_PFN(DATA_GPA),
			  bm));
	EXPECT_EQ(0, bm[0]);		/* cleared by the previous call */
	EXPECT_EQ(0, bm[1]);
	/* the NOOP quirk: NOOP sets dirty (and accessed) on every page */
	ASSERT_EQ(0, gpap(g->vm->fd, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			  MSHV_GPAP_ACCESS_OP_NOOP, 10, MSHV_PFN(DATA_GPA),
			  bm));
	EXPECT_EQ(0xff, bm[0]);
	EXPECT_EQ(0x03, bm[1]);
	mshv_g32_free(g);
	mshv_hostmem_free(&m);
}

TEST_HARNESS_MAIN
