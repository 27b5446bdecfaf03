// SPDX-License-Identifier: GPL-2.0
/*
 * Resolve the few unexported kernel functions the module calls.
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

#include <checkpoint/symbols.h>

struct ckpt_syms ckpt_syms;

struct ckpt_sym {
	const char *name;
	void **addr;
	bool data;		/* a variable: nothing to call */
	bool optional;		/* the module does without it */
};

static const struct ckpt_sym ckpt_sym_table[] = {
	{ "ptrace_may_access", (void **)&ckpt_syms.ptrace_may_access },
	{ "task_work_cancel", (void **)&ckpt_syms.task_work_cancel },
	{ "wait_task_inactive", (void **)&ckpt_syms.wait_task_inactive },
	{ "audit_set_loginuid", (void **)&ckpt_syms.audit_set_loginuid },
	{ "do_arch_prctl_64", (void **)&ckpt_syms.do_arch_prctl_64 },
	{ "copy_uabi_from_kernel_to_xstate",
	  (void **)&ckpt_syms.copy_uabi_from_kernel_to_xstate },
	{ "hrtimer_nanosleep_restart",
	  (void **)&ckpt_syms.hrtimer_nanosleep_restart },
	{ "do_restart_poll", (void **)&ckpt_syms.do_restart_poll },
	{ "futex_wait_restart", (void **)&ckpt_syms.futex_wait_restart },
	{ "replace_fd", (void **)&ckpt_syms.replace_fd },
	{ "set_fs_pwd", (void **)&ckpt_syms.set_fs_pwd },
	{ "set_fs_root", (void **)&ckpt_syms.set_fs_root },
	{ "alloc_uid", (void **)&ckpt_syms.alloc_uid },
	{ "set_cred_ucounts", (void **)&ckpt_syms.set_cred_ucounts },
	{ "__x64_sys_madvise", (void **)&ckpt_syms.sys_madvise },
	{ "__x64_sys_mlock2", (void **)&ckpt_syms.sys_mlock2 },
	{ "__x64_sys_mlockall", (void **)&ckpt_syms.sys_mlockall },
	{ "__x64_sys_membarrier", (void **)&ckpt_syms.sys_membarrier },
	{ "__x64_sys_mprotect", (void **)&ckpt_syms.sys_mprotect },
	{ "__x64_sys_timer_create", (void **)&ckpt_syms.sys_timer_create },
	{ "__x64_sys_timer_settime", (void **)&ckpt_syms.sys_timer_settime },
	{ "__x64_sys_setitimer", (void **)&ckpt_syms.sys_setitimer },
	{ "__x64_sys_setpgid", (void **)&ckpt_syms.sys_setpgid },
	{ "__x64_sys_exit_group", (void **)&ckpt_syms.sys_exit_group },
	{ "__x64_sys_fcntl", (void **)&ckpt_syms.sys_fcntl },
	{ "create_pipe_files", (void **)&ckpt_syms.create_pipe_files },
	{ "pipefifo_fops", (void **)&ckpt_syms.pipefifo_fops, true },
	{ "__x64_sys_unlink", (void **)&ckpt_syms.sys_unlink },
	{ "__x64_sys_epoll_create1", (void **)&ckpt_syms.sys_epoll_create1 },
	{ "__x64_sys_epoll_ctl", (void **)&ckpt_syms.sys_epoll_ctl },
	{ "__x64_sys_epoll_wait", (void **)&ckpt_syms.sys_epoll_wait },
	{ "get_epoll_tfile_raw_ptr",
	  (void **)&ckpt_syms.get_epoll_tfile_raw_ptr },
	{ "eventfd_fops", (void **)&ckpt_syms.eventfd_fops, true },
	{ "signalfd_fops", (void **)&ckpt_syms.signalfd_fops, true },
	{ "timerfd_fops", (void **)&ckpt_syms.timerfd_fops, true },
	{ "eventpoll_fops", (void **)&ckpt_syms.eventpoll_fops, true },
	{ "inotify_fops", (void **)&ckpt_syms.inotify_fops, true },
	{ "tty_fops", (void **)&ckpt_syms.tty_fops, true },
	{ "ptmx_fops", (void **)&ckpt_syms.ptmx_fops, true },
	{ "__x64_sys_inotify_init1", (void **)&ckpt_syms.sys_inotify_init1 },
	{ "__x64_sys_inotify_add_watch",
	  (void **)&ckpt_syms.sys_inotify_add_watch },
	{ "__x64_sys_eventfd2", (void **)&ckpt_syms.sys_eventfd2 },
	{ "__x64_sys_signalfd4", (void **)&ckpt_syms.sys_signalfd4 },
	{ "__x64_sys_timerfd_create", (void **)&ckpt_syms.sys_timerfd_create },
	{ "__x64_sys_timerfd_settime",
	  (void **)&ckpt_syms.sys_timerfd_settime },
	{ "__x64_sys_timerfd_gettime",
	  (void **)&ckpt_syms.sys_timerfd_gettime },
	{ "__x64_sys_write", (void **)&ckpt_syms.sys_write },
	{ "__x64_sys_ioctl", (void **)&ckpt_syms.sys_ioctl },
	{ "tasklist_lock", (void **)&ckpt_syms.tasklist_lock, true },
	{ "pid_max", (void **)&ckpt_syms.pid_max, true },
	{ "anon_vma_fork", (void **)&ckpt_syms.anon_vma_fork, false, true },
	{ "copy_page_range", (void **)&ckpt_syms.copy_page_range, false, true },
	{ "flush_tlb_mm_range", (void **)&ckpt_syms.flush_tlb_mm_range,
	  false, true },
	{ "security_file_lock", (void **)&ckpt_syms.security_file_lock },
};

/**
 * ckpt_syscall_ubuf - a system call of current's with a buffer in user
 *	memory
 * @fn: the call's entry point (ckpt_syms.sys_*)
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
long ckpt_syscall_ubuf(long (*fn)(const struct pt_regs *regs),
		       struct pt_regs *regs, unsigned long *uarg,
		       void *buf, size_t len, bool out)
{
	void __user *ubuf;
	unsigned long addr;
	long ret;

	if (WARN_ON_ONCE(len > PAGE_SIZE) || !current->mm)
		return -EINVAL;
	addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	ubuf = (void __user *)addr;
	*uarg = addr;
	ret = copy_to_user(ubuf, buf, len) ? -EFAULT : fn(regs);
	if (out && ret >= 0 && copy_from_user(buf, ubuf, len))
		ret = -EFAULT;
	vm_munmap(addr, PAGE_SIZE);
	return ret;
}

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

static kallsyms_lookup_name_t ckpt_find_kallsyms(void)
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
static bool ckpt_callable(void *addr)
{
	const u32 endbr64 = 0xfa1e0ff3;
	u32 insn;

	if (!cpu_feature_enabled(X86_FEATURE_IBT))
		return true;
	memcpy(&insn, addr, sizeof(insn));
	return insn == endbr64;
}

static void ckpt_sym_missing(const struct ckpt_sym *sym, const char *why)
{
	if (sym->optional)
		pr_info("kernel symbol %s %s: doing without it\n", sym->name,
			why);
	else
		pr_err("kernel symbol %s %s\n", sym->name, why);
}

int ckpt_symbols_init(void)
{
	kallsyms_lookup_name_t lookup = ckpt_find_kallsyms();
	unsigned long addr;
	int i;

	if (!lookup) {
		pr_err("cannot locate kallsyms_lookup_name (CONFIG_KPROBES?)\n");
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(ckpt_sym_table); i++) {
		addr = lookup(ckpt_sym_table[i].name);
		if (addr && !ckpt_sym_table[i].data &&
		    !ckpt_callable((void *)addr)) {
			ckpt_sym_missing(&ckpt_sym_table[i],
					 "is not callable (IBT sealed)");
			addr = 0;
		} else if (!addr) {
			ckpt_sym_missing(&ckpt_sym_table[i], "not found");
		}
		if (!addr && !ckpt_sym_table[i].optional)
			return -ENOENT;
		*ckpt_sym_table[i].addr = (void *)addr;
	}
	return 0;
}
