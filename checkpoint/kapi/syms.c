// SPDX-License-Identifier: GPL-2.0
/*
 * Resolve the unexported kernel symbols of syms.h's list.
 *
 * kallsyms_lookup_name() itself is not exported since 5.7; a kprobe on it
 * tells its address.  Every symbol is resolved here, once, at load time,
 * so a kernel that lacks one refuses the module with the symbol's name
 * instead of failing later in the middle of an operation.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <asm/cpufeature.h>

#include <checkpoint/kapi.h>

#include "internal.h"

struct kapi_syms kapi_syms;

struct kapi_sym {
	const char *name;
	void **addr;
	bool data;		/* a variable: nothing to call */
	bool optional;		/* the module does without it */
};

#define KAPI_FN(ret, name, args) \
	{ #name, &kapi_syms.name##_addr, false, false },
#define KAPI_SYS(name) \
	{ "__x64_sys_" #name, &kapi_syms.sys_##name##_addr, false, false },
#define KAPI_VAR(type, name) \
	{ #name, &kapi_syms.name##_addr, true, false },
#define KAPI_OPT(ret, name, args) \
	{ #name, &kapi_syms.name##_addr, false, true },

static const struct kapi_sym kapi_sym_table[] = {
#include "syms.h"
};

void __user *kapi_scratch_map(void)
{
	unsigned long addr;

	addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return (void __user *)ERR_PTR((long)addr);
	return (void __user *)addr;
}

void kapi_scratch_unmap(void __user *page)
{
	vm_munmap((unsigned long)page, PAGE_SIZE);
}

/**
 * kapi_syscall_ubuf - a system call of current's with a buffer in user
 *	memory
 * @fn: the call's entry point (kapi_syms.sys_*)
 * @regs: its arguments
 * @uarg: the member of @regs that is to point to the buffer
 * @buf: the buffer, copied in before the call
 * @len: its size, at most a page
 * @out: the call fills the buffer: copy it back if the call succeeds
 *
 * The calls take user pointers only: the buffer goes into a scratch page
 * mapped in current's address space for the time of the call.  Returns
 * what the call does, or -errno if the page cannot be had or, with @out,
 * read back.
 */
long kapi_syscall_ubuf(long (*fn)(const struct pt_regs *regs),
		       struct pt_regs *regs, unsigned long *uarg,
		       void *buf, size_t len, bool out)
{
	void __user *ubuf;
	long ret;

	if (WARN_ON_ONCE(len > PAGE_SIZE) || !current->mm)
		return -EINVAL;
	ubuf = kapi_scratch_map();
	if (IS_ERR(ubuf))
		return PTR_ERR(ubuf);
	*uarg = (unsigned long)ubuf;
	ret = copy_to_user(ubuf, buf, len) ? -EFAULT : fn(regs);
	if (out && ret >= 0 && copy_from_user(buf, ubuf, len))
		ret = -EFAULT;
	kapi_scratch_unmap(ubuf);
	return ret;
}

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

static kallsyms_lookup_name_t kapi_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	void *addr;

	if (register_kprobe(&kp) < 0)
		return NULL;
	addr = kp.addr;
	unregister_kprobe(&kp);
	return (kallsyms_lookup_name_t)addr;
}

/*
 * With indirect branch tracking enforced, a function the kernel never
 * calls indirectly has had its ENDBR sealed at boot; calling it through
 * a pointer would fault.  Refuse such a function up front.
 */
static bool kapi_callable(void *addr)
{
	const u32 endbr64 = 0xfa1e0ff3;
	u32 insn;

	if (!cpu_feature_enabled(X86_FEATURE_IBT))
		return true;
	memcpy(&insn, addr, sizeof(insn));
	return insn == endbr64;
}

static void kapi_sym_missing(const struct kapi_sym *sym, const char *why)
{
	if (sym->optional)
		pr_info("kernel symbol %s %s: doing without it\n", sym->name,
			why);
	else
		pr_err("kernel symbol %s %s\n", sym->name, why);
}

int kapi_init(void)
{
	kallsyms_lookup_name_t lookup = kapi_find_kallsyms();
	unsigned long addr;
	int i;

	if (!lookup) {
		pr_err("cannot locate kallsyms_lookup_name (CONFIG_KPROBES?)\n");
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(kapi_sym_table); i++) {
		addr = lookup(kapi_sym_table[i].name);
		if (addr && !kapi_sym_table[i].data &&
		    !kapi_callable((void *)addr)) {
			kapi_sym_missing(&kapi_sym_table[i],
					 "is not callable (IBT sealed)");
			addr = 0;
		} else if (!addr) {
			kapi_sym_missing(&kapi_sym_table[i], "not found");
		}
		if (!addr && !kapi_sym_table[i].optional)
			return -ENOENT;
		*kapi_sym_table[i].addr = (void *)addr;
	}
	return 0;
}
