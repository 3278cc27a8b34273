// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's trace events (events/mshv_root/ in tracefs), read back the
 * way an operator's tool reads them: every hypercall with its code, reps
 * and status, deposits and withdrawals, VP runs with the intercept type,
 * region faults with their window, and invalidations with the calls they
 * cost.  Each test enables only the events it checks, clears the buffer,
 * does one thing and asserts the exact fields of what was recorded.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mshv_region_common.h"

#define TRACEFS		"/sys/kernel/tracing"
#define MAX_EVENTS	4096

/* One recorded event: its name and its "key=value" fields */
struct tev {
	char name[32];
	char fields[224];
};

static const char *tracefs(void)
{
	static bool mounted;
	struct stat st;

	if (!mounted && stat(TRACEFS "/trace", &st)) {
		if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
			return NULL;
	}
	mounted = true;
	return TRACEFS;
}

static bool tracefs_write(const char *file, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", TRACEFS, file);
	return !mshv_write_file(path, text);
}

/* Opening "trace" with O_TRUNC clears every CPU's buffer */
static bool trace_clear(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Enable exactly the mshv_root events named in @names (NULL-terminated).
 *
 * Without the record-cmd option: with it, enabling the first event also
 * attaches probes to the scheduler's tracepoints, whose static keys are
 * patched (text_poke with int3) while every CPU runs that code; under TCG
 * a CPU can still execute the int3 after the patching ended, an "Oops:
 * int3" in ttwu_do_activate() that has nothing to do with this driver.
 * The driver's own events are patched while none of its code runs.
 */
static bool trace_start(const char *const *names)
{
	char file[128];

	if (!tracefs() || !tracefs_write("options/record-cmd", "0") ||
	    !tracefs_write("events/mshv_root/enable", "0"))
		return false;
	for (; *names; names++) {
		snprintf(file, sizeof(file), "events/mshv_root/%s/enable",
			 *names);
		if (!tracefs_write(file, "1"))
			return false;
	}
	return trace_clear() && tracefs_write("tracing_on", "1");
}

/* Stop tracing and read what was recorded, oldest first */
static int trace_stop(struct tev *ev, int max)
{
	FILE *f;
	char line[512], *p, *colon;
	int n = 0;

	tracefs_write("events/mshv_root/enable", "0");
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < max) {
		if (line[0] == '#')
			continue;
		/* "<task>-<pid> [cpu] <flags> <time>: <event>: <fields>" */
		p = strstr(line, ": mshv_");
		if (!p)
			continue;
		p += 2;
		colon = strchr(p, ':');
		if (!colon || colon - p >= (long)sizeof(ev->name))
			continue;
		snprintf(ev[n].name, colon - p + 1, "%s", p);
		snprintf(ev[n].fields, sizeof(ev[n].fields), "%s", colon + 2);
		ev[n].fields[strcspn(ev[n].fields, "\n")] = 0;
		n++;
	}
	fclose(f);
	trace_clear();
	return n;
}

/* The value of field @key of @e (numbers as printed: %#x, %u, %d) */
static long long tev_field(const struct tev *e, const char *key)
{
	char pat[40];
	const char *p;
	size_t len;

	snprintf(pat, sizeof(pat), "%s=", key);
	len = strlen(pat);
	for (p = e->fields; (p = strstr(p, pat)); p += len)
		if (p == e->fields || p[-1] == ' ')
			return (long long)strtoull(p + len, NULL, 0);
	return -1;
}

/* Index of the first event named @name from @from with @key == @val */
static int tev_find(const struct tev *ev, int n, int from, const char *name,
		    const char *key, long long val)
{
	int i;

	for (i = from; i < n; i++)
		if (!strcmp(ev[i].name, name) &&
		    (!key || tev_field(&ev[i], key) == val))
			return i;
	return -1;
}

static int tev_count(const struct tev *ev, int n, const char *name,
		     const char *key, long long val)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(ev[i].name, name) &&
		    (!key || tev_field(&ev[i], key) == val))
			c++;
	return c;
}

FIXTURE(trace)
{
	struct tev *ev;
	struct mshv_g32 *g;
	struct mshv_hostmem m;
	__u64 numa;
};

FIXTURE_SETUP(trace)
{
	self->numa = mshv_numa_balancing_set(0);
	self->ev = calloc(MAX_EVENTS, sizeof(*self->ev));
	ASSERT_NE(NULL, self->ev);
	if (!tracefs())
		SKIP(return, "no tracefs");
}

FIXTURE_TEARDOWN(trace)
{
	tracefs_write("events/mshv_root/enable", "0");
	tracefs_write("options/record-cmd", "1");
	mshv_g32_free(self->g);
	mshv_hostmem_free(&self->m);
	free(self->ev);
	mshv_numa_balancing_set(self->numa);
}

/*
 * Creating a guest: CREATE_PARTITION, INITIALIZE_PARTITION and the
 * DEPOSIT_MEMORY calls appear with their reps and status, every deposit
 * into the partition as one event whose pages add up to what debugfs
 * reports; destroying it withdraws exactly that many pages.
 */
TEST_F(trace, hypercalls_deposit_withdraw)
{
	static const char *const names[] = { "mshv_hvcall", "mshv_deposit",
					     "mshv_withdraw", NULL };
	long long deposited = 0, hv_reps = 0;
	__u64 partition, debugfs_pages;
	struct tev *ev = self->ev;
	int n, i;

	ASSERT_TRUE(trace_start(names));
	self->g = mshv_g32_create();
	partition = self->g->partition;
	ASSERT_EQ(0, mshv_dbg_deposited(partition, &debugfs_pages));
	n = trace_stop(ev, MAX_EVENTS);
	ASSERT_GT(n, 0);

	/*
	 * The first partition of the module's life finds the root's pool
	 * empty: INSUFFICIENT_MEMORY, a deposit into SELF, the call again.
	 */
	i = tev_find(ev, n, 0, "mshv_hvcall", "code", HVCALL_CREATE_PARTITION);
	ASSERT_LE(0, i);
	while (tev_field(&ev[i], "status") == HV_STATUS_INSUFFICIENT_MEMORY) {
		EXPECT_EQ(i + 2, tev_find(ev, n, i, "mshv_deposit", "partition",
					  (long long)HV_PARTITION_ID_SELF));
		i = tev_find(ev, n, i + 1, "mshv_hvcall", "code",
			     HVCALL_CREATE_PARTITION);
		ASSERT_LE(0, i);
	}
	EXPECT_EQ(0, tev_field(&ev[i], "status"));
	EXPECT_LE(0, tev_field(&ev[i], "ns"));
	i = tev_find(ev, n, i, "mshv_hvcall", "code",
		     HVCALL_INITIALIZE_PARTITION);
	ASSERT_LE(0, i);
	EXPECT_EQ(0, tev_field(&ev[i], "status"));

	/* Every DEPOSIT_MEMORY call completed all its reps */
	for (i = 0; (i = tev_find(ev, n, i, "mshv_hvcall", "code",
				  HVCALL_DEPOSIT_MEMORY)) >= 0; i++) {
		EXPECT_EQ(0, tev_field(&ev[i], "status"));
		hv_reps += tev_field(&ev[i], "reps");
	}
	EXPECT_LT(0, hv_reps);

	for (i = 0; (i = tev_find(ev, n, i, "mshv_deposit", "partition",
				  partition)) >= 0; i++) {
		EXPECT_EQ(0, tev_field(&ev[i], "result"));
		deposited += tev_field(&ev[i], "pages");
	}
	EXPECT_EQ((long long)debugfs_pages, deposited);
	EXPECT_EQ(0, tev_count(ev, n, "mshv_withdraw", "partition",
			       partition));

	ASSERT_TRUE(trace_start(names));
	mshv_g32_free(self->g);
	self->g = NULL;
	n = trace_stop(ev, MAX_EVENTS);
	i = tev_find(ev, n, 0, "mshv_withdraw", "partition", partition);
	ASSERT_LE(0, i);
	EXPECT_EQ(deposited, tev_field(&ev[i], "pages"));
	EXPECT_EQ(0, tev_field(&ev[i], "result"));
	EXPECT_EQ(1, tev_count(ev, n, "mshv_withdraw", "partition",
			       partition));
	EXPECT_LE(1, tev_count(ev, n, "mshv_hvcall", "code",
			       HVCALL_WITHDRAW_MEMORY));
}

/*
 * One MSHV_RUN_VP: one enter and one exit event for VP 0 of the
 * partition, the exit naming the intercept handed to userspace (the
 * program's final HLT), and the DISPATCH_VP calls in between.
 */
TEST_F(trace, vp_run)
{
	static const char *const names[] = { "mshv_vp_run_enter",
					     "mshv_vp_run_exit",
					     "mshv_hvcall", NULL };
	__u32 gpa = MSHV_G32_TABLE_GPA;
	struct tev *ev = self->ev;
	const struct hv_message *msg;
	int n, enter, exit_i;

	self->g = mshv_g32_create();
	ASSERT_TRUE(trace_start(names));
	msg = mshv_g32_exec(self->g, MSHV_G32_READ, &gpa, 1, 0);
	n = trace_stop(ev, MAX_EVENTS);
	mshv_g32_expect_done(self->g, msg);

	EXPECT_EQ(1, tev_count(ev, n, "mshv_vp_run_enter", NULL, 0));
	EXPECT_EQ(1, tev_count(ev, n, "mshv_vp_run_exit", NULL, 0));
	enter = tev_find(ev, n, 0, "mshv_vp_run_enter", NULL, 0);
	exit_i = tev_find(ev, n, 0, "mshv_vp_run_exit", NULL, 0);
	ASSERT_LE(0, enter);
	ASSERT_LT(enter, exit_i);
	EXPECT_EQ((long long)self->g->partition,
		  tev_field(&ev[enter], "partition"));
	EXPECT_EQ(0, tev_field(&ev[enter], "vp"));
	EXPECT_EQ((long long)self->g->partition,
		  tev_field(&ev[exit_i], "partition"));
	EXPECT_EQ(0, tev_field(&ev[exit_i], "vp"));
	EXPECT_EQ(HVMSG_X64_HALT, tev_field(&ev[exit_i], "message_type"));
	EXPECT_EQ(0, tev_field(&ev[exit_i], "result"));
	EXPECT_LE(enter + 1, tev_find(ev, n, enter, "mshv_hvcall", "code",
				      HVCALL_DISPATCH_VP));
	EXPECT_GT(exit_i, tev_find(ev, n, enter, "mshv_hvcall", "code",
				   HVCALL_DISPATCH_VP));
}

/*
 * A write to page 100 of a 4 KiB-backed region: one fault event with the
 * GFN, write access, the 2 MiB window [region start, +512) and result 1,
 * two MAP_GPA_PAGES calls (509 + 3 reps).  Then MADV_DONTNEED of that
 * one page: one invalidation of that GFN alone, costing one UNMAP_GPA_PAGES
 * call of one rep.
 */
TEST_F(trace, fault_window_and_invalidation)
{
	static const char *const names[] = { "mshv_region_fault",
					     "mshv_region_invalidate",
					     "mshv_hvcall", NULL };
	const __u64 rgpa = DATA_GPA, gfn0 = MSHV_PFN(DATA_GPA);
	__u32 gpa = rgpa + 100 * PAGE + 8;
	struct tev *ev = self->ev;
	int n, i;

	if (mshv_pin_regions())
		SKIP(return, "pinned regions take no faults");
	self->g = mshv_g32_create();
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_4K, 2 * SZ_2M, 0));
	ASSERT_EQ(0, __mshv_set_guest_memory(self->g->vm->fd, self->m.size,
					     gfn0, mshv_hva_u64(self->m.hva), RW));

	ASSERT_TRUE(trace_start(names));
	mshv_g32_run(self->g, MSHV_G32_WRITE, &gpa, 1, 0x77);
	n = trace_stop(ev, MAX_EVENTS);
	EXPECT_EQ(1, tev_count(ev, n, "mshv_region_fault", NULL, 0));
	i = tev_find(ev, n, 0, "mshv_region_fault", NULL, 0);
	ASSERT_LE(0, i);
	EXPECT_EQ((long long)self->g->partition,
		  tev_field(&ev[i], "partition"));
	EXPECT_EQ(gfn0 + 100, tev_field(&ev[i], "gfn"));
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, tev_field(&ev[i], "access"));
	EXPECT_EQ(gfn0, tev_field(&ev[i], "window_gfn"));
	EXPECT_EQ(PAGES_2M, tev_field(&ev[i], "window_pages"));
	EXPECT_EQ(1, tev_field(&ev[i], "result"));
	EXPECT_EQ(2, tev_count(ev, n, "mshv_hvcall", "code",
			       HVCALL_MAP_GPA_PAGES));
	i = tev_find(ev, n, 0, "mshv_hvcall", "code", HVCALL_MAP_GPA_PAGES);
	ASSERT_LE(0, i);
	EXPECT_EQ(MAP_BATCH, tev_field(&ev[i], "reps"));
	EXPECT_EQ(0, tev_field(&ev[i], "status"));
	i = tev_find(ev, n, i + 1, "mshv_hvcall", "code",
		     HVCALL_MAP_GPA_PAGES);
	ASSERT_LE(0, i);
	EXPECT_EQ(PAGES_2M - MAP_BATCH, tev_field(&ev[i], "reps"));

	ASSERT_TRUE(trace_start(names));
	ASSERT_EQ(0, madvise(self->m.hva + 100 * PAGE, PAGE, MADV_DONTNEED));
	n = trace_stop(ev, MAX_EVENTS);
	EXPECT_EQ(1, tev_count(ev, n, "mshv_region_invalidate", "partition",
			       self->g->partition));
	i = tev_find(ev, n, 0, "mshv_region_invalidate", "partition",
		     self->g->partition);
	ASSERT_LE(0, i);
	EXPECT_EQ((long long)mshv_hva_u64(self->m.hva + 100 * PAGE),
		  tev_field(&ev[i], "start"));
	EXPECT_EQ((long long)mshv_hva_u64(self->m.hva + 101 * PAGE),
		  tev_field(&ev[i], "end"));
	EXPECT_EQ(gfn0 + 100, tev_field(&ev[i], "gfn"));
	EXPECT_EQ(1, tev_field(&ev[i], "pages"));
	EXPECT_EQ(1, tev_field(&ev[i], "calls"));
	EXPECT_EQ(1, tev_count(ev, n, "mshv_hvcall", "code",
			       HVCALL_UNMAP_GPA_PAGES));
	i = tev_find(ev, n, 0, "mshv_hvcall", "code", HVCALL_UNMAP_GPA_PAGES);
	ASSERT_LE(0, i);
	EXPECT_EQ(1, tev_field(&ev[i], "reps"));
	EXPECT_EQ(0, tev_field(&ev[i], "status"));
}

TEST_HARNESS_MAIN
