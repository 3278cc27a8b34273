/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the kernels mshv-root supports (Debian's
 * 6.1 and 6.12).  Every such difference of the project lives here.
 *
 * The differences are detected by feature, not by version number: Kbuild
 * probes the kernel headers and defines MSHV_HAVE_* (see Kbuild).
 */
#ifndef _MSHV_COMPAT_H
#define _MSHV_COMPAT_H

#include <linux/mm.h>

/*
 * vm_area_struct.vm_flags became read-only in 6.3; it is changed through
 * vm_flags_set() since then.
 */
static inline void mshv_vm_flags_set(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
#ifdef MSHV_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _MSHV_COMPAT_H */
