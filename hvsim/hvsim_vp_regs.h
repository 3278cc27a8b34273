/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_vp_regs.c: the registers of a VP, for the VMM and the guest.
 */
#ifndef _HVSIM_VP_REGS_H
#define _HVSIM_VP_REGS_H

#include <linux/types.h>

struct hvsim_vp;
struct x86_emu_exit;
union hv_register_value;

enum hvsim_msr_result {
	HVSIM_MSR_NONE,		/* not an MSR of the register table */
	HVSIM_MSR_DONE,		/* read or written */
	HVSIM_MSR_GP,		/* the access is a #GP */
};

void hvsim_vp_regs_reset(struct hvsim_vp *vp);
u16 hvsim_vp_get_reg(struct hvsim_vp *vp, u32 name,
		     union hv_register_value *v);
u16 hvsim_vp_set_reg(struct hvsim_vp *vp, u32 name,
		     const union hv_register_value *v);
enum hvsim_msr_result hvsim_vp_msr_access(struct hvsim_vp *vp, u32 index,
					  bool write, u64 *val);
u32 hvsim_msr_exit(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
		   u8 *access, u8 *size);

/* hvsim_msr_exit() returns it for an access that is a #GP */
#define HVSIM_MSR_FAULT		0xFFFFFFFFU

#endif /* _HVSIM_VP_REGS_H */
