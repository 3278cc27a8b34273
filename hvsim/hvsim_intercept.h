/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_intercept.c: intercepts, CPUID model.
 */
#ifndef _HVSIM_INTERCEPT_H
#define _HVSIM_INTERCEPT_H

#include <linux/types.h>

struct hvsim_call;
struct hvsim_partition;
struct hvsim_vp;
struct x86_emu_event;
struct x86_emu_exit;

void hvsim_intercepts_destroy(struct hvsim_partition *pt);
void hvsim_intercepts_vp_destroy(struct hvsim_vp *vp);
u32 hvsim_cpuid_exit(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
		     u8 *access, u8 *size);
bool hvsim_msr_intercepted(struct hvsim_partition *pt, u32 index,
			   bool write);
u16 hvsim_hc_install_intercept(struct hvsim_call *call);
u16 hvsim_hc_register_intercept_result(struct hvsim_call *call);
u16 hvsim_hc_get_vp_cpuid_values(struct hvsim_call *call);
bool hvsim_intercept_init_sipi(struct hvsim_partition *pt);
bool hvsim_exception_intercept(struct hvsim_vp *vp,
			       const struct x86_emu_exit *exit,
			       const struct x86_emu_event *ev, u8 *size);

#endif /* _HVSIM_INTERCEPT_H */
