/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the kernels mshv-root supports (Debian's
 * 6.1 and 6.12, and mainline 7.x without its own mshv driver).  Every such
 * difference of the project lives here.
 *
 * The differences are detected by feature, not by version number: Kbuild
 * probes the kernel headers and defines MSHV_HAVE_* (see Kbuild).
 */
#ifndef _MSHV_COMPAT_H
#define _MSHV_COMPAT_H

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>

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

/*
 * The PFN a VM_IO / VM_PFNMAP mapping maps at @addr, and whether the
 * mapping is writable there (the page table entry's write bit); the
 * caller holds the mmap lock.  follow_pte() was replaced by
 * follow_pfnmap_start() in 6.12.
 */
static inline int mshv_follow_pfn(struct vm_area_struct *vma,
				  unsigned long addr, unsigned long *pfn,
				  bool *writable)
{
#ifdef MSHV_HAVE_FOLLOW_PFNMAP
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	int ret;

	ret = follow_pfnmap_start(&args);
	if (ret)
		return ret;
	*pfn = args.pfn;
	*writable = args.writable;
	follow_pfnmap_end(&args);
	return 0;
#else
	spinlock_t *ptl;	/* the page table lock follow_pte() took */
	pte_t *ptep, pte;
	int ret;

	if (!(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EINVAL;
	ret = follow_pte(vma->vm_mm, addr, &ptep, &ptl);
	if (ret)
		return ret;
	pte = ptep_get(ptep);
	*pfn = pte_pfn(pte);
	*writable = pte_write(pte);
	pte_unmap_unlock(ptep, ptl);
	return 0;
#endif
}

/* eventfd_signal() took a count to add until 6.8; now it always adds 1 */
static inline void mshv_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef MSHV_HAVE_EVENTFD_SIGNAL_COUNT
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

/*
 * An unlinked shmem file of @size bytes with no special VMA flags:
 * shmem_file_setup() takes them as vma_flags_t instead of unsigned long
 * since 7.0.
 */
static inline struct file *mshv_shmem_file_setup(const char *name,
						 loff_t size)
{
#ifdef MSHV_HAVE_SHMEM_VMA_FLAGS
	return shmem_file_setup(name, size, EMPTY_VMA_FLAGS);
#else
	return shmem_file_setup(name, size, 0);
#endif
}

/*
 * Set up an hrtimer with its callback: hrtimer_setup() since 6.13,
 * hrtimer_init() and the function field before (hrtimer_init() is gone
 * since 6.15).
 */
static inline void mshv_hrtimer_setup(struct hrtimer *timer,
				      enum hrtimer_restart (*fn)(struct hrtimer *),
				      clockid_t clock, enum hrtimer_mode mode)
{
#ifdef MSHV_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif /* _MSHV_COMPAT_H */
