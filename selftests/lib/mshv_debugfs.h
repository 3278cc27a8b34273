/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readers for the debugfs files the region tests assert on:
 *
 *   /sys/kernel/debug/hvsim/hypercalls      calls and reps per hypercall code
 *   /sys/kernel/debug/hvsim/partitions      pool and SLAT counts per partition
 *   /sys/kernel/debug/hvsim/vps             one line per VP
 *   /sys/kernel/debug/hvsim/stale_accesses  guest accesses to freed PFNs
 *   /sys/kernel/debug/hvsim/lost_writes     guest writes reclaim may discard
 *   /sys/kernel/debug/hvsim/inject          fault-injection rules
 *   /sys/kernel/debug/mshv_root/regions     per-region driver counters
 *   /sys/kernel/debug/mshv_root/partitions  pages the driver deposited and
 *                                           its own memory, per partition
 *   /sys/kernel/debug/mshv_root/sizes       what each counted object costs
 *
 * and small /proc and /sys helpers (module parameters, resident memory).
 * Functions return -1 with errno set when a file is missing or a line does
 * not parse; the mshv_dbg_*_get() variants fail the test instead.
 */
#ifndef _MSHV_SELFTEST_DEBUGFS_H
#define _MSHV_SELFTEST_DEBUGFS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define MSHV_DBG_HVSIM		"/sys/kernel/debug/hvsim"
#define MSHV_DBG_ROOT		"/sys/kernel/debug/mshv_root"

/**
 * struct mshv_hc_count - one line of hvsim/hypercalls
 * @calls: hypercalls issued with this code
 * @reps: reps they completed
 */
struct mshv_hc_count {
	__u64 calls;
	__u64 reps;
};

/**
 * struct mshv_dbg_partition - one line of hvsim/partitions
 * @id: partition id
 * @pool_pages: pages deposited and held in the partition's pool
 * @pool_free: free pool pages
 * @slat_4k: present 4 KiB SLAT leaf entries
 * @slat_2m: present 2 MiB SLAT leaf entries
 * @gpa_faults: UNMAPPED_GPA + GPA_INTERCEPT messages of its VPs
 * @dispatches: DISPATCH_VP calls for its VPs (~0 if hvsim does not
 *	report them)
 * @refused: accesses to synthetic registers hvsim refused because it does
 *	not model the feature's behaviour (~0 if not reported)
 * @slat_tables: pages of the SLAT's tables, root included (~0 if not
 *	reported)
 */
struct mshv_dbg_partition {
	__u64 id;
	__u64 pool_pages;
	__u64 pool_free;
	__u64 slat_4k;
	__u64 slat_2m;
	__u64 gpa_faults;
	__u64 dispatches;
	__u64 refused;
	__u64 slat_tables;
};

/**
 * struct mshv_dbg_region - one line of mshv_root/regions
 * @partition: partition id
 * @gfn: first guest page frame number
 * @pages: size in 4 KiB pages
 * @type: "movable", "pinned" or "mmio"
 * @meta_bytes: driver metadata for the region, in bytes
 * @faults: GPA intercepts the driver resolved for it
 * @maps: MAP_GPA_PAGES hypercalls issued for it
 * @unmaps: UNMAP_GPA_PAGES hypercalls issued for it
 * @invalidations: MMU-notifier invalidations it received
 */
struct mshv_dbg_region {
	__u64 partition;
	__u64 gfn;
	__u64 pages;
	char type[16];
	__u64 meta_bytes;
	__u64 faults;
	__u64 maps;
	__u64 unmaps;
	__u64 invalidations;
};

/**
 * struct mshv_snap - everything a region test compares before and after
 * @pt: the partition's line of hvsim/partitions
 * @map: MAP_GPA_PAGES counters
 * @unmap: UNMAP_GPA_PAGES counters
 * @stale: hvsim/stale_accesses
 */
struct mshv_snap {
	struct mshv_dbg_partition pt;
	struct mshv_hc_count map;
	struct mshv_hc_count unmap;
	__u64 stale;
};

int mshv_dbg_hypercall(__u16 code, struct mshv_hc_count *out);
struct mshv_hc_count mshv_dbg_hypercall_get(__u16 code);
int mshv_dbg_partitions(struct mshv_dbg_partition *out, int max);
int mshv_dbg_partition(__u64 id, struct mshv_dbg_partition *out);
struct mshv_dbg_partition mshv_dbg_partition_get(__u64 id);
__u64 mshv_dbg_newest_partition(void);
int mshv_dbg_stale_accesses(__u64 *out);
__u64 mshv_dbg_stale_accesses_get(void);
__u64 mshv_dbg_lost_writes_get(void);
__u64 mshv_dbg_stale_entries_get(void);
int mshv_dbg_inject(const char *rule);
int mshv_dbg_regions(struct mshv_dbg_region *out, int max);
int mshv_dbg_region(__u64 partition, __u64 gfn, struct mshv_dbg_region *out);
struct mshv_dbg_region mshv_dbg_region_get(__u64 partition, __u64 gfn);
void mshv_snap(__u64 partition, struct mshv_snap *s);
int mshv_dbg_deposited(__u64 partition, __u64 *pages);
__u64 mshv_dbg_deposited_get(__u64 partition);

/**
 * struct mshv_dbg_root_partition - one line of mshv_root/partitions
 * @id: partition id
 * @deposited_pages: pages deposited into it and not withdrawn
 * @driver_bytes: driver memory kept for it, in bytes
 */
struct mshv_dbg_root_partition {
	__u64 id;
	__u64 deposited_pages;
	__u64 driver_bytes;
};

int mshv_dbg_root_partition(__u64 partition,
			    struct mshv_dbg_root_partition *out);
struct mshv_dbg_root_partition mshv_dbg_root_partition_get(__u64 partition);

/**
 * struct mshv_dbg_sizes - mshv_root/sizes: bytes each object counted in
 *	driver_bytes costs in the running build
 * @partition: a partition
 * @vp: a VP
 * @region: a region's structure (its meta_bytes add its chunk maps)
 * @vp_fault: one fault buffer (a partition holds one per fault it had in
 *	flight at once, at most @fault_bufs)
 * @irqfd: an irqfd
 * @ioeventfd: an ioeventfd
 * @fault_bufs: the fault buffers a partition holds at most (a count)
 */
struct mshv_dbg_sizes {
	__u64 partition;
	__u64 vp;
	__u64 region;
	__u64 vp_fault;
	__u64 irqfd;
	__u64 ioeventfd;
	__u64 fault_bufs;
};

struct mshv_dbg_sizes mshv_dbg_sizes_get(void);

/* /sys and /proc */
int mshv_read_u64_file(const char *path, __u64 *out);
int mshv_write_file(const char *path, const char *text);
__u64 mshv_numa_balancing_set(__u64 mode);
bool mshv_pin_regions(void);
bool mshv_map_resident_set(bool on);
__u64 mshv_proc_status_kb(const char *field);
size_t mshv_resident_pages(const void *addr, size_t size);

/**
 * struct mshv_dbg_irq - hvsim/interrupts (guest interrupt model counters)
 * @asserted: VPs an ASSERT_VIRTUAL_INTERRUPT set an IRR bit in
 * @delivered: vectors delivered into a guest
 * @eois: guest EOIs that ended an in-service vector
 * @apic_eoi_msgs: HVMSG_X64_APIC_EOI posted to the root (level vectors)
 * @halts: HLT with IF set that halted a VP
 * @wakes: halted VPs woken by an interrupt (ASSERT or IPI)
 * @signal_msgs: HVMSG_SCHEDULER_VP_SIGNAL_BITSET posted to the root
 * @scanned: vectors taken from register pages (SCAN_INTERRUPT_INJECTION)
 */
struct mshv_dbg_irq {
	__u64 asserted;
	__u64 delivered;
	__u64 eois;
	__u64 apic_eoi_msgs;
	__u64 halts;
	__u64 wakes;
	__u64 signal_msgs;
	__u64 scanned;
};

/**
 * struct mshv_dbg_synic - hvsim/root_synic, summed over all CPUs
 * @posted: messages written into a SIMP slot
 * @queued: messages that waited in the queue
 * @dropped: messages and ring values dropped
 * @ring_full: ring values that found their ring full
 */
struct mshv_dbg_synic {
	__u64 posted;
	__u64 queued;
	__u64 dropped;
	__u64 ring_full;
};

struct mshv_dbg_irq mshv_dbg_irq_get(void);
struct mshv_dbg_synic mshv_dbg_synic_get(void);

/**
 * struct mshv_dbg_port - one line of hvsim/ports
 * @port: port id
 * @partition: the partition that may connect to it
 * @gpa: doorbell address (0 while not connected)
 * @signals: doorbell writes that signalled the port
 */
struct mshv_dbg_port {
	__u32 port;
	__u64 partition;
	__u64 gpa;
	__u64 signals;
};

int mshv_dbg_ports(struct mshv_dbg_port *out, int max);
int mshv_dbg_port_at(__u64 partition, __u64 gpa, struct mshv_dbg_port *out);
int mshv_dbg_ports_of(__u64 partition);

/* hvsim/interrupts counters looked up by name ("ipis", "inits" ...) */
__u64 mshv_dbg_irq_field_get(const char *name);
/**
 * struct mshv_dbg_async - hvsim/async ("pending" fault-injection rules)
 * @pending: calls that returned HV_STATUS_CALL_PENDING
 * @completed: HVMSG_ASYNC_CALL_COMPLETION messages posted
 * @flushed: of those, posted by DELETE_PARTITION
 * @owed: completions not posted yet (delayed or held)
 */
struct mshv_dbg_async {
	__u64 pending;
	__u64 completed;
	__u64 flushed;
	__u64 owed;
};

struct mshv_dbg_async mshv_dbg_async_get(void);

int mshv_dbg_vps_of(__u64 partition);
void mshv_dbg_nr_partitions(int *hvsim, int *root);

#endif /* _MSHV_SELFTEST_DEBUGFS_H */
