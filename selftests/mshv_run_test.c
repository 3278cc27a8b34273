// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running a VP (MSHV_RUN_VP): the acceptance program (2 + 2 printed on the
 * serial port), once with register hypercalls and once through the mmap'd
 * register and intercept-message pages, IN emulation, I/O access sizes,
 * HLT, an instruction the VP cannot execute, and what hvsim's debugfs
 * "vps" file shows of a stopped VP.
 *
 * Guest code is real-mode x86; the instructions a test checks are labelled,
 * so that their addresses and lengths come from the assembler.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x10000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL
#define COM1		0x3f8

/* A program: its first byte and the byte after its last */
struct prog {
	const __u8 *code;
	const __u8 *end;
};

#define PROG(name)	((struct prog){ name, name##_end })

/* An instruction of a program: its first byte and the byte after it */
struct insn {
	const __u8 *at;
	const __u8 *next;
};

#define INSN(at, next)	((struct insn){ at, next })

/*
 * The acceptance program: AL = AL + BL + '0' = '4' with RAX = RBX = 2,
 * written to COM1, then a 0 byte, then HLT.
 */
MSHV_GUEST_CODE(add_code, 16,
		"	mov $0x3f8, %dx\n"
		"	add %bl, %al\n"
		"	add $'0', %al\n"
		"add_out1:\n"
		"	out %al, %dx\n"
		"add_mov0:\n"
		"	mov $0, %al\n"
		"add_out2:\n"
		"	out %al, %dx\n"
		"add_hlt:\n"
		"	hlt\n");
MSHV_GUEST_LABEL(add_out1);
MSHV_GUEST_LABEL(add_mov0);
MSHV_GUEST_LABEL(add_out2);
MSHV_GUEST_LABEL(add_hlt);
#define ADD_OUT1	INSN(add_out1, add_mov0)
#define ADD_OUT2	INSN(add_out2, add_hlt)
#define ADD_HLT		INSN(add_hlt, add_code_end)

/* Read a byte from COM1 and write it back: the VMM supplies AL */
MSHV_GUEST_CODE(in_code, 16,
		"	mov $0x3f8, %dx\n"
		"in_in:\n"
		"	in %dx, %al\n"
		"in_out:\n"
		"	out %al, %dx\n"
		"in_hlt:\n"
		"	hlt\n");
MSHV_GUEST_LABEL(in_in);
MSHV_GUEST_LABEL(in_out);
MSHV_GUEST_LABEL(in_hlt);
#define IN_IN		INSN(in_in, in_out)
#define IN_OUT		INSN(in_out, in_hlt)
#define IN_HLT		INSN(in_hlt, in_code_end)

/* Port I/O of each width, and the immediate-port form */
MSHV_GUEST_CODE(size_code, 16,
		"	mov $0x3f8, %dx\n"
		"	mov $0x1234, %ax\n"
		"sz_out16:\n"
		"	out %ax, %dx\n"
		"sz_mov32:\n"
		"	mov $0x12345678, %eax\n"
		"sz_out32:\n"
		"	out %eax, %dx\n"
		"sz_out_imm:\n"
		"	out %al, $0x80\n"
		"sz_hlt:\n"
		"	hlt\n");
MSHV_GUEST_LABEL(sz_out16);
MSHV_GUEST_LABEL(sz_mov32);
MSHV_GUEST_LABEL(sz_out32);
MSHV_GUEST_LABEL(sz_out_imm);
MSHV_GUEST_LABEL(sz_hlt);
#define SZ_OUT16	INSN(sz_out16, sz_mov32)
#define SZ_OUT32	INSN(sz_out32, sz_out_imm)
#define SZ_OUT_IMM	INSN(sz_out_imm, sz_hlt)
#define SZ_HLT		INSN(sz_hlt, size_code_end)

MSHV_GUEST_CODE(ud2_code, 16,
		"	ud2\n");

MSHV_GUEST_CODE(hlt_code, 16,
		"	hlt\n");

/* Guest physical address of instruction @i of @p */
static __u64 insn_gpa(struct prog p, struct insn i)
{
	return CODE_GPA + (i.at - p.code);
}

static void load_prog(struct mshv_vm *vm, struct prog p)
{
	mshv_vm_write(vm, CODE_GPA, p.code, p.end - p.code);
}

FIXTURE(run)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
};

FIXTURE_SETUP(run)
{
	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	self->vp = mshv_vp_create(self->vm, 0);
}

FIXTURE_TEARDOWN(run)
{
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

/* Real mode, CS base 0 selector 0, RIP at the program, RAX = RBX = 2 */
static void setup_vp(struct mshv_vp *vp)
{
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = 2 },
		{ .name = HV_X64_REGISTER_RBX, .value.reg64 = 2 },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = 0x1111 },
		{ .name = HV_X64_REGISTER_RSI, .value.reg64 = 0x2222 },
		{ .name = HV_X64_REGISTER_RDI, .value.reg64 = 0x3333 },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
	};

	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
}

static void check_sender(struct __test_metadata *_metadata,
			 const struct hv_message *msg, __u64 *sender)
{
	/* Intercepts carry the guest partition's id as the sender */
	EXPECT_NE(HV_PARTITION_ID_INVALID, msg->header.sender);
	EXPECT_NE(HV_PARTITION_ID_SELF, msg->header.sender);
	if (*sender)
		EXPECT_EQ(*sender, msg->header.sender);
	*sender = msg->header.sender;
}

/* Common intercept header fields of a real-mode VP with CS base 0 */
static void check_header(struct __test_metadata *_metadata,
			 const struct hv_x64_intercept_message_header *hdr,
			 __u32 vp_index, __u64 rip)
{
	EXPECT_EQ(vp_index, hdr->vp_index);
	EXPECT_EQ(rip, hdr->rip);
	EXPECT_EQ(0ULL, hdr->cs_segment.base);
	EXPECT_EQ(0, hdr->cs_segment.selector);
	/* CPL 0, CR0.PE and EFER.LMA clear */
	EXPECT_EQ(0, hdr->execution_state &
		  (HV_X64_EXEC_STATE_CPL_MASK | HV_X64_EXEC_STATE_CR0_PE |
		   HV_X64_EXEC_STATE_EFER_LMA));
}

/*
 * Check a port I/O intercept for instruction @i of @p: port, width,
 * direction, RIP, length and the instruction bytes if any are reported.
 */
static void check_io(struct __test_metadata *_metadata,
		     const struct hv_message *msg, struct prog p,
		     struct insn i, __u16 port, unsigned int size,
		     __u8 access)
{
	const struct hv_x64_io_port_intercept_message *io =
		(const void *)msg->u.payload_bytes;
	unsigned int len = i.next - i.at;

	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg->header.message_type);
	EXPECT_EQ(sizeof(*io), msg->header.payload_size);
	check_header(_metadata, &io->header, 0, insn_gpa(p, i));
	EXPECT_EQ(len, io->header.instruction_length_cr8 &
		  HV_X64_INSTRUCTION_LENGTH_MASK);
	EXPECT_EQ(access, io->header.intercept_access_type);
	EXPECT_EQ(port, io->port_number);
	/* access size, not a string op, no rep prefix */
	EXPECT_EQ(size, io->access_info);
	EXPECT_GE(16, io->instruction_byte_count);
	if (io->instruction_byte_count) {
		unsigned int n = io->instruction_byte_count;

		if (n > len)
			n = len;
		EXPECT_EQ(0, memcmp(io->instruction_bytes, i.at, n));
	}
}

static void check_halt(struct __test_metadata *_metadata,
		       const struct hv_message *msg, __u32 vp_index, __u64 rip)
{
	const struct hv_x64_halt_message *halt =
		(const void *)msg->u.payload_bytes;

	ASSERT_EQ(HVMSG_X64_HALT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(sizeof(*halt), msg->header.payload_size);
	check_header(_metadata, &halt->header, vp_index, rip);
}

/* The acceptance program, with GET/SET_VP_REGISTERS */
TEST_F(run, add_out_hlt)
{
	struct prog p = PROG(add_code);
	const struct hv_x64_io_port_intercept_message *io;
	struct hv_message *msg;
	__u64 sender = 0;

	load_prog(self->vm, p);
	setup_vp(self->vp);

	/* First OUT: '4' */
	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, ADD_OUT1, COM1, 1,
		 HV_INTERCEPT_ACCESS_WRITE);
	check_sender(_metadata, msg, &sender);
	io = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0x34ULL, io->rax & 0xff);
	EXPECT_EQ(0x34ULL, io->rax);
	EXPECT_EQ(0x1007ULL, io->header.rip);
	/* 0x02 + 0x02 + 0x30: no carry, odd parity, not zero: RFLAGS = 2 */
	EXPECT_EQ(MSHV_RFLAGS_RESET, io->header.rflags);
	EXPECT_EQ(0x1111ULL, io->rcx);
	EXPECT_EQ(0x2222ULL, io->rsi);
	EXPECT_EQ(0x3333ULL, io->rdi);
	EXPECT_EQ(0ULL, io->ds_segment.base);
	EXPECT_EQ(0ULL, io->es_segment.base);
	/* The OUT did not retire: the VP is still at it */
	EXPECT_EQ(io->header.rip, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	EXPECT_EQ(0x34ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));

	/* The VMM completes the OUT by moving RIP past it */
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, io->header.rip + 1);
	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, ADD_OUT2, COM1, 1,
		 HV_INTERCEPT_ACCESS_WRITE);
	check_sender(_metadata, msg, &sender);
	io = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0ULL, io->rax & 0xff);
	EXPECT_EQ(0x100aULL, io->header.rip);

	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, io->header.rip + 1);
	msg = mshv_vp_run(self->vp);
	check_halt(_metadata, msg, 0, insn_gpa(p, ADD_HLT));
	check_sender(_metadata, msg, &sender);
	EXPECT_EQ(0x100bULL, insn_gpa(p, ADD_HLT));
}

/*
 * The acceptance program again, but the VMM reads the VP state from the
 * register page and the message from the intercept-message page, and
 * advances RIP by writing the register page (dirty class IP).
 */
TEST_F(run, add_out_hlt_register_page)
{
	struct prog p = PROG(add_code);
	struct hv_vp_register_page *regs;
	const struct hv_message *page_msg;
	struct hv_message *msg;
	const struct insn steps[] = { ADD_OUT1, ADD_OUT2 };
	const __u8 al[] = { 0x34, 0 };
	__u64 sender = 0;
	unsigned int s;

	load_prog(self->vm, p);
	setup_vp(self->vp);
	regs = mshv_mmap_vp_page(self->vp->fd, MSHV_VP_MMAP_OFFSET_REGISTERS);
	page_msg = mshv_mmap_vp_page(self->vp->fd,
				     MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE);

	for (s = 0; s < ARRAY_SIZE(steps); s++) {
		msg = mshv_vp_run(self->vp);
		check_io(_metadata, msg, p, steps[s], COM1, 1,
			 HV_INTERCEPT_ACCESS_WRITE);
		check_sender(_metadata, msg, &sender);
		EXPECT_EQ(0, memcmp(page_msg, msg, sizeof(*msg)))
			TH_LOG("intercept page differs from MSHV_RUN_VP's copy");

		ASSERT_NE(0, regs->isvalid);
		EXPECT_EQ(HV_VP_REGISTER_PAGE_VERSION_1, regs->version);
		EXPECT_EQ(al[s], regs->rax & 0xff);
		EXPECT_EQ(2ULL, regs->rbx);
		EXPECT_EQ(insn_gpa(p, steps[s]), regs->rip);
		EXPECT_EQ(0ULL, regs->cs.base);

		regs->rip = regs->rip + (steps[s].next - steps[s].at);
		regs->dirty |= 1U << HV_X64_REGISTER_CLASS_IP;
	}

	msg = mshv_vp_run(self->vp);
	check_halt(_metadata, msg, 0, insn_gpa(p, ADD_HLT));
	check_sender(_metadata, msg, &sender);
	EXPECT_EQ(0, memcmp(page_msg, msg, sizeof(*msg)));
	ASSERT_NE(0, regs->isvalid);
	EXPECT_EQ(insn_gpa(p, ADD_HLT), regs->rip);
	/* The hypercall interface sees the RIP written through the page */
	EXPECT_EQ(insn_gpa(p, ADD_HLT),
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));

	EXPECT_EQ(0, munmap((void *)regs, MSHV_HV_PAGE_SIZE));
	EXPECT_EQ(0, munmap((void *)page_msg, MSHV_HV_PAGE_SIZE));
}

/*
 * hvsim's debugfs "vps" line of a VP stopped at the first OUT: where it
 * is, that it is intercept-suspended, its registers, the three
 * instructions it retired and its one stop (X86_EXIT_IO, 1) and the bytes
 * at CS:RIP (the rest of the program, then zeroed memory).
 */
TEST_F(run, debugfs_vps)
{
	struct prog p = PROG(add_code);
	struct hv_message *msg;
	char want[128], line[512];
	bool found = false;
	FILE *f;

	load_prog(self->vm, p);
	setup_vp(self->vp);
	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, ADD_OUT1, COM1, 1,
		 HV_INTERCEPT_ACCESS_WRITE);

	f = fopen(MSHV_DBG_HVSIM "/vps", "r");
	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), "partition=0x%llx vp=0 ",
		 (unsigned long long)msg->header.sender);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		EXPECT_FALSE(found) TH_LOG("two lines for VP 0");
		found = true;
		EXPECT_NE(NULL, strstr(line, " cs=0000 rip=0x1007 rflags=0x2 "))
			TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, " cr0=0x60000010 efer=0x0 "))
			TH_LOG("%s", line);
		/* running, intercept-suspended until the next run */
		EXPECT_NE(NULL, strstr(line, " activity=0x0 suspend=010 "))
			TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, " rax=0x34 rcx=0x1111 "))
			TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, " rbx=0x2 "))
			TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, " rsi=0x2222 rdi=0x3333 "))
			TH_LOG("%s", line);
		/*
		 * Two stops: the fetch from the code page, which the region
		 * faults in on first touch (it was written after the region
		 * was created), then the OUT (X86_EXIT_IO).
		 */
		EXPECT_NE(NULL, strstr(line, " retired=3 stops=2 last_stop=1 code="))
			TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, " code=eeb000eef40000000000000000000000\n"))
			TH_LOG("%s", line);
	}
	fclose(f);
	EXPECT_TRUE(found) TH_LOG("no line starting \"%s\"", want);
}

/* IN: the VMM's value lands in AL, and the guest writes it back out */
TEST_F(run, in_out)
{
	struct prog p = PROG(in_code);
	const struct hv_x64_io_port_intercept_message *io;
	struct hv_register_assoc regs[2];
	struct hv_message *msg;

	load_prog(self->vm, p);
	setup_vp(self->vp);

	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, IN_IN, COM1, 1, HV_INTERCEPT_ACCESS_READ);
	io = (const void *)msg->u.payload_bytes;

	memset(regs, 0, sizeof(regs));
	regs[0].name = HV_X64_REGISTER_RAX;
	regs[0].value.reg64 = (io->rax & ~0xffULL) | 0x5a;
	regs[1].name = HV_X64_REGISTER_RIP;
	regs[1].value.reg64 = io->header.rip + 1;
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));

	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, IN_OUT, COM1, 1,
		 HV_INTERCEPT_ACCESS_WRITE);
	io = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0x5aULL, io->rax & 0xff);
	EXPECT_EQ(0x5aULL, io->rax);

	mshv_vp_skip_insn(self->vp, &io->header);
	msg = mshv_vp_run(self->vp);
	check_halt(_metadata, msg, 0, insn_gpa(p, IN_HLT));
}

/* OUT of 2 and 4 bytes, and OUT imm8, AL */
TEST_F(run, io_sizes)
{
	struct prog p = PROG(size_code);
	const struct hv_x64_io_port_intercept_message *io;
	struct hv_message *msg;

	load_prog(self->vm, p);
	setup_vp(self->vp);

	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, SZ_OUT16, COM1, 2,
		 HV_INTERCEPT_ACCESS_WRITE);
	io = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0x1234ULL, io->rax);
	mshv_vp_skip_insn(self->vp, &io->header);

	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, SZ_OUT32, COM1, 4,
		 HV_INTERCEPT_ACCESS_WRITE);
	io = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0x12345678ULL, io->rax);
	mshv_vp_skip_insn(self->vp, &io->header);

	msg = mshv_vp_run(self->vp);
	check_io(_metadata, msg, p, SZ_OUT_IMM, 0x80, 1,
		 HV_INTERCEPT_ACCESS_WRITE);
	io = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0x78ULL, io->rax & 0xff);
	mshv_vp_skip_insn(self->vp, &io->header);

	msg = mshv_vp_run(self->vp);
	check_halt(_metadata, msg, 0, insn_gpa(p, SZ_HLT));
}

/*
 * UD2 in a guest without an IVT (limit 0): the #UD, then the #GP of its
 * delivery, then the #DF cannot be delivered: a triple fault stops the VP
 * for good
 */
TEST_F(run, ud2_unrecoverable)
{
	struct prog p = PROG(ud2_code);
	const struct hv_x64_intercept_message_header *hdr;
	const struct hv_register_assoc no_ivt = {
		.name = HV_X64_REGISTER_IDTR, .value.table = { .limit = 0 },
	};
	struct hv_message *msg;

	load_prog(self->vm, p);
	setup_vp(self->vp);
	mshv_vp_set_registers(self->vp, &no_ivt, 1);

	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	hdr = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(sizeof(*hdr), msg->header.payload_size);
	check_header(_metadata, hdr, 0, CODE_GPA);
	EXPECT_EQ(MSHV_GUEST_SIZE(ud2_code), hdr->instruction_length_cr8 &
		  HV_X64_INSTRUCTION_LENGTH_MASK);
}

/* The header names the VP that stopped, and the sender its partition */
/* DISPATCH_VP calls for the test's partition (the newest one) */
static __u64 dispatches(void)
{
	return mshv_dbg_partition_get(mshv_dbg_newest_partition()).dispatches;
}

static void *run_thread(void *arg)
{
	struct mshv_vp *vp = arg;

	return (void *)(long)(__mshv_run_vp(vp->fd, &vp->msg) ? errno : 0);
}

static void expect_io_at(struct __test_metadata *_metadata,
			 const struct hv_message *msg, __u64 rip)
{
	const struct hv_x64_io_port_intercept_message *io =
		(const void *)msg->u.payload_bytes;

	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(COM1, io->port_number);
	EXPECT_EQ(rip, io->header.rip);
}

/*
 * A suspend the VMM sets: MSHV_RUN_VP clears EXPLICIT_SUSPEND (as the
 * first run of every VP does) and then waits for the hypervisor to say
 * the VP can run, without dispatching it again; DISPATCH_SUSPEND keeps
 * the VP suspended until the VMM clears it, and that wakes the run.
 */
TEST_F(run, vmm_suspend)
{
	struct prog p = PROG(add_code);
	struct hv_message *msg;
	__u64 id = mshv_dbg_newest_partition();
	pthread_t thread;
	__u64 d0, f0;
	void *err;

	load_prog(self->vm, p);
	mshv_vp_set_real_mode_cs(self->vp, 0, 0);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_set_reg(self->vp, HV_REGISTER_DISPATCH_SUSPEND, 1);

	/* One dispatch (BLOCKED + SUSPEND), then sleep until the signal */
	d0 = dispatches();
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 200));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(d0 + 1, dispatches());
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_REGISTER_EXPLICIT_SUSPEND));
	EXPECT_EQ(1, mshv_vp_get_reg(self->vp, HV_REGISTER_DISPATCH_SUSPEND));

	/*
	 * The VMM resumes it while a run waits: the run goes on (one more
	 * dispatch for the first touch of the code page, a GPA intercept
	 * the driver resolves)
	 */
	d0 = dispatches();
	f0 = mshv_dbg_partition_get(id).gpa_faults;
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_thread, self->vp));
	usleep(100000);
	EXPECT_EQ(d0 + 1, dispatches());
	mshv_vp_set_reg(self->vp, HV_REGISTER_DISPATCH_SUSPEND, 0);
	ASSERT_EQ(0, pthread_join(thread, &err));
	EXPECT_EQ(0, (long)err);
	expect_io_at(_metadata, &self->vp->msg, insn_gpa(p, ADD_OUT1));
	EXPECT_EQ(f0 + 1, mshv_dbg_partition_get(id).gpa_faults);
	EXPECT_EQ(d0 + 3, dispatches());

	/* EXPLICIT_SUSPEND set by the VMM after an intercept */
	msg = &self->vp->msg;
	mshv_vp_skip_insn(self->vp,
			  &((const struct hv_x64_io_port_intercept_message *)
			    msg->u.payload_bytes)->header);
	mshv_vp_set_reg(self->vp, HV_REGISTER_EXPLICIT_SUSPEND, 1);
	d0 = dispatches();
	ASSERT_EQ(0, mshv_vp_run_timeout(self->vp, 2000))
		TH_LOG("run: %s", strerror(errno));
	expect_io_at(_metadata, &self->vp->msg, insn_gpa(p, ADD_OUT2));
	EXPECT_EQ(d0 + 2, dispatches());
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_REGISTER_EXPLICIT_SUSPEND));
}

TEST(vp_index_and_sender)
{
	struct prog p = PROG(hlt_code);
	struct mshv_vm *vm[2];
	struct mshv_vp *vp[2];
	__u64 sender[2] = { 0, 0 };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		vm[i] = mshv_vm_create();
		mshv_vm_add_memory(vm[i], 0, MEM_SIZE);
		load_prog(vm[i], p);
		vp[i] = mshv_vp_create(vm[i], 5 + i);
		mshv_vp_start_ap(vp[i]);
		setup_vp(vp[i]);
	}
	for (i = 0; i < 2; i++) {
		struct hv_message *msg = mshv_vp_run(vp[i]);

		check_halt(_metadata, msg, 5 + i, CODE_GPA);
		check_sender(_metadata, msg, &sender[i]);
	}
	EXPECT_NE(sender[0], sender[1]);
	for (i = 0; i < 2; i++) {
		mshv_vp_free(vp[i]);
		mshv_vm_free(vm[i]);
	}
}

TEST_HARNESS_MAIN
