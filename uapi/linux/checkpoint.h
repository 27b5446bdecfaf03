/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * In-kernel checkpoint/restart: the user ABI.
 *
 * Two operations, issued as ioctls on /dev/checkpoint, mirroring linux-cr's
 * checkpoint(pid, fd, flags, logfd) and restart(pid, fd, flags, logfd).
 *
 * The image is a sequential stream of records.  Every record starts with a
 * struct ckpt_hdr whose @len counts the header, the payload and any nested
 * records; every record is padded to a multiple of 8 bytes.  The stream
 * opens with CKPT_HDR_HEADER and closes with CKPT_HDR_TAIL, whose crc32c
 * covers every byte before the tail record.
 *
 * One process is written as: HEADER, TASK, MM (its VMA records nested
 * inside), CPU, PAGES..., TAIL - everything a restart must check before
 * it destroys the caller's address space comes before the page contents.
 */
#ifndef _UAPI_LINUX_CHECKPOINT_H
#define _UAPI_LINUX_CHECKPOINT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define CKPT_DEVICE		"/dev/checkpoint"

/*
 * Argument of both ioctls.  Extensible: @size is sizeof() as the caller
 * knows it; a larger struct must have zeroes past what the kernel knows,
 * a smaller one than CKPT_ARGS_SIZE_VER0 is rejected.
 */
struct ckpt_args {
	__u32 size;		/* sizeof(struct ckpt_args) */
	__s32 pid;		/* checkpoint: target; restart: must be 0 */
	__s32 fd;		/* image: writable (checkpoint), readable (restart) */
	__s32 logfd;		/* log lines go here; -1 for none */
	__u64 flags;		/* CHECKPOINT_* or RESTART_* */
};
#define CKPT_ARGS_SIZE_VER0	24

#define CKPT_IOC_MAGIC		0xcc
#define CKPT_IOC_CHECKPOINT	_IOW(CKPT_IOC_MAGIC, 1, struct ckpt_args)
#define CKPT_IOC_RESTART	_IOW(CKPT_IOC_MAGIC, 2, struct ckpt_args)

/* checkpoint flags */
#define CHECKPOINT_KILL		(1ULL << 0)	/* kill the target once saved */
#define CHECKPOINT_FLAGS_ALL	(CHECKPOINT_KILL)

/* restart flags: none defined yet */
#define RESTART_FLAGS_ALL	(0ULL)

/* ---------------------------------------------------------------------- */
/* Image format */

#define CKPT_MAGIC		"LXCKPT\r\n"	/* 8 bytes, no NUL */
#define CKPT_MAGIC_LEN		8
#define CKPT_VERSION		1
#define CKPT_ALIGN		8
#define CKPT_HDR_MAX		(64U << 10)	/* largest non-page record */
#define CKPT_PAGES_MAX		256		/* pages in one PAGES record */

enum ckpt_arch {
	CKPT_ARCH_X86_64 = 1,
};

enum ckpt_hdr_type {
	CKPT_HDR_HEADER = 1,	/* struct ckpt_hdr_header */
	CKPT_HDR_TASK,		/* struct ckpt_hdr_task */
	CKPT_HDR_MM,		/* struct ckpt_hdr_mm, then nr_vmas VMA records */
	CKPT_HDR_VMA,		/* struct ckpt_hdr_vma (only inside MM) */
	CKPT_HDR_CPU,		/* struct ckpt_hdr_cpu, then xstate_size bytes */
	CKPT_HDR_PAGES,		/* struct ckpt_hdr_pages, then nr_pages pages */
	CKPT_HDR_TAIL,		/* struct ckpt_hdr_tail, always last */
	CKPT_HDR_FS,		/* struct ckpt_hdr_fs: cwd, root, umask */
	CKPT_HDR_FILE,		/* struct ckpt_hdr_file: one open file */
	CKPT_HDR_FILE_DATA,	/* struct ckpt_hdr_file_data: file contents */
	CKPT_HDR_FILES,		/* struct ckpt_hdr_files, then nr_fds FDs */
	CKPT_HDR_FD,		/* struct ckpt_hdr_fd (only inside FILES) */
	CKPT_HDR_CRED,		/* identity: credentials */
	CKPT_HDR_RLIMITS,	/* identity: resource limits */
	CKPT_HDR_SIGHAND,	/* signal handlers */
	CKPT_HDR_SIGNAL,	/* process-wide signal state and itimers */
	CKPT_HDR_SIGINFO,	/* one pending signal */
	CKPT_HDR_POSIX_TIMER,	/* one POSIX timer */
	CKPT_HDR_RESTART_BLOCK,	/* an interrupted, restartable system call */
	CKPT_HDR_MAX_TYPE
};

struct ckpt_hdr {
	__u32 type;		/* enum ckpt_hdr_type */
	__u32 len;		/* header + payload + nested records, padded */
};

struct ckpt_hdr_header {
	struct ckpt_hdr h;
	char magic[CKPT_MAGIC_LEN];
	__u32 version;		/* CKPT_VERSION */
	__u32 arch;		/* enum ckpt_arch */
	__u32 page_size;
	__u32 xstate_size;	/* bytes of the CPU's user xsave area */
	__u64 xstate_features;	/* XCR0 bits the image's xsave areas may use */
	__u64 time;		/* creation, seconds since the epoch */
	char release[65];	/* uname -r of the checkpointing kernel */
	char machine[15];	/* uname -m */
};

/* One task: identity and the per-task user pointers the kernel keeps. */
struct ckpt_hdr_task {
	struct ckpt_hdr h;
	__s32 pid;
	__s32 tgid;
	__s32 mm_objref;	/* objref of the task's mm */
	__u32 personality;
	__u64 blocked;		/* blocked signal mask */
	__u64 set_child_tid;	/* set_tid_address() / CLONE_CHILD_SETTID */
	__u64 clear_child_tid;
	__u64 robust_list;	/* set_robust_list() head, 0 for none */
	__u64 robust_list_len;
	__u64 rseq;		/* registered struct rseq, 0 for none */
	__u32 rseq_len;
	__u32 rseq_sig;
	char comm[16];
};

struct ckpt_hdr_mm {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 nr_vmas;
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
};

enum ckpt_vma_kind {
	CKPT_VMA_ANON = 1,	/* private anonymous: present pages follow */
	CKPT_VMA_FILE,		/* private file mapping: mapped again,
				 * then its copied-on-write pages follow
				 */
	CKPT_VMA_VDSO,		/* [vdso]: the restoring kernel's own */
	CKPT_VMA_VVAR,		/* [vvar]: comes with [vdso] */
};

#define CKPT_VMA_READ		(1U << 0)
#define CKPT_VMA_WRITE		(1U << 1)
#define CKPT_VMA_EXEC		(1U << 2)
#define CKPT_VMA_GROWSDOWN	(1U << 3)
#define CKPT_VMA_NORESERVE	(1U << 4)
#define CKPT_VMA_FLAGS_ALL	0x1f

/*
 * A CKPT_VMA_FILE record is followed by path_len bytes of the file's
 * absolute path (NUL included), padded to 8.
 */
struct ckpt_hdr_vma {
	struct ckpt_hdr h;
	__u32 kind;		/* enum ckpt_vma_kind */
	__u32 flags;		/* CKPT_VMA_* */
	__u64 start, end;
	__u64 pgoff;		/* in pages */
	__u64 file_size;	/* i_size when checkpointed */
	__u32 path_len;		/* 0 unless CKPT_VMA_FILE */
	__u32 pad;
};
#define CKPT_PATH_MAX		4096

/* x86-64 CPU state: struct user_regs_struct order, then the xsave area. */
struct ckpt_hdr_cpu {
	struct ckpt_hdr h;
	__u64 r15, r14, r13, r12, rbp, rbx, r11, r10;
	__u64 r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax;
	__u64 rip, cs, eflags, rsp, ss;
	__u64 fs_base, gs_base, ds, es, fs, gs;
	__u32 xstate_size;	/* bytes of standard-format xsave that follow */
	__u32 pad;
};

struct ckpt_hdr_pages {
	struct ckpt_hdr h;
	__u64 addr;		/* first page */
	__u32 nr_pages;		/* consecutive pages whose data follows */
	__u32 pad;
};

/*
 * crc32c is the Castagnoli CRC as iSCSI uses it: reflected polynomial
 * 0x82f63b78, initial value ~0, final value inverted.
 */
struct ckpt_hdr_tail {
	struct ckpt_hdr h;
	__u32 crc32c;		/* of every byte before this record */
	__u32 nr_records;	/* records before this one, nested included */
};

#endif /* _UAPI_LINUX_CHECKPOINT_H */
