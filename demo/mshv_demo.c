// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_demo: the smallest useful VMM on /dev/mshv.
 *
 * Usage: mshv_demo <flat binary>
 *
 * Creates a partition with 64 KiB of memory at GPA 0, loads the binary at
 * GPA 0x1000 and runs one VP from there in real mode (CS base 0, IP
 * 0x1000).  Every byte the guest writes to COM1 (port 0x3f8) goes to
 * stdout.  Stops with status 0 when the guest halts, and with status 1 on
 * any other intercept, which is printed decoded on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mshv_lib.h"

#define MEM_SIZE	0x10000ULL
#define LOAD_GPA	0x1000ULL
#define COM1		0x3f8
#define MAX_WRITES	BIT(20)

static void load_image(struct mshv_vm *vm, const char *path)
{
	static char buf[MEM_SIZE - LOAD_GPA + 1];
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "[mshv_demo] %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (len < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "[mshv_demo] read %s: %s\n", path,
				strerror(errno));
			exit(1);
		}
		len += n;
	}
	close(fd);
	if (!len || len > MEM_SIZE - LOAD_GPA) {
		fprintf(stderr,
			"[mshv_demo] %s: %zu bytes; must be 1 to %llu bytes\n",
			path, len, MEM_SIZE - LOAD_GPA);
		exit(1);
	}
	mshv_vm_write(vm, LOAD_GPA, buf, len);
}

static void print_intercept(const struct hv_message *msg)
{
	const struct hv_x64_intercept_message_header *hdr =
		(const void *)msg->u.payload_bytes;
	const struct hv_x64_io_port_intercept_message *io =
		(const void *)msg->u.payload_bytes;
	const struct hv_x64_memory_intercept_message *mem =
		(const void *)msg->u.payload_bytes;
	__u32 type = msg->header.message_type;

	fprintf(stderr, "[mshv_demo] unexpected intercept %#x (%s)", type,
		mshv_msg_type_name(type));
	/* Types 0x8001xxxx and the unrecoverable exception have the header */
	if ((type & 0xffff0000) == 0x80010000 ||
	    type == HVMSG_UNRECOVERABLE_EXCEPTION ||
	    type == HVMSG_UNMAPPED_GPA || type == HVMSG_GPA_INTERCEPT)
		fprintf(stderr, " vp %u cs:rip %04x:%#llx length %u access %u",
			hdr->vp_index, hdr->cs_segment.selector,
			(unsigned long long)hdr->rip,
			hdr->instruction_length_cr8 &
			HV_X64_INSTRUCTION_LENGTH_MASK,
			hdr->intercept_access_type);
	if (type == HVMSG_X64_IO_PORT_INTERCEPT)
		fprintf(stderr, " port %#x size %u%s%s rax %#llx",
			io->port_number,
			io->access_info & HV_X64_IO_ACCESS_SIZE_MASK,
			io->access_info & HV_X64_IO_ACCESS_STRING_OP ?
			" string" : "",
			io->access_info & HV_X64_IO_ACCESS_REP_PREFIX ?
			" rep" : "",
			(unsigned long long)io->rax);
	if (type == HVMSG_UNMAPPED_GPA || type == HVMSG_GPA_INTERCEPT)
		fprintf(stderr, " gpa %#llx",
			(unsigned long long)mem->guest_physical_address);
	fprintf(stderr, "\n");
}

/* A byte the guest wrote to COM1 */
static bool is_com1_byte(const struct hv_message *msg)
{
	const struct hv_x64_io_port_intercept_message *io =
		(const void *)msg->u.payload_bytes;

	return msg->header.message_type == HVMSG_X64_IO_PORT_INTERCEPT &&
	       io->header.intercept_access_type == HV_INTERCEPT_ACCESS_WRITE &&
	       io->port_number == COM1 &&
	       io->access_info == 1;
}

int main(int argc, char **argv)
{
	const struct hv_x64_io_port_intercept_message *io;
	unsigned long writes = 0;
	struct hv_message *msg;
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	char last = '\n';

	if (argc != 2) {
		fprintf(stderr, "usage: %s <flat binary>\n", argv[0]);
		return 2;
	}

	vm = mshv_vm_create();
	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	load_image(vm, argv[1]);
	vp = mshv_vp_create(vm, 0);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, LOAD_GPA);

	for (;;) {
		msg = mshv_vp_run(vp);
		if (!is_com1_byte(msg))
			break;
		io = (const void *)msg->u.payload_bytes;
		last = (char)io->rax;
		putchar(last);
		if (++writes == MAX_WRITES) {
			fflush(stdout);
			fprintf(stderr, "\n[mshv_demo] giving up after %lu port writes\n",
				writes);
			return 1;
		}
		mshv_vp_skip_insn(vp, &io->header);
	}

	if (last != '\n')
		putchar('\n');
	if (msg->header.message_type != HVMSG_X64_HALT) {
		fflush(stdout);
		print_intercept(msg);
		return 1;
	}
	printf("[mshv_demo] guest halted after %lu port writes\n", writes);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	return 0;
}
