/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A Linux-like instruction mix for x86_emu_bench (beside the loops of
 * bench/mshv_bench_interp_code.S, and copied after them into the same
 * guest page): position-independent x86-64 code, SysV calling convention,
 * caller-saved registers only.
 *
 * bench_mix(n, buf): n iterations of 27 to 29 instructions: movzx loads, lea,
 * a call and its frame (push rbp, mov, leave, ret), cmp / test and
 * conditional branches, a byte store, pushes and pops, setcc, cmovcc, a
 * shift and a rep stosq of 4 qwords
 */
	.text
	.globl bench_mix_start, bench_mix_end, bench_mix

bench_mix_start:
bench_mix:
	mov	%rdi, %r9
	xor	%eax, %eax
1:	movzbl	(%rsi), %ecx
	movzwl	2(%rsi), %edx
	lea	1(%rcx,%rdx,2), %eax
	call	2f
	cmp	$100, %eax
	jb	3f
	and	$0x3f, %eax
3:	test	$1, %al
	jz	4f
	mov	%al, (%rsi)
4:	push	%rsi
	push	%rax
	lea	64(%rsi), %rdi
	mov	$4, %ecx
	rep stosq
	pop	%rax
	pop	%rsi
	dec	%r9
	jnz	1b
	ret

2:	push	%rbp
	mov	%rsp, %rbp
	add	%eax, %edx
	setz	%cl
	cmovnz	%edx, %eax
	shr	$1, %edx
	mov	%dx, 2(%rsi)
	leave
	ret
bench_mix_end:

	.section .note.GNU-stack, "", @progbits
