// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest fault latency through userfaultfd (Documentation/regions.rst), run
 * inside the test VM by `make bench`:
 *
 *   bench: uffd_fault_latency_ordinary      one guest write fault on a
 *                                           missing anonymous page
 *   bench: uffd_fault_latency_copy          the same page registered with
 *                                           userfaultfd (MISSING), resolved
 *                                           by a handler thread's UFFDIO_COPY
 *   bench: uffd_fault_latency_vs_ordinary   their ratio, same run
 *
 * Each guest fault maps exactly one page: the guest writes one dword in
 * each of NREGIONS one-page regions 2 MiB apart, so that every fault's
 * window is its region's single page.  The best of ROUNDS rounds of each
 * is taken, rounds alternating.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/userfaultfd.h>

#include "mshv_lib.h"
#include "mshv_debugfs.h"
#include "mshv_guest32.h"
#include "mshv_hostmem.h"

#define PAGE		4096ULL
#define RW		BIT(MSHV_SET_MEM_BIT_WRITABLE)
#define UNMAP		BIT(MSHV_SET_MEM_BIT_UNMAP)
#define DATA_GPA	0x40000000ULL	/* 1 GiB */
#define NREGIONS	64
#define ROUNDS		3

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The handler: UFFDIO_COPY of a constant page for every fault */
struct handler {
	int uffd;
	atomic_int stop;
	atomic_int faults;
};

static void *handler_thread(void *arg)
{
	struct handler *h = arg;
	struct uffdio_copy c;
	struct uffd_msg msg;
	char *src;

	/* UFFDIO_COPY wants a page-aligned source */
	src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MSHV_TEST_ASSERT(src != MAP_FAILED, "mmap");
	memset(src, 0x5a, PAGE);
	while (!atomic_load(&h->stop)) {
		struct pollfd p = { .fd = h->uffd, .events = POLLIN };

		if (poll(&p, 1, 20) <= 0)
			continue;
		if (read(h->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		c = (struct uffdio_copy){
			.dst = msg.arg.pagefault.address & ~(PAGE - 1),
			.src = (unsigned long)src,
			.len = PAGE,
		};
		ioctl(h->uffd, UFFDIO_COPY, &c);
		atomic_fetch_add(&h->faults, 1);
	}
	munmap(src, PAGE);
	return NULL;
}

/* Map (@flags RW) or unmap (UNMAP) one-page region @i */
static void region_set(struct mshv_g32 *g, unsigned int i, char *mem,
		       __u8 flags)
{
	int ret = __mshv_set_guest_memory(g->vm->fd, PAGE,
					  MSHV_PFN(DATA_GPA + i * SZ_2M),
					  (unsigned long)mem + i * PAGE, flags);

	MSHV_TEST_ASSERT(!ret, "region %u flags %#x", i, flags);
}

/*
 * Seconds per guest fault over NREGIONS fresh one-page regions, with the
 * backing registered with userfaultfd if @uffd; -1 if userfaultfd(2) is
 * missing.
 */
static double fault_latency(struct mshv_g32 *g, bool uffd, __u64 *faults)
{
	size_t size = NREGIONS * PAGE;
	struct handler h = { .uffd = -1 };
	struct mshv_dbg_partition s0, s1;
	pthread_t thread;
	double t0, t;
	char *mem;
	unsigned int i;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MSHV_TEST_ASSERT(mem != MAP_FAILED, "mmap");
	madvise(mem, size, MADV_NOHUGEPAGE);
	if (uffd) {
		h.uffd = mshv_uffd_open(0);
		if (h.uffd < 0) {
			munmap(mem, size);
			return -1;
		}
		MSHV_TEST_ASSERT(!mshv_uffd_register(h.uffd, mem, size,
						     UFFDIO_REGISTER_MODE_MISSING),
				 "userfaultfd setup");
		MSHV_TEST_ASSERT(!pthread_create(&thread, NULL, handler_thread,
						 &h), "pthread_create");
	}
	for (i = 0; i < NREGIONS; i++)
		region_set(g, i, mem, RW);

	mshv_dbg_partition(g->partition, &s0);
	t0 = now();
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, SZ_2M, NREGIONS, 7);
	t = now() - t0;
	mshv_dbg_partition(g->partition, &s1);
	*faults = s1.gpa_faults - s0.gpa_faults;

	for (i = 0; i < NREGIONS; i++)
		region_set(g, i, mem, UNMAP);
	if (uffd) {
		atomic_store(&h.stop, 1);
		pthread_join(thread, NULL);
		MSHV_TEST_ASSERT(atomic_load(&h.faults) == NREGIONS,
				 "%d userfaults, want %d",
				 atomic_load(&h.faults), NREGIONS);
		close(h.uffd);
	}
	munmap(mem, size);
	return t / NREGIONS;
}

int main(void)
{
	double ord = 1e9, copy = 1e9, t;
	__u64 f_ord = 0, f_copy = 0, numa;
	struct mshv_g32 *g;
	unsigned int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mshv_pin_regions()) {
		printf("bench: uffd_fault_latency_vs_ordinary n/a (pinned regions do not fault)\n");
		return 0;
	}
	g = mshv_g32_create();
	numa = mshv_numa_balancing_set(0);
	for (r = 0; r < ROUNDS; r++) {
		t = fault_latency(g, false, &f_ord);
		ord = t < ord ? t : ord;
		t = fault_latency(g, true, &f_copy);
		if (t < 0) {
			printf("bench: uffd_fault_latency_vs_ordinary n/a (userfaultfd(2): %s)\n",
			       strerror(errno));
			goto out;
		}
		copy = t < copy ? t : copy;
	}
	printf("bench: uffd_fault_latency_ordinary %.1f us (%llu faults for %d pages)\n",
	       ord * 1e6, (unsigned long long)f_ord, NREGIONS);
	printf("bench: uffd_fault_latency_copy %.1f us (%llu faults for %d pages)\n",
	       copy * 1e6, (unsigned long long)f_copy, NREGIONS);
	printf("bench: uffd_fault_latency_vs_ordinary %.2f ratio (informative)\n",
	       copy / ord);
out:
	mshv_numa_balancing_set(numa);
	mshv_g32_free(g);
	return 0;
}
