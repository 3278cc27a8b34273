// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSHV_SET_MSI_ROUTING: the tables the kernel accepts.  The ones it
 * refuses, with their errno and the previous table still in place, are
 * rows of mshv_bad_input_test (and the KUnit suite mshv_root_irq).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mshv_test.h"

#define MAX_GSI		4096

FIXTURE(irq)
{
	struct mshv_vm *vm;
	struct mshv_user_irq_table *table;
};

FIXTURE_SETUP(irq)
{
	self->vm = mshv_vm_create();
	self->table = calloc(1, sizeof(*self->table) +
			     (MAX_GSI + 1) * sizeof(self->table->entries[0]));
	ASSERT_NE(NULL, self->table);
}

FIXTURE_TEARDOWN(irq)
{
	free(self->table);
	mshv_vm_free(self->vm);
}

static int set_routing(int fd, struct mshv_user_irq_table *table)
{
	return ioctl(fd, MSHV_SET_MSI_ROUTING, table);
}

static void set_entry(struct mshv_user_irq_table *table, unsigned int i,
		      __u32 gsi, __u32 address_lo, __u32 data)
{
	table->entries[i].gsi = gsi;
	table->entries[i].address_lo = address_lo;
	table->entries[i].address_hi = 0;
	table->entries[i].data = data;
}

/* Tables the kernel takes, each replacing the one before */
TEST_F(irq, accepted)
{
	unsigned int i;

	/* Two routes */
	self->table->nr = 2;
	set_entry(self->table, 0, 0, 0xFEE00000, 0x0030);
	set_entry(self->table, 1, 24, 0xFEE01004, 0x8131);
	EXPECT_EQ(0, set_routing(self->vm->fd, self->table));

	/* nr == 0 clears it, twice in a row too */
	self->table->nr = 0;
	EXPECT_EQ(0, set_routing(self->vm->fd, self->table));
	EXPECT_EQ(0, set_routing(self->vm->fd, self->table));

	/* All-zero entries reserve GSIs (QEMU does this) */
	self->table->nr = 3;
	memset(self->table->entries, 0, 3 * sizeof(self->table->entries[0]));
	self->table->entries[1].gsi = 1;
	self->table->entries[2].gsi = 4095;
	EXPECT_EQ(0, set_routing(self->vm->fd, self->table));

	/* The largest table: every GSI, in reverse order */
	self->table->nr = MAX_GSI;
	for (i = 0; i < MAX_GSI; i++)
		set_entry(self->table, i, MAX_GSI - 1 - i, 0xFEE00000 | i << 12,
			  0x20 + (i & 0xDF));
	EXPECT_EQ(0, set_routing(self->vm->fd, self->table));
}

/* Unreadable header or entries: EFAULT */
TEST_F(irq, efault)
{
	struct mshv_user_irq_table *table;
	__u8 *page;

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm->fd, MSHV_SET_MSI_ROUTING, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* Two pages, the second one inaccessible: entries run into it */
	page = mmap(NULL, 2 * MSHV_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, mprotect(page + MSHV_PAGE_SIZE, MSHV_PAGE_SIZE,
			      PROT_NONE));
	/* The header and one entry fit, the second entry does not */
	table = (void *)(page + MSHV_PAGE_SIZE - sizeof(*table) -
			 sizeof(table->entries[0]));
	table->nr = 2;
	table->rsvd = 0;
	set_entry(table, 0, 1, 0xFEE00000, 0x30);
	errno = 0;
	EXPECT_EQ(-1, set_routing(self->vm->fd, table));
	EXPECT_EQ(EFAULT, errno);
	table->nr = 1;
	EXPECT_EQ(0, set_routing(self->vm->fd, table));
	munmap(page, 2 * MSHV_PAGE_SIZE);
}

/* A partition torn down with a table in place frees it (kmemleak) */
TEST(teardown_with_table)
{
	struct mshv_user_irq_table *table;
	struct mshv_vm *vm;
	unsigned int i;

	table = calloc(1, sizeof(*table) + 512 * sizeof(table->entries[0]));
	ASSERT_NE(NULL, table);
	for (i = 0; i < 4; i++) {
		vm = mshv_vm_create();
		table->nr = 512;
		for (unsigned int n = 0; n < 512; n++)
			set_entry(table, n, n * 8 + i, 0xFEE00000, 0x30 + i);
		ASSERT_EQ(0, set_routing(vm->fd, table));
		/* Replace it once, so a grace-period free is pending too */
		table->nr = 256;
		ASSERT_EQ(0, set_routing(vm->fd, table));
		mshv_vm_free(vm);
	}
	free(table);
}

TEST_HARNESS_MAIN
