/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel functions the module needs that the kernel does not export.
 * They are resolved once, at load time, by checkpoint/symbols.c; a
 * missing one fails the load with its name.
 */
#ifndef _CHECKPOINT_SYMBOLS_H
#define _CHECKPOINT_SYMBOLS_H

#include <linux/sched.h>
#include <linux/task_work.h>

struct fpstate;
struct restart_block;
struct fs_struct;
struct path;
struct file;
struct cred;
struct user_struct;
struct pt_regs;
struct vm_area_struct;
struct mm_struct;

struct ckpt_syms {
	/* ptrace's permission check, LSM hooks included */
	bool (*ptrace_may_access)(struct task_struct *task, unsigned int mode);
	/* cancel a queued task_work (not exported before 6.13) */
	bool (*task_work_cancel)(struct task_struct *task,
				 struct callback_head *cb);
	/* write /proc/self/loginuid, with its checks */
	int (*audit_set_loginuid)(kuid_t loginuid);
	/* off its CPU in @match_state: its switch count, else 0 */
	unsigned long (*wait_task_inactive)(struct task_struct *p,
					    unsigned int match_state);
	/* arch_prctl(): fs/gs base of current, and ARCH_MAP_VDSO_64 */
	long (*do_arch_prctl_64)(struct task_struct *task, int option,
				 unsigned long arg2);
	/* validated load of a user-ABI xsave image into an fpstate */
	int (*copy_uabi_from_kernel_to_xstate)(struct fpstate *fpstate,
					       const void *kbuf, u32 *pkru);
	/* how nanosleep(), poll() and futex() resume after an interruption */
	long (*hrtimer_nanosleep_restart)(struct restart_block *rb);
	long (*do_restart_poll)(struct restart_block *rb);
	long (*futex_wait_restart)(struct restart_block *rb);
	/* install a file at a given fd number, as dup2() does */
	int (*replace_fd)(unsigned int fd, struct file *file,
			  unsigned int flags);
	/* chdir() and chroot() on a path already looked up */
	void (*set_fs_pwd)(struct fs_struct *fs, const struct path *path);
	void (*set_fs_root)(struct fs_struct *fs, const struct path *path);
	/* a new uid's user_struct and ucounts, as setresuid() takes them */
	struct user_struct *(*alloc_uid)(kuid_t uid);
	int (*set_cred_ucounts)(struct cred *new);
	/*
	 * madvise(), mlock2() and mlockall() of current, at their system
	 * call entry points (arguments in di, si, dx): called through the
	 * syscall table, they stay callable under IBT, unlike the static
	 * helpers behind them.
	 */
	long (*sys_madvise)(const struct pt_regs *regs);
	long (*sys_mlock2)(const struct pt_regs *regs);
	long (*sys_mlockall)(const struct pt_regs *regs);
	long (*sys_mprotect)(const struct pt_regs *regs);
	/* membarrier(): an address space's registrations */
	long (*sys_membarrier)(const struct pt_regs *regs);
	/* timer_create(), timer_settime() and setitimer() the same way */
	long (*sys_timer_create)(const struct pt_regs *regs);
	long (*sys_timer_settime)(const struct pt_regs *regs);
	long (*sys_setitimer)(const struct pt_regs *regs);
	/* setpgid(): a restored task joins a group led by another one */
	long (*sys_setpgid)(const struct pt_regs *regs);
	/* exit_group(): a restored zombie's end */
	long (*sys_exit_group)(const struct pt_regs *regs);
	/* fcntl(): F_SETPIPE_SZ with the limits a process has */
	long (*sys_fcntl)(const struct pt_regs *regs);
	/* a new anonymous pipe, as pipe2() makes it */
	int (*create_pipe_files)(struct file **res, int flags);
	/* the file operations of every pipe and FIFO: what a pipe is */
	const struct file_operations *pipefifo_fops;
	/* unlink(): a stale unix socket inode, before binding again */
	long (*sys_unlink)(const struct pt_regs *regs);
	/* epoll_create1() and epoll_ctl() */
	long (*sys_epoll_create1)(const struct pt_regs *regs);
	long (*sys_epoll_ctl)(const struct pt_regs *regs);
	long (*sys_epoll_wait)(const struct pt_regs *regs);
	/* which file an epoll watch is on, as kcmp(KCMP_EPOLL_TFD) asks */
	struct file *(*get_epoll_tfile_raw_ptr)(struct file *file, int tfd,
						unsigned long toff);
	/* and of the anonymous-inode files with a state of their own */
	const struct file_operations *eventfd_fops;
	const struct file_operations *signalfd_fops;
	const struct file_operations *timerfd_fops;
	const struct file_operations *eventpoll_fops;
	const struct file_operations *inotify_fops;
	/* a tty's files (a pty slave's), a pty master's from /dev/ptmx */
	const struct file_operations *tty_fops;
	const struct file_operations *ptmx_fops;
	/* making eventfd, signalfd and timerfd files as their calls do */
	long (*sys_eventfd2)(const struct pt_regs *regs);
	long (*sys_signalfd4)(const struct pt_regs *regs);
	long (*sys_timerfd_create)(const struct pt_regs *regs);
	long (*sys_timerfd_settime)(const struct pt_regs *regs);
	long (*sys_timerfd_gettime)(const struct pt_regs *regs);
	/* an inotify and its watches */
	long (*sys_inotify_init1)(const struct pt_regs *regs);
	long (*sys_inotify_add_watch)(const struct pt_regs *regs);
	/* write() and ioctl(): an eventfd's count, a timerfd's ticks */
	long (*sys_write)(const struct pt_regs *regs);
	long (*sys_ioctl)(const struct pt_regs *regs);
	/* walking parents and children needs the lock fork and exit take */
	rwlock_t *tasklist_lock;
	/* the LSM's say on taking a file lock, as fcntl() and flock() ask */
	int (*security_file_lock)(struct file *file, unsigned int cmd);
	/* the largest pid + 1 (kernel.pid_max) */
	int *pid_max;
	/*
	 * fork()'s own steps for one mapping: link a child's mapping to its
	 * parent's anon_vmas, share the parent's pages copy-on-write, and
	 * flush the parent's write-protected TLB entries.  Optional (only
	 * called directly, their ENDBR is sealed under IBT): without them a
	 * restart copies those pages instead of sharing them.
	 */
	int (*anon_vma_fork)(struct vm_area_struct *vma,
			     struct vm_area_struct *pvma);
	int (*copy_page_range)(struct vm_area_struct *dst_vma,
			       struct vm_area_struct *src_vma);
	void (*flush_tlb_mm_range)(struct mm_struct *mm, unsigned long start,
				   unsigned long end, unsigned int stride_shift,
				   bool freed_tables);
};

extern struct ckpt_syms ckpt_syms;

/*
 * A system call of current's own, at its entry point, with its checks
 * and accounting, arguments in di, si, dx, r10.  A pointer argument must
 * point into current's user memory.
 */
static inline long ckpt_syscall4(long (*fn)(const struct pt_regs *regs),
				 unsigned long a, unsigned long b,
				 unsigned long c, unsigned long d)
{
	struct pt_regs regs = { .di = a, .si = b, .dx = c, .r10 = d };

	return fn(&regs);
}

static inline long ckpt_syscall3(long (*fn)(const struct pt_regs *regs),
				 unsigned long a, unsigned long b,
				 unsigned long c)
{
	return ckpt_syscall4(fn, a, b, c, 0);
}

long ckpt_syscall_ubuf(long (*fn)(const struct pt_regs *regs),
		       struct pt_regs *regs, unsigned long *uarg,
		       void *buf, size_t len, bool out);

int ckpt_symbols_init(void);

#endif /* _CHECKPOINT_SYMBOLS_H */
