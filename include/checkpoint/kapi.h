/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every access of the module to kernel internals, behind a function of
 * checkpoint/kapi/: unexported symbols (checkpoint/kapi/syms.h lists
 * them), system calls made at their entry points, the scratch page and
 * the descriptors those need, mirrors of private structures, and the
 * text of fdinfo and mountinfo parsed.  A port to a new kernel looks
 * here first; doc/kapi.md says what an upstream version would use
 * instead of each.
 *
 * Each comment says what the function reaches and why no exported
 * interface does.  A system call made here has its checks and its
 * accounting, as if current had made it: a restart grants nothing.
 */
#ifndef _CHECKPOINT_KAPI_H
#define _CHECKPOINT_KAPI_H

#include <linux/types.h>
#include <linux/time_types.h>
#include <linux/signal_types.h>
#include <linux/uidgid.h>

struct callback_head;
struct cred;
struct epoll_event;
struct file;
struct fpstate;
struct fs_struct;
struct fsnotify_event;
struct fsnotify_group;
struct fsnotify_mark;
struct mm_struct;
struct path;
struct restart_block;
struct task_struct;
struct tty_struct;
struct user_struct;
struct vm_area_struct;

/* Resolve the symbols, at load time; a missing required one fails it. */
int kapi_init(void);

/*
 * A page of current's user memory, to pass a system call of kapi's its
 * arguments in: the calls take user pointers only.  Mapped anonymous
 * and private, read-write, at an address of the kernel's choice; an
 * ERR_PTR if it cannot be had.  Unmapped again by kapi_scratch_unmap().
 */
void __user *kapi_scratch_map(void);
void kapi_scratch_unmap(void __user *page);

/* ---------------------------------------------------------------------- */
/* tasks (kapi/task.c) */

/* ptrace_may_access(): ptrace's permission check, LSM hooks included. */
bool kapi_ptrace_may_access(struct task_struct *task, unsigned int mode);

/* task_work_cancel(): cancel a queued task_work (exported only in 6.13). */
bool kapi_task_work_cancel(struct task_struct *task, struct callback_head *cb);

/*
 * wait_task_inactive(): @p off its CPU in @match_state, its switch count,
 * else 0.  Only kthread and ptrace code need it in the kernel.
 */
unsigned long kapi_wait_task_inactive(struct task_struct *p,
				      unsigned int match_state);

/* audit_set_loginuid(): what writing /proc/self/loginuid does, checks included. */
int kapi_audit_set_loginuid(kuid_t loginuid);

/* tasklist_lock, not exported: walking parents and children needs it. */
void kapi_tasklist_read_lock(void);
void kapi_tasklist_read_unlock(void);

/* pid_max (kernel.pid_max), not exported: the largest pid + 1. */
int kapi_pid_max(void);

/*
 * setpgid(@pid, @pgid) of current, at its entry point: the checks of
 * the call (same session, leader alive) are in static code.
 */
long kapi_setpgid(pid_t pid, pid_t pgid);

/*
 * exit_group(@code) of current, at its entry point: do_group_exit() is
 * not exported.  Does not return.
 */
void kapi_exit_group(int code);

/* alloc_uid(): a uid's user_struct, as setresuid() takes it. */
struct user_struct *kapi_alloc_uid(kuid_t uid);

/* set_cred_ucounts(): @new's ucounts for its uid, as setresuid() takes them. */
int kapi_set_cred_ucounts(struct cred *new);

/* set_fs_pwd(), set_fs_root(): chdir() and chroot() on a path looked up. */
void kapi_set_fs_pwd(struct fs_struct *fs, const struct path *path);
void kapi_set_fs_root(struct fs_struct *fs, const struct path *path);

/*
 * do_arch_prctl_64(): arch_prctl() of current - its fs and gs bases,
 * and ARCH_MAP_VDSO_64 - whose helpers are all static.
 */
long kapi_arch_prctl(int option, unsigned long arg);

/*
 * copy_uabi_from_kernel_to_xstate(): the validated load of a user-ABI
 * xsave image into @fpstate, as ptrace(PTRACE_SETREGSET) does.
 */
int kapi_xstate_from_uabi(struct fpstate *fpstate, const void *kbuf,
			  u32 *pkru);

/*
 * The interrupted system calls a restart_block resumes: their restart
 * functions (hrtimer_nanosleep_restart(), do_restart_poll(),
 * futex_wait_restart()) are static, and only their addresses tell which
 * call a task is in.
 */
enum kapi_restart_fn {
	KAPI_RESTART_NONE,		/* another, not known here */
	KAPI_RESTART_NANOSLEEP,
	KAPI_RESTART_POLL,
	KAPI_RESTART_FUTEX,
};

enum kapi_restart_fn kapi_restart_fn_kind(long (*fn)(struct restart_block *));
void kapi_restart_fn_set(struct restart_block *rb, enum kapi_restart_fn kind);

/* ---------------------------------------------------------------------- */
/* memory (kapi/syscalls.c) */

/*
 * madvise(), mlock2(), mlockall(), mprotect() and membarrier() of
 * current, at their entry points: their helpers are static, and called
 * as the process's own calls they have its checks and accounting.
 */
long kapi_madvise(unsigned long start, size_t len, int advice);
long kapi_mlock2(unsigned long start, size_t len, int flags);
long kapi_mlockall(int flags);
long kapi_mprotect(unsigned long start, size_t len, unsigned long prot);
long kapi_membarrier(int cmd);

/*
 * fork()'s own steps for one mapping (anon_vma_fork(), copy_page_range(),
 * flush_tlb_mm_range()): link @vma to @pvma's anon_vmas and share its
 * pages copy-on-write, then flush @src's write-protected TLB entries.
 * Optional: under IBT their ENDBR is sealed, and the restart copies the
 * pages instead; kapi_cow_available() says whether they are there.
 */
bool kapi_cow_available(void);
int kapi_cow_vma(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void kapi_cow_flush(struct mm_struct *src);

/* ---------------------------------------------------------------------- */
/* timers (kapi/syscalls.c) */

/*
 * setitimer(), timer_create() and timer_settime() of current, at their
 * entry points, the arguments in user memory: the helpers behind them
 * are static.
 */
long kapi_setitimer(int which, void __user *value);
long kapi_timer_create(clockid_t clockid, void __user *sigevent,
		       void __user *timer_id);
long kapi_timer_settime(int timer_id, int flags, void __user *its);

/* ---------------------------------------------------------------------- */
/* files (kapi/files.c) */

/*
 * The kinds of file known by their file operations, none exported:
 * pipefifo_fops, eventfd_fops, signalfd_fops, timerfd_fops,
 * eventpoll_fops, inotify_fops, tty_fops, ptmx_fops.
 */
enum kapi_fops {
	KAPI_FOPS_NONE,		/* none of these: kapi_file_is() says no */
	KAPI_FOPS_PIPE,
	KAPI_FOPS_EVENTFD,
	KAPI_FOPS_SIGNALFD,
	KAPI_FOPS_TIMERFD,
	KAPI_FOPS_EPOLL,
	KAPI_FOPS_INOTIFY,
	KAPI_FOPS_TTY,
	KAPI_FOPS_PTMX,
};

bool kapi_file_is(const struct file *file, enum kapi_fops kind);

/* replace_fd(): install @file at @fd of current, as dup2() does. */
int kapi_replace_fd(unsigned int fd, struct file *file, unsigned int flags);

/* security_file_lock(): the LSM's say on a lock, as fcntl() and flock() ask. */
int kapi_security_file_lock(struct file *file, unsigned int cmd);

/*
 * fcntl(F_SETFL) and fcntl(F_SETPIPE_SZ): the helpers (setfl(),
 * pipe_fcntl()'s) are static, and the system call takes a descriptor:
 * kapi_file_fcntl() puts @file at one of current's for the time of the
 * call.
 */
long kapi_fcntl(int fd, unsigned int cmd, unsigned long arg);
long kapi_file_fcntl(struct file *file, unsigned int cmd, unsigned long arg);

/*
 * ioctl() of @file, through a descriptor of current's for the time of
 * the call, with @buf (@len bytes) copied to a scratch page of current's
 * for @arg if given: a tty's ioctls take user pointers and descriptors.
 */
long kapi_file_ioctl(struct file *file, unsigned int cmd, unsigned long arg,
		     void *buf, size_t len);

/* ioctl() of current's @fd, @arg a value, or @buf copied in as above. */
long kapi_ioctl(int fd, unsigned int cmd, unsigned long arg);
long kapi_ioctl_buf(int fd, unsigned int cmd, void *buf, size_t len);

/* write() of @len bytes of @buf to current's @fd, through a scratch page. */
long kapi_write(int fd, const void *buf, size_t len);

/*
 * unlink() of the path @name, through a scratch page: do_unlinkat() is
 * not exported, and vfs_unlink() needs the lookup and locking it does.
 */
long kapi_unlink(const char *name);

/* create_pipe_files(): a new anonymous pipe, as pipe2() makes it. */
int kapi_create_pipe_files(struct file **res, int flags);

/*
 * epoll_create1(), epoll_ctl() and epoll_wait() at their entry points:
 * do_epoll_ctl() is not exported; the epoll @ep is at a descriptor of
 * current's for the time of each call, @ev in user memory.
 */
long kapi_epoll_create1(int flags);
long kapi_epoll_ctl(struct file *ep, int op, int fd,
		    struct epoll_event __user *ev);
long kapi_epoll_wait(struct file *ep, struct epoll_event __user *evs,
		     int max, int timeout);

/*
 * get_epoll_tfile_raw_ptr(): the file an epoll watch is on, as
 * kcmp(KCMP_EPOLL_TFD) asks; the epoll's fdinfo shows only its fd.
 */
struct file *kapi_epoll_target(struct file *ep, int tfd, unsigned long toff);

/*
 * eventfd2(), signalfd4(), timerfd_create(), timerfd_settime() and
 * timerfd_gettime(): the files are made and set as their calls do,
 * whose helpers are static.  Those that take a buffer get it through a
 * scratch page; kapi_timerfd_gettime() puts @file at a descriptor.
 */
long kapi_eventfd2(unsigned int count, int flags);
long kapi_signalfd4(const sigset_t *mask, int flags);
long kapi_timerfd_create(int clockid, int flags);
long kapi_timerfd_settime(int fd, int flags,
			  const struct __kernel_itimerspec *its);
long kapi_timerfd_gettime(struct file *file, struct __kernel_itimerspec *its);

/* inotify_init1() and inotify_add_watch(), @path in user memory. */
long kapi_inotify_init1(int flags);
long kapi_inotify_add_watch(int fd, const char __user *path, u32 mask);

/* ---------------------------------------------------------------------- */
/* fdinfo (kapi/fdinfo.c) */

/*
 * What /proc/PID/fdinfo shows of @file beyond pos and flags, in a new
 * buffer (kvfree() it): the only view some kinds give of their state.
 * Made by the file's show_fdinfo() into a seq_file of the module's.
 */
char *kapi_fdinfo(struct file *file);

/* What follows @key ("ticks:") on the first line of @info it starts. */
const char *kapi_fdinfo_field(const char *info, const char *key);

/* ---------------------------------------------------------------------- */
/* private structures, mirrored (kapi/private.c) */

/*
 * Whether an eventfd counts as a semaphore: before 6.5 neither its
 * fdinfo nor any call says, and it is read from struct eventfd_ctx of
 * fs/eventfd.c, checked against @count and @id its fdinfo shows.
 * Returns eventfd2()'s flags, or -EOPNOTSUPP (6.5 on: the fdinfo says).
 */
int kapi_eventfd_flags(struct file *file, u64 count, int id);

/*
 * inotify's marks and events, struct inotify_inode_mark and struct
 * inotify_event_info of fs/notify/inotify/inotify.h, a private header.
 * kapi_inotify_layout_ok() checks the event mirror against @group's
 * overflow event, whose fields inotify set itself; kapi_inotify_mark_wd()
 * checks a mark's wd against the group's idr: -EAGAIN if it is not there.
 */
struct kapi_inotify_event {
	u32 mask;
	int wd;
	u32 cookie;
	int name_len;		/* strlen(name), 0 for none */
	const char *name;
};

bool kapi_inotify_layout_ok(struct fsnotify_group *group);
int kapi_inotify_mark_wd(struct fsnotify_group *group,
			 struct fsnotify_mark *mark);
void kapi_inotify_event(struct fsnotify_event *fse,
			struct kapi_inotify_event *e);
/* A new event with @e's fields, to queue; NULL if out of memory. */
struct fsnotify_event *kapi_inotify_event_new(const struct kapi_inotify_event *e);

/*
 * The N_TTY line discipline's state, struct n_tty_data of
 * drivers/tty/n_tty.c, private to it: what a pty holds for its reader is
 * only there.  kapi_n_tty() fills @ld from @tty's, with pointers to its
 * buffers, once it finds it consistent with the tty's termios; else
 * -EOPNOTSUPP.  The caller holds @tty's termios_rwsem.
 */
struct kapi_n_tty {
	size_t read_head, commit_head, canon_head, read_tail;
	size_t echo_head, echo_commit, echo_mark, echo_tail;
	size_t lookahead_count;
	unsigned int column, canon_column;
	bool icanon, erasing, lnext;
	const u8 *read_buf;
	const unsigned long *read_flags;
};

int kapi_n_tty(struct tty_struct *tty, struct kapi_n_tty *ld);
void kapi_n_tty_set_column(struct tty_struct *tty, unsigned int column,
			   unsigned int canon_column);

/*
 * What FIONREAD says @tty holds, as its reader would ask: the line
 * discipline's ioctl() takes a user pointer, given a scratch page.
 */
int kapi_tty_inq(struct tty_struct *tty, unsigned int *inq);

/* ---------------------------------------------------------------------- */
/* mounts (kapi/mounts.c) */

/*
 * The checkpointer's mount table, as /proc/self/mountinfo's text (the
 * mount namespace's list is private to fs/namespace.c), in a new buffer
 * (kvfree() it), and the root of each mount of the file system @dev in
 * it, one at a time: kapi_mount_next() advances @pos and returns true
 * with @root referenced, or false past the last.
 */
char *kapi_mountinfo(void);
bool kapi_mount_next(const char **pos, dev_t dev, struct path *root);

#endif /* _CHECKPOINT_KAPI_H */
