/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_port.c: root ports and guest doorbells.
 */
#ifndef _HVSIM_PORT_H
#define _HVSIM_PORT_H

#include <linux/types.h>

struct dentry;
struct hvsim_call;
struct hvsim_vp;
struct x86_emu_exit;

u16 hvsim_hc_create_port(struct hvsim_call *call);
u16 hvsim_hc_connect_port(struct hvsim_call *call);
u16 hvsim_hc_disconnect_port(struct hvsim_call *call);
u16 hvsim_hc_delete_port(struct hvsim_call *call);
bool hvsim_port_doorbell(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
void hvsim_port_debugfs_init(struct dentry *dir);

#endif /* _HVSIM_PORT_H */
