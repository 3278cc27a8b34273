// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO regions: a region over a VM_IO | VM_PFNMAP mapping.  The device
 * memory is BAR 0 of the test VM's QEMU standard VGA (PCI 1234:1111, its
 * video RAM), mapped through /sys/bus/pci/devices/<dev>/resource0 (which
 * the kernel maps with VM_IO | VM_PFNMAP); hvsim is told to reach that
 * range through its debugfs "mmio" file.  The tests assert the
 * permissions of the SLAT entries through what the guest's accesses do
 * (a write through a read-only entry reaches the VMM as GPA_INTERCEPT and
 * leaves the device memory unchanged), and the exact faults, map calls
 * and entries.  A VM_PFNMAP mapping of RAM -- the [vvar] page of the
 * vDSO -- is never mapped into a guest.
 */
#include <fcntl.h>
#include <stdint.h>

#include "mshv_region_common.h"

#define MMIO_PAGES	16
#define MMIO_SIZE	(MMIO_PAGES * PAGE)
#define MMIO_GPA	DATA_GPA

FIXTURE(mmio)
{
	struct mshv_g32 *g;
	char res0[300];		/* path of the BAR's resource0 file */
	__u64 phys;		/* host physical address of the BAR */
	__u32 *host;		/* a read-write mapping of the range */
	void *backing;		/* the mapping the region is made of */
	__u64 stale0;
	__u64 numa;
};

static void *map_bar(const char *res0, int prot)
{
	int fd = open(res0, prot & PROT_WRITE ? O_RDWR : O_RDONLY);
	void *p;

	if (fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, MMIO_SIZE, prot, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

FIXTURE_SETUP(mmio)
{
	char rule[64];
	void *p;

	self->numa = mshv_numa_balancing_set(0);
	self->g = mshv_g32_create();
	self->stale0 = mshv_dbg_stale_accesses_get();
	/* Outside the test VM only the [vvar] test runs */
	if (!mshv_find_stdvga(self->res0, sizeof(self->res0), MMIO_SIZE, &self->phys))
		return;
	snprintf(rule, sizeof(rule), "%llx %x",
		 (unsigned long long)self->phys, (unsigned int)MMIO_SIZE);
	ASSERT_EQ(0, mshv_write_file(MSHV_DBG_HVSIM "/mmio", rule))
		TH_LOG("hvsim/mmio: %s", strerror(errno));
	p = map_bar(self->res0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: %s", self->res0, strerror(errno));
	self->host = p;
}

FIXTURE_TEARDOWN(mmio)
{
	mshv_g32_free(self->g);
	if (self->backing && self->backing != MAP_FAILED &&
	    self->backing != self->host)
		munmap(self->backing, MMIO_SIZE);
	if (self->host)
		munmap(self->host, MMIO_SIZE);
	mshv_numa_balancing_set(self->numa);
}

/*
 * The dword at guest address @gpa of the region, as the host sees it
 * through @host (the guest accesses it during ioctls: no caching across)
 */
static __u32 bar_get(__u32 *host, __u32 gpa)
{
	return __atomic_load_n(&host[(gpa - MMIO_GPA) / 4], __ATOMIC_RELAXED);
}

static void bar_set(__u32 *host, __u32 gpa, __u32 v)
{
	__atomic_store_n(&host[(gpa - MMIO_GPA) / 4], v, __ATOMIC_RELAXED);
}

static int add_region(struct mshv_g32 *g, void *hva, __u64 size, __u8 flags)
{
	return __mshv_set_guest_memory(g->vm->fd, size, MSHV_PFN(MMIO_GPA),
				       mshv_hva_u64(hva), flags);
}

/*
 * The guest reads @w (set by the host first): one fault maps the whole
 * region with 4 KiB entries in one call.
 */
static void read_maps_region(struct __test_metadata *_metadata,
			     struct mshv_g32 *g, __u32 *host, const __u32 *w,
			     unsigned int n)
{
	struct mshv_dbg_region r0, r1;
	struct mshv_snap s0, s1;
	unsigned int i;

	for (i = 0; i < n; i++)
		bar_set(host, w[i], mshv_g32_value(w[i], 0x600d));
	r0 = mshv_dbg_region_get(g->partition, MSHV_PFN(MMIO_GPA));
	EXPECT_STREQ("mmio", r0.type);
	mshv_snap(g->partition, &s0);
	mshv_g32_run(g, MSHV_G32_VERIFY, w, n, 0x600d);
	mshv_snap(g->partition, &s1);
	r1 = mshv_dbg_region_get(g->partition, MSHV_PFN(MMIO_GPA));
	EXPECT_EQ(1, mshv_delta(s1.pt.gpa_faults, s0.pt.gpa_faults));
	EXPECT_EQ(1, r1.faults - r0.faults);
	EXPECT_EQ(1, mshv_delta(s1.map.calls, s0.map.calls));
	EXPECT_EQ(MMIO_PAGES, mshv_delta(s1.map.reps, s0.map.reps));
	EXPECT_EQ(MMIO_PAGES, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
}

/*
 * A guest write to @gpa reaches the VMM as GPA_INTERCEPT (write access),
 * once, with no map call, and the device memory keeps its value.
 */
static void write_refused(struct __test_metadata *_metadata,
			  struct mshv_g32 *g, __u32 *host, __u32 gpa)
{
	const struct hv_x64_memory_intercept_message *mem;
	const struct hv_message *msg;
	struct mshv_snap s0, s1;
	__u32 old = bar_get(host, gpa);

	mshv_snap(g->partition, &s0);
	msg = mshv_g32_exec(g, MSHV_G32_WRITE_CONST, &gpa, 1, 0xbad);
	ASSERT_EQ(HVMSG_GPA_INTERCEPT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	mem = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(gpa, mem->guest_physical_address);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, mem->header.intercept_access_type);
	mshv_snap(g->partition, &s1);
	EXPECT_EQ(1, mshv_delta(s1.pt.gpa_faults, s0.pt.gpa_faults));
	EXPECT_EQ(0, mshv_delta(s1.map.calls, s0.map.calls));
	EXPECT_EQ(old, bar_get(host, gpa));
}

/*
 * A writable mapping in a writable region: read and write both go
 * straight to the device memory, the host sees the guest's writes.
 */
TEST_F(mmio, writable)
{
	struct mshv_snap s0, s1, s2;
	__u32 w[3];
	unsigned int i;

	if (!self->host)
		SKIP(return, "no QEMU standard VGA (PCI 1234:1111)");
	self->backing = self->host;
	ASSERT_EQ(0, add_region(self->g, self->backing, MMIO_SIZE, RW));
	mshv_snap(self->g->partition, &s0);
	mshv_gpa_list(w, 3, MMIO_GPA, 0, 7, 0x10);
	w[2] = MMIO_GPA + MMIO_SIZE - 4;
	read_maps_region(_metadata, self->g, self->host, w, 3);

	mshv_snap(self->g->partition, &s1);
	mshv_g32_run(self->g, MSHV_G32_WRITE, w, 3, 0x7777);
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(0, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	EXPECT_EQ(0, mshv_delta(s2.map.calls, s1.map.calls));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(mshv_g32_value(w[i], 0x7777), bar_get(self->host, w[i]));

	/* Removal takes every entry back out */
	EXPECT_EQ(0, __mshv_set_guest_memory(self->g->vm->fd, MMIO_SIZE,
					     MSHV_PFN(MMIO_GPA),
					     mshv_hva_u64(self->backing), UNMAP));
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(0, mshv_delta(s2.pt.slat_4k, s0.pt.slat_4k));
	EXPECT_EQ(self->stale0, s2.stale);
}

/*
 * A read-only mapping (PROT_READ: no VM_WRITE, read-only PTEs) in a
 * writable region: the entries are read-only.
 */
TEST_F(mmio, readonly_mapping)
{
	__u32 w[2];

	if (!self->host)
		SKIP(return, "no QEMU standard VGA (PCI 1234:1111)");
	self->backing = map_bar(self->res0, PROT_READ);
	ASSERT_NE(MAP_FAILED, self->backing);
	ASSERT_EQ(0, add_region(self->g, self->backing, MMIO_SIZE, RW));
	mshv_gpa_list(w, 2, MMIO_GPA, 2, 9, 0x20);
	read_maps_region(_metadata, self->g, self->host, w, 2);
	write_refused(_metadata, self->g, self->host, w[0]);
	write_refused(_metadata, self->g, self->host, w[1]);
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

/* A writable mapping in a region without the WRITABLE flag: read-only */
TEST_F(mmio, readonly_region)
{
	__u32 w[2];

	if (!self->host)
		SKIP(return, "no QEMU standard VGA (PCI 1234:1111)");
	self->backing = self->host;
	ASSERT_EQ(0, add_region(self->g, self->backing, MMIO_SIZE, 0));
	mshv_gpa_list(w, 2, MMIO_GPA, 4, 11, 0x30);
	read_maps_region(_metadata, self->g, self->host, w, 2);
	write_refused(_metadata, self->g, self->host, w[1]);
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

/*
 * A writable mapping whose PTEs were write-protected by mprotect() after
 * the region was registered: the guest's entries follow the PTEs.
 */
TEST_F(mmio, mprotect_readonly)
{
	__u32 w[1];

	if (!self->host)
		SKIP(return, "no QEMU standard VGA (PCI 1234:1111)");
	self->backing = map_bar(self->res0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->backing);
	ASSERT_EQ(0, add_region(self->g, self->backing, MMIO_SIZE, RW));
	ASSERT_EQ(0, mprotect(self->backing, MMIO_SIZE, PROT_READ));
	mshv_gpa_list(w, 1, MMIO_GPA, 6, 1, 0x40);
	read_maps_region(_metadata, self->g, self->host, w, 1);
	write_refused(_metadata, self->g, self->host, w[0]);
}

/* The [vvar] mapping of this process: VM_IO | VM_PFNMAP over RAM */
static bool find_vvar(void **start, __u64 *size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long s, e;
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strstr(line, "[vvar]") &&
		    sscanf(line, "%lx-%lx", &s, &e) == 2) {
			*start = (void *)s;
			*size = e - s;
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * A region over [vvar] is accepted (it is a VM_PFNMAP mapping) but its
 * PFNs are RAM (the kernel's vDSO data, reserved): nothing is ever mapped,
 * reads and writes reach the VMM as UNMAPPED_GPA.
 */
TEST_F(mmio, vvar_never_mapped)
{
	const struct hv_message *msg;
	struct mshv_dbg_region r0, r1;
	struct mshv_snap s0, s1;
	__u64 size;
	void *vvar;
	__u32 gpa = MMIO_GPA + 0x40;

	ASSERT_TRUE(find_vvar(&vvar, &size));
	/* The data page is present in this process's page tables */
	__atomic_load_n((__u32 *)vvar, __ATOMIC_RELAXED);
	ASSERT_EQ(0, add_region(self->g, vvar, size, RW));
	r0 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(MMIO_GPA));
	EXPECT_STREQ("mmio", r0.type);

	mshv_snap(self->g->partition, &s0);
	msg = mshv_g32_exec(self->g, MSHV_G32_READ, &gpa, 1, 0);
	EXPECT_EQ(HVMSG_UNMAPPED_GPA, msg->header.message_type)
		TH_LOG("read: got %s",
		       mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(gpa, mshv_g32_msg_gpa(msg));
	msg = mshv_g32_exec(self->g, MSHV_G32_WRITE, &gpa, 1, 0x5eed);
	EXPECT_EQ(HVMSG_UNMAPPED_GPA, msg->header.message_type)
		TH_LOG("write: got %s",
		       mshv_msg_type_name(msg->header.message_type));
	mshv_snap(self->g->partition, &s1);
	r1 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(MMIO_GPA));
	EXPECT_EQ(2, mshv_delta(s1.pt.gpa_faults, s0.pt.gpa_faults));
	EXPECT_EQ(0, mshv_delta(s1.map.calls, s0.map.calls));
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	EXPECT_EQ(0, r1.faults - r0.faults);
	EXPECT_EQ(0, r1.maps - r0.maps);
	EXPECT_EQ(self->stale0, s1.stale);
}

TEST_HARNESS_MAIN
