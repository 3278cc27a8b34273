// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: the ioctl boundary of /dev/mshv, partition and VP fds.
 *
 * Each kind of fd has one table of the ioctls it answers: the ioctl
 * number, the argument structure and its mandatory size, and the handler.
 * mshv_ioctl_dispatch() copies the argument into a union on the stack, the
 * handler checks its fields (each field in one place) and calls the
 * function of the owning file with kernel types.  A number missing from
 * the table, also one of the other fds or of mainline's client driver,
 * answers -ENOTTY.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uapi/linux/mshv.h"

#include "mshv_regions.h"
#include "mshv_root.h"

/* Every argument an ioctl copies in, for the one copy on the stack */
union mshv_ioctl_arg {
	struct mshv_create_partition_v2 create_partition;
	struct mshv_root_hvcall hvcall;
	struct mshv_create_vp create_vp;
	struct mshv_user_mem_region mem;
	struct mshv_user_irqfd irqfd;
	struct mshv_user_ioeventfd ioeventfd;
	struct mshv_user_irq_table irq_table;
	struct mshv_gpap_access_bitmap gpap;
	struct mshv_get_set_vp_state vp_state;
};

/**
 * struct mshv_ioctl_op - one ioctl of one kind of fd
 * @cmd: the ioctl number
 * @min_size: bytes always copied in: up to the last mandatory field (0:
 *	the ioctl copies no argument in)
 * @size: bytes of the largest argument the driver knows
 * @arg_size: for an argument that grows: the size the first @min_size
 *	bytes declare (read after them); NULL when @min_size is all
 * @execute: the handler; @obj is the fd's private data, @arg the copied
 *	argument, @uarg the ioctl's user pointer (for what goes back)
 */
struct mshv_ioctl_op {
	unsigned int cmd;
	unsigned int min_size;
	unsigned int size;
	size_t (*arg_size)(const union mshv_ioctl_arg *arg);
	long (*execute)(void *obj, union mshv_ioctl_arg *arg,
			void __user *uarg);
};

/* An ioctl whose argument is @_struct up to and including @_last */
#define MSHV_IOCTL_OP(_ioctl, _fn, _struct, _last)			\
	{								\
		.cmd = _ioctl,						\
		.min_size = offsetofend(_struct, _last),		\
		.size = sizeof(_struct),				\
		.execute = _fn,						\
	}

/* An ioctl that copies no argument in */
#define MSHV_IOCTL_OP_NOARG(_ioctl, _fn)	{ .cmd = _ioctl, .execute = _fn }

/*
 * Copy the argument of @op in and run its handler.  The bytes past
 * @op->min_size are read only when @op->arg_size() asks for them, each
 * byte once: the handler sees one consistent argument.
 */
static long mshv_ioctl_dispatch(const struct mshv_ioctl_op *ops,
				size_t nr_ops, void *obj, unsigned int cmd,
				unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct mshv_ioctl_op *op = NULL;
	union mshv_ioctl_arg buf;
	size_t i, usize;
	int ret;

	for (i = 0; i < nr_ops; i++) {
		if (ops[i].cmd == cmd) {
			op = &ops[i];
			break;
		}
	}
	if (!op)
		return -ENOTTY;

	ret = copy_struct_from_user(&buf, op->size, uarg, op->min_size);
	if (ret)
		return ret;
	if (op->arg_size) {
		usize = op->arg_size(&buf);
		if (usize > op->min_size &&
		    copy_from_user((u8 *)&buf + op->min_size,
				   (u8 __user *)uarg + op->min_size,
				   usize - op->min_size))
			return -EFAULT;
	}
	return op->execute(obj, &buf, uarg);
}

/*
 * /dev/mshv
 */

static const struct {
	unsigned int pt_bit;
	u64 hv_flag;
} mshv_pt_flag_map[] = {
	{ MSHV_PT_BIT_LAPIC, HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED },
	{ MSHV_PT_BIT_X2APIC, HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE },
	{ MSHV_PT_BIT_GPA_SUPER_PAGES,
	  HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED },
	{ MSHV_PT_BIT_NESTED_VIRTUALIZATION,
	  HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE },
	{ MSHV_PT_BIT_SMT_ENABLED_GUEST,
	  HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST },
};

static bool mshv_create_args_valid(const struct mshv_create_partition_v2 *a)
{
	return !(a->pt_flags & ~(u64)MSHV_PT_FLAGS_MASK) &&
	       a->pt_isolation < MSHV_PT_ISOLATION_COUNT;
}

/*
 * The v1 argument (16 bytes, what the ioctl number encodes) grows to v2
 * when it asks for CPU and XSAVE features; a v1 part that is invalid is
 * refused before the rest is read.
 */
static size_t mshv_create_partition_size(const union mshv_ioctl_arg *arg)
{
	const struct mshv_create_partition_v2 *a = &arg->create_partition;

	if (mshv_create_args_valid(a) &&
	    (a->pt_flags & BIT(MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES)))
		return sizeof(struct mshv_create_partition_v2);
	return sizeof(struct mshv_create_partition);
}

static long mshv_ioctl_create_partition(void *obj, union mshv_ioctl_arg *arg,
					void __user *uarg)
{
	const struct mshv_create_partition_v2 *a = &arg->create_partition;
	struct hv_input_create_partition in = {};
	size_t i;

	BUILD_BUG_ON(MSHV_NUM_CPU_FEATURES_BANKS !=
		     HV_NUM_PROCESSOR_FEATURE_BANKS);
	BUILD_BUG_ON(sizeof(*a) != 64);

	if (!mshv_create_args_valid(a))
		return -EINVAL;
	if (a->pt_flags & BIT(MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES)) {
		if (a->pt_num_cpu_fbanks != MSHV_NUM_CPU_FEATURES_BANKS ||
		    memchr_inv(a->pt_rsvd, 0, sizeof(a->pt_rsvd)) ||
		    memchr_inv(a->pt_rsvd1, 0, sizeof(a->pt_rsvd1)))
			return -EINVAL;
		for (i = 0; i < MSHV_NUM_CPU_FEATURES_BANKS; i++)
			in.disabled_processor_features[i] =
				a->pt_cpu_fbanks[i];
		in.disabled_processor_xsave_features = a->pt_disabled_xsave;
	}

	in.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
		   HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;
	for (i = 0; i < ARRAY_SIZE(mshv_pt_flag_map); i++)
		if (a->pt_flags & BIT_ULL(mshv_pt_flag_map[i].pt_bit))
			in.flags |= mshv_pt_flag_map[i].hv_flag;

	in.compatibility_version = HV_COMPATIBILITY_21_H2;
	/* MSHV_PT_ISOLATION_NONE is the only isolation the uapi offers */
	in.isolation_properties = HV_PARTITION_ISOLATION_TYPE_NONE;
	return mshv_partition_create(&in);
}

static long mshv_ioctl_dev_hvcall(void *obj, union mshv_ioctl_arg *arg,
				  void __user *uarg)
{
	return mshv_root_hvcall(NULL, HV_PARTITION_ID_SELF, MSHV_HVCALL_SELF,
				&arg->hvcall, uarg);
}

static const struct mshv_ioctl_op mshv_dev_ops[] = {
	{
		.cmd = MSHV_CREATE_PARTITION,
		.min_size = offsetofend(struct mshv_create_partition_v2,
					pt_isolation),
		.size = sizeof(struct mshv_create_partition_v2),
		.arg_size = mshv_create_partition_size,
		.execute = mshv_ioctl_create_partition,
	},
	MSHV_IOCTL_OP(MSHV_ROOT_HVCALL, mshv_ioctl_dev_hvcall,
		      struct mshv_root_hvcall, out_ptr),
};

/**
 * mshv_dev_ioctl() - the ioctls of /dev/mshv
 * @file: the /dev/mshv file
 * @cmd: ioctl number
 * @arg: ioctl argument
 *
 * Return: the handler's result, or -ENOTTY for an unknown number.
 */
long mshv_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return mshv_ioctl_dispatch(mshv_dev_ops, ARRAY_SIZE(mshv_dev_ops),
				   NULL, cmd, arg);
}

/*
 * Partition fd
 */

static long mshv_ioctl_initialize(void *obj, union mshv_ioctl_arg *arg,
				  void __user *uarg)
{
	return mshv_partition_initialize(obj);
}

static long mshv_ioctl_create_vp(void *obj, union mshv_ioctl_arg *arg,
				 void __user *uarg)
{
	if (arg->create_vp.vp_index >= MSHV_MAX_VPS)
		return -EINVAL;
	return mshv_vp_create(obj, arg->create_vp.vp_index);
}

static long mshv_ioctl_set_memory(void *obj, union mshv_ioctl_arg *arg,
				  void __user *uarg)
{
	const struct mshv_user_mem_region *mem = &arg->mem;
	u64 nr_pages = mem->size >> HV_HYP_PAGE_SHIFT;

	if (!mem->size || !PAGE_ALIGNED(mem->size) ||
	    !PAGE_ALIGNED(mem->userspace_addr) ||
	    (mem->flags & ~MSHV_SET_MEM_FLAGS_MASK) ||
	    memchr_inv(mem->rsvd, 0, sizeof(mem->rsvd)))
		return -EINVAL;
	if (!mshv_gfn_range_valid(mem->guest_pfn, nr_pages))
		return -EINVAL;
	if (mem->userspace_addr + mem->size < mem->userspace_addr ||
	    !access_ok(u64_to_user_ptr(mem->userspace_addr), mem->size))
		return -EINVAL;

	if (mem->flags & BIT(MSHV_SET_MEM_BIT_UNMAP))
		return mshv_region_unmap(obj, mem->guest_pfn, nr_pages,
					 mem->userspace_addr);
	return mshv_region_map(obj, mem->guest_pfn, nr_pages,
			       mem->userspace_addr, mem->flags);
}

static long mshv_ioctl_irqfd(void *obj, union mshv_ioctl_arg *arg,
			     void __user *uarg)
{
	const struct mshv_user_irqfd *a = &arg->irqfd;

	if (a->flags & ~MSHV_IRQFD_FLAGS_MASK)
		return -EINVAL;
	if (a->flags & BIT(MSHV_IRQFD_BIT_DEASSIGN))
		return mshv_irqfd_deassign(obj, a->fd, a->gsi);
	return mshv_irqfd_assign(obj, a->fd, a->gsi,
				 a->flags & BIT(MSHV_IRQFD_BIT_RESAMPLE),
				 a->resamplefd);
}

static long mshv_ioctl_ioeventfd(void *obj, union mshv_ioctl_arg *arg,
				 void __user *uarg)
{
	const struct mshv_user_ioeventfd *a = &arg->ioeventfd;
	bool wildcard = !(a->flags & BIT(MSHV_IOEVENTFD_BIT_DATAMATCH));

	if ((a->flags & ~MSHV_IOEVENTFD_FLAGS_MASK) ||
	    memchr_inv(a->rsvd, 0, sizeof(a->rsvd)))
		return -EINVAL;
	if (a->flags & BIT(MSHV_IOEVENTFD_BIT_PIO))
		return -EOPNOTSUPP;
	if (a->flags & BIT(MSHV_IOEVENTFD_BIT_DEASSIGN))
		return mshv_ioeventfd_deassign(obj, a->fd, a->addr, a->len,
					       wildcard, a->datamatch);
	return mshv_ioeventfd_assign(obj, a->fd, a->addr, a->len, wildcard,
				     a->datamatch);
}

static long mshv_ioctl_set_msi_routing(void *obj, union mshv_ioctl_arg *arg,
				       void __user *uarg)
{
	struct mshv_user_irq_table __user *user_table = uarg;
	struct mshv_user_irq_entry *entries = NULL;
	u32 nr = arg->irq_table.nr;
	long ret;

	if (nr > MSHV_MAX_GUEST_IRQS || arg->irq_table.rsvd)
		return -EINVAL;

	if (nr) {
		entries = vmemdup_user(user_table->entries,
				       array_size(nr, sizeof(*entries)));
		if (IS_ERR(entries))
			return PTR_ERR(entries);
	}

	ret = mshv_set_msi_routing(obj, entries, nr);
	kvfree(entries);
	return ret;
}

static long mshv_ioctl_gpap_access_bitmap(void *obj,
					  union mshv_ioctl_arg *arg,
					  void __user *uarg)
{
	const struct mshv_gpap_access_bitmap *a = &arg->gpap;

	if (a->access_type >= MSHV_GPAP_ACCESS_TYPE_COUNT ||
	    a->access_op >= MSHV_GPAP_ACCESS_OP_COUNT ||
	    memchr_inv(a->rsvd, 0, sizeof(a->rsvd)) ||
	    !a->bitmap_ptr ||
	    !mshv_gfn_range_valid(a->gpap_base, a->page_count))
		return -EINVAL;
	return mshv_gpap_access_bitmap(obj, a->access_type, a->access_op,
				       a->gpap_base, a->page_count,
				       u64_to_user_ptr(a->bitmap_ptr));
}

static long mshv_ioctl_partition_hvcall(void *obj, union mshv_ioctl_arg *arg,
					void __user *uarg)
{
	struct mshv_partition *partition = obj;

	return mshv_root_hvcall(partition, partition->id,
				MSHV_HVCALL_PARTITION, &arg->hvcall, uarg);
}

static const struct mshv_ioctl_op mshv_partition_ops[] = {
	MSHV_IOCTL_OP_NOARG(MSHV_INITIALIZE_PARTITION, mshv_ioctl_initialize),
	MSHV_IOCTL_OP(MSHV_CREATE_VP, mshv_ioctl_create_vp,
		      struct mshv_create_vp, vp_index),
	MSHV_IOCTL_OP(MSHV_SET_GUEST_MEMORY, mshv_ioctl_set_memory,
		      struct mshv_user_mem_region, rsvd),
	MSHV_IOCTL_OP(MSHV_IRQFD, mshv_ioctl_irqfd, struct mshv_user_irqfd,
		      flags),
	MSHV_IOCTL_OP(MSHV_IOEVENTFD, mshv_ioctl_ioeventfd,
		      struct mshv_user_ioeventfd, rsvd),
	MSHV_IOCTL_OP(MSHV_SET_MSI_ROUTING, mshv_ioctl_set_msi_routing,
		      struct mshv_user_irq_table, rsvd),
	MSHV_IOCTL_OP(MSHV_GET_GPAP_ACCESS_BITMAP,
		      mshv_ioctl_gpap_access_bitmap,
		      struct mshv_gpap_access_bitmap, bitmap_ptr),
	MSHV_IOCTL_OP(MSHV_ROOT_HVCALL, mshv_ioctl_partition_hvcall,
		      struct mshv_root_hvcall, out_ptr),
};

/**
 * mshv_partition_ioctl() - the ioctls of a partition fd
 * @file: the partition file
 * @cmd: ioctl number
 * @arg: ioctl argument
 *
 * Return: the handler's result, or -ENOTTY for an unknown number.
 */
long mshv_partition_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return mshv_ioctl_dispatch(mshv_partition_ops,
				   ARRAY_SIZE(mshv_partition_ops),
				   file->private_data, cmd, arg);
}

/*
 * VP fd
 */

static long mshv_ioctl_run_vp(void *obj, union mshv_ioctl_arg *arg,
			      void __user *uarg)
{
	return mshv_vp_run_to_user(obj, uarg);
}

static long mshv_ioctl_vp_state(struct mshv_vp *vp,
				const struct mshv_get_set_vp_state *a,
				void __user *uarg, bool set)
{
	struct mshv_get_set_vp_state __user *user_args = uarg;

	if (a->type >= MSHV_VP_STATE_COUNT ||
	    memchr_inv(a->rsvd, 0, sizeof(a->rsvd)) ||
	    !a->buf_sz || !PAGE_ALIGNED(a->buf_sz) ||
	    !PAGE_ALIGNED(a->buf_ptr))
		return -EINVAL;
	/* Like mainline: a buffer outside user space before buf_sz is set */
	if (!access_ok(u64_to_user_ptr(a->buf_ptr), a->buf_sz))
		return -EFAULT;
	return mshv_vp_state_transfer(vp, a->type, a->buf_ptr, a->buf_sz,
				      &user_args->buf_sz, set);
}

static long mshv_ioctl_get_vp_state(void *obj, union mshv_ioctl_arg *arg,
				    void __user *uarg)
{
	return mshv_ioctl_vp_state(obj, &arg->vp_state, uarg, false);
}

static long mshv_ioctl_set_vp_state(void *obj, union mshv_ioctl_arg *arg,
				    void __user *uarg)
{
	return mshv_ioctl_vp_state(obj, &arg->vp_state, uarg, true);
}

static long mshv_ioctl_vp_hvcall(void *obj, union mshv_ioctl_arg *arg,
				 void __user *uarg)
{
	struct mshv_vp *vp = obj;

	return mshv_root_hvcall(vp->partition, vp->partition->id,
				MSHV_HVCALL_VP, &arg->hvcall, uarg);
}

static const struct mshv_ioctl_op mshv_vp_ops[] = {
	/* The message buffer is output only */
	MSHV_IOCTL_OP_NOARG(MSHV_RUN_VP, mshv_ioctl_run_vp),
	MSHV_IOCTL_OP(MSHV_GET_VP_STATE, mshv_ioctl_get_vp_state,
		      struct mshv_get_set_vp_state, buf_ptr),
	MSHV_IOCTL_OP(MSHV_SET_VP_STATE, mshv_ioctl_set_vp_state,
		      struct mshv_get_set_vp_state, buf_ptr),
	MSHV_IOCTL_OP(MSHV_ROOT_HVCALL, mshv_ioctl_vp_hvcall,
		      struct mshv_root_hvcall, out_ptr),
};

/**
 * mshv_vp_ioctl() - the ioctls of a VP fd
 * @file: the VP file
 * @cmd: ioctl number
 * @arg: ioctl argument
 *
 * Return: the handler's result, or -ENOTTY for an unknown number.
 */
long mshv_vp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return mshv_ioctl_dispatch(mshv_vp_ops, ARRAY_SIZE(mshv_vp_ops),
				   file->private_data, cmd, arg);
}
