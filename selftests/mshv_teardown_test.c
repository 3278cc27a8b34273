// SPDX-License-Identifier: GPL-2.0-only
/*
 * Teardown orders: VP fds closed before or after the partition fd, with
 * the VP pages still mmap'd (munmap after close), after the VP ran, and
 * with guest memory still mapped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_test.h"

#define MEM_SIZE	0x10000ULL
#define CODE_GPA	0x1000ULL

MSHV_GUEST_CODE(code, 16,
		"	mov $0x3f8, %dx\n"
		"	out %al, %dx\n"
		"	hlt\n");

struct pages {
	void *regs;
	void *msg;
};

static void map_pages(struct mshv_vp *vp, struct pages *pg)
{
	pg->regs = mshv_mmap_vp_page(vp->fd, MSHV_VP_MMAP_OFFSET_REGISTERS);
	pg->msg = mshv_mmap_vp_page(vp->fd,
				    MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE);
}

/* Run to the OUT so the pages hold live state */
static void run_to_out(struct __test_metadata *_metadata,
		       struct mshv_vm *vm, struct mshv_vp *vp)
{
	const struct hv_x64_io_port_intercept_message *io;

	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_vm_write(vm, CODE_GPA, code, MSHV_GUEST_SIZE(code));
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(0x3f8, io->port_number);
	EXPECT_EQ(CODE_GPA + 3, io->header.rip);
}

static void unmap_pages(struct __test_metadata *_metadata,
			const struct pages *pg, bool ran)
{
	/* The pages stay readable until munmap, even with all fds closed */
	if (ran)
		EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT,
			  ((struct hv_message *)pg->msg)->header.message_type);
	EXPECT_EQ(0, munmap(pg->regs, MSHV_HV_PAGE_SIZE));
	EXPECT_EQ(0, munmap(pg->msg, MSHV_HV_PAGE_SIZE));
}

/*
 * Close by hand (not mshv_vm_free()) so the order is the test's; guest
 * memory is released last.
 */
static void close_fd(struct __test_metadata *_metadata, int fd)
{
	EXPECT_EQ(0, close(fd)) TH_LOG("close(%d): %s", fd, strerror(errno));
}

FIXTURE(td)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	struct pages pg;
};

FIXTURE_VARIANT(td)
{
	bool run;
};

FIXTURE_VARIANT_ADD(td, idle)
{
	.run = false,
};

FIXTURE_VARIANT_ADD(td, after_run)
{
	.run = true,
};

FIXTURE_SETUP(td)
{
	self->vm = mshv_vm_create();
	self->vp = mshv_vp_create(self->vm, 0);
	map_pages(self->vp, &self->pg);
	if (variant->run)
		run_to_out(_metadata, self->vm, self->vp);
}

FIXTURE_TEARDOWN(td)
{
	mshv_free_host_memory(self->vm->mem, self->vm->mem_size);
	free(self->vm);
	free(self->vp);
}

TEST_F(td, vp_then_partition)
{
	close_fd(_metadata, self->vp->fd);
	close_fd(_metadata, self->vm->fd);
	close_fd(_metadata, self->vm->dev_fd);
	unmap_pages(_metadata, &self->pg, variant->run);
}

TEST_F(td, partition_then_vp)
{
	close_fd(_metadata, self->vm->fd);
	close_fd(_metadata, self->vm->dev_fd);
	/* The VP fd keeps the partition alive: it still answers */
	EXPECT_EQ(variant->run ? CODE_GPA + 3 : 0xFFF0ULL,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	close_fd(_metadata, self->vp->fd);
	unmap_pages(_metadata, &self->pg, variant->run);
}

TEST_F(td, munmap_then_close)
{
	unmap_pages(_metadata, &self->pg, variant->run);
	close_fd(_metadata, self->vm->fd);
	close_fd(_metadata, self->vp->fd);
	close_fd(_metadata, self->vm->dev_fd);
}

/* The process exits with everything open and mapped */
TEST_F(td, exit_with_everything_open)
{
}

/* Many VPs, each with its pages mapped, closed in creation order */
TEST(many_vps)
{
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_vp *vp[16];
	struct pages pg[16];
	unsigned int i;

	for (i = 0; i < 16; i++) {
		vp[i] = mshv_vp_create(vm, i * 16);
		map_pages(vp[i], &pg[i]);
	}
	close_fd(_metadata, vm->fd);
	for (i = 0; i < 16; i++) {
		close_fd(_metadata, vp[i]->fd);
		unmap_pages(_metadata, &pg[i], false);
		free(vp[i]);
	}
	close_fd(_metadata, vm->dev_fd);
	free(vm);
}

TEST_HARNESS_MAIN
