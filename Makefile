# In-kernel checkpoint/restart: top-level Makefile.
#
# Builds the module (through Kbuild) and the tools for one kernel, installs
# them, and drives the checks and the QEMU test matrix over the two Debian
# kernels that tools/testing/setup.sh installs.  "make help" lists targets.

KDIR ?= /lib/modules/$(shell uname -r)/build

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

B := $(CURDIR)/build
T := $(CURDIR)/tools/testing
TOOLS := $(addprefix tools/,ckpt rstr ckptinfo)
MODULE_SOURCES := Kbuild checkpoint include uapi
SELFTESTS := $(B)/selftests
KSFT_DIR := $(B)/linux-source/tools/testing/selftests
COUNTER := $(B)/demo/counter
empty :=
space := $(empty) $(empty)
comma := ,

# The test matrix: KREL_61 and KREL_612, written by setup.sh.
-include $(B)/kernels.mk
KRELS := $(KREL_61) $(KREL_612)
# The debug kernel of "make check-debug", once built: DEBUG_KREL, its
# release, and DEBUG_KERNEL, its directory in the cache (bzImage, build/),
# written by "make debug-kernel".
-include $(B)/debug-kernel.mk
is_debug = $(and $(DEBUG_KREL),$(filter $(DEBUG_KREL),$(1)))
hdrs = $(if $(call is_debug,$(1)),$(DEBUG_KERNEL)/build,/usr/src/linux-headers-$(1))

# The release of the kernel tree $(1).  UTS_RELEASE is the one the module's
# vermagic and /lib/modules use; Debian's 6.1 headers hold the upstream
# version ("6.1.192") in include/config/kernel.release.
krel_of = $(or $(shell sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' \
		$(1)/include/generated/utsrelease.h 2>/dev/null), \
	$(shell cat $(1)/include/config/kernel.release 2>/dev/null))

# Path of module $(2) built in $(1), found in Kbuild's modules.order
# (which lists .o files on newer kernels, .ko on older ones; absolute
# paths for M=/abs/path, relative ones otherwise).
ko_order = $(shell sed -n 's/\.o$$/.ko/; /\(^\|\/\)$(2)\.ko$$/p' \
	$(1)/modules.order 2>/dev/null)
ko = $(foreach p,$(or $(ko_order),$(2).ko),$(if $(filter /%,$(p)),$(p),$(1)/$(p)))

.PHONY: all module tools install setup need-kernels sparse checkpatch \
	selftests counter check demo demo-run bench bench-smoke bench-mem bench-initramfs \
	fuzz debug-kernel check-debug \
	clean distclean help

all: module tools

module:
	$(if $(wildcard $(KDIR)/Makefile),,$(error KDIR=$(KDIR) is no kernel \
		build tree; install the kernel headers or pass KDIR=))
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

# Other people's scripts rely on exactly these paths.
install: KREL_INSTALL = $(call krel_of,$(KDIR))
install: module tools
	$(if $(KREL_INSTALL),,$(error cannot tell the release of $(KDIR)))
	install -D -m 644 $(call ko,$(CURDIR),checkpoint) \
		$(DESTDIR)/lib/modules/$(KREL_INSTALL)/extra/checkpoint.ko
	install -D -m 755 -t $(DESTDIR)/usr/bin $(TOOLS)
	$(if $(DESTDIR),,depmod -a $(KREL_INSTALL))

setup:
	$(T)/setup.sh

# --- the test matrix: one copy of the module sources per kernel ---------
#
# Kbuild writes objects next to the sources, so each kernel builds its own
# copy in build/KREL/src.  Per kernel: src-KREL, module-KREL, sparse-KREL,
# initramfs-KREL and test-KREL (boot it in QEMU and judge the results).
# KSFT_DIR: Kbuild's default for it is relative to the sources, which the
# copy does not have.

need-kernels:
	$(if $(KRELS),,$(error no build/kernels.mk: run "make setup" first))

src-%:
	$(T)/sync-src.sh $(B)/$*/src $(MODULE_SOURCES)

module-%: src-%
	$(MAKE) -C $(call hdrs,$*) M=$(B)/$*/src KSFT_DIR=$(KSFT_DIR) modules

sparse-%: src-%
	$(T)/sparse.sh $(call hdrs,$*) $(B)/$*/src KSFT_DIR=$(KSFT_DIR)

sparse: need-kernels $(addprefix sparse-,$(KRELS))

checkpatch:
	$(T)/checkpatch.sh

selftests:
	rm -rf $(SELFTESTS)
	$(MAKE) -C selftests/checkpoint install INSTALL_PATH=$(SELFTESTS) \
		KSFT_DIR=$(KSFT_DIR)

# The unit-test module is optional here; run.sh reports if it is missing.
initramfs-%: module-% tools selftests
	$(T)/mkinitramfs.sh -k $* -m $(call ko,$(B)/$*/src,checkpoint) \
		$(addprefix -m ,$(wildcard $(call ko,$(B)/$*/src,checkpoint_test))) \
		$(addprefix -b ,$(TOOLS)) -s $(SELFTESTS) $(B)/$*/initramfs.cpio.gz

# The debug kernel boots from its cache with kmemleak on (KASAN replaces
# slub_debug), more memory for KASAN's shadow and kmemleak's metadata,
# and longer limits: the suite runs about 4 times slower there (ckpt_slow=4
# makes the tests' own waits for a target 4 times longer).
DEBUG_QEMU_ENV = KERNEL=$(DEBUG_KERNEL)/bzImage KERNEL_DEBUG=kmemleak=on \
	QEMU_MEM=2G QEMU_TIMEOUT=$${QEMU_TIMEOUT:-4200}
DEBUG_APPEND = ckpt_timeout=4000 ckpt_slow=4

# A failed boot leaves no end marker in the results: check-results.sh
# reports it, with the end of the console log.
test-%: initramfs-%
	$(if $(call is_debug,$*),$(DEBUG_QEMU_ENV)) \
	APPEND='$(if $(call is_debug,$*),$(DEBUG_APPEND) )$(if $(TESTS),ckpt_tests=$(subst $(space),$(comma),$(strip $(TESTS))))' \
		$(T)/run-qemu.sh $* $(B)/$*/initramfs.cpio.gz $(B)/$*/out || true
	$(T)/check-results.sh $(B)/$*/out

# Mutated images restarted in the guest, FUZZ_MUTANTS per kind of image
# (11 kinds: 13750 mutants per kernel); FUZZ_KINDS=a_target,b_target
# picks kinds by target.  make check runs fuzz_test's smaller default
# with the other selftests.
FUZZ_MUTANTS ?= 1250
FUZZ_KINDS ?=
fuzz-%: initramfs-%
	APPEND='ckpt_tests=fuzz_test ckpt_timeout=7000 ckpt_fuzz=$(FUZZ_MUTANTS)$(if $(FUZZ_KINDS), ckpt_fuzz_kinds=$(FUZZ_KINDS))' \
	QEMU_TIMEOUT=$${QEMU_TIMEOUT:-7200} \
		$(T)/run-qemu.sh $* $(B)/$*/initramfs.cpio.gz $(B)/$*/fuzz || true
	$(T)/check-results.sh $(B)/$*/fuzz

fuzz: need-kernels $(addprefix fuzz-,$(KRELS))

check:
	MAKE='$(MAKE)' $(T)/check.sh

# --- the debug kernel: KASAN, lockdep, kmemleak, UBSAN, fault injection --
#
# Built from linux-source-6.1 with tools/testing/debug-kernel/debug.config
# into /var/cache/ckpt-debug-kernel/KEY/ (about 20 minutes on 2 CPUs, once
# per configuration), then a test kernel like the two others:
# module-$(DEBUG_KREL), test-$(DEBUG_KREL).  check-debug runs it all.

debug-kernel:
	@mkdir -p $(B)
	dir=$$($(T)/debug-kernel/build.sh); \
	printf 'DEBUG_KREL=%s\nDEBUG_KERNEL=%s\n' "$$(cat $$dir/krel)" "$$dir" \
		>$(B)/debug-kernel.mk

check-debug:
	MAKE='$(MAKE)' $(T)/check-debug.sh

# --- the demo ------------------------------------------------------------

$(COUNTER): $(T)/demo/counter.c
	@mkdir -p $(@D)
	$(CC) -static -Os -s -Wall -Wextra -Werror -o $@ $<

counter: $(COUNTER)

# The 6.1 kernel, or the first one whose image and headers are here.
DEMO_KREL := $(firstword $(foreach k,$(KRELS),$(and \
	$(wildcard /boot/vmlinuz-$(k)),$(wildcard $(call hdrs,$(k))/Makefile),$(k))))

# Setup first, then a new make that reads the kernels.mk it wrote.
demo: setup
	$(MAKE) --no-print-directory demo-run

ifneq ($(filter demo-run,$(MAKECMDGOALS)),)
$(if $(DEMO_KREL),,$(error no test kernel with headers: run "make setup"))
endif
demo-run: module-$(DEMO_KREL) tools $(COUNTER)
	$(T)/mkinitramfs.sh -k $(DEMO_KREL) \
		-m $(call ko,$(B)/$(DEMO_KREL)/src,checkpoint) \
		$(addprefix -b ,$(TOOLS) $(COUNTER)) -i $(T)/demo/init.sh \
		$(B)/demo/initramfs.cpio.gz
	LIVE=1 APPEND=quiet QEMU_TIMEOUT=300 $(T)/run-qemu.sh $(DEMO_KREL) \
		$(B)/demo/initramfs.cpio.gz $(B)/demo/out
	grep -q '^demo: done' $(B)/demo/out/console.log

# --- the benchmark: ours vs criu vs dd, in one 6.1 guest (bench/) ------
#
# The guest runs bench/measure.sh as its test suite, with the workloads
# and benchutil next to it, criu and its libraries in /usr/bin, and the
# modules criu probes loaded (Debian builds them as modules).  "bench"
# writes its report into bench/results/; "bench-smoke", part of "make
# check", runs tiny sizes once each and fails only on errors.

BENCH := $(B)/bench
BENCH_GUEST := $(addprefix $(BENCH)/guest/,run.sh workload workload-dyn benchutil)
CRIU_MODULES := netlink_diag unix_diag inet_diag tcp_diag udp_diag \
	af_packet_diag nf_tables tun veth
BENCH_CFLAGS := -O2 -Wall -Wextra -Werror

$(BENCH)/guest/run.sh: bench/measure.sh
	install -D -m 755 $< $@

$(BENCH)/guest/workload: bench/workload.c
	@mkdir -p $(@D)
	$(CC) -static -pthread $(BENCH_CFLAGS) -o $@ $<

# the dynamically linked program with open files
$(BENCH)/guest/workload-dyn: bench/workload.c
	@mkdir -p $(@D)
	$(CC) -pthread $(BENCH_CFLAGS) -o $@ $<

$(BENCH)/guest/benchutil: bench/benchutil.c
	@mkdir -p $(@D)
	$(CC) -static $(BENCH_CFLAGS) -o $@ $<

bench-initramfs: need-kernels module-$(KREL_61) tools $(BENCH_GUEST)
	$(T)/mkinitramfs.sh -k $(KREL_61) \
		-m $(call ko,$(B)/$(KREL_61)/src,checkpoint) \
		$(addprefix -d ,$(CRIU_MODULES)) \
		$(addprefix -b ,$(TOOLS) /usr/sbin/criu) \
		-s $(BENCH)/guest $(BENCH)/initramfs.cpio.gz

bench: bench-initramfs
	bench/run.sh full $(KREL_61) $(BENCH)/initramfs.cpio.gz $(BENCH)/full
	mkdir -p bench/results
	cp $(addprefix $(BENCH)/full/,results.md results.svg raw.csv) bench/results/

bench-smoke: bench-initramfs
	bench/run.sh smoke $(KREL_61) $(BENCH)/initramfs.cpio.gz $(BENCH)/smoke

# the memory workloads alone, 3 runs each: for work on the page path
bench-mem: bench-initramfs
	bench/run.sh mem $(KREL_61) $(BENCH)/initramfs.cpio.gz $(BENCH)/mem

# --- cleaning ------------------------------------------------------------

# Keeps what setup.sh made (build/linux-source, build/kernels.mk): making
# it again means apt-get and a 25 s extraction.  distclean removes it too.
clean:
	[ ! -f tools/Makefile ] || $(MAKE) -C tools clean
	[ ! -f $(KSFT_DIR)/lib.mk ] || $(MAKE) -C selftests/checkpoint clean KSFT_DIR=$(KSFT_DIR)
	[ ! -f $(KDIR)/Makefile ] || [ ! -f Kbuild ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	find . -maxdepth 1 -type f \( -name modules.order -o -name Module.symvers \
		-o -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' \) -delete
	find $(wildcard $(MODULE_SOURCES)) -type f \( -name '*.o' -o -name '.*.cmd' \
		-o -name '*.mod.c' \) -delete
	[ ! -d $(B) ] || find $(B) -mindepth 1 -maxdepth 1 ! -name linux-source \
		! -name kernels.mk ! -name .setup-done -exec rm -rf {} +

distclean: clean
	rm -rf $(B)

help:
	@echo 'make [KDIR=...]           build checkpoint.ko against KDIR, and the tools'
	@echo 'make module | tools       one of the two'
	@echo 'make install DESTDIR=D    D/lib/modules/REL/extra/checkpoint.ko, D/usr/bin/{ckpt,rstr,ckptinfo}'
	@echo 'make setup                install what the checks need (Debian 12, apt-get)'
	@echo 'make check                setup, sparse, checkpatch, builds, selftests in QEMU on both kernels'
	@echo 'make check-debug          the selftests and fault injection on a KASAN/lockdep/kmemleak/UBSAN kernel'
	@echo 'make debug-kernel         build that kernel (once: it is cached in /var/cache/ckpt-debug-kernel)'
	@echo 'make demo                 checkpoint and restart a counter in a QEMU guest'
	@echo 'make bench                ours vs criu vs dd in a QEMU guest (long): bench/results/'
	@echo 'make bench-smoke          the same with tiny sizes, once each (part of make check)'
	@echo 'make bench-mem            the memory workloads alone, 3 runs each'
	@echo 'make fuzz                 13750 mutated images per kernel restarted in the guest'
	@echo 'make sparse | checkpatch  one gate of make check'
	@echo 'make test-KREL            build and boot one kernel of the matrix: $(KRELS)'
	@echo 'make clean | distclean    distclean also removes what setup extracted'
