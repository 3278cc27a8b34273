# SPDX-License-Identifier: GPL-2.0-only
#
# Top-level convenience targets for the mshv_root project. Kernel module
# builds go through the kernel's kbuild, which reads ./Kbuild (not this file).
#
#   make modules   build mshv_root.ko + hvsim/hvsim.ko against $(KDIR)
#   make check     the full test pipeline (testvm/check.sh check)
#   make demo      boot Debian's 6.1 kernel and run the demo VMM
#   make bench     region-layer benchmarks in a VM (Documentation/regions.rst)
#   make stress    only the stress selftest, DURATION=<s> (default 60) in one
#                  VM of KERNEL=<name> (default debug-6.12; Documentation/testing.rst)
#   make kernels   only fetch/build the three test kernels (cached)
#   make clean     remove build/ and in-tree kbuild output
#
# Variables: KDIR (modules), and for check/demo: MSHV_SRC, MSHV_BUILD,
# MSHV_CACHE, KERNELS, VM_ACCEL, VM_TIMEOUT, VM_MEM, VM_SMP, VM_CPU,
# VM_LOGLEVEL, VM_APPEND, TEST_TIMEOUT, VM_PARALLEL (see testvm/README.md).

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR))

TESTVM_VARS := MSHV_SRC MSHV_BUILD MSHV_CACHE KERNELS VM_ACCEL VM_TIMEOUT \
	VM_MEM VM_SMP VM_CPU VM_LOGLEVEL VM_APPEND TEST_TIMEOUT VM_PARALLEL
TESTVM_VARS += BENCH_KERNEL SELFTESTS QUICK PINNED_VM
TESTVM_VARS += DURATION KERNEL STRESS_DEBUG STRESS_OTHERS
TESTVM_VARS += ABI_MAINLINE_PKG ABI_MAINLINE_VER ABI_MAINLINE_SUITE
export $(TESTVM_VARS)

.PHONY: all modules check demo bench stress kernels deps clean help

all: modules

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

modules:
	@kdir='$(KDIR)'; \
	if [ -z "$$kdir" ]; then \
		echo "KDIR not set and $(RUNNING_KDIR) missing: using the debug test kernel"; \
		env=$$(testvm/kernels.sh debug) || exit 1; \
		kdir=$$(. "$$env" && echo "$$KDIR"); \
	fi; \
	$(MAKE) -C "$$kdir" M='$(CURDIR)' W=1 modules

check:
	@testvm/check.sh check

demo:
	@testvm/check.sh demo

bench:
	@testvm/check.sh bench

stress:
	@testvm/check.sh stress

deps:
	testvm/deps.sh

kernels: deps
	testvm/kernels.sh debug
	testvm/kernels.sh stock 6.1
	testvm/kernels.sh stock 6.12

clean:
	rm -rf build
	find . -path ./.git -prune -o -path ./build -prune -o -type f \
		\( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		   -o -name '.*.cmd' -o -name '*.a' -o -name 'Module.symvers' \
		   -o -name 'modules.order' \) -print0 | xargs -0 rm -f
	find . -path ./.git -prune -o -type d -name .tmp_versions -print0 | xargs -0 rm -rf
