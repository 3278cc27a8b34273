// SPDX-License-Identifier: GPL-2.0-only
/*
 * A 1 TiB guest in a machine with a few GiB: one movable region of 1 TiB
 * (sparse anonymous memory, MAP_NORESERVE, THP allowed) at GPA 0, and a
 * 64-bit guest that writes a pattern into scattered 2 MiB chunks across
 * the whole TiB, more of them than the machine has memory, so that swap
 * (zram in the test VM) takes what does not fit.  Then:
 *
 *  1. the guest verifies every chunk (4 checks per 4 KiB page) and counts
 *     the pages that differ;
 *  2. the VMM compares every page, all 4 KiB of it, through its own
 *     mapping, and gives every page a new stamp;
 *  3. the guest verifies the new stamps: a SLAT entry still naming the
 *     page that held the data before it was swapped out and in again
 *     shows the old stamp.
 *
 * Each 4 KiB page at guest physical address G holds, with seed S:
 *
 *   0x000  G ^ S
 *   0x008  1 KiB of random bytes: block B of the pool (B from a hash of G)
 *   0x408  the sum of block B's 128 words, ^ G (a checksum)
 *   0xff8  ~(G ^ S)
 *
 * and zeros elsewhere: it compresses to about a third, so that zram both
 * works and holds a lot.  A lost page reads as zeros, a stale one carries
 * another address or seed.
 *
 * The size: MSHV_TIB_CHUNKS chunks, or else MSHV_TIB_PERCENT (default
 * 125) percent of MemTotal.  The test needs swap for what does not fit
 * (it skips when SwapTotal is smaller than the data) and prints, after
 * the writing pass (the peak), the "bench: guest_1tib_*" lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mshv_region_common.h"
#include "mshv_paging.h"
#include "mshv_guest_1tib_test.h"

#define SZ_1T		0x10000000000ULL
#define NR_CHUNKS_1T	(SZ_1T / SZ_2M)

/* Guest physical layout (the low 16 MiB are identity-mapped, 2 MiB pages) */
#define CODE_GPA	0x1000ULL
#define GDT_GPA		0x2000ULL
#define CTL_GPA		0x3000ULL	/* struct tib_ctl */
#define SUMS_GPA	0x4000ULL	/* checksum of each pool block */
#define TABLE_GPA	0x10000ULL	/* chunk GPAs, u64 each */
#define TABLE_MAX	((POOL_GPA - TABLE_GPA) / 8)
#define POOL_GPA	0x100000ULL	/* 1 MiB of random bytes */
#define POOL_SIZE	0x100000ULL
#define BLOCK		1024ULL
#define NR_BLOCKS	(POOL_SIZE / BLOCK)
#define PT_GPA		0x200000ULL	/* guest page tables */
#define PT_SIZE		0x600000ULL
#define LOW_SIZE	0x1000000ULL	/* data chunks start above */
#define LOW_CHUNKS	(LOW_SIZE / SZ_2M)

#define SUM_OFF		0x408
#define HASH_MUL	0x9E3779B97F4A7C15ULL
#define CHUNK_MUL	0x5DEECE66DULL	/* odd: i -> chunk is one-to-one */
#define CHUNK_ADD	0x2545FULL

enum tib_mode { TIB_WRITE = 1, TIB_VERIFY = 2 };

/* The guest's parameters (written by the VMM) and results */
struct tib_ctl {
	__u64 mismatches;
	__u64 first_bad;	/* GPA of the first page that differed */
	__u64 pages;		/* pages written or verified */
	__u64 table;		/* parameters: loaded into r15 ... r11 */
	__u64 nr_chunks;
	__u64 seed;
	__u64 pool;
	__u64 sums;
	__u64 mode;		/* enum tib_mode */
	__u64 mul;		/* HASH_MUL */
};

/*
 * The guest program (64-bit, position-independent), with rbp pointing to
 * its struct tib_ctl, loads
 *   r15  chunk table   r14  number of chunks   rdx  seed
 *   rbx  pool          r9   block sums
 *   r8   enum tib_mode r11  HASH_MUL
 * For each 4 KiB page G (r13) of each chunk: block offset
 * r12 = ((G >> 12) * HASH_MUL >> 40) & (POOL_SIZE - BLOCK); write or
 * verify the page (see the top of the file), count it; HLT at the end.
 */
__asm__(".pushsection .rodata\n"
	"	.globl tib_code, tib_code_end\n"
	"tib_code:\n"
	"	movq 24(%rbp), %r15\n"
	"	movq 32(%rbp), %r14\n"
	"	movq 40(%rbp), %rdx\n"
	"	movq 48(%rbp), %rbx\n"
	"	movq 56(%rbp), %r9\n"
	"	movq 64(%rbp), %r8\n"
	"	movq 72(%rbp), %r11\n"
	"	testq %r14, %r14\n"
	"	jz 9f\n"
	"1:	movq (%r15), %r13\n"
	"	addq $8, %r15\n"
	"	movl $512, %r10d\n"
	"2:	movq %r13, %rax\n"
	"	shrq $12, %rax\n"
	"	imulq %r11, %rax\n"
	"	shrq $40, %rax\n"
	"	andl $0xffc00, %eax\n"
	"	movq %rax, %r12\n"
	"	movq %r13, %rcx\n"
	"	xorq %rdx, %rcx\n"
	"	cmpq $1, %r8\n"
	"	jne 4f\n"
	/* write */
	"	movq %rcx, (%r13)\n"
	"	notq %rcx\n"
	"	movq %rcx, 4088(%r13)\n"
	"	leaq (%rbx,%r12), %rsi\n"
	"	leaq 8(%r13), %rdi\n"
	"	movl $128, %ecx\n"
	"	rep movsq\n"
	"	shrq $10, %r12\n"
	"	movq (%r9,%r12,8), %rax\n"
	"	xorq %r13, %rax\n"
	"	movq %rax, (%rdi)\n"
	"	jmp 6f\n"
	/* verify */
	"4:	cmpq %rcx, (%r13)\n"
	"	jne 5f\n"
	"	notq %rcx\n"
	"	cmpq %rcx, 4088(%r13)\n"
	"	jne 5f\n"
	"	movq %r12, %rax\n"
	"	shrq $10, %rax\n"
	"	movq (%r9,%rax,8), %rax\n"
	"	xorq %r13, %rax\n"
	"	cmpq %rax, 1032(%r13)\n"
	"	jne 5f\n"
	"	movq %r13, %rcx\n"
	"	shrq $12, %rcx\n"
	"	andl $127, %ecx\n"
	"	addq %rbx, %r12\n"
	"	movq (%r12,%rcx,8), %rax\n"
	"	cmpq %rax, 8(%r13,%rcx,8)\n"
	"	je 6f\n"
	"5:	incq (%rbp)\n"
	"	cmpq $0, 8(%rbp)\n"
	"	jne 6f\n"
	"	movq %r13, 8(%rbp)\n"
	"6:	incq 16(%rbp)\n"
	"	addq $4096, %r13\n"
	"	decl %r10d\n"
	"	jnz 2b\n"
	"	decq %r14\n"
	"	jnz 1b\n"
	"9:	hlt\n"
	"tib_code_end:\n"
	"	.popsection\n");

static __u64 block_of(__u64 gpa)
{
	return ((gpa >> 12) * HASH_MUL >> 40) & (POOL_SIZE - BLOCK);
}

/* The page the guest writes at @gpa with @seed (pool, sums: host copies) */
static void expected_page(__u64 *out, __u64 gpa, __u64 seed,
			  const __u8 *pool, const __u64 *sums)
{
	__u64 blk = block_of(gpa);

	memset(out, 0, PAGE);
	out[0] = gpa ^ seed;
	memcpy(&out[1], pool + blk, BLOCK);
	out[SUM_OFF / 8] = sums[blk / BLOCK] ^ gpa;
	out[PAGE / 8 - 1] = ~(gpa ^ seed);
}

static __u64 meminfo_kb(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	size_t len = strlen(field);
	char line[128];
	__u64 v = 0;
	bool found = false;

	MSHV_TEST_ASSERT(f, "cannot open /proc/meminfo");
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			found = sscanf(line + len + 1, "%llu",
				       (unsigned long long *)&v) == 1;
	fclose(f);
	MSHV_TEST_ASSERT(found, "no %s in /proc/meminfo", field);
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __u64 env_u64(const char *name, __u64 def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/**
 * struct tib - the partition, its 1 TiB region and the chunks used
 * @vm: the partition (its mem fields describe the region)
 * @vp: its VP
 * @pg: the guest's page tables
 * @m: the region's backing
 * @partition: the partition id
 * @chunks: GPAs of the chunks (the guest's table, in guest memory)
 * @nr_chunks: how many
 * @sums: checksum of each pool block
 * @stale0: hvsim/stale_accesses before the test
 * @lost0: hvsim/lost_writes before the test
 */
struct tib {
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	struct mshv_paging pg;
	struct mshv_hostmem m;
	__u64 partition;
	__u64 *chunks;
	__u64 nr_chunks;
	__u64 sums[NR_BLOCKS];
	__u64 stale0, lost0;
};

FIXTURE(tib)
{
	struct tib t;
};

FIXTURE_SETUP(tib)
{
	struct tib *t = &self->t;
	__u64 mem_kb = meminfo_kb("MemTotal"), swap_kb = meminfo_kb("SwapTotal");
	__u64 i, k, x = 0x853C49E6748FEA9BULL, *w;
	__u8 *pool;

	t->nr_chunks = mshv_div_up(mem_kb * env_u64("MSHV_TIB_PERCENT", 125),
				   100 * (SZ_2M >> 10));
	t->nr_chunks = env_u64("MSHV_TIB_CHUNKS", t->nr_chunks);
	ASSERT_GT(t->nr_chunks, 0);
	ASSERT_LE(t->nr_chunks, TABLE_MAX);
	if (swap_kb < t->nr_chunks * (SZ_2M >> 10))
		SKIP(return, "%llu MiB of data need as much swap (%llu kB)",
		     (unsigned long long)t->nr_chunks * 2,
		     (unsigned long long)swap_kb);

	ASSERT_TRUE(mshv_hostmem_alloc(&t->m, BACK_SPARSE, SZ_1T, 0)) {
		TH_LOG("mmap of 1 TiB (MAP_NORESERVE): %s", strerror(errno));
	}
	t->vm = mshv_vm_create();
	/* the backing stays the test's; the library finds it for writes */
	mshv_vm_add_region(t->vm, 0, SZ_1T, t->m.hva, RWX);
	/* and the page-table helpers find it as the VM's main region */
	t->vm->mem = t->m.hva;
	t->vm->mem_gpa = 0;
	t->vm->mem_size = SZ_1T;
	t->partition = mshv_dbg_newest_partition();
	t->vp = mshv_vp_create(t->vm, 0);

	/* the pool: random bytes, and the sum of each block */
	pool = (__u8 *)t->m.hva + POOL_GPA;
	w = (__u64 *)pool;
	for (i = 0; i < POOL_SIZE / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
	memset(t->sums, 0, sizeof(t->sums));
	for (i = 0; i < POOL_SIZE / 8; i++)
		t->sums[i * 8 / BLOCK] += w[i];
	mshv_vm_write(t->vm, SUMS_GPA, t->sums, sizeof(t->sums));

	/* chunks scattered over the TiB: i -> (a * i + b) mod 2^19 */
	t->chunks = (__u64 *)(t->m.hva + TABLE_GPA);
	mshv_paging_init(&t->pg, t->vm, PT_GPA, PT_SIZE);
	mshv_paging_map(&t->pg, 0, 0, LOW_SIZE, MSHV_PAGE_2M);
	for (i = 0, k = 0; k < t->nr_chunks; i++) {
		__u64 c = (CHUNK_MUL * i + CHUNK_ADD) % NR_CHUNKS_1T;

		if (c < LOW_CHUNKS)
			continue;
		t->chunks[k++] = c * SZ_2M;
		mshv_paging_map(&t->pg, c * SZ_2M, c * SZ_2M, SZ_2M,
				MSHV_PAGE_2M);
	}
	mshv_vm_write(t->vm, CODE_GPA, tib_code, tib_code_end - tib_code);
	mshv_vp_enter_long_mode(t->vp, &t->pg, GDT_GPA);
	t->stale0 = mshv_dbg_stale_accesses_get();
	t->lost0 = mshv_dbg_lost_writes_get();
}

FIXTURE_TEARDOWN(tib)
{
	struct tib *t = &self->t;

	if (t->vp)
		mshv_vp_free(t->vp);
	if (t->vm) {
		mshv_unmap_guest_memory(t->vm->fd, 0, t->m.hva, SZ_1T);
		t->vm->mem = NULL;
		mshv_vm_free(t->vm);
	}
	mshv_hostmem_free(&t->m);
}

/* One pass of the guest over every chunk; returns its struct tib_ctl */
static struct tib_ctl guest_pass(struct __test_metadata *_metadata,
				 struct tib *t, enum tib_mode mode,
				 __u64 seed)
{
	struct tib_ctl *ctl = (struct tib_ctl *)(t->m.hva + CTL_GPA);
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RBP, .value.reg64 = CTL_GPA },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	const struct hv_x64_halt_message *h;

	*ctl = (struct tib_ctl){
		.table = TABLE_GPA, .nr_chunks = t->nr_chunks,
		.seed = seed, .pool = POOL_GPA, .sums = SUMS_GPA,
		.mode = mode, .mul = HASH_MUL,
	};
	mshv_vp_set_registers(t->vp, regs, ARRAY_SIZE(regs));
	h = mshv_vp_run_expect_halt(t->vp);
	EXPECT_EQ(CODE_GPA + (tib_code_end - tib_code),
		  h->header.rip + 1);
	return *ctl;
}

/*
 * The VMM's pass: compare every page with what @seed wrote, count the
 * pages that differ, and stamp each page with @new_seed instead
 */
static __u64 host_pass(struct tib *t, __u64 seed, __u64 new_seed)
{
	const __u8 *pool = (const __u8 *)t->m.hva + POOL_GPA;
	__u64 want[PAGE / 8], bad = 0, c, g;

	for (c = 0; c < t->nr_chunks; c++) {
		for (g = t->chunks[c]; g < t->chunks[c] + SZ_2M;
		     g += PAGE) {
			__u64 *p = (__u64 *)(t->m.hva + g);

			expected_page(want, g, seed, pool, t->sums);
			if (memcmp(p, want, PAGE)) {
				if (!bad)
					printf("# host: page %#llx differs\n",
					       (unsigned long long)g);
				bad++;
			}
			p[0] = g ^ new_seed;
			p[PAGE / 8 - 1] = ~(g ^ new_seed);
		}
	}
	return bad;
}

TEST_F_TIMEOUT(tib, scattered_chunks_over_ram, 14400)
{
	struct tib *t = &self->t;
	const __u64 seed = 0x5EED0001ULL, seed2 = 0xD1FF0002ULL;
	__u64 pages = t->nr_chunks * PAGES_2M, swap_kb, rss_kb, hwm_kb;
	__u64 bad, bad_host;
	struct mshv_dbg_root_partition rp;
	struct mshv_dbg_partition pt;
	struct mshv_dbg_region rg;
	struct tib_ctl ctl;
	double t0, secs;

	TH_LOG("%llu chunks of 2 MiB (%llu MiB) over 1 TiB; MemTotal %llu kB, SwapTotal %llu kB",
	       (unsigned long long)t->nr_chunks,
	       (unsigned long long)t->nr_chunks * 2,
	       (unsigned long long)meminfo_kb("MemTotal"),
	       (unsigned long long)meminfo_kb("SwapTotal"));
	/* more data than memory: swap must take part of it */
	ASSERT_GT(t->nr_chunks * (SZ_2M >> 10), meminfo_kb("MemTotal"));

	t0 = now();
	ctl = guest_pass(_metadata, t, TIB_WRITE, seed);
	secs = now() - t0;
	EXPECT_EQ(pages, ctl.pages);
	EXPECT_EQ(0, ctl.mismatches);

	/* the peak */
	swap_kb = meminfo_kb("SwapTotal") - meminfo_kb("SwapFree");
	rss_kb = mshv_proc_status_kb("VmRSS");
	hwm_kb = mshv_proc_status_kb("VmHWM");
	rp = mshv_dbg_root_partition_get(t->partition);
	rg = mshv_dbg_region_get(t->partition, 0);
	pt = mshv_dbg_partition_get(t->partition);
	printf("bench: guest_1tib_data_mb %llu MiB (MemTotal %llu MiB)\n",
	       (unsigned long long)t->nr_chunks * 2,
	       (unsigned long long)meminfo_kb("MemTotal") >> 10);
	printf("bench: guest_1tib_write_s %.1f s\n", secs);
	printf("bench: guest_1tib_peak_rss_kb %llu kB (VmRSS now %llu kB)\n",
	       (unsigned long long)hwm_kb, (unsigned long long)rss_kb);
	printf("bench: guest_1tib_swap_kb %llu kB\n",
	       (unsigned long long)swap_kb);
	printf("bench: guest_1tib_driver_bytes %llu bytes (region metadata %llu bytes)\n",
	       (unsigned long long)rp.driver_bytes,
	       (unsigned long long)rg.meta_bytes);
	printf("bench: guest_1tib_slat_pages %llu pages (leaves: %llu 4 KiB, %llu 2 MiB)\n",
	       (unsigned long long)pt.slat_tables,
	       (unsigned long long)pt.slat_4k, (unsigned long long)pt.slat_2m);
	printf("# region: %llu faults, %llu maps, %llu unmaps, %llu invalidations\n",
	       (unsigned long long)rg.faults, (unsigned long long)rg.maps,
	       (unsigned long long)rg.unmaps,
	       (unsigned long long)rg.invalidations);
	EXPECT_GT(swap_kb, 0);
	EXPECT_NE(~0ULL, pt.slat_tables);

	/* 1. the guest reads everything back */
	t0 = now();
	ctl = guest_pass(_metadata, t, TIB_VERIFY, seed);
	printf("bench: guest_1tib_verify_s %.1f s\n", now() - t0);
	bad = ctl.mismatches + pages - ctl.pages;
	EXPECT_EQ(pages, ctl.pages);
	EXPECT_EQ(0, ctl.mismatches) {
		TH_LOG("first page that differed: GPA %#llx",
		       (unsigned long long)ctl.first_bad);
	}

	/* 2. the VMM compares every byte and stamps the pages anew */
	t0 = now();
	bad_host = host_pass(t, seed, seed2);
	EXPECT_EQ(0, bad_host);
	printf("# host pass: %.1f s\n", now() - t0);

	/* 3. the guest sees the VMM's stamps, not a stale copy */
	t0 = now();
	ctl = guest_pass(_metadata, t, TIB_VERIFY, seed2);
	printf("# guest pass over the new stamps: %.1f s\n", now() - t0);
	bad += pages - ctl.pages;
	EXPECT_EQ(pages, ctl.pages);
	EXPECT_EQ(0, ctl.mismatches) {
		TH_LOG("first page that differed: GPA %#llx",
		       (unsigned long long)ctl.first_bad);
	}

	rg = mshv_dbg_region_get(t->partition, 0);
	pt = mshv_dbg_partition_get(t->partition);
	printf("# after: region %llu faults, %llu maps, %llu unmaps, %llu invalidations\n",
	       (unsigned long long)rg.faults, (unsigned long long)rg.maps,
	       (unsigned long long)rg.unmaps,
	       (unsigned long long)rg.invalidations);
	printf("# after: SLAT %llu table pages, %llu + %llu leaves; swap %llu kB\n",
	       (unsigned long long)pt.slat_tables,
	       (unsigned long long)pt.slat_4k, (unsigned long long)pt.slat_2m,
	       (unsigned long long)(meminfo_kb("SwapTotal") -
				    meminfo_kb("SwapFree")));
	printf("# 1tib: %llu chunks of 2 MiB over 1 TiB, %llu MiB in %llu MiB of memory, ",
	       (unsigned long long)t->nr_chunks,
	       (unsigned long long)t->nr_chunks * 2,
	       (unsigned long long)meminfo_kb("MemTotal") >> 10);
	printf("%llu pages verified 3 times, %llu mismatches\n",
	       (unsigned long long)pages,
	       (unsigned long long)(bad + bad_host + ctl.mismatches));
	EXPECT_EQ(0, mshv_dbg_stale_entries_get());
	EXPECT_EQ(t->stale0, mshv_dbg_stale_accesses_get());
	EXPECT_EQ(t->lost0, mshv_dbg_lost_writes_get());
}

TEST_HARNESS_MAIN
