/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_guest_hcall.c: hypercalls issued by guest VPs (VMCALL, VMMCALL).
 */
#ifndef _HVSIM_GUEST_HCALL_H
#define _HVSIM_GUEST_HCALL_H

struct dentry;
struct hvsim_vp;
struct x86_emu_exit;
struct x86_emu_mem_ops;

/* What the VP does after a VMCALL: hvsim_guest_hcall() */
enum hvsim_ghc_result {
	HVSIM_GHC_DONE,		/* retired with its result; keep running */
	HVSIM_GHC_UD,		/* raise #UD */
	HVSIM_GHC_MEMORY,	/* the input page stops the VP */
};

void hvsim_guest_hcall_init(const struct x86_emu_mem_ops *vp_mem);
enum hvsim_ghc_result hvsim_guest_hcall(struct hvsim_vp *vp,
					const struct x86_emu_exit *exit,
					struct x86_emu_exit *mem);
void hvsim_guest_hcall_debugfs_init(struct dentry *dir);

#endif /* _HVSIM_GUEST_HCALL_H */
