/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A flat real-mode guest for mshv_demo: loaded at GPA 0x1000 and entered
 * with CS base 0, IP 0x1000, it writes a greeting to the serial port (COM1,
 * port 0x3f8) one byte at a time and halts.
 *
 * Assembled with GNU as and turned into a flat image with objcopy, without
 * a linker: every jump is PC-relative and the only absolute address, that
 * of the message, is computed as LOAD_ADDR + (msg - start), a difference
 * of two symbols of the same section that the assembler resolves itself.
 */
	.code16
	.text

	.set	LOAD_ADDR, 0x1000
	.set	COM1, 0x3f8

start:
	mov	$(LOAD_ADDR + (msg - start)), %si
	mov	$COM1, %dx
1:	lodsb				/* AL = [DS:SI++] */
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	hlt

msg:
	.asciz	"Hello from a guest partition\n"
