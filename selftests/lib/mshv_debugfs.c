// SPDX-License-Identifier: GPL-2.0-only
/*
 * Readers for the hvsim and mshv_root debugfs files and a few /proc and
 * /sys helpers used by the region selftests and benchmarks.  See
 * mshv_debugfs.h for the file formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_lib.h"
#include "mshv_debugfs.h"

/* Parses one line of a debugfs file into an element; 0 or -1 */
typedef int (*dbg_parse_fn)(const char *line, void *elem);

/*
 * Parse every line of @path into @out (elements of @size bytes, at most
 * @max of them; lines beyond @max are parsed but not kept).  Returns the
 * number of lines, or -1 with errno set (EPROTO: a line does not parse).
 */
static int dbg_lines(const char *path, dbg_parse_fn parse, void *out,
		     size_t size, int max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	void *spare;
	int n = 0;

	if (!f)
		return -1;
	spare = malloc(size);
	if (!spare) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (parse(line, n < max ? (char *)out + n * size : spare)) {
			errno = EPROTO;
			n = -1;
			break;
		}
		n++;
	}
	fclose(f);
	free(spare);
	return n;
}

/*
 * The first line of @path whose element @match()es @key, parsed into
 * @out.  Returns 0, or -1 with errno set (ENOENT: no such line, EPROTO: a
 * line does not parse).
 */
static int dbg_find(const char *path, dbg_parse_fn parse,
		    bool (*match)(const void *elem, const void *key),
		    const void *key, void *out)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int ret = -1;

	if (!f)
		return -1;
	errno = ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (parse(line, out)) {
			errno = EPROTO;
			break;
		}
		if (match(out, key)) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/**
 * mshv_dbg_hypercall() - counters of one hypercall code
 * @code: HVCALL_*
 * @out: receives the line's calls and reps
 *
 * Return: 0, or -1 with errno ENOENT (no file or no such code) or EPROTO
 * (a line that does not parse).
 */
int mshv_dbg_hypercall(__u16 code, struct mshv_hc_count *out)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/hypercalls", "r");
	char line[256], name[64];
	unsigned int c;
	unsigned long long calls, reps;
	int ret = -1;

	if (!f)
		return -1;
	errno = ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%x %63s %llu %llu", &c, name, &calls,
			   &reps) != 4) {
			errno = EPROTO;
			break;
		}
		if (c == code) {
			out->calls = calls;
			out->reps = reps;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/**
 * mshv_dbg_hypercall_get() - counters of one hypercall code, failing the
 *	test if they cannot be read
 * @code: HVCALL_*
 *
 * Return: the counters.
 */
struct mshv_hc_count mshv_dbg_hypercall_get(__u16 code)
{
	struct mshv_hc_count c;

	MSHV_TEST_ASSERT(mshv_dbg_hypercall(code, &c) == 0,
			 "no line for hypercall %#x in %s/hypercalls", code,
			 MSHV_DBG_HVSIM);
	return c;
}

static int parse_partition(const char *line, void *elem)
{
	struct mshv_dbg_partition *p = elem;
	unsigned long long v[6];
	const char *field;

	if (sscanf(line,
		   "id=%llx pool_pages=%llu pool_free=%llu slat_4k=%llu slat_2m=%llu gpa_faults=%llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	p->id = v[0];
	p->pool_pages = v[1];
	p->pool_free = v[2];
	p->slat_4k = v[3];
	p->slat_2m = v[4];
	p->gpa_faults = v[5];
	field = strstr(line, " dispatches=");
	if (!field || sscanf(field, " dispatches=%llu", &v[0]) != 1)
		v[0] = ~0ULL;
	p->dispatches = v[0];
	field = strstr(line, " refused=");
	if (!field || sscanf(field, " refused=%llu", &v[0]) != 1)
		v[0] = ~0ULL;
	p->refused = v[0];
	field = strstr(line, " slat_tables=");
	if (!field || sscanf(field, " slat_tables=%llu", &v[0]) != 1)
		v[0] = ~0ULL;
	p->slat_tables = v[0];
	return 0;
}

static bool partition_has_id(const void *elem, const void *key)
{
	return ((const struct mshv_dbg_partition *)elem)->id ==
	       *(const __u64 *)key;
}

/**
 * mshv_dbg_partitions() - every line of hvsim/partitions
 * @out: receives up to @max lines, in creation order
 * @max: size of @out
 *
 * Return: the number of live partitions (which may exceed @max), or -1
 * with errno set.
 */
int mshv_dbg_partitions(struct mshv_dbg_partition *out, int max)
{
	return dbg_lines(MSHV_DBG_HVSIM "/partitions", parse_partition, out,
			 sizeof(*out), max);
}

/**
 * mshv_dbg_partition() - the hvsim/partitions line of partition @id
 * @id: partition id
 * @out: receives the line
 *
 * Return: 0, or -1 with errno set (ENOENT: no such partition).
 */
int mshv_dbg_partition(__u64 id, struct mshv_dbg_partition *out)
{
	return dbg_find(MSHV_DBG_HVSIM "/partitions", parse_partition,
			partition_has_id, &id, out);
}

/**
 * mshv_dbg_partition_get() - like mshv_dbg_partition(), failing the test if
 *	the line cannot be read
 * @id: partition id
 *
 * Return: the line.
 */
struct mshv_dbg_partition mshv_dbg_partition_get(__u64 id)
{
	struct mshv_dbg_partition p;

	MSHV_TEST_ASSERT(mshv_dbg_partition(id, &p) == 0,
			 "partition %#llx not in %s/partitions",
			 (unsigned long long)id, MSHV_DBG_HVSIM);
	return p;
}

/**
 * mshv_dbg_newest_partition() - id of the partition created last
 *
 * hvsim lists partitions in creation order; a test that has just created
 * its partition (and runs alone) finds it on the last line.
 *
 * Return: the id; fails the test if there is no partition.
 */
__u64 mshv_dbg_newest_partition(void)
{
	struct mshv_dbg_partition p[64];
	int n = mshv_dbg_partitions(p, 64);

	MSHV_TEST_ASSERT(n > 0 && n <= 64, "%s/partitions: %d lines",
			 MSHV_DBG_HVSIM, n);
	return p[n - 1].id;
}

/**
 * mshv_read_u64_file() - read one decimal number from a file
 * @path: the file
 * @out: receives the number
 *
 * Return: 0, or -1 with errno set.
 */
int mshv_read_u64_file(const char *path, __u64 *out)
{
	FILE *f = fopen(path, "r");
	unsigned long long v;
	int ret = 0;

	if (!f)
		return -1;
	if (fscanf(f, "%llu", &v) != 1) {
		errno = EPROTO;
		ret = -1;
	} else {
		*out = v;
	}
	fclose(f);
	return ret;
}

/**
 * mshv_write_file() - write @text to @path in one write(2)
 * @path: the file
 * @text: what to write
 *
 * Return: 0, or -1 with errno set.
 */
int mshv_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	close(fd);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/**
 * mshv_numa_balancing_set() - set /proc/sys/kernel/numa_balancing
 * @mode: the new mode (0 switches automatic NUMA balancing off)
 *
 * The test VM has two (fake) NUMA nodes, so automatic NUMA balancing
 * scans the test process: every second it makes a range of its memory
 * inaccessible for hinting faults, which invalidates (and unmaps) guest
 * memory at random points.  Whatever counts exact faults or mappings
 * switches it off first and restores the old mode afterwards.  Nothing
 * is written when the mode is already @mode or the file is missing.
 *
 * Return: the previous mode (0 when unknown).
 */
__u64 mshv_numa_balancing_set(__u64 mode)
{
	static const char path[] = "/proc/sys/kernel/numa_balancing";
	__u64 old = 0;
	char buf[32];

	if (mshv_read_u64_file(path, &old) || old == mode)
		return old;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)mode);
	mshv_write_file(path, buf);
	return old;
}

/**
 * mshv_dbg_stale_accesses() - read hvsim/stale_accesses
 * @out: receives the count
 *
 * Return: 0, or -1 with errno set.
 */
int mshv_dbg_stale_accesses(__u64 *out)
{
	return mshv_read_u64_file(MSHV_DBG_HVSIM "/stale_accesses", out);
}

/**
 * mshv_dbg_stale_accesses_get() - read hvsim/stale_accesses, failing the
 *	test if it cannot be read
 *
 * Return: the count.
 */
__u64 mshv_dbg_stale_accesses_get(void)
{
	__u64 v;

	MSHV_TEST_ASSERT(mshv_dbg_stale_accesses(&v) == 0,
			 "cannot read %s/stale_accesses", MSHV_DBG_HVSIM);
	return v;
}

/**
 * mshv_dbg_lost_writes_get() - read hvsim/lost_writes (guest writes the
 *	lost-write checker caught), failing the test if it cannot be read
 *
 * Return: the count.
 */
__u64 mshv_dbg_lost_writes_get(void)
{
	__u64 v;

	MSHV_TEST_ASSERT(mshv_read_u64_file(MSHV_DBG_HVSIM "/lost_writes",
					    &v) == 0,
			 "cannot read %s/lost_writes", MSHV_DBG_HVSIM);
	return v;
}

/**
 * mshv_dbg_stale_entries_get() - read hvsim/stale_entries (which first
 *	audits the live partitions), failing the test if it cannot be read
 *
 * Return: the count.
 */
__u64 mshv_dbg_stale_entries_get(void)
{
	__u64 v;

	MSHV_TEST_ASSERT(mshv_read_u64_file(MSHV_DBG_HVSIM "/stale_entries",
					    &v) == 0,
			 "cannot read %s/stale_entries", MSHV_DBG_HVSIM);
	return v;
}

/**
 * mshv_dbg_inject() - write one rule to hvsim/inject
 * @rule: e.g. "fail 0x4b 1 0xb", "max_reps 0x4c 7", "pool_cap 64", "clear"
 *
 * Return: 0, or -1 with errno set.
 */
int mshv_dbg_inject(const char *rule)
{
	return mshv_write_file(MSHV_DBG_HVSIM "/inject", rule);
}

static int parse_region(const char *line, void *elem)
{
	struct mshv_dbg_region *r = elem;
	unsigned long long v[8];

	if (sscanf(line,
		   "partition=%llx gfn=%llx pages=%llu type=%15s meta_bytes=%llu faults=%llu maps=%llu unmaps=%llu invalidations=%llu",
		   &v[0], &v[1], &v[2], r->type, &v[3], &v[4], &v[5], &v[6],
		   &v[7]) != 9)
		return -1;
	r->partition = v[0];
	r->gfn = v[1];
	r->pages = v[2];
	r->meta_bytes = v[3];
	r->faults = v[4];
	r->maps = v[5];
	r->unmaps = v[6];
	r->invalidations = v[7];
	return 0;
}

static bool region_is(const void *elem, const void *key)
{
	const struct mshv_dbg_region *r = elem, *k = key;

	return r->partition == k->partition && r->gfn == k->gfn;
}

/**
 * mshv_dbg_regions() - every line of mshv_root/regions
 * @out: receives up to @max lines
 * @max: size of @out
 *
 * Return: the number of regions (which may exceed @max), or -1 with errno
 * set.
 */
int mshv_dbg_regions(struct mshv_dbg_region *out, int max)
{
	return dbg_lines(MSHV_DBG_ROOT "/regions", parse_region, out,
			 sizeof(*out), max);
}

/**
 * mshv_dbg_region() - the mshv_root/regions line of one region
 * @partition: partition id
 * @gfn: the region's first guest page frame number
 * @out: receives the line
 *
 * Return: 0, or -1 with errno set (ENOENT: no such region).
 */
int mshv_dbg_region(__u64 partition, __u64 gfn, struct mshv_dbg_region *out)
{
	const struct mshv_dbg_region key = { .partition = partition,
					     .gfn = gfn };

	return dbg_find(MSHV_DBG_ROOT "/regions", parse_region, region_is,
			&key, out);
}

/**
 * mshv_dbg_region_get() - like mshv_dbg_region(), failing the test if the
 *	line cannot be read
 * @partition: partition id
 * @gfn: the region's first guest page frame number
 *
 * Return: the line.
 */
struct mshv_dbg_region mshv_dbg_region_get(__u64 partition, __u64 gfn)
{
	struct mshv_dbg_region r;

	MSHV_TEST_ASSERT(mshv_dbg_region(partition, gfn, &r) == 0,
			 "no region partition=%#llx gfn=%#llx in %s/regions",
			 (unsigned long long)partition,
			 (unsigned long long)gfn, MSHV_DBG_ROOT);
	return r;
}

/* One line of mshv_root/partitions */
static int parse_root_partition(const char *line, void *elem)
{
	unsigned long long id, pages, bytes;
	struct mshv_dbg_root_partition *p = elem;

	if (sscanf(line, "id=%llx deposited_pages=%llu driver_bytes=%llu",
		   &id, &pages, &bytes) != 3)
		return -1;
	p->id = id;
	p->deposited_pages = pages;
	p->driver_bytes = bytes;
	return 0;
}

static bool root_partition_has_id(const void *elem, const void *key)
{
	return ((const struct mshv_dbg_root_partition *)elem)->id ==
	       *(const __u64 *)key;
}

/**
 * mshv_dbg_root_partition() - the mshv_root/partitions line of a partition
 * @partition: partition id
 * @out: receives the line
 *
 * Return: 0, or -1 with errno set (ENOENT: no such partition).
 */
int mshv_dbg_root_partition(__u64 partition,
			    struct mshv_dbg_root_partition *out)
{
	return dbg_find(MSHV_DBG_ROOT "/partitions", parse_root_partition,
			root_partition_has_id, &partition, out);
}

/**
 * mshv_dbg_root_partition_get() - like mshv_dbg_root_partition(), failing
 *	the test if the line cannot be read
 * @partition: partition id
 *
 * Return: the line.
 */
struct mshv_dbg_root_partition mshv_dbg_root_partition_get(__u64 partition)
{
	struct mshv_dbg_root_partition p;

	MSHV_TEST_ASSERT(mshv_dbg_root_partition(partition, &p) == 0,
			 "partition %#llx not in %s/partitions",
			 (unsigned long long)partition, MSHV_DBG_ROOT);
	return p;
}

/**
 * mshv_dbg_deposited() - pages mshv_root has deposited into a partition
 *	and not withdrawn (its line of mshv_root/partitions)
 * @partition: partition id
 * @pages: receives the count
 *
 * Return: 0, or -1 with errno set (ENOENT: no such partition).
 */
int mshv_dbg_deposited(__u64 partition, __u64 *pages)
{
	struct mshv_dbg_root_partition p;

	if (mshv_dbg_root_partition(partition, &p))
		return -1;
	*pages = p.deposited_pages;
	return 0;
}

/**
 * mshv_dbg_deposited_get() - like mshv_dbg_deposited(), failing the test
 *	if the line cannot be read
 * @partition: partition id
 *
 * Return: the count.
 */
__u64 mshv_dbg_deposited_get(__u64 partition)
{
	return mshv_dbg_root_partition_get(partition).deposited_pages;
}

/**
 * mshv_dbg_sizes_get() - mshv_root/sizes, failing the test if it cannot be
 *	read
 *
 * Return: the sizes.
 */
struct mshv_dbg_sizes mshv_dbg_sizes_get(void)
{
	FILE *f = fopen(MSHV_DBG_ROOT "/sizes", "r");
	unsigned long long v[7];
	struct mshv_dbg_sizes z;
	int n = -1;

	MSHV_TEST_ASSERT(f, "open %s/sizes", MSHV_DBG_ROOT);
	n = fscanf(f, "partition=%llu vp=%llu region=%llu vp_fault=%llu",
		   &v[0], &v[1], &v[2], &v[3]);
	if (n == 4)
		n += fscanf(f, " irqfd=%llu ioeventfd=%llu fault_bufs=%llu",
			    &v[4], &v[5], &v[6]);
	fclose(f);
	MSHV_TEST_ASSERT(n == 7, "%s/sizes: %d fields", MSHV_DBG_ROOT, n);
	z.partition = v[0];
	z.vp = v[1];
	z.region = v[2];
	z.vp_fault = v[3];
	z.irqfd = v[4];
	z.ioeventfd = v[5];
	z.fault_bufs = v[6];
	return z;
}

/**
 * mshv_snap() - read every counter a region test compares
 * @partition: partition id
 * @s: receives the counters
 */
void mshv_snap(__u64 partition, struct mshv_snap *s)
{
	s->pt = mshv_dbg_partition_get(partition);
	s->map = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	s->unmap = mshv_dbg_hypercall_get(HVCALL_UNMAP_GPA_PAGES);
	s->stale = mshv_dbg_stale_accesses_get();
}

/**
 * mshv_pin_regions() - the mshv_root.pin_regions module parameter
 *
 * Return: true if regions are pinned (parameter 1 or Y); false if it is 0
 * or N or the parameter does not exist.
 */
bool mshv_pin_regions(void)
{
	FILE *f = fopen("/sys/module/mshv_root/parameters/pin_regions", "r");
	int c;

	if (!f)
		return false;
	c = fgetc(f);
	fclose(f);
	return c == '1' || c == 'Y' || c == 'y';
}

/**
 * mshv_map_resident_set() - set the mshv_root.map_resident module parameter
 * @on: map the resident backing of new movable regions at creation
 *
 * Return: the previous setting (true when the parameter does not exist).
 */
bool mshv_map_resident_set(bool on)
{
	const char *path = "/sys/module/mshv_root/parameters/map_resident";
	FILE *f = fopen(path, "r");
	int c = 'Y';

	if (f) {
		c = fgetc(f);
		fclose(f);
		mshv_write_file(path, on ? "Y" : "N");
	}
	return c == '1' || c == 'Y' || c == 'y';
}

/**
 * mshv_proc_status_kb() - a "<field>: N kB" line of /proc/self/status
 * @field: e.g. "VmLck", "VmPin", "VmRSS"
 *
 * Return: N; fails the test if the field is missing.
 */
__u64 mshv_proc_status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t len = strlen(field);
	unsigned long long v = 0;
	char line[256];
	bool found = false;

	MSHV_TEST_ASSERT(f, "open /proc/self/status");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			found = sscanf(line + len + 1, "%llu", &v) == 1;
			break;
		}
	}
	fclose(f);
	MSHV_TEST_ASSERT(found, "no %s in /proc/self/status", field);
	return v;
}

/**
 * mshv_resident_pages() - how many pages of a mapping are resident
 * @addr: page-aligned start
 * @size: length in bytes
 *
 * Uses mincore(2): pages in the page cache or swap cache count as resident.
 *
 * Return: the number of resident 4 KiB pages; fails the test on error.
 */
size_t mshv_resident_pages(const void *addr, size_t size)
{
	size_t pages = (size + MSHV_PAGE_SIZE - 1) / MSHV_PAGE_SIZE;
	unsigned char *vec = malloc(pages);
	size_t i, n = 0;

	MSHV_TEST_ASSERT(vec, "out of memory");
	MSHV_TEST_ASSERT(mincore((void *)addr, size, vec) == 0,
			 "mincore(%p, %zu)", addr, size);
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

/**
 * mshv_dbg_irq_get() - hvsim/interrupts, failing the test if unreadable
 *
 * Return: the counters.
 */
struct mshv_dbg_irq mshv_dbg_irq_get(void)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/interrupts", "r");
	struct mshv_dbg_irq c = { 0 };
	unsigned long long v[8];
	int n = -1;

	MSHV_TEST_ASSERT(f, "cannot open %s/interrupts", MSHV_DBG_HVSIM);
	n = fscanf(f,
		   "asserted=%llu delivered=%llu eois=%llu apic_eoi_msgs=%llu halts=%llu wakes=%llu signal_msgs=%llu scanned=%llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	MSHV_TEST_ASSERT(n == 8, "%s/interrupts does not parse",
			 MSHV_DBG_HVSIM);
	c.asserted = v[0];
	c.delivered = v[1];
	c.eois = v[2];
	c.apic_eoi_msgs = v[3];
	c.halts = v[4];
	c.wakes = v[5];
	c.signal_msgs = v[6];
	c.scanned = v[7];
	return c;
}

/**
 * mshv_dbg_synic_get() - hvsim/root_synic counters summed over all CPUs,
 *	failing the test if unreadable
 *
 * Return: the sums.
 */
struct mshv_dbg_synic mshv_dbg_synic_get(void)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/root_synic", "r");
	struct mshv_dbg_synic c = { 0 };
	unsigned long long sint0, sint5, v[4];
	unsigned int cpu, scontrol, simp;
	char line[512];

	MSHV_TEST_ASSERT(f, "cannot open %s/root_synic", MSHV_DBG_HVSIM);
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line,
			       "cpu=%u scontrol=%u simp=%u sint0=%llx sint5=%llx posted=%llu queued=%llu dropped=%llu ring_full=%llu",
			       &cpu, &scontrol, &simp, &sint0, &sint5, &v[0],
			       &v[1], &v[2], &v[3]);

		MSHV_TEST_ASSERT(n == 9, "root_synic line does not parse: %s",
				 line);
		c.posted += v[0];
		c.queued += v[1];
		c.dropped += v[2];
		c.ring_full += v[3];
	}
	fclose(f);
	return c;
}

static int parse_port(const char *line, void *elem)
{
	struct mshv_dbg_port *p = elem;
	unsigned long long partition, gpa, signals;
	unsigned int port;

	if (sscanf(line, "port=%u partition=0x%llx gpa=0x%llx signals=%llu",
		   &port, &partition, &gpa, &signals) != 4)
		return -1;
	p->port = port;
	p->partition = partition;
	p->gpa = gpa;
	p->signals = signals;
	return 0;
}

static bool port_is(const void *elem, const void *key)
{
	const struct mshv_dbg_port *p = elem, *k = key;

	return p->partition == k->partition && p->gpa == k->gpa;
}

/**
 * mshv_dbg_ports() - every line of hvsim/ports
 * @out: receives up to @max lines
 * @max: size of @out
 *
 * Return: the number of ports (which may exceed @max), or -1 with errno
 * set (EPROTO: a line that does not parse).
 */
int mshv_dbg_ports(struct mshv_dbg_port *out, int max)
{
	return dbg_lines(MSHV_DBG_HVSIM "/ports", parse_port, out, sizeof(*out),
			 max);
}

/**
 * mshv_dbg_port_at() - the hvsim/ports line of the doorbell at @gpa
 * @partition: the connected partition
 * @gpa: the doorbell address
 * @out: receives the line
 *
 * Return: 0, or -1 with errno set (ENOENT: no such doorbell).
 */
int mshv_dbg_port_at(__u64 partition, __u64 gpa, struct mshv_dbg_port *out)
{
	const struct mshv_dbg_port key = { .partition = partition, .gpa = gpa };

	return dbg_find(MSHV_DBG_HVSIM "/ports", parse_port, port_is, &key, out);
}

/**
 * mshv_dbg_ports_of() - number of hvsim ports of a partition
 * @partition: partition id
 *
 * Fails the test if hvsim/ports cannot be read or holds more than 64.
 *
 * Return: how many ports hvsim/ports lists for @partition.
 */
int mshv_dbg_ports_of(__u64 partition)
{
	struct mshv_dbg_port p[64];
	int i, n = mshv_dbg_ports(p, 64), count = 0;

	MSHV_TEST_ASSERT(n >= 0 && n <= 64, "hvsim/ports: %d", n);
	for (i = 0; i < n; i++)
		count += p[i].partition == partition;
	return count;
}

/**
 * mshv_dbg_irq_field_get() - one "name=value" counter of hvsim/interrupts,
 *	failing the test if the file or the field is missing
 * @name: the counter's name, e.g. "ipis"
 *
 * Looks the field up by name, so that it works whatever other counters
 * the line carries.
 *
 * Return: the counter's value.
 */
__u64 mshv_dbg_irq_field_get(const char *name)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/interrupts", "r");
	char line[1024], key[64];
	unsigned long long v = 0;
	bool found = false;
	char *p;

	MSHV_TEST_ASSERT(f, "cannot open %s/interrupts", MSHV_DBG_HVSIM);
	p = fgets(line, sizeof(line), f);
	fclose(f);
	MSHV_TEST_ASSERT(p, "%s/interrupts is empty", MSHV_DBG_HVSIM);
	snprintf(key, sizeof(key), "%s=", name);
	for (p = line; (p = strstr(p, key)); p++) {
		if (p != line && p[-1] != ' ')
			continue;
		found = sscanf(p + strlen(key), "%llu", &v) == 1;
		break;
	}
	MSHV_TEST_ASSERT(found, "%s/interrupts has no %s", MSHV_DBG_HVSIM,
			 name);
	return v;
}

/**
 * mshv_dbg_async_get() - hvsim/async, failing the test if unreadable
 *
 * Return: the counters.
 */
struct mshv_dbg_async mshv_dbg_async_get(void)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/async", "r");
	struct mshv_dbg_async c = { 0 };
	unsigned long long v[4];
	int n;

	MSHV_TEST_ASSERT(f, "cannot open %s/async", MSHV_DBG_HVSIM);
	n = fscanf(f, "pending=%llu completed=%llu flushed=%llu owed=%llu",
		   &v[0], &v[1], &v[2], &v[3]);
	fclose(f);
	MSHV_TEST_ASSERT(n == 4, "%s/async does not parse", MSHV_DBG_HVSIM);
	c.pending = v[0];
	c.completed = v[1];
	c.flushed = v[2];
	c.owed = v[3];
	return c;
}

/**
 * mshv_dbg_vps_of() - number of VPs hvsim/vps lists for a partition
 * @partition: partition id
 *
 * Fails the test if hvsim/vps cannot be read.
 *
 * Return: the count.
 */
int mshv_dbg_vps_of(__u64 partition)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/vps", "r");
	unsigned long long id;
	char *line = NULL;
	size_t size = 0;
	int count = 0;

	MSHV_TEST_ASSERT(f, "cannot open %s/vps", MSHV_DBG_HVSIM);
	while (getline(&line, &size, f) > 0) {
		if (sscanf(line, "partition=%llx ", &id) == 1 &&
		    id == partition)
			count++;
	}
	free(line);
	fclose(f);
	return count;
}

/**
 * mshv_dbg_nr_partitions() - live partitions hvsim and mshv_root list
 * @hvsim: receives the lines of hvsim/partitions
 * @root: receives the lines of mshv_root/partitions
 *
 * Fails the test if either file cannot be read.
 */
void mshv_dbg_nr_partitions(int *hvsim, int *root)
{
	FILE *f = fopen(MSHV_DBG_ROOT "/partitions", "r");
	char line[256];

	*hvsim = mshv_dbg_partitions(NULL, 0);
	MSHV_TEST_ASSERT(*hvsim >= 0, "%s/partitions", MSHV_DBG_HVSIM);
	MSHV_TEST_ASSERT(f, "cannot open %s/partitions", MSHV_DBG_ROOT);
	*root = 0;
	while (fgets(line, sizeof(line), f))
		(*root)++;
	fclose(f);
}
