/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel symbols the module needs and the kernel does not export, in
 * one list, included where the includer has defined what each entry
 * makes (as asm/kvm-x86-ops.h is): struct kapi_syms, their addresses, in
 * internal.h, and the table syms.c resolves them with.  Only
 * checkpoint/kapi/ sees either.  Each is documented where
 * include/checkpoint/kapi.h declares the kapi_ function that uses it.
 *
 * KAPI_FN(ret, name, args):	a function; the load fails without it
 * KAPI_SYS(name):		a system call's entry point, __x64_sys_<name>:
 *				called through the syscall table, it stays
 *				callable under IBT, unlike the static helpers
 *				behind it
 * KAPI_VAR(type, name):	a variable, at its address; required
 * KAPI_OPT(ret, name, args):	a function the module does without
 */
/* tasks */
KAPI_FN(bool, ptrace_may_access,
	(struct task_struct *task, unsigned int mode))
KAPI_FN(bool, task_work_cancel,
	(struct task_struct *task, struct callback_head *cb))
KAPI_FN(unsigned long, wait_task_inactive,
	(struct task_struct *p, unsigned int match_state))
KAPI_FN(int, audit_set_loginuid, (kuid_t loginuid))
KAPI_VAR(rwlock_t, tasklist_lock)
KAPI_VAR(int, pid_max)
KAPI_SYS(setpgid)
KAPI_SYS(exit_group)
/* credentials and fs_struct */
KAPI_FN(struct user_struct *, alloc_uid, (kuid_t uid))
KAPI_FN(int, set_cred_ucounts, (struct cred *new))
KAPI_FN(void, set_fs_pwd,
	(struct fs_struct *fs, const struct path *path))
KAPI_FN(void, set_fs_root,
	(struct fs_struct *fs, const struct path *path))
/* CPU state */
KAPI_FN(long, do_arch_prctl_64,
	(struct task_struct *task, int option,
	 unsigned long arg2))
KAPI_FN(int, copy_uabi_from_kernel_to_xstate,
	(struct fpstate *fpstate, const void *kbuf, u32 *pkru))
/* interrupted system calls */
KAPI_FN(long, hrtimer_nanosleep_restart,
	(struct restart_block *rb))
KAPI_FN(long, do_restart_poll, (struct restart_block *rb))
KAPI_FN(long, futex_wait_restart, (struct restart_block *rb))
/* memory */
KAPI_SYS(madvise)
KAPI_SYS(mlock2)
KAPI_SYS(mlockall)
KAPI_SYS(mprotect)
KAPI_SYS(membarrier)
KAPI_OPT(int, anon_vma_fork,
	 (struct vm_area_struct *vma,
	  struct vm_area_struct *pvma))
KAPI_OPT(int, copy_page_range,
	 (struct vm_area_struct *dst_vma,
	  struct vm_area_struct *src_vma))
KAPI_OPT(void, flush_tlb_mm_range,
	 (struct mm_struct *mm, unsigned long start,
	  unsigned long end, unsigned int stride_shift,
	  bool freed_tables))
/* timers */
KAPI_SYS(timer_create)
KAPI_SYS(timer_settime)
KAPI_SYS(setitimer)
/* files */
KAPI_FN(int, replace_fd,
	(unsigned int fd, struct file *file,
	 unsigned int flags))
KAPI_FN(int, security_file_lock,
	(struct file *file, unsigned int cmd))
KAPI_SYS(fcntl)
KAPI_SYS(ioctl)
KAPI_SYS(write)
KAPI_SYS(unlink)
KAPI_FN(int, create_pipe_files, (struct file **res, int flags))
/* the file operations that say what kind a file is */
KAPI_VAR(const struct file_operations, pipefifo_fops)
KAPI_VAR(const struct file_operations, eventfd_fops)
KAPI_VAR(const struct file_operations, signalfd_fops)
KAPI_VAR(const struct file_operations, timerfd_fops)
KAPI_VAR(const struct file_operations, eventpoll_fops)
KAPI_VAR(const struct file_operations, inotify_fops)
KAPI_VAR(const struct file_operations, tty_fops)
KAPI_VAR(const struct file_operations, ptmx_fops)
/* anonymous-inode files */
KAPI_SYS(epoll_create1)
KAPI_SYS(epoll_ctl)
KAPI_SYS(epoll_wait)
KAPI_FN(struct file *, get_epoll_tfile_raw_ptr,
	(struct file *file, int tfd, unsigned long toff))
KAPI_SYS(eventfd2)
KAPI_SYS(signalfd4)
KAPI_SYS(timerfd_create)
KAPI_SYS(timerfd_settime)
KAPI_SYS(timerfd_gettime)
KAPI_SYS(inotify_init1)
KAPI_SYS(inotify_add_watch)

#undef KAPI_FN
#undef KAPI_SYS
#undef KAPI_VAR
#undef KAPI_OPT
