/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loops of mshv_bench_interp.c: position-independent x86-64 code, SysV
 * calling convention, caller-saved registers only, so that the same bytes
 * run natively and, copied into guest memory, as a 64-bit guest.
 *
 * bench_alu(n): 6 instructions per iteration
 * bench_loadstore(n, buf): 7 per iteration, a load and a store each
 * bench_movsb(dst, src, len, n): n times rep movsb of len bytes
 * bench_pio(n): n times out 0x80, al
 */
	.text
	.globl bench_code_start, bench_code_end
	.globl bench_alu, bench_loadstore, bench_movsb, bench_pio

bench_code_start:
bench_alu:
	xor	%eax, %eax
	mov	$1, %edx
1:	add	%rdx, %rax
	xor	%rax, %rdx
	sub	$3, %rdx
	inc	%r8
	dec	%rdi
	jnz	1b
	ret

bench_loadstore:
	xor	%ecx, %ecx
1:	mov	(%rsi,%rcx), %rax
	add	%rdi, %rax
	mov	%rax, 8(%rsi,%rcx)
	add	$16, %rcx
	and	$0xfff0, %ecx
	dec	%rdi
	jnz	1b
	ret

bench_movsb:
	mov	%rdi, %r8
	mov	%rsi, %r9
	mov	%rcx, %r10
1:	mov	%r8, %rdi
	mov	%r9, %rsi
	mov	%rdx, %rcx
	rep movsb
	dec	%r10
	jnz	1b
	ret

bench_pio:
1:	out	%al, $0x80
	dec	%rdi
	jnz	1b
	ret
bench_code_end:

	.section .note.GNU-stack, "", @progbits
