// SPDX-License-Identifier: GPL-2.0-only
/*
 * SIGNAL_EVENT_DIRECT and POST_MESSAGE_DIRECT to a guest VP's SINT,
 * through MSHV_ROOT_HVCALL on the partition and the VP fd:
 *
 *  - a real-mode guest enables its SynIC with WRMSR (SIMP, SIEFP, two
 *    SINTs, SCONTROL), then loops on "out WAIT; sti; hlt; cli";
 *  - a posted message lands byte for byte in the SIMP slot of its SINT
 *    (read back with MSHV_GET_VP_STATE), the SINT's vector is delivered,
 *    the handler reads the slot (reported through port I/O), frees it,
 *    writes EOM and EOIs; while the slot is full a second post gets
 *    HV_STATUS_OBJECT_IN_USE and changes nothing, once freed it is
 *    delivered;
 *  - a signalled event sets exactly its flag bit in the SIEFP page,
 *    newly_signaled is 1 only when the bit was clear, the SINT's
 *    auto-EOI vector is taken without entering the ISR;
 *  - both pages are overlays: the SIMP lies outside guest memory, the
 *    SIEFP over guest RAM that stays untouched;
 *  - a post to a halted VP wakes it;
 *  - the status (and errno) of every refused input: VTL, SINT, flag
 *    number, padding, payload size, message type, VP index, a disabled
 *    SynIC, SIMP or SIEFP, a masked SINT, a partition without the SynIC.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x8000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL
#define MSG_HANDLER_GPA	0x4000ULL
#define EVT_HANDLER_GPA	0x4100ULL
#define SIMP_GPA	0xA000ULL	/* beyond guest memory */
#define SIEFP_GPA	0x6000ULL	/* over guest RAM */
#define STACK_TOP	0x8000ULL

#define MSG_SINT	2
#define EVT_SINT	3
#define MSG_VECTOR	0x50
#define EVT_VECTOR	0x51

#define SLOT_GPA	(SIMP_GPA + MSG_SINT * HV_MESSAGE_SIZE)
#define FLAGS_GPA	(SIEFP_GPA + EVT_SINT * 256)

#define PORT_WAIT	0x80	/* main loop, IF clear */
#define PORT_MSG_TYPE	0x81	/* message handler: eax = message_type */
#define PORT_MSG_SIZE	0x82	/* eax = payload_size | flags << 8 */
#define PORT_MSG_DONE	0x83	/* after freeing the slot, EOM and EOI */
#define PORT_EVT	0x84	/* event handler: eax = first flags dword */

#define SYNIC_FEATURES	0x6400ffbULL	/* what QEMU assigns: SynIC included */

#define SINT_MSG_VALUE	MSG_VECTOR
#define SINT_EVT_VALUE	(EVT_VECTOR | HV_SYNIC_SINT_AUTO_EOI)

/*
 * The guest enables its SynIC (SIMP at SIMP_GPA, SIEFP at SIEFP_GPA,
 * SINT_MSG_VALUE in SINT MSG_SINT, SINT_EVT_VALUE in SINT EVT_SINT,
 * SCONTROL), then loops: out WAIT; sti; hlt; cli
 */
MSHV_GUEST_CODE(main_code, 16,
		"	mov $0x40000083, %ecx\n"		/* SIMP */
		"	mov $0xa001, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov $0x40000082, %ecx\n"		/* SIEFP */
		"	mov $0x6001, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov $0x40000092, %ecx\n"		/* SINT2 */
		"	mov $0x50, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov $0x40000093, %ecx\n"		/* SINT3 */
		"	mov $0x20051, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov $0x40000080, %ecx\n"		/* SCONTROL */
		"	mov $0x1, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"1:	out %al, $" MSHV_GUEST_STR(PORT_WAIT) "\n"
		"	sti\n"
		"	hlt\n"
		"	cli\n"
		"	jmp 1b\n");

/*
 * Message handler: report the slot's (SLOT_GPA) type and size, free the
 * slot (message_type = 0), EOM, EOI through the x2APIC MSR, out DONE,
 * iret.  "(,1)" keeps the ModRM form of the loads.
 */
MSHV_GUEST_CODE(msg_handler_code, 16,
		"	mov 0xa200(,1), %eax\n"
		"	out %eax, $" MSHV_GUEST_STR(PORT_MSG_TYPE) "\n"
		"	mov 0xa204(,1), %eax\n"
		"	out %eax, $" MSHV_GUEST_STR(PORT_MSG_SIZE) "\n"
		"	movl $0, 0xa200\n"
		"	mov $0x40000084, %ecx\n"		/* EOM */
		"	mov $0, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov $0x80b, %ecx\n"		/* x2APIC EOI */
		"	mov $0, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_MSG_DONE) "\n"
		"	iret\n");

/* Event handler (auto-EOI): report and clear the first flags (FLAGS_GPA) */
MSHV_GUEST_CODE(evt_handler_code, 16,
		"	mov 0x6300(,1), %eax\n"
		"	out %eax, $" MSHV_GUEST_STR(PORT_EVT) "\n"
		"	movl $0, 0x6300\n"
		"	iret\n");

/* The numbers the guest code above is written with */
static_assert(SLOT_GPA == 0xa200 && FLAGS_GPA == 0x6300,
	      "synic guest code: slot and flags addresses");
static_assert((SIMP_GPA | HV_SYNIC_PAGE_ENABLE) == 0xa001 &&
	      (SIEFP_GPA | HV_SYNIC_PAGE_ENABLE) == 0x6001 &&
	      HV_X64_MSR_SINT0 + MSG_SINT == 0x40000092 &&
	      HV_X64_MSR_SINT0 + EVT_SINT == 0x40000093 &&
	      SINT_MSG_VALUE == 0x50 && SINT_EVT_VALUE == 0x20051,
	      "synic guest code: MSR values");

static void write_main(struct mshv_vm *vm)
{
	mshv_vm_write(vm, CODE_GPA, main_code, MSHV_GUEST_SIZE(main_code));
}

static void write_handlers(struct mshv_vm *vm)
{
	mshv_vm_write(vm, MSG_HANDLER_GPA, msg_handler_code,
		      MSHV_GUEST_SIZE(msg_handler_code));
	mshv_vm_write(vm, EVT_HANDLER_GPA, evt_handler_code,
		      MSHV_GUEST_SIZE(evt_handler_code));
}

FIXTURE(synic)
{
	struct mshv_vm vm;
	struct mshv_vp *vp;
};

/* A partition with the SynIC feature (or without), memory and VP 0 */
static void vm_setup(struct mshv_vm *vm, __u64 features)
{
	const struct mshv_pt_property spf = {
		HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, features,
	};

	mshv_vm_setup(vm, &spf, features ? 1 : 0, MEM_SIZE);
}

static void vp_setup(struct mshv_vm *vm, struct mshv_vp *vp)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = STACK_TOP },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};

	write_main(vm);
	write_handlers(vm);
	mshv_vm_set_ivt(vm, MSG_VECTOR, MSG_HANDLER_GPA);
	mshv_vm_set_ivt(vm, EVT_VECTOR, EVT_HANDLER_GPA);
	/* the stack page, touched so that it is mapped writable */
	memset((__u8 *)vm->mem + STACK_TOP - MSHV_PAGE_SIZE, 0, MSHV_PAGE_SIZE);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
}

FIXTURE_SETUP(synic)
{
	vm_setup(&self->vm, SYNIC_FEATURES);
	self->vp = mshv_vp_create(&self->vm, 0);
	vp_setup(&self->vm, self->vp);
}

FIXTURE_TEARDOWN(synic)
{
	mshv_vp_free(self->vp);
	close(self->vm.fd);
	close(self->vm.dev_fd);
	munmap(self->vm.mem, self->vm.mem_size);
}

/* MSHV_ROOT_HVCALL: the status; *@err the errno (0 on success) */
static __u16 hvcall(int fd, __u16 code, const void *in, __u16 in_sz,
		    void *out, __u16 out_sz, int *err)
{
	struct mshv_root_hvcall a = mshv_hvcall_args(code, 0, in, in_sz, out,
						     out_sz);

	return mshv_hvcall_checked(fd, &a, err);
}

static __u16 post(int fd, const struct hv_input_post_message_direct *in,
		  int *err)
{
	return hvcall(fd, HVCALL_POST_MESSAGE_DIRECT, in, sizeof(*in), NULL,
		      0, err);
}

/* SIGNAL_EVENT_DIRECT; *@newly: newly_signaled (0xEE if not written) */
static __u16 signal_ev(int fd, const struct hv_input_signal_event_direct *in,
		       __u8 *newly, int *err)
{
	struct hv_output_signal_event_direct out;
	__u16 status;

	memset(&out, 0xEE, sizeof(out));
	status = hvcall(fd, HVCALL_SIGNAL_EVENT_DIRECT, in, sizeof(*in), &out,
			sizeof(out), err);
	*newly = out.newly_signaled;
	if (!status)
		MSHV_TEST_ASSERT(!memcmp(out.reserved, "\0\0\0\0\0\0\0", 7),
				 "reserved output bytes not zero");
	return status;
}

/* A post of @msg to VP 0's MSG_SINT */
static struct hv_input_post_message_direct post_in(const struct hv_message *msg)
{
	struct hv_input_post_message_direct in = {
		.sint_index = MSG_SINT,
	};

	memcpy(in.message, msg, sizeof(*msg));
	return in;
}

static struct hv_input_signal_event_direct signal_in(__u16 flag)
{
	struct hv_input_signal_event_direct in = {
		.target_sint = EVT_SINT,
		.flag_number = flag,
	};

	return in;
}

/* A message with every byte chosen: type, size, sender, 240 bytes */
static void make_msg(struct hv_message *msg, __u32 type, __u8 size,
		     __u8 seed)
{
	unsigned int i;

	memset(msg, 0, sizeof(*msg));
	msg->header.message_type = type;
	msg->header.payload_size = size;
	msg->header.sender = 0x1122334455667788ULL + seed;
	for (i = 0; i < HV_MESSAGE_PAYLOAD_BYTE_COUNT; i++)
		msg->u.payload_bytes[i] = seed + 3 * i;
}

static const __u8 *guest(struct mshv_vm *vm, __u64 gpa)
{
	return (const __u8 *)vm->mem + gpa;
}

/* The VP's SIMP or SIEFP page, as MSHV_GET_VP_STATE reads it */
static const __u8 *synic_state(struct mshv_vp *vp, __u8 type)
{
	static __u8 *page;

	if (!page)
		page = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	MSHV_TEST_ASSERT(page, "aligned_alloc");
	mshv_vp_state(vp, MSHV_GET_VP_STATE, type, page);
	return page;
}

/* MSG_SINT's message slot, EVT_SINT's event flags */
static const __u8 *slot(struct mshv_vp *vp)
{
	return synic_state(vp, MSHV_VP_STATE_SIMP) + MSG_SINT * HV_MESSAGE_SIZE;
}

static const __u8 *flags(struct mshv_vp *vp)
{
	return synic_state(vp, MSHV_VP_STATE_SIEFP) + EVT_SINT * 256;
}

/* The guest RAM under the SIEFP overlay page is never written */
static bool siefp_ram_clean(struct mshv_vm *vm)
{
	static const __u8 zero[4096];

	return !memcmp(guest(vm, SIEFP_GPA), zero, sizeof(zero));
}

/* Is @vector set in the LAPIC state's ISR (@isr) or IRR? */
static bool lapic_bit(struct mshv_vp *vp, bool isr, __u32 vector)
{
	static struct hv_local_interrupt_controller_state *s;
	const __u32 *reg;

	if (!s)
		s = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	MSHV_TEST_ASSERT(s, "aligned_alloc");
	mshv_vp_lapic_state(vp, MSHV_GET_VP_STATE, s);
	reg = isr ? s->apic_isr : s->apic_irr;
	return reg[vector / 32] & (1U << (vector % 32));
}

/* The message handler of @msg runs to completion */
static void expect_handler(struct __test_metadata *_metadata,
			   struct mshv_vp *vp, const struct hv_message *msg)
{
	EXPECT_EQ(msg->header.message_type,
		  mshv_vp_run_port(vp, PORT_MSG_TYPE));
	EXPECT_TRUE(lapic_bit(vp, true, MSG_VECTOR));
	EXPECT_FALSE(lapic_bit(vp, false, MSG_VECTOR));
	EXPECT_EQ(msg->header.payload_size |
		  (__u64)msg->header.message_flags << 8,
		  mshv_vp_run_port(vp, PORT_MSG_SIZE));
	mshv_vp_run_port(vp, PORT_MSG_DONE);
	EXPECT_EQ(0, slot(vp)[0]);
	/* the guest freed the slot: only message_type changed */
	EXPECT_EQ(0, memcmp(slot(vp) + 4, (const __u8 *)msg + 4,
			    sizeof(*msg) - 4));
	EXPECT_FALSE(lapic_bit(vp, true, MSG_VECTOR));
	mshv_vp_run_port(vp, PORT_WAIT);
}

/* The guest's own WRMSRs set the registers the VMM reads */
TEST_F(synic, guest_enables)
{
	static const __u32 names[] = {
		HV_REGISTER_SCONTROL, HV_REGISTER_SIMP, HV_REGISTER_SIEFP,
		HV_REGISTER_SINT0 + MSG_SINT, HV_REGISTER_SINT0 + EVT_SINT,
		HV_REGISTER_SINT0,
	};
	union hv_register_value v[ARRAY_SIZE(names)];

	mshv_vp_run_port(self->vp, PORT_WAIT);
	mshv_vp_get_registers(self->vp, names, v, ARRAY_SIZE(names));
	EXPECT_EQ(HV_SYNIC_CONTROL_ENABLE, v[0].reg64);
	EXPECT_EQ(SIMP_GPA | HV_SYNIC_PAGE_ENABLE, v[1].reg64);
	EXPECT_EQ(SIEFP_GPA | HV_SYNIC_PAGE_ENABLE, v[2].reg64);
	EXPECT_EQ((__u64)SINT_MSG_VALUE, v[3].reg64);
	EXPECT_EQ((__u64)SINT_EVT_VALUE, v[4].reg64);
	EXPECT_EQ(HV_SYNIC_SINT_MASKED, v[5].reg64);
}

/*
 * A post lands in the slot byte for byte; while the guest has not freed
 * it a second post is OBJECT_IN_USE; the handler sees the message, frees
 * the slot, EOM, EOI; then the second one is delivered.
 */
TEST_F(synic, post_message)
{
	struct hv_message m1, m2;
	struct hv_input_post_message_direct in;
	int err;

	make_msg(&m1, 0x00000001, 24, 0x10);
	make_msg(&m2, 0x7FFFFFFF, HV_MESSAGE_PAYLOAD_BYTE_COUNT, 0x20);
	mshv_vp_run_port(self->vp, PORT_WAIT);

	in = post_in(&m1);
	ASSERT_EQ(HV_STATUS_SUCCESS, post(self->vm.fd, &in, &err));
	EXPECT_EQ(0, memcmp(slot(self->vp), &m1, sizeof(m1)));
	EXPECT_TRUE(lapic_bit(self->vp, false, MSG_VECTOR));

	/* The slot is full: refused, nothing changes */
	in = post_in(&m2);
	EXPECT_EQ(HV_STATUS_OBJECT_IN_USE, post(self->vm.fd, &in, &err));
	EXPECT_EQ(EIO, err);
	EXPECT_EQ(0, memcmp(slot(self->vp), &m1, sizeof(m1)));

	/* Other slots and the rest of the page stay untouched */
	EXPECT_EQ(0, slot(self->vp)[-HV_MESSAGE_SIZE]);
	EXPECT_EQ(0, slot(self->vp)[HV_MESSAGE_SIZE]);

	expect_handler(_metadata, self->vp, &m1);

	/* Freed: the second post is delivered (on the VP fd this time) */
	ASSERT_EQ(HV_STATUS_SUCCESS, post(self->vp->fd, &in, &err));
	EXPECT_EQ(0, memcmp(slot(self->vp), &m2, sizeof(m2)));
	expect_handler(_metadata, self->vp, &m2);
	EXPECT_TRUE(siefp_ram_clean(&self->vm));
}

/* A post to a halted VP (sti; hlt) wakes it */
TEST_F(synic, post_wakes_halted_vp)
{
	struct hv_message m;
	struct hv_input_post_message_direct in;
	int err;

	make_msg(&m, 0x42, 8, 0x30);
	mshv_vp_run_port(self->vp, PORT_WAIT);
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 200));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_HALT_SUSPEND,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_INTERNAL_ACTIVITY_STATE));

	in = post_in(&m);
	ASSERT_EQ(HV_STATUS_SUCCESS, post(self->vm.fd, &in, &err));
	EXPECT_EQ(0ULL,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_INTERNAL_ACTIVITY_STATE));
	expect_handler(_metadata, self->vp, &m);
}

/*
 * Events: the flag bit is set, newly_signaled only when it was clear, one
 * interrupt for the SINT, taken without entering the ISR (auto-EOI).
 */
TEST_F(synic, signal_event)
{
	struct hv_input_signal_event_direct in;
	__u8 newly;
	int err;

	mshv_vp_run_port(self->vp, PORT_WAIT);

	in = signal_in(5);
	ASSERT_EQ(HV_STATUS_SUCCESS, signal_ev(self->vm.fd, &in, &newly, &err));
	EXPECT_EQ(1, newly);
	EXPECT_EQ(0x20, flags(self->vp)[0]);
	EXPECT_TRUE(lapic_bit(self->vp, false, EVT_VECTOR));

	ASSERT_EQ(HV_STATUS_SUCCESS, signal_ev(self->vm.fd, &in, &newly, &err));
	EXPECT_EQ(0, newly);
	EXPECT_EQ(0x20, flags(self->vp)[0]);

	in = signal_in(HV_EVENT_FLAGS_COUNT - 1);
	ASSERT_EQ(HV_STATUS_SUCCESS, signal_ev(self->vp->fd, &in, &newly, &err));
	EXPECT_EQ(1, newly);
	EXPECT_EQ(0x80, flags(self->vp)[255]);
	in = signal_in(9);
	ASSERT_EQ(HV_STATUS_SUCCESS, signal_ev(self->vm.fd, &in, &newly, &err));
	EXPECT_EQ(1, newly);
	EXPECT_EQ(0x02, flags(self->vp)[1]);
	/* nothing outside the SINT's 256 bytes */
	EXPECT_EQ(0, flags(self->vp)[-1]);
	EXPECT_EQ(0, flags(self->vp)[256]);

	/* One interrupt; auto-EOI: not in service in the handler */
	EXPECT_EQ(0x0220ULL, mshv_vp_run_port(self->vp, PORT_EVT));
	EXPECT_FALSE(lapic_bit(self->vp, true, EVT_VECTOR));
	EXPECT_FALSE(lapic_bit(self->vp, false, EVT_VECTOR));
	mshv_vp_run_port(self->vp, PORT_WAIT);
	EXPECT_FALSE(lapic_bit(self->vp, true, EVT_VECTOR));

	/* The guest cleared the flags: newly signalled again */
	in = signal_in(5);
	ASSERT_EQ(HV_STATUS_SUCCESS, signal_ev(self->vm.fd, &in, &newly, &err));
	EXPECT_EQ(1, newly);
	EXPECT_EQ(0x20ULL, mshv_vp_run_port(self->vp, PORT_EVT));
	EXPECT_EQ(0x80, flags(self->vp)[255]);
	EXPECT_TRUE(siefp_ram_clean(&self->vm));
}

/* Inputs refused before any state is looked at */
TEST_F(synic, invalid_input)
{
	struct hv_input_post_message_direct pin;
	struct hv_input_signal_event_direct sin;
	struct hv_message m;
	__u8 newly;
	int err;

	make_msg(&m, 1, 16, 0);
	mshv_vp_run_port(self->vp, PORT_WAIT);

	/* POST_MESSAGE_DIRECT */
	pin = post_in(&m);
	pin.sint_index = HV_SYNIC_SINT_COUNT;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, post(self->vm.fd, &pin, &err));
	EXPECT_EQ(EINVAL, err);
	pin = post_in(&m);
	pin.vtl = 1;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, post(self->vm.fd, &pin, &err));
	pin = post_in(&m);
	pin.padding[2] = 1;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, post(self->vm.fd, &pin, &err));
	pin = post_in(&m);
	pin.padding2 = 1;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, post(self->vm.fd, &pin, &err));
	m.header.payload_size = HV_MESSAGE_PAYLOAD_BYTE_COUNT + 1;
	pin = post_in(&m);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, post(self->vm.fd, &pin, &err));
	m.header.payload_size = 16;
	m.header.message_type = HVMSG_NONE;
	pin = post_in(&m);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, post(self->vm.fd, &pin, &err));
	m.header.message_type = 1;
	pin = post_in(&m);
	pin.vp_index = 1;
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, post(self->vm.fd, &pin, &err));
	EXPECT_EQ(EINVAL, err);
	pin.vp_index = HV_VP_INDEX_SELF;
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, post(self->vm.fd, &pin, &err));

	/* SIGNAL_EVENT_DIRECT: no output written on failure */
	sin = signal_in(HV_EVENT_FLAGS_COUNT);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	EXPECT_EQ(EINVAL, err);
	EXPECT_EQ(0xEE, newly);
	sin = signal_in(0);
	sin.target_sint = HV_SYNIC_SINT_COUNT;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	sin = signal_in(0);
	sin.target_vtl = 1;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	sin = signal_in(0);
	sin.target_vp = 1;
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	EXPECT_EQ(EINVAL, err);

	/* Nothing was delivered or written */
	EXPECT_EQ(0, slot(self->vp)[0]);
	EXPECT_EQ(0, flags(self->vp)[0]);
	EXPECT_FALSE(lapic_bit(self->vp, false, MSG_VECTOR));
	EXPECT_FALSE(lapic_bit(self->vp, false, EVT_VECTOR));
}

/* The target's SynIC state: INVALID_SYNIC_STATE, nothing written */
TEST_F(synic, synic_state)
{
	const __u32 msg_sint = HV_REGISTER_SINT0 + MSG_SINT;
	const __u32 evt_sint = HV_REGISTER_SINT0 + EVT_SINT;
	struct hv_input_post_message_direct pin;
	struct hv_input_signal_event_direct sin = signal_in(1);
	struct hv_message m;
	__u8 newly;
	int err;

	make_msg(&m, 1, 16, 0);
	pin = post_in(&m);

	/* Before the guest enabled anything */
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  post(self->vm.fd, &pin, &err));
	EXPECT_EQ(EIO, err);
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	EXPECT_EQ(EIO, err);
	mshv_vp_run_port(self->vp, PORT_WAIT);

	/* SCONTROL disabled */
	mshv_vp_set_reg(self->vp, HV_REGISTER_SCONTROL, 0);
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  post(self->vm.fd, &pin, &err));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	mshv_vp_set_reg(self->vp, HV_REGISTER_SCONTROL,
			HV_SYNIC_CONTROL_ENABLE);

	/* SINT masked */
	mshv_vp_set_reg(self->vp, msg_sint,
			SINT_MSG_VALUE | HV_SYNIC_SINT_MASKED);
	mshv_vp_set_reg(self->vp, evt_sint,
			SINT_EVT_VALUE | HV_SYNIC_SINT_MASKED);
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  post(self->vm.fd, &pin, &err));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	mshv_vp_set_reg(self->vp, msg_sint, SINT_MSG_VALUE);
	mshv_vp_set_reg(self->vp, evt_sint, SINT_EVT_VALUE);

	/* SIMP / SIEFP disabled (the GPA kept) */
	mshv_vp_set_reg(self->vp, HV_REGISTER_SIMP, SIMP_GPA);
	mshv_vp_set_reg(self->vp, HV_REGISTER_SIEFP, SIEFP_GPA);
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  post(self->vm.fd, &pin, &err));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  signal_ev(self->vm.fd, &sin, &newly, &err));

	EXPECT_EQ(0, slot(self->vp)[0]);
	EXPECT_EQ(0, flags(self->vp)[0]);
	EXPECT_FALSE(lapic_bit(self->vp, false, MSG_VECTOR));
	EXPECT_FALSE(lapic_bit(self->vp, false, EVT_VECTOR));

	/* Enabled again: accepted */
	mshv_vp_set_reg(self->vp, HV_REGISTER_SIMP,
			SIMP_GPA | HV_SYNIC_PAGE_ENABLE);
	mshv_vp_set_reg(self->vp, HV_REGISTER_SIEFP,
			SIEFP_GPA | HV_SYNIC_PAGE_ENABLE);
	EXPECT_EQ(HV_STATUS_SUCCESS, post(self->vm.fd, &pin, &err));
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  signal_ev(self->vm.fd, &sin, &newly, &err));
	EXPECT_EQ(1, newly);
}

/* A partition without the SynIC feature has no SynIC to deliver to */
TEST(no_synic_feature)
{
	struct mshv_vm vm;
	struct mshv_vp *vp;
	struct hv_message m;
	struct hv_input_post_message_direct pin;
	struct hv_input_signal_event_direct sin = signal_in(0);
	__u8 newly;
	int err;

	vm_setup(&vm, 0);
	vp = mshv_vp_create(&vm, 0);
	make_msg(&m, 1, 16, 0);
	pin = post_in(&m);
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE, post(vm.fd, &pin, &err));
	EXPECT_EQ(HV_STATUS_INVALID_SYNIC_STATE,
		  signal_ev(vm.fd, &sin, &newly, &err));
	mshv_vp_free(vp);
	close(vm.fd);
	close(vm.dev_fd);
	munmap(vm.mem, vm.mem_size);
}

TEST_HARNESS_MAIN
