/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_vp.c: VP life cycle, registers and state pages, DISPATCH_VP and
 * the run loop.
 */
#ifndef _HVSIM_VP_H
#define _HVSIM_VP_H

#include <linux/types.h>

struct dentry;
struct hvsim_call;
struct hvsim_partition;
struct hvsim_vp;
struct seq_file;
struct x86_emu_mem_ops;

extern const struct x86_emu_mem_ops hvsim_vp_mem_ops;
int hvsim_vp_init(void);
void hvsim_vp_exit(void);
void hvsim_vp_destroy(struct hvsim_vp *vp);
void hvsim_vps_show(struct seq_file *m);
void hvsim_partition_teardown(struct hvsim_partition *pt);
u16 hvsim_hc_finalize_partition(struct hvsim_call *call);
u16 hvsim_hc_create_vp(struct hvsim_call *call);
u16 hvsim_hc_delete_vp(struct hvsim_call *call);
u16 hvsim_hc_get_vp_registers(struct hvsim_call *call);
u16 hvsim_hc_set_vp_registers(struct hvsim_call *call);
u16 hvsim_hc_map_vp_state_page(struct hvsim_call *call);
u16 hvsim_hc_unmap_vp_state_page(struct hvsim_call *call);
u16 hvsim_hc_dispatch_vp(struct hvsim_call *call);
void hvsim_vp_debugfs_init(struct dentry *dir);

#endif /* _HVSIM_VP_H */
