/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reference results of the host CPU for the flags cross-check:
 *   u64 host_OP_SIZE(u64 a, u64 b, u64 carry_in, u64 *rflags)
 * returns a OP b (b in CL for shifts) computed by the real instruction,
 * with CF preset to carry_in, and stores RFLAGS after it.
 * host_ops_table[op][size index] lists them: op 0-7 ALU (add, or, adc,
 * sbb, and, sub, xor, cmp), 8 SHL, 9 SHR, 10 SAR; sizes 1, 2, 4, 8.
 */
	.text

.macro HOSTOP name, insn
	.globl \name
	.type \name, @function
\name:
	movq	%rcx, %r8
	movq	%rsi, %rcx
	movq	%rdi, %rax
	pushfq
	andq	$~1, (%rsp)
	orq	%rdx, (%rsp)
	popfq
	\insn
	pushfq
	popq	(%r8)
	ret
	.size \name, . - \name
.endm

.macro ALU4 op
	HOSTOP host_\op\()_1, "\op\()b %sil, %al"
	HOSTOP host_\op\()_2, "\op\()w %si, %ax"
	HOSTOP host_\op\()_4, "\op\()l %esi, %eax"
	HOSTOP host_\op\()_8, "\op\()q %rsi, %rax"
.endm

.macro SHIFT4 op
	HOSTOP host_\op\()_1, "\op\()b %cl, %al"
	HOSTOP host_\op\()_2, "\op\()w %cl, %ax"
	HOSTOP host_\op\()_4, "\op\()l %cl, %eax"
	HOSTOP host_\op\()_8, "\op\()q %cl, %rax"
.endm

	ALU4 add
	ALU4 or
	ALU4 adc
	ALU4 sbb
	ALU4 and
	ALU4 sub
	ALU4 xor
	ALU4 cmp
	SHIFT4 shl
	SHIFT4 shr
	SHIFT4 sar

.macro ROW op
	.quad host_\op\()_1, host_\op\()_2, host_\op\()_4, host_\op\()_8
.endm

	.section .data.rel.ro, "aw"
	.balign 8
	.globl host_ops_table
host_ops_table:
	ROW add
	ROW or
	ROW adc
	ROW sbb
	ROW and
	ROW sub
	ROW xor
	ROW cmp
	ROW shl
	ROW shr
	ROW sar
	.size host_ops_table, . - host_ops_table

	.section .note.GNU-stack, "", @progbits
