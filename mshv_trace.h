/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of mshv_root guest memory regions.
 *
 * CREATE_TRACE_POINTS is defined in mshv_regions.c only.  The events are
 * under events/mshv_root/ in tracefs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mshv_root

#if !defined(_MSHV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MSHV_TRACE_H

#include <linux/tracepoint.h>

/**
 * mshv_region_fault - a GPA intercept the driver handled itself
 * @partition: hypervisor partition id
 * @gfn: faulting guest page frame number
 * @access: HV_INTERCEPT_ACCESS_* of the intercept
 * @result: 1 = resolved (the VP runs again), 0 = handed to userspace,
 *	negative errno = RUN_VP fails with it
 */
TRACE_EVENT(mshv_region_fault,
	    TP_PROTO(u64 partition, u64 gfn, u8 access, int result),
	    TP_ARGS(partition, gfn, access, result),
	    TP_STRUCT__entry(__field(u64, partition)
			     __field(u64, gfn)
			     __field(u8, access)
			     __field(int, result)),
	    TP_fast_assign(__entry->partition = partition;
			   __entry->gfn = gfn;
			   __entry->access = access;
			   __entry->result = result;),
	    TP_printk("partition=%#llx gfn=%#llx access=%u result=%d",
		      __entry->partition, __entry->gfn, __entry->access,
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

/* An MMU notifier invalidation of [@start, @end) (host virtual addresses) */
TRACE_EVENT(mshv_region_invalidate,
	    TP_PROTO(unsigned long start, unsigned long end, int event),
	    TP_ARGS(start, end, event),
	    TP_STRUCT__entry(__field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(int, event)),
	    TP_fast_assign(__entry->start = start;
			   __entry->end = end;
			   __entry->event = event;),
	    TP_printk("start=%#lx end=%#lx event=%d",
		      __entry->start, __entry->end, __entry->event)
);

#endif /* _MSHV_TRACE_H */

/* This part must be outside the include guard */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mshv_trace
#include <trace/define_trace.h>
