// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: guest addresses on behalf of the root: MAP_GPA_PAGES,
 * UNMAP_GPA_PAGES, TRANSLATE_VIRTUAL_ADDRESS, READ_GPA, WRITE_GPA and
 * GET_GPA_PAGES_ACCESS_STATES.
 *
 * Guest memory is reached only through hvsim_gpa_copy() (the SLAT check
 * every guest access goes through) and the page-table walk of
 * x86_emu_translate(), which uses the VP's memory operations.
 */
#include <linux/errno.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_gpa.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"
#include "hvsim_vp.h"
#include "hvsim_vp_msg.h"

/* Map one rep: a 4 KiB page, or a 2 MiB page as one leaf entry */
static u16 map_one(struct hvsim_partition *pt, u64 gfn, u64 pfn, bool large,
		   u32 perms)
{
	int ret;

	if (large)
		ret = hvsim_slat_map_large(&pt->slat, &pt->pool, gfn, pfn,
					   perms);
	else
		ret = hvsim_slat_map(&pt->slat, &pt->pool, gfn, pfn, perms);
	if (ret == -ENOMEM)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	return ret ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
}

static u16 map_gpa_locked(struct hvsim_partition *pt, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_map_gpa_pages *in = call->input;
	u32 flags = in->map_flags;
	u64 npages = flags & HV_MAP_GPA_LARGE_PAGE ? HV_PAGES_PER_LARGE_PAGE : 1;
	u32 perms = flags & HV_MAP_GPA_PERMISSIONS_MASK;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	if (flags & HV_MAP_GPA_NO_ACCESS)
		perms = 0;
	for (i = call->rep_start; i < call->rep_count; i++) {
		u64 gfn = in->target_gpa_base + i * npages;
		u64 pfn = perms ? in->source_gpa_page_list[i] : 0;

		status = map_one(pt, gfn, pfn, npages > 1, perms);
		if (status)
			break;
	}
	call->reps_done = i;
	return status;
}

/**
 * hvsim_hc_map_gpa_pages() - HVCALL_MAP_GPA_PAGES (rep)
 * @call: decoded call; one host PFN per rep
 *
 * Rep i maps guest page target_gpa_base + i (times 512 with LARGE_PAGE,
 * as one 2 MiB SLAT entry; GPA and PFN must then be 2 MiB aligned).
 * No reference is taken on the host pages: keeping them alive while mapped
 * is the root's job, as with the real hypervisor.
 *
 * Return: HV_STATUS_*; HV_STATUS_INSUFFICIENT_MEMORY when the partition's
 * pool has no page for a SLAT table (reps completed = reps mapped).
 */
u16 hvsim_hc_map_gpa_pages(struct hvsim_call *call)
{
	const struct hv_input_map_gpa_pages *in = call->input;

	return hvsim_partition_call(in->target_partition_id, HVSIM_PT_RUNNING,
				    map_gpa_locked, call);
}

static u16 unmap_gpa_locked(struct hvsim_partition *pt, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_unmap_gpa_pages *in = call->input;
	u64 npages = in->unmap_flags & HV_UNMAP_GPA_LARGE_PAGE ?
		     HV_PAGES_PER_LARGE_PAGE : 1;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	for (i = call->rep_start; i < call->rep_count; i++) {
		if (hvsim_slat_unmap(&pt->slat, &pt->pool,
				     in->target_gpa_base + i * npages,
				     npages)) {
			status = HV_STATUS_INSUFFICIENT_MEMORY;
			break;
		}
	}
	call->reps_done = i;
	return status;
}

/**
 * hvsim_hc_unmap_gpa_pages() - HVCALL_UNMAP_GPA_PAGES (rep)
 * @call: decoded call; rep count = pages (2 MiB pages with LARGE_PAGE)
 *
 * Unmapping pages that are not mapped is not an error.  Unmapping part of
 * a 2 MiB mapping splits it, which takes a table page from the pool.
 *
 * Return: HV_STATUS_*; HV_STATUS_INSUFFICIENT_MEMORY when a split found
 * the pool empty (reps completed = reps unmapped).
 */
u16 hvsim_hc_unmap_gpa_pages(struct hvsim_call *call)
{
	const struct hv_input_unmap_gpa_pages *in = call->input;

	return hvsim_partition_call(in->target_partition_id, HVSIM_PT_ANY,
				    unmap_gpa_locked, call);
}

/*
 * Walk the guest page tables for every access @flags asks to validate
 * (read when none is asked), setting accessed/dirty bits on the last walk
 * when SET_PAGE_TABLE_BITS is given.  Partition lock held.
 */
static enum x86_emu_xlate xlate_walk(struct hvsim_vp *vp, u64 gva, u64 flags,
				     u64 *gpa)
{
	static const struct {
		u64 flag;
		enum x86_emu_access access;
	} order[] = {
		{ HV_TRANSLATE_GVA_VALIDATE_READ, X86_EMU_ACCESS_READ },
		{ HV_TRANSLATE_GVA_VALIDATE_EXECUTE, X86_EMU_ACCESS_EXECUTE },
		{ HV_TRANSLATE_GVA_VALIDATE_WRITE, X86_EMU_ACCESS_WRITE },
	};
	u64 want = flags & (HV_TRANSLATE_GVA_VALIDATE_READ |
			    HV_TRANSLATE_GVA_VALIDATE_WRITE |
			    HV_TRANSLATE_GVA_VALIDATE_EXECUTE);
	bool set_ad = flags & HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS;
	enum x86_emu_xlate res = X86_EMU_XLATE_OK;
	unsigned int i;

	if (!want)
		want = HV_TRANSLATE_GVA_VALIDATE_READ;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(want & order[i].flag))
			continue;
		want &= ~order[i].flag;
		res = x86_emu_translate(&vp->state, &hvsim_vp_mem_ops, vp, gva,
					order[i].access, set_ad && !want, gpa);
		if (res != X86_EMU_XLATE_OK)
			break;
	}
	return res;
}

/* The SLAT check of the translated page; partition lock held */
static u32 xlate_check_gpa(struct hvsim_partition *pt, u64 gfn, u64 flags)
{
	u32 perms;
	u64 pfn;

	if (!hvsim_slat_lookup(&pt->slat, gfn, &pfn, &perms))
		return HV_TRANSLATE_GVA_GPA_UNMAPPED;
	if ((flags & HV_TRANSLATE_GVA_VALIDATE_READ) &&
	    !(perms & HV_MAP_GPA_READABLE))
		return HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS;
	if ((flags & HV_TRANSLATE_GVA_VALIDATE_WRITE) &&
	    !(perms & HV_MAP_GPA_WRITABLE))
		return HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS;
	return HV_TRANSLATE_GVA_SUCCESS;
}

static u16 translate_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_translate_virtual_address *in = call->input;
	struct hv_output_translate_virtual_address *out = call->output;
	u64 flags = in->control_flags;
	enum x86_emu_xlate res;
	u64 gpa = 0;
	u16 ss_attr;

	hvsim_vp_absorb_reg_page(vp);

	/* The walk takes the privilege level from the SS DPL */
	ss_attr = vp->state.seg[X86_SS].attributes;
	if (flags & HV_TRANSLATE_GVA_USER_ACCESS)
		vp->state.seg[X86_SS].attributes |= 3 << HV_X64_SEGMENT_DPL_SHIFT;
	else if (flags & (HV_TRANSLATE_GVA_SUPERVISOR_ACCESS |
			  HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT))
		vp->state.seg[X86_SS].attributes &=
			~(3 << HV_X64_SEGMENT_DPL_SHIFT);
	res = xlate_walk(vp, in->gva_page << HV_HYP_PAGE_SHIFT, flags, &gpa);
	vp->state.seg[X86_SS].attributes = ss_attr;

	if (res == X86_EMU_XLATE_UNSUPPORTED_MODE)
		return HV_STATUS_INVALID_VP_STATE;
	memset(out, 0, sizeof(*out));
	if (res != X86_EMU_XLATE_OK) {
		out->result_code = res;
		return HV_STATUS_SUCCESS;
	}
	out->result_code = xlate_check_gpa(vp->partition,
					   gpa >> HV_HYP_PAGE_SHIFT, flags);
	out->flags = HV_CACHE_TYPE_X64_WB;
	out->gpa_page = gpa >> HV_HYP_PAGE_SHIFT;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_translate_virtual_address() - HVCALL_TRANSLATE_VIRTUAL_ADDRESS
 * @call: decoded call
 *
 * Walks the VP's page tables with x86_emu_translate() for each access the
 * control flags validate (read when none), as a user access with
 * USER_ACCESS, as a supervisor access with SUPERVISOR_ACCESS or
 * PRIVILEGE_EXEMPT, else at the VP's CPL.  SET_PAGE_TABLE_BITS sets the
 * accessed (and, for VALIDATE_WRITE, dirty) bits of the walk.  The
 * translated page is then checked against the SLAT: no entry gives
 * GPA_UNMAPPED, a validated read or write it forbids GPA_NO_READ_ACCESS /
 * GPA_NO_WRITE_ACCESS.  The output's gpa_page and cache type (write-back)
 * are filled when the walk succeeded (result SUCCESS or GPA_*), zero
 * otherwise.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for unknown or contradicting flags,
 * an input VTL other than 0, non-zero padding or a GVA page above 52 bits;
 * HV_STATUS_INVALID_VP_STATE when the VP uses 32-bit or PAE paging (not
 * modelled); HV_STATUS_SUCCESS with the result code in the output
 * otherwise.
 */
u16 hvsim_hc_translate_virtual_address(struct hvsim_call *call)
{
	const struct hv_input_translate_virtual_address *in = call->input;

	return hvsim_vp_call(in->partition_id, in->vp_index, translate_locked,
			     call);
}

/* One READ_GPA or WRITE_GPA access, made on behalf of a VP */
struct gpa_rw_args {
	const struct hv_input_read_gpa *in;
	void *data;
	enum x86_emu_access access;
	struct hv_gpa_access_result *result;
};

static u16 gpa_rw_locked(struct hvsim_vp *vp, void *arg)
{
	const struct gpa_rw_args *a = arg;
	const struct hv_input_read_gpa *in = a->in;
	struct hv_gpa_access_result *result = a->result;
	enum x86_emu_access access = a->access;
	struct hvsim_partition *pt = vp->partition;

	memset(result, 0, sizeof(*result));
	switch (hvsim_gpa_copy(pt, in->base_gpa, a->data, in->byte_count, access,
			       true)) {
	case HVSIM_GPA_OK:
	case HVSIM_GPA_IO:	/* hvsim_gpa_copy() reports it as OK */
		result->result_code = HV_GPA_ACCESS_RESULT_SUCCESS;
		break;
	case HVSIM_GPA_STALE:
		hvsim_note_stale(pt, in->base_gpa);
		fallthrough;
	case HVSIM_GPA_UNMAPPED:
		result->result_code = HV_GPA_ACCESS_RESULT_UNMAPPED;
		break;
	case HVSIM_GPA_DENIED:
		result->result_code = access == X86_EMU_ACCESS_WRITE ?
				      HV_GPA_ACCESS_RESULT_WRITE_INTERCEPT :
				      HV_GPA_ACCESS_RESULT_READ_INTERCEPT;
		break;
	}
	return HV_STATUS_SUCCESS;
}

/*
 * Common part of READ_GPA and WRITE_GPA: validate, find the VP and make
 * the access.  The access result goes to *@result.
 */
static u16 gpa_rw(const struct hv_input_read_gpa *in, void *data,
		  enum x86_emu_access access, struct hv_gpa_access_result *result)
{
	struct gpa_rw_args args = {
		.in = in,
		.data = data,
		.access = access,
		.result = result,
	};

	return hvsim_vp_call(in->partition_id, in->vp_index, gpa_rw_locked,
			     &args);
}

/**
 * hvsim_hc_read_gpa() - HVCALL_READ_GPA
 * @call: decoded call
 *
 * Reads 1 to 16 bytes that must not cross a 4 KiB page, as the VP would
 * (the SLAT must allow reads), and sets the page's accessed bit.  The
 * cache type in control_flags bits 0-7 is accepted and ignored.  Bytes of
 * the output data not read are zero.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for a bad byte count, a page
 * crossing or other control flags; HV_STATUS_SUCCESS with the access
 * result (SUCCESS, UNMAPPED, READ_INTERCEPT) otherwise.
 */
u16 hvsim_hc_read_gpa(struct hvsim_call *call)
{
	struct hv_output_read_gpa *out = call->output;
	struct hv_output_read_gpa result = {};
	u16 status;

	status = gpa_rw(call->input, result.data, X86_EMU_ACCESS_READ,
			&result.access_result);
	if (status)
		return status;
	if (result.access_result.result_code)
		memset(result.data, 0, sizeof(result.data));
	*out = result;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_write_gpa() - HVCALL_WRITE_GPA
 * @call: decoded call
 *
 * Writes 1 to 16 bytes that must not cross a 4 KiB page, as the VP would
 * (the SLAT must allow writes), and sets the page's accessed and dirty
 * bits.  Rules as for READ_GPA.
 *
 * Return: as hvsim_hc_read_gpa(), with WRITE_INTERCEPT for a write the
 * SLAT forbids.
 */
u16 hvsim_hc_write_gpa(struct hvsim_call *call)
{
	const struct hv_input_write_gpa *in = call->input;
	struct hv_output_write_gpa *out = call->output;
	u8 data[HV_GPA_ACCESS_MAX_BYTES];

	memcpy(data, in->data, sizeof(data));
	return gpa_rw(call->input, data, X86_EMU_ACCESS_WRITE,
		      &out->access_result);
}

static u16 access_states_locked(struct hvsim_partition *pt, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_get_gpa_pages_access_state *in = call->input;
	u8 *out = call->output;
	unsigned int i;

	for (i = call->rep_start; i < call->rep_count; i++)
		out[i] = hvsim_slat_access_state(&pt->slat,
						 in->hv_gpa_page_number + i,
						 in->flags);
	call->reps_done = i;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_get_gpa_pages_access_states() - HVCALL_GET_GPA_PAGES_ACCESS_STATES
 * @call: decoded call; rep n is guest page base + n, one state byte out
 *
 * Each output byte is the page's state (HV_GPA_PAGE_ACCESSED,
 * HV_GPA_PAGE_DIRTY) before the clear/set flags are applied.  Pages
 * without a SLAT entry report 0 and are left alone.  Accessed and dirty
 * bits are recorded whether or not GPA_PAGE_ACCESS_TRACKING is set.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for reserved flag bits or both the
 * clear and the set bit of one state, or a page range that wraps around;
 * HV_STATUS_INVALID_PARTITION_STATE
 * before INITIALIZE_PARTITION or after FINALIZE_PARTITION.
 */
u16 hvsim_hc_get_gpa_pages_access_states(struct hvsim_call *call)
{
	const struct hv_input_get_gpa_pages_access_state *in = call->input;

	return hvsim_partition_call(in->partition_id, HVSIM_PT_RUNNING,
				    access_states_locked, call);
}
