/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 64 KiB firmware image for QEMU's -bios, run by the QEMU cases of the
 * test VM (testvm/qemu-mshv.sh) on -accel mshv.
 *
 * QEMU maps the image at 0xffff0000-0xffffffff; the VP starts at the reset
 * vector, 0xfffffff0, in real mode with CS base 0xffff0000 and IP 0xfff0.
 * The BSP never reloads CS and the APs run with CS base 0xF0000, the
 * image's copy below 1 MiB, so for both an offset into the image is an IP
 * and a CS-relative data address.  It stays in real mode (but for the two
 * instructions that give DS a flat 4 GiB limit, see start_aps), with its
 * stack in RAM below 0x7000, and:
 *   - writes a line to COM1 (0x3f8), polling the line status register
 *     (0x3fd) before every byte;
 *   - checks CPUID leaves 0, 1 and 0x80000000;
 *   - writes and reads back four MSRs of different widths;
 *   - reads the number of CPUs from QEMU's fw_cfg (port 0x510, key
 *     FW_CFG_NB_CPUS) and prints it; with more than one, starts the
 *     application processors with INIT-SIPI-SIPI (all-excluding-self,
 *     through the xAPIC ICR, written from unreal mode) at a trampoline in
 *     RAM that jumps into the image's copy below 1 MiB (0xF0000); each AP
 *     prints a line with its APIC id, counts itself in RAM and halts, and
 *     the BSP waits until every AP has counted itself;
 *   - reads fw_cfg's signature with rep insb into 0x90000, a page the
 *     guest never touched (QEMU emulates the string read and writes
 *     through its own mapping), and checks it is "QEMU";
 *   - ends through QEMU's isa-debug-exit device (port 0xf4): QEMU exits
 *     with status (code << 1) | 1, i.e. 33 for FW_OK, or 2 * FW_FAIL_x + 1
 *     after a line "mshv-fw: FAIL ...".
 * Variants (as --defsym):
 *   FW_RESET=1  end with a reset request (port 0xcf9, then a triple
 *               fault) instead: with -no-reboot QEMU exits 0
 *   FW_WAIT=1   before ending, print "mshv-fw: waiting" and halt until
 *               COM1's receive interrupt (through QEMU's I/O APIC) says
 *               a byte arrived (the test pauses and resumes QEMU
 *               meanwhile)
 *
 * Assembled with GNU as and turned into a flat image with objcopy; every
 * absolute address is a difference of two symbols of .text.
 */
	.code16
	.text

	.set	COM1, 0x3f8
	.set	COM1_LSR, COM1 + 5
	.set	LSR_DR, 0x01		/* data ready */
	.set	LSR_THRE, 0x20		/* transmit holding register empty */
	.set	DEBUG_EXIT, 0xf4
	.set	FW_OK, 0x10
	.set	COM1_IER, COM1 + 1
	.set	IER_RDI, 0x01		/* received data available */
	.set	COM1_MCR, COM1 + 4
	.set	MCR_OUT2, 0x08		/* the PC's interrupt enable */
	.set	COM1_GSI, 4		/* ISA IRQ 4: I/O APIC pin 4 */
	.set	COM1_VECTOR, 0x30
	.set	IRQ_FLAG, 0x7f04	/* u8: set by com1_isr */
	.set	PIC1_IMR, 0x21
	.set	PIC2_IMR, 0xa1
	.set	IOAPIC_BASE, 0xfec00000	/* IOREGSEL; IOWIN at + 0x10 */
	.set	IOAPIC_REDTBL, 0x10	/* pin n: 0x10 + 2n (low), + 1 (high) */
	.set	APIC_EOI, 0xfee000b0
	.set	APIC_SVR, 0xfee000f0
	.set	SVR_ENABLE, 0x100
	.set	SPURIOUS_VECTOR, 0xff

	.set	FW_FAIL_CPUID0, 2
	.set	FW_FAIL_CPUID_EXT, 3
	.set	FW_FAIL_CPUID1, 4
	.set	FW_FAIL_MSR, 5
	.set	FW_FAIL_INSB, 6

	.set	FW_CFG_CTL, 0x510	/* selector (16-bit); data at 0x511 */
	.set	FW_CFG_NB_CPUS, 0x05	/* 16-bit little endian */
	.set	FW_CFG_SIGNATURE, 0x00	/* "QEMU" */
	.set	FW_CFG_SIG_VALUE, 0x554d4551	/* "QEMU" as a little-endian dword */
	.set	INSB_SEG, 0x9000	/* rep insb target: 0x90000, untouched */
	.set	APIC_ICR_LOW, 0xfee00300
	.set	ICR_INIT_OTHERS, 0x000c4500	/* INIT, assert, all but self */
	.set	ICR_SIPI_OTHERS, 0x000c4600	/* SIPI, all but self; | vector */
	.set	SIPI_PAGE, 0x8000	/* the APs start here: vector 8 */
	.set	AP_COUNT, 0x7f00	/* u16: APs that came up */
	.set	AP_STACKS, 0x6000	/* AP n's stack: below 0x6000 - n * 256 */
	.set	IMAGE_LOW_SEG, 0xf000	/* the image's copy at 0xF0000 */
	.set	IMAGE_HIGH, 0xffff0000	/* linear address of the image */
	.set	INIT_SIPI_DELAY, 0x4000	/* LOOP iterations between IPIs */

	.set	MSR_IA32_SYSENTER_CS, 0x174
	.set	MSR_STAR, 0xc0000081
	.set	MSR_KERNEL_GS_BASE, 0xc0000102
	.set	MSR_TSC_AUX, 0xc0000103

	.ifndef	FW_RESET
	.set	FW_RESET, 0
	.endif
	.ifndef	FW_WAIT
	.set	FW_WAIT, 0
	.endif

/* print the NUL-terminated string at label \s */
.macro	PRINT s
	mov	$(\s - start), %si
	call	puts
.endm

/* exit through isa-debug-exit with code \c */
.macro	EXIT c
	mov	$\c, %al
	jmp	debug_exit
.endm

/* wrmsr EDX:EAX = \hi:\lo to \msr, rdmsr it back, compare */
.macro	MSR_CHECK msr, hi, lo
	mov	$\msr, %ecx
	mov	$\hi, %edx
	mov	$\lo, %eax
	wrmsr
	xor	%eax, %eax
	xor	%edx, %edx
	rdmsr
	mov	$\msr, %ebx
	cmp	$\hi, %edx
	jne	msr_fail
	cmp	$\lo, %eax
	jne	msr_fail
.endm

start:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ss
	mov	$0x7000, %sp
	PRINT	msg_hello

	/* CPUID 0: a maximum basic leaf and the vendor */
	xor	%eax, %eax
	cpuid
	cmp	$1, %eax
	jb	cpuid0_fail
	push	%ecx
	push	%edx
	push	%ebx
	push	%eax
	PRINT	msg_vendor
	pop	%eax
	pop	%ebx
	call	put4
	pop	%ebx
	call	put4
	pop	%ebx
	call	put4
	PRINT	msg_max
	call	puthex
	PRINT	msg_nl

	/* CPUID 0x80000000: extended leaves exist */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	cpuid_ext_fail

	/* CPUID 1: RDMSR/WRMSR and the APIC are there */
	mov	$1, %eax
	cpuid
	mov	%edx, %eax
	and	$0x220, %eax		/* MSR (bit 5), APIC (bit 9) */
	cmp	$0x220, %eax
	jne	cpuid1_fail

	MSR_CHECK MSR_IA32_SYSENTER_CS, 0, 0x10
	MSR_CHECK MSR_STAR, 0x00230010, 0x12345678
	MSR_CHECK MSR_KERNEL_GS_BASE, 0xffff8880, 0xdeadb000
	MSR_CHECK MSR_TSC_AUX, 0, 0x5a5a
	PRINT	msg_checks

	/* fw_cfg: the number of CPUs; start the APs if there are any */
	mov	$FW_CFG_CTL, %dx
	mov	$FW_CFG_NB_CPUS, %ax
	out	%ax, %dx
	inc	%dx
	xor	%eax, %eax
	in	%dx, %al
	mov	%al, %cl
	in	%dx, %al
	mov	%al, %ch
	movzwl	%cx, %eax
	PRINT	msg_cpus
	call	puthex
	PRINT	msg_nl
	cmp	$1, %cx
	jbe	no_aps
	call	start_aps
	PRINT	msg_aps_up
no_aps:

	/*
	 * fw_cfg's signature with rep insb into a page the guest never
	 * touched: QEMU emulates the string read, translating ES:DI and
	 * writing through its own mapping.
	 */
	mov	$FW_CFG_CTL, %dx
	mov	$FW_CFG_SIGNATURE, %ax
	out	%ax, %dx
	inc	%dx
	mov	$INSB_SEG, %ax
	mov	%ax, %es
	/* ECX and EDI whole: QEMU takes the count from RCX, not CX */
	xor	%edi, %edi
	mov	$4, %ecx
	rep insb
	mov	%es:0, %eax
	xor	%bx, %bx
	mov	%bx, %es
	cmp	$FW_CFG_SIG_VALUE, %eax
	jne	insb_fail
	PRINT	msg_insb

	.if	FW_WAIT
	/*
	 * Wait for a byte on COM1 without an exit: the VP halts with IF set
	 * (STI's shadow covers the HLT), so its vCPU thread sleeps inside
	 * MSHV_RUN_VP, where the kick of a `stop` reaches it, until COM1's
	 * receive interrupt wakes it through QEMU's I/O APIC.  The last exit
	 * before the halt is the newline of the message the test waits for.
	 */
	call	com1_irq_setup
	PRINT	msg_wait
1:	sti
	hlt
	cli
	cmpb	$0, IRQ_FLAG
	je	1b
	movb	$0, IRQ_FLAG
	mov	$COM1_LSR, %dx
	in	%dx, %al
	test	$LSR_DR, %al
	jz	1b
	mov	$COM1, %dx
	in	%dx, %al
	PRINT	msg_resumed
	.endif

	.if	FW_RESET
	/*
	 * Reset the way firmware and kernels do: the reset control register
	 * (q35's ICH9 and pc's PIIX), then, should the VP still run, a
	 * triple fault (an empty IVT: INT3 raises #GP, #DF, shutdown).
	 */
	PRINT	msg_reset
	mov	$0xcf9, %dx
	mov	$0x06, %al
	out	%al, %dx
	lidtl	%cs:(empty_idt - start)
	int3
1:	jmp	1b
	.endif

	PRINT	msg_bye
	EXIT	FW_OK

cpuid0_fail:
	PRINT	msg_fail_cpuid0
	call	puthex
	PRINT	msg_nl
	EXIT	FW_FAIL_CPUID0
cpuid_ext_fail:
	PRINT	msg_fail_cpuid_ext
	call	puthex
	PRINT	msg_nl
	EXIT	FW_FAIL_CPUID_EXT
cpuid1_fail:
	PRINT	msg_fail_cpuid1
	mov	%edx, %eax
	call	puthex
	PRINT	msg_nl
	EXIT	FW_FAIL_CPUID1
insb_fail:				/* EAX = what rep insb stored */
	PRINT	msg_fail_insb
	call	puthex
	PRINT	msg_nl
	EXIT	FW_FAIL_INSB
msg_fail:				/* EBX = MSR, EDX:EAX = what was read */
	push	%eax
	push	%edx
	PRINT	msg_fail_msr
	mov	%ebx, %eax
	call	puthex
	PRINT	msg_read
	pop	%eax
	call	puthex
	mov	$':', %al
	call	putc
	pop	%eax
	call	puthex
	PRINT	msg_nl
	EXIT	FW_FAIL_MSR
	.set	msr_fail, msg_fail

/*
 * start_aps: CX = CPUs (2 or more).  A far jump to ap_main in the image's
 * copy at 0xF0000 goes to SIPI_PAGE; INIT and two SIPIs to every other
 * CPU go out through the xAPIC ICR, which real mode reaches with a flat
 * DS (unreal mode: DS loaded from a flat descriptor in protected mode
 * keeps its 4 GiB limit back in real mode); then wait until CX - 1 APs
 * have counted themselves in AP_COUNT.  Leaves DS flat, base 0.
 */
start_aps:
	xor	%ax, %ax
	mov	%ax, %ds
	movb	$0xea, SIPI_PAGE		/* jmp far IMAGE_LOW_SEG:ap_main */
	movw	$(ap_main - start), SIPI_PAGE + 1
	movw	$IMAGE_LOW_SEG, SIPI_PAGE + 3
	movw	$0, AP_COUNT
	call	flat_ds

	mov	$APIC_ICR_LOW, %ebx
	movl	$ICR_INIT_OTHERS, (%ebx)
	call	ipi_delay
	movl	$(ICR_SIPI_OTHERS | (SIPI_PAGE >> 12)), (%ebx)
	call	ipi_delay
	movl	$(ICR_SIPI_OTHERS | (SIPI_PAGE >> 12)), (%ebx)

	dec	%cx
1:	cmp	AP_COUNT, %cx
	ja	1b
	ret

/*
 * flat_ds: DS base 0 with a 4 GiB limit (unreal mode: DS loaded from a
 * flat descriptor in protected mode keeps its limit back in real mode)
 */
flat_ds:
	push	%eax
	push	%bx
	lgdtl	%cs:(gdt_desc - start)
	mov	%cr0, %eax
	or	$1, %al
	mov	%eax, %cr0
	mov	$8, %bx
	mov	%bx, %ds
	and	$0xfe, %al
	mov	%eax, %cr0
	pop	%bx
	pop	%eax
	ret

/*
 * com1_irq_setup: COM1's receive interrupt as COM1_VECTOR on this CPU:
 * its real-mode IVT entry (com1_isr in the image's copy below 1 MiB), the
 * 8259s masked (only the I/O APIC delivers), the LAPIC software-enabled,
 * I/O APIC pin 4 unmasked (fixed, edge, active high, physical destination
 * APIC 0) and COM1's IER.  Leaves DS flat, base 0.
 */
com1_irq_setup:
	call	flat_ds
	movw	$(com1_isr - start), COM1_VECTOR * 4
	movw	$IMAGE_LOW_SEG, COM1_VECTOR * 4 + 2
	movb	$0, IRQ_FLAG
	mov	$0xff, %al
	out	%al, $PIC1_IMR
	out	%al, $PIC2_IMR
	mov	$APIC_SVR, %ebx
	movl	$(SVR_ENABLE | SPURIOUS_VECTOR), (%ebx)
	mov	$IOAPIC_BASE, %ebx
	movl	$(IOAPIC_REDTBL + 2 * COM1_GSI + 1), (%ebx)
	movl	$0, 0x10(%ebx)
	movl	$(IOAPIC_REDTBL + 2 * COM1_GSI), (%ebx)
	movl	$COM1_VECTOR, 0x10(%ebx)
	mov	$COM1_MCR, %dx
	mov	$MCR_OUT2, %al
	out	%al, %dx
	mov	$COM1_IER, %dx
	mov	$IER_RDI, %al
	out	%al, %dx
	ret

/* COM1's receive interrupt: note it for the wait loop, EOI; DS flat */
com1_isr:
	push	%ebx
	movb	$1, IRQ_FLAG
	mov	$APIC_EOI, %ebx
	movl	$0, (%ebx)
	pop	%ebx
	iret

ipi_delay:
	push	%ecx
	mov	$INIT_SIPI_DELAY, %ecx
1:	addr32 loop 1b
	pop	%ecx
	ret

/*
 * An application processor, from the trampoline: CS = IMAGE_LOW_SEG, so
 * an offset into the image is an IP, as for the BSP.  Prints its APIC id
 * (CPUID 1, EBX bits 31:24), counts itself and spins for good: without an
 * exit its vCPU thread stays inside MSHV_RUN_VP, where QEMU's kick at the
 * BSP's isa-debug-exit reaches it.  A HLT would stop it with a HALT
 * message first, and a kick that arrives while QEMU handles that message
 * is lost (see Documentation/testing.rst).
 */
ap_main:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ss
	mov	%ax, %ds
	mov	$1, %eax
	cpuid
	shr	$24, %ebx
	mov	%bx, %sp
	shl	$8, %sp
	neg	%sp
	add	$AP_STACKS, %sp
	PRINT	msg_ap
	mov	%ebx, %eax
	call	puthex
	PRINT	msg_nl
	lock incw AP_COUNT
1:	pause
	jmp	1b

	.p2align 3
gdt:	.quad	0
	.quad	0x00cf93000000ffff	/* data: base 0, 4 GiB, read/write */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt - start + IMAGE_HIGH

/*
 * AL = code: QEMU exits with (code << 1) | 1.  QEMU 11.1 shuts down from
 * its main loop and kicks the vCPU thread out of MSHV_RUN_VP; a kick that
 * arrives while the thread handles this port write in userspace is lost.
 * Should the VP run on, a triple fault (an empty IVT: INT3 raises #GP,
 * #DF, shutdown) stops it with UNRECOVERABLE_EXCEPTION, which ends QEMU's
 * run loop by itself, and the shutdown completes.
 */
debug_exit:
	out	%al, $DEBUG_EXIT
	lidtl	%cs:(empty_idt - start)
	int3
1:	jmp	1b				/* not reached */

empty_idt:
	.word	0
	.long	0

/* putc: AL to COM1 once it can take a byte; preserves all but flags */
putc:
	push	%dx
	push	%ax
	mov	$COM1_LSR, %dx
1:	in	%dx, %al
	test	$LSR_THRE, %al
	jz	1b
	pop	%ax
	mov	$COM1, %dx
	out	%al, %dx
	pop	%dx
	ret

/* puts: the string at CS:SI */
puts:
	push	%ax
1:	cs lodsb
	test	%al, %al
	jz	2f
	call	putc
	jmp	1b
2:	pop	%ax
	ret

/* put4: the four bytes of EBX, low byte first */
put4:
	push	%cx
	push	%eax
	mov	$4, %cx
1:	mov	%bl, %al
	call	putc
	shr	$8, %ebx
	loop	1b
	pop	%eax
	pop	%cx
	ret

/* puthex: EAX as 0x and eight hex digits */
puthex:
	push	%cx
	push	%eax
	push	%ebx
	mov	%eax, %ebx
	mov	$'0', %al
	call	putc
	mov	$'x', %al
	call	putc
	mov	$8, %cx
1:	rol	$4, %ebx
	mov	%bl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$('a' - '0' - 10), %al
2:	call	putc
	loop	1b
	pop	%ebx
	pop	%eax
	pop	%cx
	ret

msg_hello:	.asciz	"mshv-fw: hello from the reset vector\n"
msg_vendor:	.asciz	"mshv-fw: cpuid vendor "
msg_max:	.asciz	" max leaf "
msg_nl:		.asciz	"\n"
msg_checks:	.asciz	"mshv-fw: cpuid and msr checks ok\n"
msg_cpus:	.asciz	"mshv-fw: cpus (fw_cfg) "
msg_ap:		.asciz	"mshv-fw: hello from an application processor, apic id "
msg_aps_up:	.asciz	"mshv-fw: every application processor is up\n"
msg_insb:	.asciz	"mshv-fw: fw_cfg signature by rep insb: QEMU\n"
msg_fail_insb:	.asciz	"mshv-fw: FAIL fw_cfg signature by rep insb: "
msg_wait:	.asciz	"mshv-fw: waiting for a byte on COM1\n"
msg_resumed:	.asciz	"mshv-fw: got a byte, resuming\n"
msg_reset:	.asciz	"mshv-fw: requesting a reset\n"
msg_bye:	.asciz	"mshv-fw: exiting through isa-debug-exit\n"
msg_fail_cpuid0: .asciz	"mshv-fw: FAIL cpuid 0 eax "
msg_fail_cpuid_ext: .asciz "mshv-fw: FAIL cpuid 0x80000000 eax "
msg_fail_cpuid1: .asciz	"mshv-fw: FAIL cpuid 1 edx lacks MSR/APIC: "
msg_fail_msr:	.asciz	"mshv-fw: FAIL msr "
msg_read:	.asciz	" read back "

	/* the reset vector: CS base 0xffff0000, IP 0xfff0 */
	.org	0xfff0
reset_vector:
	jmp	start
	.org	0x10000, 0xf4
