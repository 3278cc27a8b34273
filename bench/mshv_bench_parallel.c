// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parallel VPs of one partition (Documentation/hvsim.rst), run inside the
 * test VM by `make bench`: guest instructions per second of two VPs of
 * one partition, each running a CPU-bound loop on its own thread, against
 * one VP running the same loop alone, both measured in this run.
 *
 *   bench: parallel_vps_ratio <aggregate / one VP, median of the rounds> x
 *          (target >= 1.7)
 *
 * The guest is the real-mode loop of mshv_loop_guest.h, the same bytes
 * for both VPs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mshv_lib.h"
#include "mshv_loop_guest.h"

#define MEM_SIZE	0x10000ULL
#define CODE_GPA	0x1000ULL
#define DONE_PORT	0xE9
#define LOOPS		150000U
/*
 * Rounds of one VP and of two, interleaved; the ratio is the median of the
 * rounds' ratios, so that a round the host slowed (another guest on the
 * machine's core, a vCPU not run) moves it less than the sum would
 */
#define ROUNDS		9

/* Instructions one run executes: the MOV, the loop, the OUT */
#define RUN_INSNS	(1.0 + 2.0 * LOOPS + 1.0)

static pthread_barrier_t start;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Put @vp at the start of the loop */
static void vp_rewind(struct mshv_vp *vp)
{
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
}

static void vp_loop(struct mshv_vp *vp)
{
	const struct hv_x64_io_port_intercept_message *io;

	io = mshv_vp_run_expect_io(vp);
	MSHV_TEST_ASSERT(io->port_number == DONE_PORT,
			 "VP %u: OUT to port 0x%x", vp->index,
			 io->port_number);
}

static void *vp_thread(void *arg)
{
	pthread_barrier_wait(&start);
	vp_loop(arg);
	return NULL;
}

/* Seconds @nr VPs (1 or 2) take to run the loop once, each on a thread */
static double run_vps(struct mshv_vp **vps, unsigned int nr)
{
	pthread_t threads[2];
	unsigned int i;
	double t0;

	for (i = 0; i < nr; i++)
		vp_rewind(vps[i]);
	pthread_barrier_init(&start, NULL, nr + 1);
	for (i = 0; i < nr; i++)
		MSHV_TEST_ASSERT(!pthread_create(&threads[i], NULL, vp_thread,
						 vps[i]), "pthread_create");
	pthread_barrier_wait(&start);
	t0 = now();
	for (i = 0; i < nr; i++)
		pthread_join(threads[i], NULL);
	t0 = now() - t0;
	pthread_barrier_destroy(&start);
	return t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts @r (ROUNDS entries) */
static double ratio_median(double *r)
{
	qsort(r, ROUNDS, sizeof(*r), cmp_double);
	return r[ROUNDS / 2];
}

static double ratio_min(const double *r)
{
	double m = r[0];
	unsigned int i;

	for (i = 1; i < ROUNDS; i++)
		m = r[i] < m ? r[i] : m;
	return m;
}

static double ratio_max(const double *r)
{
	double m = r[0];
	unsigned int i;

	for (i = 1; i < ROUNDS; i++)
		m = r[i] > m ? r[i] : m;
	return m;
}

/* The clock the dispatches read: a device clock costs an exit per read */
static void print_clocksource(void)
{
	char cs[64];
	FILE *f;

	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f && fgets(cs, sizeof(cs), f))
		printf("# clocksource %s", cs);
	else
		printf("# clocksource unknown\n");
	if (f)
		fclose(f);
}

int main(void)
{
	__u8 code[MSHV_LOOP_GUEST_SIZE];
	struct mshv_vp *vps[2];
	struct mshv_vm *vm;
	double one = 0, two = 0, ips1, ips2, ratio[ROUNDS];
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	print_clocksource();
	vm = mshv_vm_create();
	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_loop_guest(code, LOOPS, DONE_PORT);
	mshv_vm_write(vm, CODE_GPA, code, sizeof(code));
	vps[0] = mshv_vp_create(vm, 0);
	vps[1] = mshv_vp_create(vm, 1);
	/* VP 1 is an application processor waiting for a SIPI */
	mshv_vp_start_ap(vps[1]);

	/* a warm-up of each, then ROUNDS of each, interleaved */
	run_vps(vps, 1);
	run_vps(vps, 2);
	for (i = 0; i < ROUNDS; i++) {
		double t1 = run_vps(vps, 1), t2 = run_vps(vps, 2);

		one += t1;
		two += t2;
		ratio[i] = 2 * t1 / t2;
	}
	ips1 = ROUNDS * RUN_INSNS / one;
	ips2 = ROUNDS * 2 * RUN_INSNS / two;
	printf("bench: parallel_vps_one_ips %.0f insns/s (one VP; informative)\n",
	       ips1);
	printf("bench: parallel_vps_two_ips %.0f insns/s ", ips2);
	printf("(two VPs of one partition on two threads, aggregate; informative)\n");
	printf("# parallel_vps_ratio of the sums %.2f, lowest round %.2f, highest %.2f\n",
	       ips2 / ips1, ratio_min(ratio), ratio_max(ratio));
	printf("bench: parallel_vps_ratio %.2f x (median of %u rounds; target >= 1.7 on 2 CPUs)\n",
	       ratio_median(ratio), ROUNDS);

	mshv_vp_free(vps[1]);
	mshv_vp_free(vps[0]);
	mshv_vm_free(vm);
	return 0;
}
