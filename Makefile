# SPDX-License-Identifier: GPL-2.0-only
#
# Top-level convenience targets for the mshv_root project. Kernel module
# builds go through the kernel's kbuild, which reads ./Kbuild (not this file).
#
#   make modules   build mshv_root.ko + hvsim/hvsim.ko against $(KDIR)
#   make check     the full test pipeline (testvm/check.sh check)
#   make demo      boot Debian's 6.1 kernel and run the demo VMM
#   make bench     region-layer and interpreter benchmarks in a VM
#                  (Documentation/regions.rst, hvsim.rst; BENCHES=<programs>)
#   make fuzz      only the ioctl fuzzer in one VM: DURATION=<s> (600),
#                  SEED=<n> (the time), KERNEL=<name> (debug-6.12)
#   make stress    only the stress selftest, DURATION=<s> (default 60) in one
#                  VM of KERNEL=<name> (default debug-6.12; Documentation/testing.rst)
#   make 1tib      only the 1 TiB guest selftest at full size: one VM with
#                  TIB_VM_MEM (6G) and zram swap; prints its figures
#   make linux-guest  boot a small Linux guest through QEMU -accel mshv on
#                  hvsim inside one VM; prints how far it got (LG_TIMEOUT
#                  (2400 s), LG_SMP (2), KERNEL; Documentation/hvsim.rst)
#   make kernels   only fetch/build the three test kernels (cached)
#   make deb       build the mshv-root-dkms package into build/
#   make install   modules_install + depmod against $(KDIR), and the modprobe
#                  configuration and udev rule (DESTDIR, PREFIX=/usr)
#   make uninstall remove what make install installed
#   make clean     remove build/ and in-tree kbuild output
#
# Variables: KDIR (modules, install), DESTDIR and PREFIX (install), and for check/demo: MSHV_SRC, MSHV_BUILD,
# MSHV_CACHE, KERNELS, VM_ACCEL, VM_TIMEOUT, VM_MEM, VM_SMP, VM_CPU,
# VM_LOGLEVEL, VM_APPEND, TEST_TIMEOUT, VM_PARALLEL (see testvm/README.md).

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR))

TESTVM_VARS := MSHV_SRC MSHV_BUILD MSHV_CACHE KERNELS VM_ACCEL VM_TIMEOUT \
	VM_MEM VM_SMP VM_CPU VM_LOGLEVEL VM_APPEND TEST_TIMEOUT VM_PARALLEL
TESTVM_VARS += BENCH_KERNEL BENCHES SELFTESTS QUICK PINNED_VM DKMS MAINLINE_BUILD
TESTVM_VARS += KERNEL DURATION SEED STRESS_DEBUG STRESS_OTHERS
TESTVM_VARS += LG_TIMEOUT LG_SMP LG_SAMPLE LG_APPEND
TESTVM_VARS += ABI_MAINLINE_PKG ABI_MAINLINE_VER ABI_MAINLINE_SUITE
export $(TESTVM_VARS)

.PHONY: all modules check demo bench fuzz stress 1tib linux-guest kernels deps clean help
.PHONY: deb install uninstall install-modules install-src install-config

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

# What the DKMS source holds: what Kbuild needs to build both modules
# (not what a build in place generates)
DKMS_SRC := Kbuild hvsim/Kbuild $(filter-out %.mod.c,$(wildcard *.c *.h \
	uapi/linux/*.h kunit/*.c hvsim/*.c hvsim/*.h))
PKG_NAME := mshv-root
PKG_VERSION ?= $(shell head -n 1 debian/changelog | cut -d ' ' -f 2 | tr -d '()')
PREFIX ?= /usr
MODPROBE_DIR = $(DESTDIR)$(PREFIX)/lib/modprobe.d
UDEV_RULES_DIR = $(DESTDIR)$(PREFIX)/lib/udev/rules.d
DEPMOD ?= depmod

# The kernel release of $(KDIR), for depmod and uninstall
krelease = $(shell cat '$(KDIR)/include/config/kernel.release' 2>/dev/null)

install-src:
	install -d '$(DESTDIR)/usr/src/$(PKG_NAME)-$(PKG_VERSION)'
	for f in $(DKMS_SRC); do \
		install -D -m 0644 "$$f" '$(DESTDIR)/usr/src/$(PKG_NAME)-$(PKG_VERSION)'/"$$f" || exit 1; \
	done

install-config:
	install -D -m 0644 dist/mshv-root.conf '$(MODPROBE_DIR)/mshv-root.conf'
	install -D -m 0644 dist/60-mshv-root.rules '$(UDEV_RULES_DIR)/60-mshv-root.rules'

install-modules: modules
	@test -n '$(krelease)' || { echo "install: no kernel release in KDIR='$(KDIR)'"; exit 1; }
	$(MAKE) -C '$(KDIR)' M='$(CURDIR)' INSTALL_MOD_PATH='$(DESTDIR)' \
		INSTALL_MOD_DIR=updates/$(PKG_NAME) DEPMOD=true modules_install
	$(DEPMOD) -a $(if $(DESTDIR),-b '$(DESTDIR)') '$(krelease)'

install: install-modules install-config
	@if [ -z '$(DESTDIR)' ] && command -v udevadm >/dev/null && [ -d /run/udev ]; then \
		udevadm control --reload || true; \
	fi

uninstall:
	@test -n '$(krelease)' || { echo "uninstall: no kernel release in KDIR='$(KDIR)'"; exit 1; }
	rm -rf '$(DESTDIR)/lib/modules/$(krelease)/updates/$(PKG_NAME)'
	rm -f '$(MODPROBE_DIR)/mshv-root.conf' '$(UDEV_RULES_DIR)/60-mshv-root.rules'
	$(DEPMOD) -a $(if $(DESTDIR),-b '$(DESTDIR)') '$(krelease)'

# dpkg-buildpackage on a copy of the sources in $(DEB_BUILD) (its output
# goes to the parent directory); the package is copied to $(DEB_OUT).
DEB_BUILD ?= build/deb
DEB_OUT ?= build
deb:
	rm -rf '$(DEB_BUILD)'
	mkdir -p '$(DEB_BUILD)/$(PKG_NAME)-$(PKG_VERSION)' '$(DEB_OUT)'
	tar -cf - debian dist Makefile $(DKMS_SRC) | tar -xf - -C '$(DEB_BUILD)/$(PKG_NAME)-$(PKG_VERSION)'
	cd '$(DEB_BUILD)/$(PKG_NAME)-$(PKG_VERSION)' && dpkg-buildpackage -b -us -uc
	cp '$(DEB_BUILD)'/*.deb '$(DEB_OUT)/'

check:
	@testvm/check.sh check

demo:
	@testvm/check.sh demo

bench:
	@testvm/check.sh bench

fuzz:
	@testvm/check.sh fuzz

stress:
	@testvm/check.sh stress

1tib:
	@testvm/check.sh 1tib

linux-guest:
	@testvm/check.sh linux-guest

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
