/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of mshv_root: hypercalls, memory deposits, VP runs and
 * guest memory regions (Documentation/api.rst, "Trace events").
 *
 * CREATE_TRACE_POINTS is defined in mshv_trace.c only.  The events are
 * under events/mshv_root/ in tracefs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mshv_root

#if !defined(_MSHV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MSHV_TRACE_H

#include <linux/tracepoint.h>

/**
 * mshv_hvcall - one hypercall through the backend, all its reps
 * @code: call code
 * @rep_count: reps asked for (0 for a simple call)
 * @reps_done: reps completed
 * @status: HV_STATUS_* of the result
 * @ns: time spent in the backend, re-issues included
 */
TRACE_EVENT(mshv_hvcall,
	    TP_PROTO(u16 code, u16 rep_count, u16 reps_done, u16 status,
		     u64 ns),
	    TP_ARGS(code, rep_count, reps_done, status, ns),
	    TP_STRUCT__entry(__field(u16, code)
			     __field(u16, rep_count)
			     __field(u16, reps_done)
			     __field(u16, status)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->code = code;
			   __entry->rep_count = rep_count;
			   __entry->reps_done = reps_done;
			   __entry->status = status;
			   __entry->ns = ns;),
	    TP_printk("code=%#x reps=%u/%u status=%#x ns=%llu",
		      __entry->code, __entry->reps_done, __entry->rep_count,
		      __entry->status, __entry->ns)
);

DECLARE_EVENT_CLASS(mshv_memory,
		    TP_PROTO(u64 partition, u64 pages, int result),
		    TP_ARGS(partition, pages, result),
		    TP_STRUCT__entry(__field(u64, partition)
				     __field(u64, pages)
				     __field(int, result)),
		    TP_fast_assign(__entry->partition = partition;
				   __entry->pages = pages;
				   __entry->result = result;),
		    TP_printk("partition=%#llx pages=%llu result=%d",
			      __entry->partition, __entry->pages,
			      __entry->result)
);

/* Pages deposited into @partition by one deposit request; its errno */
DEFINE_EVENT(mshv_memory, mshv_deposit,
	     TP_PROTO(u64 partition, u64 pages, int result),
	     TP_ARGS(partition, pages, result)
);

/* Pages withdrawn from @partition and freed by one withdraw request */
DEFINE_EVENT(mshv_memory, mshv_withdraw,
	     TP_PROTO(u64 partition, u64 pages, int result),
	     TP_ARGS(partition, pages, result)
);

/* MSHV_RUN_VP starts running VP @vp of @partition */
TRACE_EVENT(mshv_vp_run_enter,
	    TP_PROTO(u64 partition, u32 vp),
	    TP_ARGS(partition, vp),
	    TP_STRUCT__entry(__field(u64, partition)
			     __field(u32, vp)),
	    TP_fast_assign(__entry->partition = partition;
			   __entry->vp = vp;),
	    TP_printk("partition=%#llx vp=%u", __entry->partition,
		      __entry->vp)
);

/**
 * mshv_vp_run_exit - MSHV_RUN_VP returns
 * @partition: hypervisor partition id
 * @vp: VP index
 * @message_type: HVMSG_* of the intercept handed to userspace (0 when
 *	@result is an error)
 * @result: 0 or the negative errno MSHV_RUN_VP returns
 */
TRACE_EVENT(mshv_vp_run_exit,
	    TP_PROTO(u64 partition, u32 vp, u32 message_type, int result),
	    TP_ARGS(partition, vp, message_type, result),
	    TP_STRUCT__entry(__field(u64, partition)
			     __field(u32, vp)
			     __field(u32, message_type)
			     __field(int, result)),
	    TP_fast_assign(__entry->partition = partition;
			   __entry->vp = vp;
			   __entry->message_type = message_type;
			   __entry->result = result;),
	    TP_printk("partition=%#llx vp=%u message_type=%#x result=%d",
		      __entry->partition, __entry->vp, __entry->message_type,
		      __entry->result)
);

/**
 * mshv_region_fault - a GPA intercept the driver handled itself
 * @partition: hypervisor partition id
 * @gfn: faulting guest page frame number
 * @access: HV_INTERCEPT_ACCESS_* of the intercept
 * @window_gfn: first GFN of the window the fault resolved (the 2 MiB
 *	chunk, clipped to the region)
 * @window_pages: its length in 4 KiB pages, 0 when no fault ran (the
 *	same intercept again, a pinned region, an access the region's
 *	flags forbid)
 * @result: 1 = resolved (the VP runs again), 0 = handed to userspace,
 *	negative errno = RUN_VP fails with it
 */
TRACE_EVENT(mshv_region_fault,
	    TP_PROTO(u64 partition, u64 gfn, u8 access, u64 window_gfn,
		     u64 window_pages, int result),
	    TP_ARGS(partition, gfn, access, window_gfn, window_pages, result),
	    TP_STRUCT__entry(__field(u64, partition)
			     __field(u64, gfn)
			     __field(u64, window_gfn)
			     __field(u64, window_pages)
			     __field(u8, access)
			     __field(int, result)),
	    TP_fast_assign(__entry->partition = partition;
			   __entry->gfn = gfn;
			   __entry->window_gfn = window_gfn;
			   __entry->window_pages = window_pages;
			   __entry->access = access;
			   __entry->result = result;),
	    TP_printk("partition=%#llx gfn=%#llx access=%u window_gfn=%#llx window_pages=%llu result=%d",
		      __entry->partition, __entry->gfn, __entry->access,
		      __entry->window_gfn, __entry->window_pages,
		      __entry->result)
);

DECLARE_EVENT_CLASS(mshv_region_span,
		    TP_PROTO(u64 gfn, u64 pages, bool large),
		    TP_ARGS(gfn, pages, large),
		    TP_STRUCT__entry(__field(u64, gfn)
				     __field(u64, pages)
				     __field(bool, large)),
		    TP_fast_assign(__entry->gfn = gfn;
				   __entry->pages = pages;
				   __entry->large = large;),
		    TP_printk("gfn=%#llx pages=%llu large=%d",
			      __entry->gfn, __entry->pages, __entry->large)
);

/* One MAP_GPA_PAGES hypercall: @pages 4 KiB pages from @gfn */
DEFINE_EVENT(mshv_region_span, mshv_region_map,
	     TP_PROTO(u64 gfn, u64 pages, bool large),
	     TP_ARGS(gfn, pages, large)
);

/* One UNMAP_GPA_PAGES hypercall: @pages 4 KiB pages from @gfn */
DEFINE_EVENT(mshv_region_span, mshv_region_unmap,
	     TP_PROTO(u64 gfn, u64 pages, bool large),
	     TP_ARGS(gfn, pages, large)
);

/**
 * mshv_region_invalidate - an MMU notifier invalidation of a region
 * @partition: hypervisor partition id
 * @start: start of the invalidated range (host virtual address)
 * @end: its end
 * @event: enum mmu_notifier_event
 * @gfn: first GFN of the region the range covers
 * @pages: number of GFNs it covers (0: the range misses the region)
 * @calls: UNMAP_GPA_PAGES hypercalls the invalidation cost
 */
TRACE_EVENT(mshv_region_invalidate,
	    TP_PROTO(u64 partition, unsigned long start, unsigned long end,
		     int event, u64 gfn, u64 pages, u64 calls),
	    TP_ARGS(partition, start, end, event, gfn, pages, calls),
	    TP_STRUCT__entry(__field(u64, partition)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(u64, gfn)
			     __field(u64, pages)
			     __field(u64, calls)
			     __field(int, event)),
	    TP_fast_assign(__entry->partition = partition;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->gfn = gfn;
			   __entry->pages = pages;
			   __entry->calls = calls;
			   __entry->event = event;),
	    TP_printk("partition=%#llx start=%#lx end=%#lx event=%d gfn=%#llx pages=%llu calls=%llu",
		      __entry->partition, __entry->start, __entry->end,
		      __entry->event, __entry->gfn, __entry->pages,
		      __entry->calls)
);

#endif /* _MSHV_TRACE_H */

/* This part must be outside the include guard */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mshv_trace
#include <trace/define_trace.h>
