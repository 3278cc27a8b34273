/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_gpa.c: guest addresses on behalf of the root.
 */
#ifndef _HVSIM_GPA_H
#define _HVSIM_GPA_H

#include <linux/types.h>

struct hvsim_call;

u16 hvsim_hc_map_gpa_pages(struct hvsim_call *call);
u16 hvsim_hc_unmap_gpa_pages(struct hvsim_call *call);
u16 hvsim_hc_translate_virtual_address(struct hvsim_call *call);
u16 hvsim_hc_read_gpa(struct hvsim_call *call);
u16 hvsim_hc_write_gpa(struct hvsim_call *call);
u16 hvsim_hc_get_gpa_pages_access_states(struct hvsim_call *call);

#endif /* _HVSIM_GPA_H */
