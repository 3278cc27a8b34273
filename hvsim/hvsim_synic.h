/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_synic.c: the root partition's SynIC (of the current CPU).
 */
#ifndef _HVSIM_SYNIC_H
#define _HVSIM_SYNIC_H

#include <linux/types.h>

struct dentry;
struct hvsim_call;
union hv_register_value;

int hvsim_synic_init(void);
void hvsim_synic_exit(void);
void hvsim_synic_debugfs_init(struct dentry *dir);
bool hvsim_synic_reg(u32 name);
u16 hvsim_synic_get_reg(u32 name, union hv_register_value *val);
u16 hvsim_synic_set_reg(u32 name, const union hv_register_value *val);
void hvsim_root_post_message(u32 sint, u32 type, u64 sender,
			     const void *payload, u8 payload_size);
void hvsim_root_ring_signal(u32 sint, u32 value);
u16 hvsim_hc_notify_port_ring_empty(struct hvsim_call *call);
int hvsim_set_root_isr(void (*isr)(void));
void hvsim_root_irq_hold(bool hold);

#endif /* _HVSIM_SYNIC_H */
