/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_vp_msg.c: a VP's register page and the messages it posts.
 */
#ifndef _HVSIM_VP_MSG_H
#define _HVSIM_VP_MSG_H

#include <linux/types.h>

#include "hvabi.h"

struct hvsim_vp;
struct x86_emu_exit;

void hvsim_vp_absorb_reg_page(struct hvsim_vp *vp);
void hvsim_vp_publish_reg_page(struct hvsim_vp *vp);
void hvsim_vp_rip_written(struct hvsim_vp *vp, u64 rip);
void hvsim_vp_msg_header(struct hvsim_vp *vp,
			 struct hv_x64_intercept_message_header *h,
			 const struct x86_emu_exit *exit, u8 access_type);
void hvsim_vp_post_msg(struct hvsim_vp *vp, u32 type, u8 payload_size);
void hvsim_vp_post_intercept(struct hvsim_vp *vp,
			     const struct x86_emu_exit *exit, u32 type,
			     u8 access, u8 payload_size);

#endif /* _HVSIM_VP_MSG_H */
