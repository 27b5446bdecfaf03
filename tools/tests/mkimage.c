// SPDX-License-Identifier: GPL-2.0
/*
 * mkimage: write a small synthetic checkpoint image to stdout, valid or
 * with one named defect, to test ckptinfo without a kernel.  The image
 * is a tree: a root that leads its session, one thread of it, a child
 * in a group of its own with a grandchild sharing its fd table and fs
 * and belonging to the root's group, and a zombie child.
 *
 *	mkimage [DEFECT]
 *	mkimage -l	list the defects
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libckpt.h"

#define PAGE		4096
#define XSTATE		832	/* legacy 512 + header 64 + AVX 256 */
#define XFEATURES	0x7ULL	/* x87, SSE, AVX */
#define NR_VMAS		5
#define PATH		"/usr/lib/x86_64-linux-gnu/libfake-for-ckptinfo-tests.so.1.2.3"

struct image {
	unsigned char buf[1 << 20];
	size_t len;
	unsigned int nr_records;
	/* where things are */
	size_t header, tree, task, task2, task3, mm, vma[NR_VMAS + 1], cpu, xstate;
	size_t pages[3], tail;
	size_t cred, rlimits, cred2, rlimits2;
	size_t sighand, signal, siginfo, timer;
};

static struct image img;

static void *put(size_t len)
{
	void *p = img.buf + img.len;

	memset(p, 0, CKPT_ALIGN_UP(len));
	img.len += CKPT_ALIGN_UP(len);
	return p;
}

static void *record(__u32 type, size_t size, size_t extra, size_t *off)
{
	struct ckpt_hdr *h;

	*off = img.len;
	h = put(size);
	h->type = type;
	h->len = size + CKPT_ALIGN_UP(extra);
	img.nr_records++;
	return h;
}

static void add_header(void)
{
	struct ckpt_hdr_header *h;

	h = record(CKPT_HDR_HEADER, sizeof(*h), 0, &img.header);
	memcpy(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN);
	h->version = CKPT_VERSION;
	h->arch = CKPT_ARCH_X86_64;
	h->page_size = PAGE;
	h->xstate_size = XSTATE;
	h->xstate_features = XFEATURES;
	h->time = 1700000000;
	strcpy(h->release, "6.1.0-test-amd64");
	strcpy(h->machine, "x86_64");
}

/* The tree's tasks, and the objrefs of the live ones. */
#define ROOT		1234
#define NR_TASKS	5
static const struct ckpt_tree_task tree[NR_TASKS] = {
	{ ROOT, ROOT, 0, ROOT, ROOT, 17, CKPT_TREE_SUBREAPER, 0 },
	{ ROOT + 1, ROOT, 0, ROOT, ROOT, 0,
	  CKPT_TREE_SHARE_FILES | CKPT_TREE_SHARE_FS, 0 },
	{ 1240, 1240, ROOT, 1240, ROOT, 17, 0, 0 },
	{ 1241, 1241, 1240, ROOT, ROOT, 17,
	  CKPT_TREE_SHARE_FILES | CKPT_TREE_SHARE_FS, 0 },
	{ 1250, 1250, ROOT, ROOT, ROOT, 17, CKPT_TREE_ZOMBIE, 0x8b },
};
/* mm, files, fs, sighand, signal */
static const __s32 objrefs[NR_TASKS][5] = {
	{ 1, 3, 4, 5, 6 },
	{ 1, 3, 4, 5, 6 },
	{ 7, 8, 9, 10, 11 },
	{ 12, 8, 9, 13, 14 },
};

static void add_tree(void)
{
	struct ckpt_hdr_tree *t;

	t = record(CKPT_HDR_TREE, sizeof(*t), sizeof(tree), &img.tree);
	t->nr_tasks = NR_TASKS;
	memcpy(put(sizeof(tree)), tree, sizeof(tree));
}

static struct ckpt_hdr_task *task_record(int i, size_t *off)
{
	struct ckpt_hdr_task *t;

	t = record(CKPT_HDR_TASK, sizeof(*t), 0, off);
	t->pid = tree[i].pid;
	t->tgid = tree[i].tgid;
	t->mm_objref = objrefs[i][0];
	t->files_objref = objrefs[i][1];
	t->fs_objref = objrefs[i][2];
	t->sighand_objref = objrefs[i][3];
	t->signal_objref = objrefs[i][4];
	strcpy(t->comm, "fake");
	return t;
}

static void add_task(void)
{
	struct ckpt_hdr_task *t = task_record(0, &img.task);

	t->blocked = 1ULL << 9;
	t->rseq = 0x4c0000;
	t->rseq_len = 32;
	t->rseq_sig = 0x53053053;
	t->robust_list = 0x4c0040;
	t->robust_list_len = 24;
}

static void add_vma(int i, __u32 kind, __u32 flags, __u64 start, __u64 end)
{
	size_t path_len = kind == CKPT_VMA_FILE ? sizeof(PATH) : 0;
	struct ckpt_hdr_vma *v;

	v = record(CKPT_HDR_VMA, sizeof(*v), path_len, &img.vma[i]);
	v->kind = kind;
	v->flags = flags;
	v->start = start;
	v->end = end;
	v->path_len = path_len;
	if (path_len)
		memcpy(put(path_len), PATH, path_len);
}

static void add_mm(void)
{
	struct ckpt_hdr_mm *mm;

	mm = record(CKPT_HDR_MM, sizeof(*mm), 0, &img.mm);
	mm->objref = objrefs[0][0];
	mm->nr_vmas = NR_VMAS;
	mm->start_code = 0x401000;
	mm->end_code = 0x402000;
	mm->start_brk = 0x500000;
	mm->brk = 0x521000;
	mm->start_stack = 0x7ff20f00;
	add_vma(0, CKPT_VMA_FILE, CKPT_VMA_READ | CKPT_VMA_EXEC,
		0x400000, 0x402000);
	add_vma(1, CKPT_VMA_ANON, CKPT_VMA_READ | CKPT_VMA_WRITE,
		0x500000, 0x521000);
	add_vma(2, CKPT_VMA_ANON, CKPT_VMA_READ | CKPT_VMA_WRITE |
		CKPT_VMA_GROWSDOWN, 0x7ff00000, 0x7ff21000);
	add_vma(3, CKPT_VMA_VVAR, CKPT_VMA_READ, 0x7ff80000, 0x7ff84000);
	add_vma(4, CKPT_VMA_VDSO, CKPT_VMA_READ | CKPT_VMA_EXEC,
		0x7ff84000, 0x7ff86000);
	((struct ckpt_hdr *)(img.buf + img.mm))->len = img.len - img.mm;
}

static void add_cpu(size_t *off)
{
	struct ckpt_hdr_cpu *c;
	unsigned char *x;

	c = record(CKPT_HDR_CPU, sizeof(*c), XSTATE, off);
	c->rip = 0x401000;
	c->rsp = 0x7ff20e00;
	c->cs = 0x33;
	c->ss = 0x2b;
	c->eflags = 0x246;
	c->xstate_size = XSTATE;
	if (off == &img.cpu)
		img.xstate = img.len;
	x = put(XSTATE);
	x[24] = 0x80;	/* mxcsr 0x1f80 */
	x[25] = 0x1f;
	x[512] = XFEATURES;
}

/* cwd and root "/" */
static void add_fs(int i)
{
	struct ckpt_hdr_fs *fs;
	size_t off;

	fs = record(CKPT_HDR_FS, sizeof(*fs), 16, &off);
	fs->objref = objrefs[i][2];
	fs->umask = 022;
	fs->cwd_len = 2;
	fs->root_len = 2;
	memcpy(put(2), "/", 2);
	memcpy(put(2), "/", 2);
}

/* an fd table of FILE 2 (/dev/null) at fd 0 */
static void add_fd_table(int i)
{
	struct ckpt_hdr_files *t;
	struct ckpt_hdr_fd *fd;
	size_t off;

	t = record(CKPT_HDR_FILES, sizeof(*t), sizeof(*fd), &off);
	t->objref = objrefs[i][1];
	t->nr_fds = 1;
	fd = record(CKPT_HDR_FD, sizeof(*fd), 0, &off);
	fd->file_objref = 2;
}

/* the root's fs, /dev/null and its fd table */
static void add_files(void)
{
	struct ckpt_hdr_file *f;
	size_t off;

	add_fs(0);
	f = record(CKPT_HDR_FILE, sizeof(*f), 10, &off);
	f->objref = 2;
	f->kind = CKPT_FILE_CHR;
	f->f_flags = 2;		/* O_RDWR */
	f->mode = 020666;
	f->rdev = (1 << 8) | 3;
	f->inherit_fd = -1;
	f->path_len = 10;
	memcpy(put(10), "/dev/null", 10);
	add_fd_table(0);
}

/* uid/gid 1000, one supplementary group, no capabilities */
static void add_cred(size_t *off)
{
	struct ckpt_hdr_cred *c;
	__u32 *gid;

	c = record(CKPT_HDR_CRED, sizeof(*c), sizeof(*gid), off);
	c->uid = c->euid = c->suid = c->fsuid = 1000;
	c->gid = c->egid = c->sgid = c->fsgid = 1000;
	c->cap_bset = (1ULL << 41) - 1;
	c->ngroups = 1;
	gid = put(sizeof(*gid));
	*gid = 100;
}

static void add_rlimits(size_t *off)
{
	struct ckpt_hdr_rlimits *rl;
	int i;

	rl = record(CKPT_HDR_RLIMITS, sizeof(*rl), 0, off);
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		rl->rlim[i].cur = CKPT_RLIM_INFINITY;
		rl->rlim[i].max = CKPT_RLIM_INFINITY;
	}
	rl->rlim[7].cur = 1024;		/* RLIMIT_NOFILE */
	rl->rlim[7].max = 4096;
}

static void add_ident(void)
{
	add_cred(&img.cred);
	add_rlimits(&img.rlimits);
}

/*
 * a SIGUSR1 handler, alarm(5) with a 1 s period, ITIMER_VIRTUAL 2 s,
 * one queued SIGRTMIN, a POSIX timer 3 to SIGRTMIN + 1 in 4 s
 */
static void add_signals(void)
{
	struct ckpt_hdr_sighand *sh;
	struct ckpt_hdr_signal *s;
	struct ckpt_hdr_siginfo *si;
	struct ckpt_hdr_posix_timer *t;

	sh = record(CKPT_HDR_SIGHAND, sizeof(*sh), 0, &img.sighand);
	sh->objref = objrefs[0][3];
	sh->action[9].handler = 0x401100;		/* SIGUSR1 */
	sh->action[9].flags = 0x14000004;	/* SA_SIGINFO|RESTART|RESTORER */
	sh->action[9].restorer = 0x401200;
	sh->action[9].mask = 1ULL << 11;	/* SIGUSR2 */
	s = record(CKPT_HDR_SIGNAL, sizeof(*s), 0, &img.signal);
	s->real.value = 5000000000ULL;
	s->real.interval = 1000000000ULL;
	s->altstack_flags = 2;			/* SS_DISABLE */
	s->virt.value = 2000000000ULL;
	s->next_timer_id = 4;
	si = record(CKPT_HDR_SIGINFO, sizeof(*si), 0, &img.siginfo);
	si->queue = CKPT_SIGQ_PROCESS;
	si->signo = 34;
	si->si_code = -1;			/* SI_QUEUE */
	si->fields[16] = 42;			/* si_value */
	t = record(CKPT_HDR_POSIX_TIMER, sizeof(*t), 0, &img.timer);
	t->id = 3;
	t->clockid = 1;				/* CLOCK_MONOTONIC */
	t->signo = 35;
	t->value = 7;
	t->it.value = 4000000000ULL;
}

static void add_pages(int i, __u64 addr, __u32 nr)
{
	struct ckpt_hdr_pages *p;
	unsigned char *data;
	size_t n;

	p = record(CKPT_HDR_PAGES, sizeof(*p), (size_t)nr * PAGE,
		   &img.pages[i]);
	p->addr = addr;
	p->nr_pages = nr;
	data = put((size_t)nr * PAGE);
	for (n = 0; n < (size_t)nr * PAGE; n++)
		data[n] = n * 31 + i;
}

static void add_tail(void)
{
	struct ckpt_hdr_tail *t;
	__u32 crc = crc32c(img.buf, img.len);
	__u32 nr = img.nr_records;

	t = record(CKPT_HDR_TAIL, sizeof(*t), 0, &img.tail);
	t->crc32c = crc;
	t->nr_records = nr;
}

/* A SIGNAL record with nothing in it: every section has one. */
static void add_signal(void)
{
	size_t off;

	record(CKPT_HDR_SIGNAL, sizeof(struct ckpt_hdr_signal), 0, &off);
}

static void add_sighand(int i)
{
	struct ckpt_hdr_sighand *sh;
	size_t off;

	sh = record(CKPT_HDR_SIGHAND, sizeof(*sh), 0, &off);
	sh->objref = objrefs[i][3];
}

/* An mm of its own: one anonymous VMA with a page in it. */
static void add_small_mm(int i)
{
	struct ckpt_hdr_mm *mm;
	size_t off;

	mm = record(CKPT_HDR_MM, sizeof(*mm), 0, &off);
	mm->objref = objrefs[i][0];
	mm->nr_vmas = 1;
	add_vma(NR_VMAS, CKPT_VMA_ANON, CKPT_VMA_READ | CKPT_VMA_WRITE,
		0x600000, 0x601000);
	((struct ckpt_hdr *)(img.buf + off))->len = img.len - off;
}

/* The thread: registers, credentials, signal state; the rest is shared. */
static void add_thread(void)
{
	size_t off;

	task_record(1, &off);
	add_cpu(&off);
	add_cred(&img.cred2);
	add_signal();
}

/* The child (fd table and fs of its own) and the grandchild (its). */
static void add_children(void)
{
	size_t off;

	task_record(2, &img.task2);
	add_small_mm(2);
	add_cpu(&off);
	add_fs(2);
	add_fd_table(2);
	add_cred(&off);
	add_rlimits(&img.rlimits2);
	add_sighand(2);
	add_signal();
	add_pages(2, 0x600000, 1);
	task_record(3, &img.task3);
	add_small_mm(3);
	add_cpu(&off);
	add_cred(&off);
	add_rlimits(&off);
	add_sighand(3);
	add_signal();
	add_pages(2, 0x600000, 1);
}

static void build(void)
{
	add_header();
	add_tree();
	add_task();
	add_mm();
	add_cpu(&img.cpu);
	add_files();
	add_ident();
	add_signals();
	add_pages(0, 0x500000, 3);
	add_pages(1, 0x7ff1f000, 2);
	add_thread();
	add_children();
	add_tail();
}

/* Which record a defect patches. */
enum where {
	W_ABS, W_HEADER, W_TASK, W_MM, W_VMA0, W_VMA1, W_VMA2, W_VMA3,
	W_VMA4, W_PATH, W_CPU, W_XSTATE, W_PAGES0, W_PAGES1, W_TAIL,
	W_CRED, W_RLIMITS, W_SIGHAND, W_SIGNAL, W_SIGINFO, W_TIMER,
	W_TREE, W_E0, W_E1, W_E2, W_E3, W_E4, W_TASK2, W_TASK3, W_CRED2,
	W_RLIMITS2,
};

enum op {
	SET32,		/* the __u32 at the field becomes @val */
	ADD32,		/* @val is added to it */
	SET64,
	XOR8,		/* the byte at the field is xored with @val */
	CUT,		/* the image ends at the field */
	GROW,		/* @val zero bytes are appended */
	MM_LEN,		/* the MM record ends at the field */
	DROP,		/* the record at the field is left out */
};

struct defect {
	const char *name;
	enum where where;
	size_t field;
	enum op op;
	__u64 val;
};

#define F(type, member)	offsetof(struct type, member)
#define HDR_LEN		F(ckpt_hdr, len)
#define HDR_TYPE	F(ckpt_hdr, type)
#define VMA_END		sizeof(struct ckpt_hdr_vma)
#define PAGES_DATA	sizeof(struct ckpt_hdr_pages)
#define E(member)	F(ckpt_tree_task, member)

/* All the entries of a name apply, in order. */
static const struct defect defects[] = {
	{ "valid", W_ABS, 0, ADD32, 0 },
	{ "empty", W_ABS, 0, CUT, 0 },
	{ "magic", W_HEADER, F(ckpt_hdr_header, magic) + 7, XOR8, 0xff },
	{ "version", W_HEADER, F(ckpt_hdr_header, version), SET32, 1 },
	{ "arch", W_HEADER, F(ckpt_hdr_header, arch), SET32, 9 },
	{ "pagesize", W_HEADER, F(ckpt_hdr_header, page_size), SET32, 8192 },
	{ "xsize", W_HEADER, F(ckpt_hdr_header, xstate_size), SET32, 0 },
	{ "hdrlen", W_HEADER, HDR_LEN, SET32, 4 },
	{ "unaligned", W_TASK, HDR_LEN, ADD32, 4 },
	{ "type", W_TASK, HDR_TYPE, SET32, 42 },
	{ "order", W_TASK, HDR_TYPE, SET32, CKPT_HDR_CPU },
	{ "huge", W_TASK, HDR_LEN, SET32, 1 << 20 },
	{ "trunc_hdr", W_TASK, 4, CUT, 0 },
	{ "trunc_task", W_TASK, 20, CUT, 0 },
	{ "robust", W_TASK, F(ckpt_hdr_task, robust_list_len), SET64, 8 },
	{ "rseq", W_TASK, F(ckpt_hdr_task, rseq), SET64, 0x4c0010 },
	{ "userptr", W_TASK, F(ckpt_hdr_task, clear_child_tid), SET64,
	  0x800000000000ULL },
	{ "personality", W_TASK, F(ckpt_hdr_task, personality), SET32,
	  0xffffffff },
	{ "objref", W_MM, F(ckpt_hdr_mm, objref), SET32, 2 },
	{ "brk", W_MM, F(ckpt_hdr_mm, brk), SET64, 0x400000 },
	{ "mm_addr", W_MM, F(ckpt_hdr_mm, env_end), SET64,
	  0xffffffffff600000ULL },
	{ "vma_past", W_VMA4, HDR_LEN, ADD32, 8 },
	{ "vmas_more", W_MM, F(ckpt_hdr_mm, nr_vmas), SET32, NR_VMAS + 1 },
	{ "vmas_less", W_MM, F(ckpt_hdr_mm, nr_vmas), SET32, NR_VMAS - 1 },
	{ "vmas_many", W_MM, F(ckpt_hdr_mm, nr_vmas), SET32, 100 },
	{ "vmas_huge", W_MM, F(ckpt_hdr_mm, nr_vmas), SET32, 100000 },
	{ "vma_outside", W_MM, F(ckpt_hdr_mm, nr_vmas), SET32, NR_VMAS - 2 },
	{ "vma_outside", W_VMA3, 0, MM_LEN, 0 },
	{ "vma_kind", W_VMA1, F(ckpt_hdr_vma, kind), SET32, 7 },
	{ "vma_flags", W_VMA1, F(ckpt_hdr_vma, flags), SET32, 0x80000000 },
	{ "vma_range", W_VMA1, F(ckpt_hdr_vma, end), SET64, 0x500800 },
	{ "vma_order", W_VMA2, F(ckpt_hdr_vma, start), SET64, 0x510000 },
	{ "vma_pathlen", W_VMA1, F(ckpt_hdr_vma, path_len), SET32, 8 },
	{ "vma_grows", W_VMA0, F(ckpt_hdr_vma, flags), SET32,
	  CKPT_VMA_READ | CKPT_VMA_GROWSDOWN },
	{ "vma_pgoff", W_VMA0, F(ckpt_hdr_vma, pgoff), SET64, 1ULL << 60 },
	{ "vdso_alone", W_VMA3, F(ckpt_hdr_vma, kind), SET32, CKPT_VMA_ANON },
	{ "path", W_PATH, 0, XOR8, '/' ^ 'u' },
	{ "pathpad", W_PATH, sizeof(PATH), XOR8, 1 },
	{ "cpu_xsize", W_CPU, F(ckpt_hdr_cpu, xstate_size), ADD32, 64 },
	{ "cpu_xsmall", W_CPU, F(ckpt_hdr_cpu, xstate_size), SET32, 512 },
	{ "cpu_pad", W_CPU, F(ckpt_hdr_cpu, pad), SET32, 1 },
	{ "cpu_cs", W_CPU, F(ckpt_hdr_cpu, cs), SET64, 0x23 },
	{ "cpu_fs", W_CPU, F(ckpt_hdr_cpu, fs), SET64, 0x2b },
	{ "cpu_rip", W_CPU, F(ckpt_hdr_cpu, rip), SET64,
	  0xffffffff81000000ULL },
	{ "xfeatures", W_XSTATE, 512, XOR8, 0x80 },
	{ "xcomp", W_XSTATE, 527, XOR8, 0x80 },
	{ "pages_zero", W_PAGES0, F(ckpt_hdr_pages, nr_pages), SET32, 0 },
	{ "pages_len", W_PAGES0, F(ckpt_hdr_pages, nr_pages), SET32, 2 },
	{ "pages_out", W_PAGES0, F(ckpt_hdr_pages, addr), SET64, 0x600000 },
	{ "pages_vdso", W_PAGES1, F(ckpt_hdr_pages, addr), SET64, 0x7ff84000 },
	{ "pages_span", W_PAGES1, F(ckpt_hdr_pages, addr), SET64, 0x7ff20000 },
	{ "pages_align", W_PAGES0, F(ckpt_hdr_pages, addr), SET64, 0x500008 },
	{ "trunc_pages", W_PAGES1, PAGES_DATA + 3000, CUT, 0 },
	{ "crc", W_PAGES1, PAGES_DATA + 100, XOR8, 1 },
	{ "count", W_TAIL, F(ckpt_hdr_tail, nr_records), ADD32, 1 },
	{ "no_tail", W_TAIL, 0, CUT, 0 },
	{ "trailing", W_ABS, 0, GROW, 8 },
	{ "task_nice", W_TASK, F(ckpt_hdr_task, nice), SET32, 20 },
	{ "task_policy", W_TASK, F(ckpt_hdr_task, policy), SET32, 6 },
	{ "task_rtprio", W_TASK, F(ckpt_hdr_task, rt_priority), SET32, 5 },
	{ "task_pdeath", W_TASK, F(ckpt_hdr_task, pdeath_signal), SET32, 65 },
	{ "cred_groups", W_CRED, F(ckpt_hdr_cred, ngroups), SET32, 3 },
	{ "cred_id", W_CRED, F(ckpt_hdr_cred, suid), SET32, 0xffffffff },
	{ "cred_eff", W_CRED, F(ckpt_hdr_cred, cap_effective), SET64, 1 },
	{ "cred_cap", W_CRED, F(ckpt_hdr_cred, cap_bset), SET64, 1ULL << 63 },
	{ "rlim_soft", W_RLIMITS, F(ckpt_hdr_rlimits, rlim[7].cur), SET64,
	  8192 },
	{ "rlim_cpu", W_RLIMITS, F(ckpt_hdr_rlimits, rlim[0].cur), SET64, 10 },
	{ "sig_handler", W_SIGHAND, F(ckpt_hdr_sighand, action[9].handler),
	  SET64, 0xffffffff81000000ULL },
	{ "sig_flags", W_SIGHAND, F(ckpt_hdr_sighand, action[9].flags),
	  SET64, 0x100 },
	{ "sig_kill", W_SIGHAND, F(ckpt_hdr_sighand, action[8].handler),
	  SET64, 1 },
	{ "sig_altstack", W_SIGNAL, F(ckpt_hdr_signal, altstack_size),
	  SET64, 100 },
	{ "sig_itimer", W_SIGNAL, F(ckpt_hdr_signal, real.interval),
	  SET64, 1ULL << 63 },
	{ "sig_signo", W_SIGINFO, F(ckpt_hdr_siginfo, signo), SET32, 65 },
	{ "sig_queue", W_SIGINFO, F(ckpt_hdr_siginfo, queue), SET32, 3 },
	{ "sig_si_timer", W_SIGINFO, F(ckpt_hdr_siginfo, si_code), SET32,
	  (__u32)-2 },
	{ "sig_itimer_prof", W_SIGNAL, F(ckpt_hdr_signal, prof.value),
	  SET64, 1ULL << 63 },
	{ "sig_next_timer", W_SIGNAL, F(ckpt_hdr_signal, next_timer_id),
	  SET32, 0x80000000U },
	{ "timer_id", W_TIMER, F(ckpt_hdr_posix_timer, id), SET32, ~0U },
	{ "timer_clock", W_TIMER, F(ckpt_hdr_posix_timer, clockid), SET32, 2 },
	{ "timer_notify", W_TIMER, F(ckpt_hdr_posix_timer, notify), SET32, 3 },
	{ "timer_signo", W_TIMER, F(ckpt_hdr_posix_timer, signo), SET32, 65 },
	{ "timer_none_signo", W_TIMER, F(ckpt_hdr_posix_timer, notify),
	  SET32, 1 },
	{ "timer_time", W_TIMER, F(ckpt_hdr_posix_timer, it.interval),
	  SET64, 1ULL << 63 },
	/* the tree */
	{ "tree_parent_missing", W_E2, E(ppid), SET32, 999 },
	{ "tree_pid_twice", W_E3, E(pid), SET32, 1240 },
	{ "tree_pid_twice", W_E3, E(tgid), SET32, 1240 },
	{ "tree_cycle", W_E2, E(ppid), SET32, 1241 },
	{ "tree_thread_orphan", W_E1, E(tgid), SET32, 1299 },
	{ "tree_thread_late", W_E1, E(pid), SET32, 1260 },
	{ "tree_thread_late", W_E1, E(tgid), SET32, 1240 },
	{ "tree_session_missing", W_E2, E(sid), SET32, 1300 },
	{ "tree_session_leader", W_E0, E(sid), SET32, 0 },
	{ "tree_session_leader", W_E1, E(sid), SET32, 0 },
	{ "tree_too_many", W_TREE, F(ckpt_hdr_tree, nr_tasks), SET32,
	  CKPT_TREE_MAX_TASKS + 1 },
	{ "tree_none", W_TREE, F(ckpt_hdr_tree, nr_tasks), SET32, 0 },
	{ "tree_len", W_TREE, F(ckpt_hdr_tree, nr_tasks), SET32, 4 },
	{ "tree_flags", W_TREE, F(ckpt_hdr_tree, flags), SET32, 2 },
	{ "tree_pidns", W_TREE, F(ckpt_hdr_tree, flags), SET32,
	  CKPT_TREE_PIDNS },
	{ "tree_pid_max", W_E4, E(pid), SET32, 0x7fffffff },
	{ "tree_root_zombie", W_E0, E(flags), SET32, CKPT_TREE_ZOMBIE },
	{ "tree_two_roots", W_E2, E(ppid), SET32, 0 },
	{ "tree_zombie_parent", W_E2, E(flags), SET32, CKPT_TREE_ZOMBIE },
	{ "tree_zombie_status", W_E4, E(exit_code), SET32, 0x1ff },
	{ "tree_thread_zombie", W_E1, E(flags), SET32, CKPT_TREE_ZOMBIE },
	{ "tree_exit_signal", W_E2, E(exit_signal), SET32, 65 },
	{ "tree_pgid", W_E2, E(pgid), SET32, 1241 },
	{ "tree_zombie_pgid", W_E4, E(pgid), SET32, 1240 },
	{ "tree_entry_flags", W_E2, E(flags), SET32, 0x10 },
	/* the sections */
	{ "section_pid", W_TASK2, F(ckpt_hdr_task, pid), SET32, 1241 },
	{ "section_missing", W_E4, E(flags), SET32, 0 },
	{ "section_extra", W_E3, E(flags), SET32, CKPT_TREE_ZOMBIE },
	{ "section_extra", W_E3, E(pgid), SET32, 1240 },
	{ "section_share", W_TASK3, F(ckpt_hdr_task, files_objref), SET32,
	  3 },
	{ "section_signal", W_TASK3, F(ckpt_hdr_task, signal_objref), SET32,
	  11 },
	{ "section_objref", W_TASK2, F(ckpt_hdr_task, fs_objref), SET32, 0 },
	{ "section_no_cred", W_CRED2, 0, DROP, 0 },
	{ "section_no_rlimits", W_RLIMITS2, 0, DROP, 0 },
	{ "section_sighand_again", W_TASK3, F(ckpt_hdr_task, sighand_objref),
	  SET32, 10 },
};

#define NR_DEFECTS	ARRAY_SIZE(defects)

static size_t where_off(enum where w)
{
	const size_t offs[] = {
		[W_ABS] = 0, [W_HEADER] = img.header, [W_TASK] = img.task,
		[W_MM] = img.mm, [W_VMA0] = img.vma[0], [W_VMA1] = img.vma[1],
		[W_VMA2] = img.vma[2], [W_VMA3] = img.vma[3],
		[W_VMA4] = img.vma[4],
		[W_PATH] = img.vma[0] + VMA_END, [W_CPU] = img.cpu,
		[W_XSTATE] = img.xstate, [W_PAGES0] = img.pages[0],
		[W_PAGES1] = img.pages[1], [W_TAIL] = img.tail,
		[W_CRED] = img.cred, [W_RLIMITS] = img.rlimits,
		[W_SIGHAND] = img.sighand, [W_SIGNAL] = img.signal,
		[W_SIGINFO] = img.siginfo, [W_TIMER] = img.timer,
		[W_TREE] = img.tree,
		[W_E0] = img.tree + sizeof(struct ckpt_hdr_tree),
		[W_E1] = img.tree + sizeof(struct ckpt_hdr_tree) + 32,
		[W_E2] = img.tree + sizeof(struct ckpt_hdr_tree) + 64,
		[W_E3] = img.tree + sizeof(struct ckpt_hdr_tree) + 96,
		[W_E4] = img.tree + sizeof(struct ckpt_hdr_tree) + 128,
		[W_TASK2] = img.task2, [W_TASK3] = img.task3,
		[W_CRED2] = img.cred2, [W_RLIMITS2] = img.rlimits2,
	};

	return offs[w];
}

static void apply(const struct defect *d)
{
	size_t off = where_off(d->where) + d->field;
	unsigned char *p = img.buf + off;
	__u32 v32;
	__u64 v64;

	memcpy(&v32, p, sizeof(v32));
	switch (d->op) {
	case SET32:
	case ADD32:
		v32 = d->op == SET32 ? d->val : v32 + d->val;
		memcpy(p, &v32, sizeof(v32));
		break;
	case SET64:
		v64 = d->val;
		memcpy(p, &v64, sizeof(v64));
		break;
	case XOR8:
		*p ^= d->val;
		break;
	case CUT:
		img.len = off;
		break;
	case GROW:
		img.len += d->val;
		break;
	case MM_LEN:
		((struct ckpt_hdr *)(img.buf + img.mm))->len = off - img.mm;
		break;
	case DROP:
		v32 = ((struct ckpt_hdr *)p)->len;
		memmove(p, p + v32, img.len - off - v32);
		img.len -= v32;
		break;
	}
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "valid";
	int found = 0;
	size_t i;

	if (!strcmp(name, "-l")) {
		for (i = 0; i < NR_DEFECTS; i++) {
			if (!i || strcmp(defects[i].name, defects[i - 1].name))
				printf("%s\n", defects[i].name);
		}
		return 0;
	}
	build();
	for (i = 0; i < NR_DEFECTS; i++) {
		if (!strcmp(name, defects[i].name)) {
			apply(&defects[i]);
			found = 1;
		}
	}
	if (!found) {
		fprintf(stderr, "mkimage: unknown defect '%s'\n", name);
		return 2;
	}
	return write(1, img.buf, img.len) != (ssize_t)img.len;
}
