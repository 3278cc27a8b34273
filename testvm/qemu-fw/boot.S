/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boot sector of a disk for SeaBIOS, run by the QEMU cases of the test VM
 * (testvm/qemu-mshv.sh): the BIOS loads it at 0x7c00 and jumps to it in
 * real mode; it writes a line to COM1 (0x3f8) and ends through QEMU's
 * isa-debug-exit device (port 0xf4) with code BOOT_OK: QEMU exits with
 * status (BOOT_OK << 1) | 1 = 65.
 */
	.code16
	.text

	.set	LOAD_ADDR, 0x7c00
	.set	COM1, 0x3f8
	.set	DEBUG_EXIT, 0xf4
	.set	BOOT_OK, 0x20

start:
	cli
	cld
	/* CS:IP may be 0x07c0:0 or 0:0x7c00: address data from segment 0 */
	xor	%ax, %ax
	mov	%ax, %ds
	mov	$(LOAD_ADDR + (msg - start)), %si
	mov	$COM1, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	mov	$BOOT_OK, %al
	out	%al, $DEBUG_EXIT
	/*
	 * QEMU shuts down from its main loop; should the VP run on (the
	 * kick that stops it lost, see fw.S), a triple fault (an empty IVT:
	 * INT3 raises #GP, #DF, shutdown) ends QEMU's run loop.
	 */
	lidtl	(LOAD_ADDR + (empty_idt - start))
	int3
3:	jmp	3b

empty_idt:
	.word	0
	.long	0

msg:
	.asciz	"mshv-boot: hello from the boot sector\n"

	.org	510
	.byte	0x55, 0xaa
