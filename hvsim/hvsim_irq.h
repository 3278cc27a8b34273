/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_irq.c: the guest interrupt model (partition lock held).
 */
#ifndef _HVSIM_IRQ_H
#define _HVSIM_IRQ_H

#include <linux/types.h>

/* Activity states that keep a VP from running: a dispatch ends at them */
#define HVSIM_RUN_ACTIVITY	(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND | \
				 HV_INTERNAL_ACTIVITY_HALT_SUSPEND)

struct dentry;
struct hvsim_call;
struct hvsim_partition;
struct hvsim_vp;
struct x86_emu_exit;
struct x86_emu_mem_ops;

enum hvsim_irq_result {
	HVSIM_IRQ_NONE,		/* nothing deliverable */
	HVSIM_IRQ_DELIVERED,	/* the guest is at its handler */
	HVSIM_IRQ_EXIT,		/* delivery stopped; handle the exit */
};

u16 hvsim_hc_assert_virtual_interrupt(struct hvsim_call *call);
u16 hvsim_hc_clear_virtual_interrupt(struct hvsim_call *call);
void hvsim_irq_init(const struct x86_emu_mem_ops *vp_mem);
bool hvsim_apic_mmio(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
bool hvsim_apic_msr(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
bool hvsim_apic_x2apic(const struct hvsim_vp *vp);
bool hvsim_apic_base_write(struct hvsim_vp *vp, u64 val);
bool hvsim_irq_hlt(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
bool hvsim_irq_halted(struct hvsim_vp *vp);
bool hvsim_irq_attention(const struct hvsim_vp *vp);
void hvsim_irq_scan(struct hvsim_vp *vp);
enum hvsim_irq_result hvsim_irq_inject(struct hvsim_vp *vp,
				       const struct x86_emu_mem_ops *ops,
				       struct x86_emu_exit *exit);
void hvsim_irq_debugfs_init(struct dentry *dir);
void hvsim_irq_synic(struct hvsim_vp *vp, u32 vector);
unsigned int hvsim_irq_send_fixed(struct hvsim_partition *pt, const u64 *vps,
				  u32 vector);
bool hvsim_synic_auto_eoi(struct hvsim_vp *vp, u32 vector);

bool hvsim_apic_stopped(struct hvsim_vp *vp);
void hvsim_irq_set_activity(struct hvsim_vp *vp, u64 val);
void hvsim_irq_resumed(struct hvsim_vp *vp);
void hvsim_irq_timer_signal(struct hvsim_vp *vp);

#endif /* _HVSIM_IRQ_H */
