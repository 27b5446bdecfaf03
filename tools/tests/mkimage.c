// SPDX-License-Identifier: GPL-2.0
/*
 * mkimage: write a small synthetic checkpoint image to stdout, valid or
 * with one named defect, to test ckptinfo without a kernel.  The image
 * is a tree: a root that leads its session, one thread of it, a child
 * in a group of its own with a grandchild sharing its fd table and fs
 * and belonging to the root's group, and a zombie child (killed by
 * SIGSEGV, core dumped: its section right after the TREE).  The root has
 * both ends of a pipe holding data and packets, a FIFO the child has
 * open too, an eventfd, a signalfd, a timerfd, an epoll watching the
 * pipe's read end and the eventfd, and an epoll watching that one.
 * And unix sockets: a stream pair with data queued both ways, its other
 * end in the child's fd table; a seqpacket pair holding three messages;
 * a datagram socket whose peer was closed after sending it one; a
 * listener on an abstract name; an unconnected socket bound to a path.
 * And an inotify watching a directory and a one-shot file, an event and
 * the overflow queued.  And an unlinked file open twice, with a hole
 * between its two extents of data and one at its end.  And file locks:
 * a POSIX write lock of the root's fd table, an OFD read lock and a
 * flock() lock, on its FIFO.
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
	/* where things are */
	size_t header, tree, task, task2, task3, mm, vma[NR_VMAS + 1], cpu, xstate;
	size_t pages[3], tail;
	size_t cred, rlimits, cred2, rlimits2;
	size_t ztask, zcred, zrlimits;
	size_t sighand, signal, siginfo, timer;
	size_t file_null, file_rd, file_wr, file_fifo, file_fifo2;
	size_t pipe, fifo, pipe_buf[3];
	size_t file_efd, file_sfd, file_tfd, file_ep, file_ep2;
	size_t eventfd, signalfd, timerfd, epoll, epoll2, item[3];
	size_t file_us1, file_us2, file_sp1, file_sp2, file_dg, file_ls;
	size_t file_ud;
	size_t file_ino, inotify, ino_ev[2], ino_w[2];
	size_t file_ptm, pty, file_pts;
	size_t file_unl1, unlinked, fdata[2], file_unl2;
	size_t lock_px, lock_ofd, lock_fl;
	size_t cgroup, mm2, cow;
	size_t unix_s1, unix_s2, unix_p1, unix_p2, unix_d1, unix_d2, unix_l;
	size_t unix_u, skb_s1[2], skb_s2[1], skb_p1[3], skb_d1[1];
};

static struct image img;

/* libckpt's writer builds the image in img.buf; img.len follows it. */
static struct ckpt_writer wr;

static void *written(void *p)
{
	if (!p) {
		fprintf(stderr, "mkimage: no room in the image, or a bad record\n");
		exit(2);
	}
	img.len = wr.len;
	return p;
}

/* @len bytes after the record being written, zeroed and padded */
static void *put(size_t len)
{
	return written(ckpt_writer_put(&wr, NULL, len));
}

/*
 * A record of @type at *@off: what it holds is what is put after it
 * (and the records nested in it) before the next one that does not nest
 * in it begins.
 */
static void *record(__u32 type, size_t *off)
{
	return written(ckpt_writer_begin(&wr, type, off));
}

static void add_header(void)
{
	struct ckpt_hdr_header *h;

	h = record(CKPT_HDR_HEADER, &img.header);
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
	{ ROOT, ROOT, 0, ROOT, ROOT, 17, CKPT_TREE_SUBREAPER, 0, "" },
	{ ROOT + 1, ROOT, 0, ROOT, ROOT, 0,
	  CKPT_TREE_SHARE_FILES | CKPT_TREE_SHARE_FS, 0, "" },
	{ 1240, 1240, ROOT, 1240, ROOT, 17, 0, 0, "" },
	{ 1241, 1241, 1240, ROOT, ROOT, 17,
	  CKPT_TREE_SHARE_FILES | CKPT_TREE_SHARE_FS, 0, "" },
	{ 1250, 1250, ROOT, ROOT, ROOT, 17, CKPT_TREE_ZOMBIE, 0x8b, "" },
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

	t = record(CKPT_HDR_TREE, &img.tree);
	t->nr_tasks = NR_TASKS;
	memcpy(put(sizeof(tree)), tree, sizeof(tree));
}

static struct ckpt_hdr_task *task_record(int i, size_t *off)
{
	struct ckpt_hdr_task *t;

	t = record(CKPT_HDR_TASK, off);
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

static void add_cred(size_t *off);
static void add_rlimits(size_t *off);

/* The zombie's section: no objrefs, no user pointers. */
static void add_zombie(void)
{
	struct ckpt_hdr_task *t = task_record(4, &img.ztask);

	t->blocked = 1ULL << 14;
	t->nice = 5;
	t->flags = CKPT_TASK_FORKNOEXEC | CKPT_TASK_SIGNALED |
		   CKPT_TASK_DUMPCORE;
	add_cred(&img.zcred);
	add_rlimits(&img.zrlimits);
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

	v = record(CKPT_HDR_VMA, &img.vma[i]);
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

	mm = record(CKPT_HDR_MM, &img.mm);
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
}

static void add_cpu(size_t *off)
{
	struct ckpt_hdr_cpu *c;
	unsigned char *x;

	c = record(CKPT_HDR_CPU, off);
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

	fs = record(CKPT_HDR_FS, &off);
	fs->objref = objrefs[i][2];
	fs->umask = 022;
	fs->cwd_len = 2;
	fs->root_len = 2;
	memcpy(put(2), "/", 2);
	memcpy(put(2), "/", 2);
}

/* an fd table of @nr FILEs, @files[fd] at each fd */
static void add_fd_table(int i, const __s32 *files, __u32 nr)
{
	struct ckpt_hdr_files *t;
	struct ckpt_hdr_fd *fd;
	size_t off;
	__u32 n;

	t = record(CKPT_HDR_FILES, &off);
	t->objref = objrefs[i][1];
	t->nr_fds = nr;
	for (n = 0; n < nr; n++) {
		fd = record(CKPT_HDR_FD, &off);
		fd->fd = n;
		fd->file_objref = files[n];
	}
}

/* objrefs of the files and pipes, after those of the tasks' objects */
#define FILE_NULL	2
#define FILE_RD		15	/* the pipe's read end */
#define FILE_WR		16	/* its write end */
#define FILE_FIFO	17	/* the FIFO, in the root's section */
#define FILE_FIFO2	20	/* and in the child's */
#define PIPE_REF	18
#define FIFO_REF	19
#define FIFO_PATH	"/tmp/ckptinfo-test.fifo"
#define FILE_EFD	21	/* an eventfd */
#define FILE_SFD	22	/* a signalfd */
#define FILE_TFD	23	/* a timerfd */
#define FILE_EP		24	/* an epoll watching FILE_RD and FILE_EFD */
#define FILE_EP2	25	/* an epoll watching FILE_EP */
/* their fds in the root's table, which the watches were added with */
#define FD_RD		3
#define FD_EFD		6
#define FD_EP		9
/* unix sockets: the FILEs and the sockets they name */
#define FILE_US1	26	/* a stream pair's end, in the root's section */
#define SOCK_S1		27
#define SOCK_S2		28	/* its other end, the peer */
#define FILE_SP1	29	/* a seqpacket pair's two ends */
#define SOCK_P1		30
#define SOCK_P2		31
#define FILE_SP2	32
#define FILE_DG		33	/* a dgram socket, its peer closed */
#define SOCK_D1		34
#define SOCK_D2		35
#define FILE_LS		36	/* a listener */
#define SOCK_L		37
#define FILE_UD		38	/* an unconnected dgram socket */
#define SOCK_U		39
#define FILE_US2	40	/* SOCK_S2, in the child's section */
#define FILE_INO	60	/* an inotify */
#define INO_DIR		"/tmp/ckptinfo-test.dir"
#define INO_FILE	INO_DIR "/file"
#define UNIX_ABSTRACT	"\0ckptinfo-test"
#define UNIX_PATH	"/tmp/ckptinfo-test.sock"
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_SEQPACKET	5
#define SOCK_BUF	212992	/* net.core.wmem_default, rmem_default */

static struct ckpt_hdr_file *add_file(__s32 objref, __u32 kind,
				      __u32 f_flags, __u32 mode,
				      const char *path, size_t *off)
{
	size_t len = strlen(path) + 1;
	struct ckpt_hdr_file *f;

	f = record(CKPT_HDR_FILE, off);
	f->objref = objref;
	f->kind = kind;
	f->f_flags = f_flags;
	f->mode = mode;
	f->inherit_fd = -1;
	f->path_len = len;
	memcpy(put(len), path, len);
	return f;
}

/*
 * The anonymous pipe holds "hello", then a page and 100 bytes written
 * as packets (O_DIRECT); the FIFO is empty.
 */
static const struct ckpt_hdr_pipe_buf pipe_bufs[] = {
	{ .len = 5, .offset = 300 },
	{ .len = PAGE, .flags = CKPT_PIPE_BUF_PACKET },
	{ .len = 100, .flags = CKPT_PIPE_BUF_PACKET },
};

static void add_pipe(__s32 objref, __u32 size, __u32 nr_bufs, size_t *off)
{
	struct ckpt_hdr_pipe_buf *b;
	struct ckpt_hdr_pipe *p;
	unsigned char *data;
	__u32 i, n;

	p = record(CKPT_HDR_PIPE, off);
	p->objref = objref;
	p->size = size;
	p->nr_bufs = nr_bufs;
	for (i = 0; i < nr_bufs; i++) {
		b = record(CKPT_HDR_PIPE_BUF,
			   &img.pipe_buf[i]);
		b->len = pipe_bufs[i].len;
		b->flags = pipe_bufs[i].flags;
		data = put(b->len);
		for (n = 0; n < b->len; n++)
			data[n] = n * 7 + i;
		if (!i)
			memcpy(data, "hello", b->len);
		p = (struct ckpt_hdr_pipe *)(img.buf + *off);
		p->bytes += b->len;
	}
}

/* An anonymous file: its FILE record, then the record of its state. */
static void *add_anon(__s32 objref, __u32 kind, __u32 f_flags,
		      const char *name, size_t *file_off, __u32 type,
		      size_t *off)
{
	struct ckpt_hdr_eventfd *state;	/* each begins with the objref */

	add_file(objref, kind, f_flags, 0600, name, file_off);
	state = record(type, off);
	state->objref = objref;
	return state;
}

static void add_epoll_item(int i, __s32 fd, __s32 file, __u32 events,
			   __u64 data)
{
	struct ckpt_hdr_epoll_item *it;

	it = record(CKPT_HDR_EPOLL_ITEM, &img.item[i]);
	it->fd = fd;
	it->file_objref = file;
	it->events = events;
	it->data = data;
}

/*
 * An eventfd in semaphore mode counting 3; a signalfd for SIGUSR1 and
 * SIGCHLD; a timerfd on CLOCK_REALTIME, canceled if the clock is set,
 * due in 1.5 s, then every second, fired twice unread; an epoll
 * watching the pipe (edge-triggered) and the eventfd; and a
 * non-blocking epoll watching that one.
 */
static void add_anon_files(void)
{
	struct ckpt_hdr_eventfd *e;
	struct ckpt_hdr_signalfd *s;
	struct ckpt_hdr_timerfd *t;
	struct ckpt_hdr_epoll *ep;

	e = add_anon(FILE_EFD, CKPT_FILE_EVENTFD, 04002, "anon_inode:[eventfd]",
		     &img.file_efd, CKPT_HDR_EVENTFD, &img.eventfd);
	e->flags = CKPT_EVENTFD_SEMAPHORE;
	e->count = 3;
	s = add_anon(FILE_SFD, CKPT_FILE_SIGNALFD, 2, "anon_inode:[signalfd]",
		     &img.file_sfd, CKPT_HDR_SIGNALFD, &img.signalfd);
	s->sigmask = (1ULL << (10 - 1)) | (1ULL << (17 - 1));
	t = add_anon(FILE_TFD, CKPT_FILE_TIMERFD, 2, "anon_inode:[timerfd]",
		     &img.file_tfd, CKPT_HDR_TIMERFD, &img.timerfd);
	t->clockid = 0;
	t->flags = CKPT_TIMERFD_CANCEL_ON_SET;
	t->value_ns = 1500000000ULL;
	t->interval_ns = 1000000000ULL;
	t->ticks = 2;
	ep = add_anon(FILE_EP, CKPT_FILE_EPOLL, 2, "anon_inode:[eventpoll]",
		      &img.file_ep, CKPT_HDR_EPOLL, &img.epoll);
	ep->nr_items = 2;
	add_epoll_item(0, FD_RD, FILE_RD, 0x80000019 /* ET|HUP|ERR|IN */,
		       0x1234);
	add_epoll_item(1, FD_EFD, FILE_EFD, 0x1c /* HUP|ERR|OUT */,
		       0xfedcba9876543210ULL);
	/* O_RDWR | O_NONBLOCK | O_LARGEFILE */
	ep = add_anon(FILE_EP2, CKPT_FILE_EPOLL, 0104002,
		      "anon_inode:[eventpoll]", &img.file_ep2, CKPT_HDR_EPOLL,
		      &img.epoll2);
	ep->nr_items = 1;
	add_epoll_item(2, FD_EP, FILE_EP, 0x40000019 /* ONESHOT|HUP|ERR|IN */,
		       7);
}

/*
 * A UNIX record with @addr_len bytes of @addr and the skbs of @lens,
 * each filled with bytes that tell them apart; @skbs gets their offsets.
 */
static struct ckpt_hdr_unix *add_unix(__s32 objref, __s32 peer, __u32 type,
				      __u32 state, const char *addr,
				      __u32 addr_len, const __u32 *lens,
				      __u32 nr, size_t *off, size_t *skbs)
{
	struct ckpt_hdr_unix_skb *skb;
	struct ckpt_unix_attrs *ua;
	struct ckpt_hdr_unix *u;
	unsigned char *data;
	__u32 i, n;

	u = record(CKPT_HDR_UNIX, off);
	u->objref = objref;
	u->peer_objref = peer;
	u->type = type;
	u->state = state;
	u->sndbuf = SOCK_BUF;
	u->rcvbuf = SOCK_BUF;
	u->addr_len = addr_len;
	u->nr_skbs = nr;
	if (addr_len)
		memcpy(put(addr_len), addr, addr_len);
	/* a path (the caller makes it BOUND): its file's owner and mode */
	if (addr_len && addr[0]) {
		ua = put(sizeof(*ua));
		ua->mode = 0140751;
		ua->uid = 1000;
		ua->gid = 100;
	}
	for (i = 0; i < nr; i++) {
		skb = record(CKPT_HDR_UNIX_SKB,
			     &skbs[i]);
		skb->len = lens[i];
		data = put(lens[i]);
		for (n = 0; n < lens[i]; n++)
			data[n] = 'a' + (n + objref + i) % 26;
		u->bytes += lens[i];
	}
	return u;
}

/* more than a reader's 64 KiB buffer, and not a multiple of 8 */
#define SKB_BIG		70001

/*
 * The stream pair: 24 bytes in two skbs queued on the root's end, one
 * big skb on the other, whose FILE is in the child's section.  The seqpacket
 * pair: three messages of 1, 9 and 17 bytes on the first end, both ends
 * in the root's table.  The dgram socket: 20 bytes its closed peer
 * sent.  The listener, with SO_PASSCRED, on an abstract name; the
 * unconnected dgram socket bound to a path, with SO_RCVBUF set and
 * reading shut down.
 */
static void add_unix_files(void)
{
	static const __u32 s1[] = { 8, 16 }, s2[] = { SKB_BIG };
	static const __u32 p1[] = { 1, 9, 17 }, d1[] = { 20 };
	struct ckpt_hdr_unix *u;
	struct ckpt_hdr_file *f;

	f = add_file(FILE_US1, CKPT_FILE_UNIX, 2, 0140777, "socket:[5001]",
		     &img.file_us1);
	f->obj_objref = SOCK_S1;
	u = add_unix(SOCK_S1, SOCK_S2, SOCK_STREAM, CKPT_UNIX_CONNECTED,
		     NULL, 0, s1, ARRAY_SIZE(s1), &img.unix_s1, img.skb_s1);
	u->flags = CKPT_UNIX_SNDBUF;
	u->sndbuf = 65536;
	add_unix(SOCK_S2, SOCK_S1, SOCK_STREAM, CKPT_UNIX_CONNECTED, NULL, 0,
		 s2, ARRAY_SIZE(s2), &img.unix_s2, img.skb_s2);
	f = add_file(FILE_SP1, CKPT_FILE_UNIX, 2, 0140777, "socket:[5003]",
		     &img.file_sp1);
	f->obj_objref = SOCK_P1;
	add_unix(SOCK_P1, SOCK_P2, SOCK_SEQPACKET, CKPT_UNIX_CONNECTED, NULL,
		 0, p1, ARRAY_SIZE(p1), &img.unix_p1, img.skb_p1);
	add_unix(SOCK_P2, SOCK_P1, SOCK_SEQPACKET, CKPT_UNIX_CONNECTED, NULL,
		 0, NULL, 0, &img.unix_p2, NULL);
	/* O_RDWR | O_NONBLOCK */
	f = add_file(FILE_SP2, CKPT_FILE_UNIX, 04002, 0140777,
		     "socket:[5004]", &img.file_sp2);
	f->obj_objref = SOCK_P2;
	f = add_file(FILE_DG, CKPT_FILE_UNIX, 2, 0140777, "socket:[5005]",
		     &img.file_dg);
	f->obj_objref = SOCK_D1;
	add_unix(SOCK_D1, SOCK_D2, SOCK_DGRAM, CKPT_UNIX_CONNECTED, NULL, 0,
		 d1, ARRAY_SIZE(d1), &img.unix_d1, img.skb_d1);
	u = add_unix(SOCK_D2, SOCK_D1, SOCK_DGRAM, CKPT_UNIX_CONNECTED, NULL,
		     0, NULL, 0, &img.unix_d2, NULL);
	u->flags = CKPT_UNIX_PEER_CLOSED;
	u->shutdown = CKPT_UNIX_SHUT_RD | CKPT_UNIX_SHUT_WR;
	f = add_file(FILE_LS, CKPT_FILE_UNIX, 2, 0140777, "socket:[5007]",
		     &img.file_ls);
	f->obj_objref = SOCK_L;
	u = add_unix(SOCK_L, 0, SOCK_STREAM, CKPT_UNIX_LISTEN, UNIX_ABSTRACT,
		     sizeof(UNIX_ABSTRACT) - 1, NULL, 0, &img.unix_l, NULL);
	u->flags = CKPT_UNIX_PASSCRED | CKPT_UNIX_BOUND;
	u->backlog = 128;
	f = add_file(FILE_UD, CKPT_FILE_UNIX, 2, 0140777, "socket:[5008]",
		     &img.file_ud);
	f->obj_objref = SOCK_U;
	u = add_unix(SOCK_U, 0, SOCK_DGRAM, CKPT_UNIX_UNCONNECTED, UNIX_PATH,
		     sizeof(UNIX_PATH), NULL, 0, &img.unix_u, NULL);
	u->flags = CKPT_UNIX_RCVBUF | CKPT_UNIX_BOUND;
	u->rcvbuf = 32768;
	u->shutdown = CKPT_UNIX_SHUT_RD;
}

/*
 * The inotify, non-blocking: a directory watched for IN_CREATE and
 * IN_DELETE (wd 1), a file for IN_MODIFY once (wd 3, wd 2 removed, the
 * next new watch to be 5); queued the creation of "new" and the
 * overflow.
 */
static void add_inotify_file(void)
{
	struct ckpt_hdr_inotify_event *e;
	struct ckpt_hdr_inotify_watch *w;
	struct ckpt_hdr_inotify *ino;

	ino = add_anon(FILE_INO, CKPT_FILE_INOTIFY, 04000, "anon_inode:inotify",
		       &img.file_ino, CKPT_HDR_INOTIFY, &img.inotify);
	ino->next_wd = 5;
	ino->nr_events = 2;
	ino->nr_watches = 2;
	e = record(CKPT_HDR_INOTIFY_EVENT,
		   &img.ino_ev[0]);
	e->wd = 1;
	e->mask = 0x100;
	e->name_len = sizeof("new");
	memcpy(put(sizeof("new")), "new", sizeof("new"));
	e = record(CKPT_HDR_INOTIFY_EVENT, &img.ino_ev[1]);
	e->wd = -1;
	e->mask = CKPT_INOTIFY_Q_OVERFLOW;
	w = record(CKPT_HDR_INOTIFY_WATCH,
		   &img.ino_w[0]);
	w->wd = 1;
	w->mask = 0x300;
	w->mode = 040000;
	w->path_len = sizeof(INO_DIR);
	memcpy(put(sizeof(INO_DIR)), INO_DIR, sizeof(INO_DIR));
	w = record(CKPT_HDR_INOTIFY_WATCH,
		   &img.ino_w[1]);
	w->wd = 3;
	w->mask = 0x80000002;
	w->mode = 0100000;
	w->path_len = sizeof(INO_FILE);
	memcpy(put(sizeof(INO_FILE)), INO_FILE, sizeof(INO_FILE));
}

/* a pty, its master and a slave in the root's fd table */
#define FILE_PTM	61	/* the master */
#define PTY_REF		62
#define FILE_PTS	63	/* the slave, /dev/pts/PTY_INDEX */
#define PTY_INDEX	3
#define PTY_IN		"ls\nab"	/* a line and a partial one */
#define PTY_OUT		"$ ls\r\nab"	/* a prompt, their echo */
#define PTY_FLAGS	0100002		/* O_RDWR | O_LARGEFILE */

/*
 * The pty as a shell in a terminal leaves it: canonical with echo, a
 * line and a partial one typed after the prompt, their echo unread.
 */
static void add_pty_files(void)
{
	static const char cc[] = "\003\034\177\025\004\000\001\000\021\023"
				 "\032\000\022\017\027\026\000\000\000";
	struct ckpt_hdr_file *f;
	struct ckpt_hdr_pty *p;

	f = add_file(FILE_PTM, CKPT_FILE_PTY, PTY_FLAGS, 020666, "/dev/ptmx",
		     &img.file_ptm);
	f->rdev = 0x502;
	f->obj_objref = PTY_REF;
	p = record(CKPT_HDR_PTY, &img.pty);
	p->objref = PTY_REF;
	p->index = PTY_INDEX;
	p->master_flags = PTY_FLAGS;
	p->column = 4;
	p->canon_column = 2;
	p->ws_row = 24;
	p->ws_col = 80;
	p->termios.iflag = 02400;	/* ICRNL | IXON */
	p->termios.oflag = 05;		/* OPOST | ONLCR */
	p->termios.cflag = 0277;	/* B38400 | CS8 | CREAD */
	p->termios.lflag = 0105073;	/* ISIG, ICANON, ECHO... IEXTEN */
	p->termios.ispeed = p->termios.ospeed = 38400;
	memcpy(p->termios.cc, cc, sizeof(p->termios.cc));
	p->in_bytes = sizeof(PTY_IN) - 1;
	p->in_canon = 3;
	p->out_bytes = sizeof(PTY_OUT) - 1;
	memcpy(put(p->in_bytes), PTY_IN, p->in_bytes);
	*(unsigned char *)put(1) = 1 << 2;	/* "ls\n" ends a line */
	memcpy(put(p->out_bytes), PTY_OUT, p->out_bytes);
	f = add_file(FILE_PTS, CKPT_FILE_PTY, PTY_FLAGS, 020620, "/dev/pts/3",
		     &img.file_pts);
	f->rdev = (136 << 8) | PTY_INDEX;
	f->obj_objref = PTY_REF;
}

#define FILE_UNL1	64	/* an unlinked file, read-write */
#define UNL_REF		65	/* its inode */
#define FILE_UNL2	66	/* the inode opened again, read-only */
#define UNL_PATH	"/tmp/ckptinfo-test.unlinked (deleted)"
#define UNL_SIZE	(3 * PAGE)

/* Its data: 100 bytes at 0, 50 at 2 pages; the rest is holes. */
static void add_unlinked_files(void)
{
	static const struct { __u64 offset; __u32 len; } ext[] = {
		{ 0, 100 }, { 2 * PAGE, 50 },
	};
	struct ckpt_hdr_file_data *d;
	struct ckpt_hdr_unlinked *u;
	struct ckpt_hdr_file *f;
	size_t i;

	f = add_file(FILE_UNL1, CKPT_FILE_UNLINKED, 2, 0100640, UNL_PATH,
		     &img.file_unl1);
	f->obj_objref = UNL_REF;
	f->size = UNL_SIZE;
	u = record(CKPT_HDR_UNLINKED, &img.unlinked);
	u->objref = UNL_REF;
	u->mode = 0100640;
	u->uid = 1000;
	u->gid = 100;
	u->size = UNL_SIZE;
	u->data = ext[0].len + ext[1].len;
	u->atime_sec = 1000000000;
	u->atime_nsec = 123456789;
	u->mtime_sec = 1100000000;
	u->mtime_nsec = 987654321;
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		d = record(CKPT_HDR_FILE_DATA,
			   &img.fdata[i]);
		d->objref = FILE_UNL1;
		d->offset = ext[i].offset;
		d->len = ext[i].len;
		memset(put(d->len), 'u', d->len);
	}
	f = add_file(FILE_UNL2, CKPT_FILE_UNLINKED, 0, 0100640, UNL_PATH,
		     &img.file_unl2);
	f->obj_objref = UNL_REF;
	f->size = UNL_SIZE;
}

static void add_lock(__u32 kind, __u32 type, __s32 owner, __s32 pid,
		     __u64 start, __u64 end, size_t *off)
{
	struct ckpt_hdr_lock *l = record(CKPT_HDR_LOCK, off);

	l->kind = kind;
	l->type = type;
	l->owner_objref = owner;
	l->file_objref = FILE_FIFO;
	l->pid = pid;
	l->start = start;
	l->end = end;
}

/*
 * the root's fs, /dev/null, a pipe's two ends, a FIFO, the unix
 * sockets, the anonymous files, an unlinked file, its fd table, its locks
 */
static void add_files(void)
{
	static const __s32 fds[] = {
		FILE_NULL, FILE_NULL, FILE_NULL, FILE_RD, FILE_WR, FILE_FIFO,
		FILE_EFD, FILE_SFD, FILE_TFD, FILE_EP, FILE_EP2, FILE_US1,
		FILE_SP1, FILE_SP2, FILE_DG, FILE_LS, FILE_UD, FILE_INO,
		FILE_PTM, FILE_PTS, FILE_UNL1, FILE_UNL2,
	};
	struct ckpt_hdr_file *f;

	add_fs(0);
	f = add_file(FILE_NULL, CKPT_FILE_CHR, 2 /* O_RDWR */, 020666,
		     "/dev/null", &img.file_null);
	f->rdev = (1 << 8) | 3;
	f = add_file(FILE_RD, CKPT_FILE_PIPE, 0 /* O_RDONLY */, 010600,
		     "pipe:[4242]", &img.file_rd);
	f->obj_objref = PIPE_REF;
	add_pipe(PIPE_REF, 16 * PAGE, ARRAY_SIZE(pipe_bufs), &img.pipe);
	/* O_WRONLY | O_NONBLOCK | O_DIRECT: it writes packets */
	f = add_file(FILE_WR, CKPT_FILE_PIPE, 044001, 010600, "pipe:[4242]",
		     &img.file_wr);
	f->obj_objref = PIPE_REF;
	f = add_file(FILE_FIFO, CKPT_FILE_FIFO, 2, 010644, FIFO_PATH,
		     &img.file_fifo);
	f->obj_objref = FIFO_REF;
	add_pipe(FIFO_REF, PAGE, 0, &img.fifo);
	add_unix_files();
	add_inotify_file();
	add_pty_files();
	add_unlinked_files();
	add_anon_files();
	add_fd_table(0, fds, ARRAY_SIZE(fds));
	add_lock(CKPT_LOCK_POSIX, 1, objrefs[0][1], ROOT, 0, 9, &img.lock_px);
	add_lock(CKPT_LOCK_OFD, 0, FILE_FIFO, 0, 100, CKPT_LOCK_EOF,
		 &img.lock_ofd);
	add_lock(CKPT_LOCK_FLOCK, 1, FILE_FIFO, 0, 0, CKPT_LOCK_EOF,
		 &img.lock_fl);
}

/*
 * the child's fd table: /dev/null, the FIFO opened again, the stream
 * pair's other end
 */
static void add_child_files(void)
{
	static const __s32 fds[] = { FILE_NULL, FILE_FIFO2, FILE_US2 };
	struct ckpt_hdr_file *f;

	f = add_file(FILE_FIFO2, CKPT_FILE_FIFO, 0, 010644, FIFO_PATH,
		     &img.file_fifo2);
	f->obj_objref = FIFO_REF;
	f = add_file(FILE_US2, CKPT_FILE_UNIX, 2, 0140777, "socket:[5002]",
		     &img.file_us2);
	f->obj_objref = SOCK_S2;
	add_fd_table(2, fds, ARRAY_SIZE(fds));
}

/* uid/gid 1000, one supplementary group, no capabilities */
static void add_cred(size_t *off)
{
	struct ckpt_hdr_cred *c;
	__u32 *gid;

	c = record(CKPT_HDR_CRED, off);
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

	rl = record(CKPT_HDR_RLIMITS, off);
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		rl->rlim[i].cur = CKPT_RLIM_INFINITY;
		rl->rlim[i].max = CKPT_RLIM_INFINITY;
	}
	rl->rlim[7].cur = 1024;		/* RLIMIT_NOFILE */
	rl->rlim[7].max = 4096;
}

/* the root process's cgroup */
#define CGROUP_PATH	"/abcdef"

static void add_cgroup(size_t *off)
{
	struct ckpt_hdr_cgroup *c;

	c = record(CKPT_HDR_CGROUP, off);
	c->path_len = sizeof(CGROUP_PATH);
	memcpy(put(sizeof(CGROUP_PATH)), CGROUP_PATH, sizeof(CGROUP_PATH));
}

static void add_ident(void)
{
	add_rlimits(&img.rlimits);
	add_cgroup(&img.cgroup);
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

	sh = record(CKPT_HDR_SIGHAND, &img.sighand);
	sh->objref = objrefs[0][3];
	sh->action[9].handler = 0x401100;		/* SIGUSR1 */
	sh->action[9].flags = 0x14000004;	/* SA_SIGINFO|RESTART|RESTORER */
	sh->action[9].restorer = 0x401200;
	sh->action[9].mask = 1ULL << 11;	/* SIGUSR2 */
	s = record(CKPT_HDR_SIGNAL, &img.signal);
	s->real.value = 5000000000ULL;
	s->real.interval = 1000000000ULL;
	s->altstack_flags = 2;			/* SS_DISABLE */
	s->virt.value = 2000000000ULL;
	s->next_timer_id = 4;
	si = record(CKPT_HDR_SIGINFO, &img.siginfo);
	si->queue = CKPT_SIGQ_PROCESS;
	si->signo = 34;
	si->si_code = -1;			/* SI_QUEUE */
	si->fields[16] = 42;			/* si_value */
	t = record(CKPT_HDR_POSIX_TIMER, &img.timer);
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

	p = record(CKPT_HDR_PAGES,
		   &img.pages[i]);
	p->addr = addr;
	p->nr_pages = nr;
	data = put((size_t)nr * PAGE);
	for (n = 0; n < (size_t)nr * PAGE; n++)
		data[n] = n * 31 + i;
}

static void add_tail(void)
{
	long off = ckpt_writer_tail(&wr);

	if (off < 0) {
		fprintf(stderr, "mkimage: no room for the TAIL\n");
		exit(2);
	}
	img.tail = off;
	img.len = wr.len;
}

/* A SIGNAL record with nothing in it: every section has one. */
static void add_signal(void)
{
	size_t off;

	record(CKPT_HDR_SIGNAL, &off);
}

static void add_sighand(int i)
{
	struct ckpt_hdr_sighand *sh;
	size_t off;

	sh = record(CKPT_HDR_SIGHAND, &off);
	sh->objref = objrefs[i][3];
}

/*
 * An mm of its own: one anonymous VMA with a page in it.  The child's
 * (@i 2) shares its first page with the root's mm, as after fork().
 */
static void add_small_mm(int i)
{
	struct ckpt_hdr_cow *cow;
	struct ckpt_hdr_mm *mm;
	size_t off, *at = i == 2 ? &img.mm2 : &off;

	mm = record(CKPT_HDR_MM, at);
	mm->objref = objrefs[i][0];
	mm->nr_vmas = 1;
	if (i == 2) {
		mm->cow_objref = objrefs[0][0];
		mm->nr_cow = 1;
	}
	add_vma(NR_VMAS, CKPT_VMA_ANON, CKPT_VMA_READ | CKPT_VMA_WRITE |
		(i == 2 ? CKPT_VMA_COW : 0), 0x600000, 0x602000);
	if (i == 2) {
		cow = record(CKPT_HDR_COW, &img.cow);
		cow->addr = 0x601000;
		cow->nr_pages = 1;
	}
}

/* The thread: registers, credentials, signal state; the rest is shared. */
static void add_thread(void)
{
	size_t off;

	task_record(1, &off);
	add_cred(&img.cred2);
	add_cpu(&off);
	add_signal();
}

/* The child (fd table and fs of its own) and the grandchild (its). */
static void add_children(void)
{
	size_t off;

	task_record(2, &img.task2);
	add_cred(&off);
	add_small_mm(2);
	add_cpu(&off);
	add_fs(2);
	add_child_files();
	add_rlimits(&img.rlimits2);
	add_sighand(2);
	add_signal();
	add_pages(2, 0x600000, 1);
	task_record(3, &img.task3);
	add_cred(&off);
	add_small_mm(3);
	add_cpu(&off);
	add_rlimits(&off);
	add_sighand(3);
	add_signal();
	add_pages(2, 0x600000, 1);
}

static void build(void)
{
	ckpt_writer_init(&wr, img.buf, sizeof(img.buf));
	add_header();
	add_tree();
	add_zombie();
	add_task();
	add_cred(&img.cred);
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
	W_RLIMITS2, W_FNULL, W_FRD, W_FWR, W_FFIFO, W_FFIFO2, W_PIPE, W_FIFO,
	W_BUF0, W_BUF1, W_BUF2, W_FEFD, W_FSFD, W_FTFD, W_FEP, W_FEP2,
	W_EVENTFD, W_SIGNALFD, W_TIMERFD, W_EPOLL, W_EPOLL2, W_ITEM0, W_ITEM1,
	W_ITEM2, W_FUS1, W_FUS2, W_FSP1, W_FSP2, W_FDG, W_FLS, W_FUD, W_US1,
	W_US2, W_UP1, W_UP2, W_UD1, W_UD2, W_UL, W_UU, W_SKB_S1, W_SKB_S2,
	W_SKB_P0, W_SKB_P1, W_SKB_P2, W_SKB_D1,
	W_FINO, W_INO, W_IEV0, W_IEV1, W_IW0, W_IW1,
	W_FPTM, W_PTY, W_FPTS,
	W_FUNL1, W_UNL, W_FDATA0, W_FDATA1, W_FUNL2,
	W_LKPX, W_LKOFD, W_LKFL, W_CGROUP, W_MM2, W_COW, W_ZTASK, W_ZCRED,
	W_ZRLIMITS,
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
	COPY,		/* a copy of the record at the field goes before
			 * the record at @val (an enum where)
			 */
	RECRC,		/* the TAIL's xxh64 is computed again: the image
			 * stays valid after the entries before this one
			 */
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
#define FILE_F(member)	F(ckpt_hdr_file, member)
#define PIPE_F(member)	F(ckpt_hdr_pipe, member)
#define BUF_F(member)	F(ckpt_hdr_pipe_buf, member)
#define BUF_DATA	sizeof(struct ckpt_hdr_pipe_buf)
#define EFD_F(member)	F(ckpt_hdr_eventfd, member)
#define SFD_F(member)	F(ckpt_hdr_signalfd, member)
#define TFD_F(member)	F(ckpt_hdr_timerfd, member)
#define EP_F(member)	F(ckpt_hdr_epoll, member)
#define ITEM_F(member)	F(ckpt_hdr_epoll_item, member)
#define UNIX_F(member)	F(ckpt_hdr_unix, member)
#define UNIX_ADDR	sizeof(struct ckpt_hdr_unix)
#define UNIX_ATTRS	(UNIX_ADDR + CKPT_ALIGN_UP(sizeof(UNIX_PATH)))
#define SKB_F(member)	F(ckpt_hdr_unix_skb, member)
#define SKB_DATA	sizeof(struct ckpt_hdr_unix_skb)
#define INO_F(member)	F(ckpt_hdr_inotify, member)
#define IEV_F(member)	F(ckpt_hdr_inotify_event, member)
#define IEV_NAME	sizeof(struct ckpt_hdr_inotify_event)
#define IW_F(member)	F(ckpt_hdr_inotify_watch, member)
#define IW_PATH		sizeof(struct ckpt_hdr_inotify_watch)
#define PTY_F(member)	F(ckpt_hdr_pty, member)
#define PTY_EOL		(sizeof(struct ckpt_hdr_pty) + CKPT_ALIGN)
#define UNL_F(member)	F(ckpt_hdr_unlinked, member)
#define FDATA_F(member)	F(ckpt_hdr_file_data, member)
#define LOCK_F(member)	F(ckpt_hdr_lock, member)

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
	{ "vma_fsize", W_VMA0, F(ckpt_hdr_vma, file_size), SET64, 1ULL << 63 },
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
	{ "xxh64", W_PAGES1, PAGES_DATA + 100, XOR8, 1 },
	{ "count", W_TAIL, F(ckpt_hdr_tail, nr_records), ADD32, 1 },
	{ "tail_pad", W_TAIL, F(ckpt_hdr_tail, pad), SET32, 1 },
	{ "no_tail", W_TAIL, 0, CUT, 0 },
	{ "trailing", W_ABS, 0, GROW, 8 },
	{ "task_nice", W_TASK, F(ckpt_hdr_task, nice), SET32, 20 },
	{ "task_policy", W_TASK, F(ckpt_hdr_task, policy), SET32, 6 },
	{ "task_rtprio", W_TASK, F(ckpt_hdr_task, rt_priority), SET32, 5 },
	{ "task_pdeath", W_TASK, F(ckpt_hdr_task, pdeath_signal), SET32, 65 },
	{ "task_stop_nostop", W_TASK, F(ckpt_hdr_task, stop_signal), SET32,
	  19 },
	{ "task_stop_flags", W_TASK, F(ckpt_hdr_task, flags), SET32,
	  CKPT_TASK_STOPPED },
	{ "task_stop_code", W_TASK, F(ckpt_hdr_task, stop_code), SET32, 19 },
	{ "task_flags", W_TASK, F(ckpt_hdr_task, flags), SET32,
	  CKPT_TASK_FLAGS_ALL + 1 },
	{ "task_pad", W_TASK, F(ckpt_hdr_task, pad), SET32, 1 },
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
	{ "tree_thread_name", W_E1, E(comm), XOR8, 'x' },
	{ "tree_own_parent", W_E2, E(ppid), SET32, 1240 },
	/* the sections */
	{ "section_pid", W_TASK2, F(ckpt_hdr_task, pid), SET32, 1241 },
	{ "section_missing", W_E4, E(flags), SET32, 0 },
	{ "zombie_pid", W_ZTASK, F(ckpt_hdr_task, pid), SET32, 1251 },
	{ "zombie_missing", W_ZTASK, 0, DROP, 0 },
	{ "zombie_objref", W_ZTASK, F(ckpt_hdr_task, sighand_objref), SET32,
	  5 },
	{ "zombie_pointer", W_ZTASK, F(ckpt_hdr_task, clear_child_tid), SET64,
	  0x4c0000 },
	{ "zombie_no_cred", W_ZCRED, 0, DROP, 0 },
	{ "zombie_no_rlimits", W_ZRLIMITS, 0, DROP, 0 },
	{ "zombie_cred_id", W_ZCRED, F(ckpt_hdr_cred, euid), SET32, -1 },
	{ "zombie_rlimit_cpu", W_ZRLIMITS, F(ckpt_hdr_rlimits, rlim[0].cur),
	  SET64, 10 },
	{ "zombie_nice", W_ZTASK, F(ckpt_hdr_task, nice), SET32, 20 },
	{ "zombie_stop_status", W_E4, E(exit_code), SET32, 0x13 },
	{ "zombie_core_status", W_E4, E(exit_code), SET32, 0x8f },
	{ "task_zombie_flags", W_TASK, F(ckpt_hdr_task, flags), SET32,
	  CKPT_TASK_SIGNALED },
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
	{ "section_objref_pipe", W_TASK3, F(ckpt_hdr_task, mm_objref), SET32,
	  PIPE_REF },
	/* files, pipes and FIFOs */
	{ "file_kind", W_FNULL, FILE_F(kind), SET32, 99 },
	{ "file_pipe_objref", W_FNULL, FILE_F(obj_objref), SET32, PIPE_REF },
	{ "file_objref_taken", W_FFIFO2, FILE_F(objref), SET32, PIPE_REF },
	{ "pipe_file_no_pipe", W_FRD, FILE_F(obj_objref), SET32, 0 },
	{ "fifo_file_no_pipe", W_FFIFO, FILE_F(obj_objref), SET32, 0 },
	{ "fifo_direct", W_FFIFO, FILE_F(f_flags), SET32, 040002 },
	{ "pipe_objref_file", W_FFIFO, FILE_F(obj_objref), SET32, FILE_NULL },
	{ "pipe_objref_own", W_FFIFO, FILE_F(obj_objref), SET32, FILE_FIFO },
	{ "pipe_objref_mm", W_FFIFO, FILE_F(obj_objref), SET32, 1 },
	{ "pipe_fifo_of_anon", W_FFIFO2, FILE_F(obj_objref), SET32,
	  PIPE_REF },
	{ "pipe_anon_of_fifo", W_FFIFO2, FILE_F(kind), SET32,
	  CKPT_FILE_PIPE },
	{ "pipe_missing", W_PIPE, 0, DROP, 0 },
	{ "pipe_missing_end", W_PIPE, 0, CUT, 0 },
	{ "pipe_again", W_PIPE, 0, COPY, W_FFIFO },
	{ "pipe_stray", W_FIFO, 0, COPY, W_CRED },
	{ "pipe_buf_stray", W_BUF0, 0, COPY, W_CRED },
	{ "pipe_objref", W_PIPE, PIPE_F(objref), SET32, FIFO_REF },
	{ "pipe_pad", W_PIPE, PIPE_F(pad), SET32, 1 },
	{ "pipe_bytes", W_PIPE, PIPE_F(bytes), SET64, 16 * PAGE + 1 },
	{ "pipe_size", W_PIPE, PIPE_F(size), SET32, 3 * PAGE },
	{ "pipe_size_small", W_FIFO, PIPE_F(size), SET32, PAGE / 2 },
	{ "pipe_size_huge", W_FIFO, PIPE_F(size), SET32,
	  2 * CKPT_PIPE_SIZE_MAX },
	{ "valid_pipe_max", W_FIFO, PIPE_F(size), SET32, CKPT_PIPE_SIZE_MAX },
	{ "valid_pipe_max", W_TAIL, 0, RECRC, 0 },
	{ "pipe_nr_bufs", W_FIFO, PIPE_F(nr_bufs), SET32, 2 },
	{ "pipe_bufs_empty", W_FIFO, PIPE_F(nr_bufs), SET32, 1 },
	{ "pipe_len_bufs", W_PIPE, PIPE_F(nr_bufs), SET32, 2 },
	{ "pipe_len", W_PIPE, HDR_LEN, ADD32, 8 },
	{ "pipe_bytes_less", W_PIPE, PIPE_F(bytes), SET64, 4200 },
	{ "pipe_bytes_more", W_PIPE, PIPE_F(bytes), SET64, 4202 },
	{ "pipe_buf_big", W_BUF1, BUF_F(len), SET32, PAGE + 1 },
	{ "pipe_buf_zero", W_BUF0, BUF_F(len), SET32, 0 },
	{ "pipe_buf_flags", W_BUF2, BUF_F(flags), SET32, 4 },
	{ "pipe_buf_flags_both", W_BUF2, BUF_F(flags), SET32, 3 },
	{ "pipe_buf_offset", W_BUF0, BUF_F(offset), SET32, PAGE - 4 },
	{ "pipe_buf_nopad", W_BUF0, BUF_F(pad), SET32, 1 },
	{ "pipe_buf_pad", W_BUF0, BUF_DATA + 6, XOR8, 1 },
	{ "pipe_buf_past", W_BUF2, HDR_LEN, ADD32, 8 },
	{ "pipe_buf_type", W_BUF2, HDR_TYPE, SET32, CKPT_HDR_FD },
	/* eventfd, signalfd, timerfd and epoll files */
	{ "file_kind_max", W_FEFD, FILE_F(kind), SET32,
	  CKPT_FILE_MAX_KIND + 1 },
	{ "anon_obj_objref", W_FTFD, FILE_F(obj_objref), SET32, PIPE_REF },
	{ "anon_inherit_fd", W_FSFD, FILE_F(inherit_fd), SET32, 7 },
	{ "eventfd_flags", W_EVENTFD, EFD_F(flags), SET32, 3 },
	{ "eventfd_count", W_EVENTFD, EFD_F(count), SET64, ~0ULL },
	{ "valid_eventfd_max", W_EVENTFD, EFD_F(count), SET64, ~0ULL - 1 },
	{ "valid_eventfd_max", W_TAIL, 0, RECRC, 0 },
	{ "eventfd_len", W_EVENTFD, HDR_LEN, ADD32, 8 },
	{ "eventfd_objref", W_EVENTFD, EFD_F(objref), SET32, FILE_SFD },
	{ "eventfd_missing", W_EVENTFD, 0, DROP, 0 },
	{ "eventfd_missing_end", W_EVENTFD, 0, CUT, 0 },
	{ "eventfd_stray", W_EVENTFD, 0, COPY, W_CRED },
	{ "eventfd_again", W_EVENTFD, 0, COPY, W_FSFD },
	{ "eventfd_after_pipe", W_EVENTFD, 0, COPY, W_FWR },
	{ "eventfd_pipe_instead", W_FIFO, 0, COPY, W_EVENTFD },
	{ "anon_kind_mismatch", W_FSFD, FILE_F(kind), SET32,
	  CKPT_FILE_TIMERFD },
	{ "signalfd_kill", W_SIGNALFD, SFD_F(sigmask), SET64,
	  (1ULL << 8) | (1ULL << 9) },
	{ "signalfd_stop", W_SIGNALFD, SFD_F(sigmask), SET64, 1ULL << 18 },
	{ "valid_signalfd_all", W_SIGNALFD, SFD_F(sigmask), SET64,
	  ~((1ULL << 8) | (1ULL << 18)) },
	{ "valid_signalfd_all", W_TAIL, 0, RECRC, 0 },
	{ "signalfd_pad", W_SIGNALFD, SFD_F(pad), SET32, 1 },
	{ "signalfd_objref", W_SIGNALFD, SFD_F(objref), SET32, FILE_EFD },
	{ "timerfd_clock", W_TIMERFD, TFD_F(clockid), SET32, 5 },
	{ "timerfd_cancel_mono", W_TIMERFD, TFD_F(clockid), SET32, 1 },
	{ "timerfd_flags", W_TIMERFD, TFD_F(flags), SET32, 3 },
	{ "timerfd_pad", W_TIMERFD, TFD_F(pad), SET32, 1 },
	{ "valid_timerfd_boottime", W_TIMERFD, TFD_F(clockid), SET32, 7 },
	{ "valid_timerfd_boottime", W_TIMERFD, TFD_F(flags), SET32, 0 },
	{ "valid_timerfd_boottime", W_TIMERFD, TFD_F(ticks), SET64, ~0ULL },
	{ "valid_timerfd_boottime", W_TAIL, 0, RECRC, 0 },
	{ "timerfd_objref", W_TIMERFD, TFD_F(objref), SET32, FILE_EP },
	{ "epoll_flags", W_FEP, FILE_F(f_flags), SET32, 02002 /* O_APPEND */ },
	{ "epoll_objref", W_EPOLL2, EP_F(objref), SET32, FILE_EP },
	{ "epoll_nr_items", W_EPOLL, EP_F(nr_items), SET32, (1U << 20) + 1 },
	{ "epoll_len", W_EPOLL, EP_F(nr_items), SET32, 1 },
	{ "epoll_missing", W_EPOLL2, 0, DROP, 0 },
	{ "epoll_item_later", W_ITEM1, ITEM_F(file_objref), SET32, FILE_EP2 },
	{ "epoll_item_unknown", W_ITEM0, ITEM_F(file_objref), SET32, 99 },
	{ "epoll_item_pipe", W_ITEM0, ITEM_F(file_objref), SET32, PIPE_REF },
	{ "epoll_item_mm", W_ITEM1, ITEM_F(file_objref), SET32, 1 },
	{ "epoll_item_self", W_ITEM2, ITEM_F(file_objref), SET32, FILE_EP2 },
	{ "epoll_item_events", W_ITEM0, ITEM_F(events), SET32,
	  0x80000019 | (1U << 27) /* EPOLL_URING_WAKE: kernel only */ },
	{ "epoll_item_events_low", W_ITEM2, ITEM_F(events), SET32, 0x800 },
	{ "valid_epoll_events_all", W_ITEM2, ITEM_F(events), SET32,
	  0xf00027ff },
	{ "valid_epoll_events_all", W_TAIL, 0, RECRC, 0 },
	{ "epoll_item_fd", W_ITEM1, ITEM_F(fd), SET32, -1 },
	{ "epoll_item_pad", W_ITEM1, ITEM_F(pad), SET32, 1 },
	{ "epoll_item_len", W_ITEM0, HDR_LEN, ADD32, 8 },
	{ "epoll_item_past", W_ITEM1, HDR_LEN, ADD32, 8 },
	{ "epoll_item_type", W_ITEM1, HDR_TYPE, SET32, CKPT_HDR_FD },
	{ "epoll_item_stray", W_ITEM0, 0, COPY, W_CRED },
	{ "epoll_item_after_file", W_ITEM0, 0, COPY, W_EPOLL },
	/* unix sockets: their FILEs */
	{ "unix_file_no_socket", W_FUS1, FILE_F(obj_objref), SET32, 0 },
	{ "unix_socket_pipe", W_FUS1, FILE_F(obj_objref), SET32, PIPE_REF },
	{ "unix_socket_file", W_FLS, FILE_F(obj_objref), SET32, FILE_NULL },
	{ "unix_socket_own", W_FLS, FILE_F(obj_objref), SET32, FILE_LS },
	{ "unix_socket_mm", W_FLS, FILE_F(obj_objref), SET32, 1 },
	{ "pipe_objref_socket", W_FFIFO2, FILE_F(obj_objref), SET32, SOCK_S2 },
	{ "unix_file_taken", W_FUD, FILE_F(objref), SET32, SOCK_P2 },
	{ "unix_task_taken", W_TASK3, F(ckpt_hdr_task, mm_objref), SET32,
	  SOCK_D2 },
	{ "unix_epoll_socket", W_ITEM0, ITEM_F(file_objref), SET32, SOCK_S1 },
	{ "unix_closed_file", W_FUS2, FILE_F(obj_objref), SET32, SOCK_D2 },
	/* where the UNIX records stand */
	{ "unix_missing", W_UL, 0, DROP, 0 },
	{ "unix_missing_end", W_UL, 0, CUT, 0 },
	{ "unix_peer_missing", W_UP2, 0, DROP, 0 },
	{ "unix_peer_missing_end", W_UP2, 0, CUT, 0 },
	{ "unix_again", W_UP2, 0, COPY, W_FDG },
	{ "unix_stray", W_UL, 0, COPY, W_CRED },
	{ "unix_pair_third", W_UU, 0, COPY, W_FSP2 },
	{ "unix_pipe_instead", W_FIFO, 0, COPY, W_UL },
	{ "unix_after_eventfd", W_UL, 0, COPY, W_FSFD },
	{ "unix_skb_stray", W_SKB_D1, 0, COPY, W_CRED },
	{ "unix_skb_after_file", W_SKB_D1, 0, COPY, W_UD1 },
	{ "unix_objref", W_US1, UNIX_F(objref), SET32, SOCK_S2 },
	{ "unix_peer_objref", W_UP2, UNIX_F(objref), SET32, 41 },
	/* a pair */
	{ "unix_peer_peer", W_US2, UNIX_F(peer_objref), SET32, SOCK_P1 },
	{ "unix_peer_type", W_UP2, UNIX_F(type), SET32, SOCK_STREAM },
	{ "unix_peer_state", W_UP2, UNIX_F(state), SET32,
	  CKPT_UNIX_UNCONNECTED },
	{ "unix_self_peer", W_UP1, UNIX_F(peer_objref), SET32, SOCK_P1 },
	{ "unix_peer_earlier", W_UP1, UNIX_F(peer_objref), SET32, SOCK_S2 },
	{ "unix_peer_file", W_UP1, UNIX_F(peer_objref), SET32, FILE_RD },
	{ "unix_peer_pipe", W_UD1, UNIX_F(peer_objref), SET32, FIFO_REF },
	{ "unix_closed_first", W_UD1, UNIX_F(flags), SET32,
	  CKPT_UNIX_PEER_CLOSED },
	{ "unix_closed_listener", W_UL, UNIX_F(flags), SET32,
	  CKPT_UNIX_PEER_CLOSED | CKPT_UNIX_PASSCRED | CKPT_UNIX_BOUND },
	{ "valid_unix_closed_stream", W_US2, UNIX_F(flags), SET32,
	  CKPT_UNIX_PEER_CLOSED },
	{ "valid_unix_closed_stream", W_FUS2, FILE_F(obj_objref), SET32,
	  SOCK_P2 },
	{ "valid_unix_closed_stream", W_TAIL, 0, RECRC, 0 },
	/* the fields */
	{ "unix_type", W_UU, UNIX_F(type), SET32, 3 /* SOCK_RAW */ },
	{ "unix_state", W_UU, UNIX_F(state), SET32, 4 },
	{ "unix_state_zero", W_UU, UNIX_F(state), SET32, 0 },
	{ "unix_flags", W_US1, UNIX_F(flags), SET32, 0x80 },
	{ "unix_unlinked_unbound", W_US1, UNIX_F(flags), SET32,
	  CKPT_UNIX_UNLINKED },
	{ "unix_unlinked_abstract", W_UL, UNIX_F(flags), SET32,
	  CKPT_UNIX_BOUND | CKPT_UNIX_UNLINKED },
	{ "valid_unix_unlinked", W_UU, UNIX_F(flags), SET32,
	  CKPT_UNIX_RCVBUF | CKPT_UNIX_BOUND | CKPT_UNIX_UNLINKED },
	{ "valid_unix_unlinked", W_TAIL, 0, RECRC, 0 },
	{ "unix_shutdown", W_UU, UNIX_F(shutdown), SET32, 4 },
	{ "unix_pending", W_UU, UNIX_F(nr_pending), SET32, 1 },
	{ "unix_listen_pending", W_UL, UNIX_F(nr_pending), SET32, 2 },
	{ "unix_addr_unbound", W_UL, UNIX_F(flags), SET32, CKPT_UNIX_PASSCRED },
	{ "unix_bound_no_addr", W_US1, UNIX_F(flags), SET32, CKPT_UNIX_BOUND },
	{ "unix_embryo_alone", W_US1, UNIX_F(flags), SET32, CKPT_UNIX_EMBRYO },
	{ "unix_connected_no_peer", W_US1, UNIX_F(peer_objref), SET32, 0 },
	{ "unix_connected_bad_peer", W_UD1, UNIX_F(peer_objref), SET32, -3 },
	{ "unix_unconnected_peer", W_UU, UNIX_F(peer_objref), SET32, SOCK_L },
	{ "unix_listen_peer", W_UL, UNIX_F(peer_objref), SET32, 5 },
	{ "unix_listen_dgram", W_UL, UNIX_F(type), SET32, SOCK_DGRAM },
	{ "valid_unix_listen_seqpacket", W_UL, UNIX_F(type), SET32,
	  SOCK_SEQPACKET },
	{ "valid_unix_listen_seqpacket", W_TAIL, 0, RECRC, 0 },
	{ "unix_backlog", W_UL, UNIX_F(backlog), SET32, 65536 },
	{ "valid_unix_backlog_max", W_UL, UNIX_F(backlog), SET32, 65535 },
	{ "valid_unix_backlog_max", W_TAIL, 0, RECRC, 0 },
	{ "unix_backlog_connected", W_US1, UNIX_F(backlog), SET32, 1 },
	{ "unix_backlog_unconnected", W_UU, UNIX_F(backlog), SET32, 5 },
	{ "unix_listen_unbound", W_UL, UNIX_F(addr_len), SET32, 0 },
	{ "unix_listen_skbs", W_UL, UNIX_F(nr_skbs), SET32, 1 },
	{ "unix_unconnected_skbs", W_UU, UNIX_F(nr_skbs), SET32, 1 },
	/* the address */
	{ "unix_addr_len", W_UU, UNIX_F(addr_len), SET32, 109 },
	{ "unix_addr_relative", W_UU, UNIX_ADDR, XOR8, '/' ^ 't' },
	{ "unix_addr_unterminated", W_UU, UNIX_ADDR + sizeof(UNIX_PATH) - 1,
	  XOR8, 'x' },
	{ "unix_addr_inner_nul", W_UU, UNIX_ADDR + 4, XOR8, '/' },
	{ "unix_addr_pad", W_UL, UNIX_ADDR + sizeof(UNIX_ABSTRACT), XOR8, 1 },
	{ "unix_addr_short", W_UU, UNIX_F(addr_len), SET32, 16 },
	/* the bound file's owner and mode, after the path */
	{ "unix_attrs_type", W_UU, UNIX_ATTRS + 0, SET32, 0100644 },
	{ "unix_attrs_mode", W_UU, UNIX_ATTRS + 0, SET32, 0150751 },
	{ "unix_attrs_uid", W_UU, UNIX_ATTRS + 4, SET32, -1 },
	{ "unix_attrs_pad", W_UU, UNIX_ATTRS + 12, SET32, 1 },
	{ "valid_unix_abstract_bytes", W_UL, UNIX_ADDR + 4, XOR8, 't' },
	{ "valid_unix_abstract_bytes", W_UL, UNIX_ADDR + 5, XOR8, 0xff ^ 'i' },
	{ "valid_unix_abstract_bytes", W_TAIL, 0, RECRC, 0 },
	/* the sizes and the skbs */
	{ "unix_nr_skbs", W_US1, UNIX_F(nr_skbs), SET32,
	  CKPT_UNIX_SKBS_MAX + 1 },
	{ "unix_bytes", W_US1, UNIX_F(bytes), SET64, CKPT_UNIX_BYTES_MAX + 1 },
	{ "unix_skbs_bytes", W_US1, UNIX_F(bytes), SET64, 1 },
	{ "unix_skbs_bytes_big", W_UD1, UNIX_F(bytes), SET64,
	  CKPT_UNIX_SKB_MAX + 1 },
	{ "unix_len", W_US1, HDR_LEN, ADD32, 8 },
	{ "unix_len_bad", W_UL, HDR_LEN, ADD32, 8 },
	{ "unix_len_skbs", W_UP1, UNIX_F(nr_skbs), SET32, 2 },
	{ "unix_skbs_more", W_UP1, UNIX_F(nr_skbs), SET32, 4 },
	{ "unix_bytes_less", W_US1, UNIX_F(bytes), SET64, 23 },
	{ "unix_bytes_more", W_UP1, UNIX_F(bytes), SET64, 28 },
	{ "unix_skb_len_zero", W_SKB_S1, SKB_F(len), SET32, 0 },
	{ "unix_skb_len_big", W_SKB_S2, SKB_F(len), SET32,
	  CKPT_UNIX_SKB_MAX + 1 },
	{ "unix_skb_len", W_SKB_P2, SKB_F(len), SET32, 9 },
	{ "unix_skb_fds", W_SKB_S1, SKB_F(nr_fds), SET32, 1 },
	{ "unix_skb_fds_many", W_SKB_S1, SKB_F(nr_fds), SET32, 254 },
	{ "unix_skb_data_pad", W_SKB_P0, SKB_DATA + 3, XOR8, 1 },
	{ "unix_skb_big_pad", W_SKB_S2, SKB_DATA + SKB_BIG + 6, XOR8, 0x80 },
	{ "unix_skb_big_trunc", W_SKB_S2, SKB_DATA + SKB_BIG - 1, CUT, 0 },
	{ "unix_skb_past", W_SKB_P2, HDR_LEN, ADD32, 8 },
	{ "unix_skb_type", W_SKB_P1, HDR_TYPE, SET32, CKPT_HDR_FD },
	{ "unix_skb_huge", W_SKB_D1, HDR_LEN, SET32, 2 << 20 },
	/* inotify */
	{ "inotify_flags", W_FINO, FILE_F(f_flags), SET32, 2 /* O_RDWR */ },
	{ "inotify_objref", W_INO, INO_F(objref), SET32, FILE_EP },
	{ "inotify_next_wd", W_INO, INO_F(next_wd), SET32, 0 },
	{ "inotify_nr_events", W_INO, INO_F(nr_events), SET32, (1U << 20) + 1 },
	{ "inotify_len_counts", W_INO, INO_F(nr_watches), SET32, 5 },
	{ "inotify_watches_more", W_INO, INO_F(nr_watches), SET32, 3 },
	{ "inotify_events_less", W_INO, INO_F(nr_events), SET32, 1 },
	{ "inotify_len", W_INO, HDR_LEN, ADD32, 8 },
	{ "inotify_missing", W_INO, 0, DROP, 0 },
	{ "inotify_stray", W_INO, 0, COPY, W_CRED },
	{ "inotify_event_mask", W_IEV0, IEV_F(mask), SET32,
	  0x10000100 /* FS_RENAME: not inotify's */ },
	{ "inotify_event_wd", W_IEV0, IEV_F(wd), SET32, 0 },
	{ "inotify_overflow_wd", W_IEV1, IEV_F(wd), SET32, 1 },
	{ "inotify_event_slash", W_IEV0, IEV_NAME, XOR8, 'n' ^ '/' },
	{ "inotify_event_name_len", W_IEV0, IEV_F(name_len), SET32, 1 },
	{ "inotify_event_unterminated", W_IEV0, IEV_NAME + 3, XOR8, 'x' },
	{ "inotify_event_stray", W_IEV0, 0, COPY, W_CRED },
	{ "inotify_watch_order", W_IW1, IW_F(wd), SET32, 1 },
	{ "inotify_watch_wd_zero", W_IW0, IW_F(wd), SET32, 0 },
	{ "inotify_watch_mask", W_IW1, IW_F(mask), SET32,
	  0xa0000002 /* IN_MASK_ADD */ },
	{ "valid_inotify_mask_all", W_IW1, IW_F(mask), SET32, 0x84000fff },
	{ "valid_inotify_mask_all", W_TAIL, 0, RECRC, 0 },
	{ "inotify_watch_mode", W_IW0, IW_F(mode), SET32, 0 },
	{ "inotify_watch_relative", W_IW0, IW_PATH, XOR8, '/' ^ 't' },
	{ "inotify_watch_path_len", W_IW1, IW_F(path_len), SET32, 8 },
	{ "inotify_watch_past", W_IW1, HDR_LEN, ADD32, 8 },
	{ "inotify_watch_type", W_IW0, HDR_TYPE, SET32, CKPT_HDR_FD },
	{ "inotify_watch_stray", W_IW0, 0, COPY, W_CRED },
	/* ptys */
	{ "pty_file_no_pty", W_FPTM, FILE_F(obj_objref), SET32, 0 },
	{ "pty_file_mode", W_FPTS, FILE_F(mode), SET32, 0100600 },
	{ "pty_file_flags", W_FPTS, FILE_F(f_flags), SET32, 0100003 },
	{ "pty_file_rdev", W_FPTM, FILE_F(rdev), SET32, (4 << 8) | 1 },
	{ "pty_slave_rdev", W_FPTS, FILE_F(rdev), SET32, (136 << 8) | 4 },
	{ "pty_master_twice", W_FPTS, FILE_F(rdev), SET32, 0x502 },
	{ "pty_master_flags", W_FPTM, FILE_F(f_flags), SET32, 04002 },
	{ "pty_objref_pipe", W_FPTS, FILE_F(obj_objref), SET32, PIPE_REF },
	{ "pty_missing", W_PTY, 0, DROP, 0 },
	{ "pty_stray", W_PTY, 0, COPY, W_CRED },
	{ "pty_objref", W_PTY, PTY_F(objref), SET32, FILE_NULL },
	{ "cgroup_dotdot", W_CGROUP, sizeof(struct ckpt_hdr_cgroup), SET32,
	  0x2f2e2e2f },
	{ "cgroup_len", W_CGROUP, F(ckpt_hdr_cgroup, path_len), SET32, 7 },
	{ "cgroup_twice", W_CGROUP, 0, COPY, W_CGROUP },
	{ "pty_owner_mode", W_PTY, PTY_F(slave_mode), SET32, 020620 },
	{ "pty_index", W_PTY, PTY_F(index), SET32, CKPT_PTY_INDEX_MAX },
	{ "pty_flags", W_PTY, PTY_F(flags), SET32, CKPT_PTY_FLAGS_ALL + 1 },
	{ "pty_tcooff", W_PTY, PTY_F(flags), SET32, CKPT_PTY_SLAVE_TCOOFF },
	{ "pty_mflags", W_PTY, PTY_F(master_flags), SET32, 0100001 },
	{ "pty_events", W_PTY, PTY_F(pktstatus), SET32, 0x80 },
	{ "pty_session", W_PTY, PTY_F(sid), SET32, 1240 },
	{ "valid_pty_ctty", W_PTY, PTY_F(sid), SET32, 1240 },
	{ "valid_pty_ctty", W_PTY, PTY_F(pgrp), SET32, 1240 },
	{ "valid_pty_ctty", W_TAIL, 0, RECRC, 0 },
	{ "pty_line", W_PTY, PTY_F(termios.line), XOR8, 1 },
	{ "pty_cflag", W_PTY, PTY_F(termios.cflag), SET32, 0077 },
	{ "pty_extproc", W_PTY, PTY_F(termios.lflag), SET32, 0200003 },
	{ "pty_raw_lnext", W_PTY, PTY_F(termios.lflag), SET32, 0 },
	{ "pty_raw_lnext", W_PTY, PTY_F(in_canon), SET32, 0 },
	{ "pty_raw_lnext", W_PTY, PTY_F(flags), SET32, CKPT_PTY_LNEXT },
	{ "pty_canon", W_PTY, PTY_F(in_canon), SET32, 6 },
	{ "pty_eol", W_PTY, PTY_EOL, XOR8, 1 << 2 },
	{ "pty_eol_past", W_PTY, PTY_EOL, XOR8, 1 << 3 },
	{ "pty_in_big", W_PTY, PTY_F(in_bytes), SET32, CKPT_PTY_BUF_SIZE + 1 },
	{ "pty_len", W_PTY, HDR_LEN, ADD32, 8 },
	{ "pty_pad", W_PTY, PTY_EOL - 1, XOR8, 1 },
	{ "unl_no_inode", W_FUNL1, FILE_F(obj_objref), SET32, 0 },
	{ "unl_inode_taken", W_FUNL1, FILE_F(obj_objref), SET32, PIPE_REF },
	{ "unl_missing", W_UNL, 0, DROP, 0 },
	{ "unl_stray", W_UNL, 0, COPY, W_FUNL2 },
	{ "unl_objref", W_UNL, UNL_F(objref), SET32, 2 },
	{ "unl_mode", W_UNL, UNL_F(mode), SET32, 040755 },
	{ "unl_mode_bits", W_UNL, UNL_F(mode), SET32, 0300640 },
	{ "unl_owner", W_UNL, UNL_F(uid), SET32, 0xffffffff },
	{ "unl_data", W_UNL, UNL_F(data), SET64, UNL_SIZE + 1 },
	{ "unl_size", W_UNL, UNL_F(size), SET64, 1ULL << 63 },
	{ "unl_nsec", W_UNL, UNL_F(mtime_nsec), SET32, 1000000000 },
	{ "unl_len", W_UNL, HDR_LEN, ADD32, 8 },
	{ "fdata_overlap", W_FDATA1, FDATA_F(offset), SET64, 50 },
	{ "fdata_past", W_FDATA1, FDATA_F(offset), SET64, UNL_SIZE - 49 },
	{ "fdata_objref", W_FDATA1, FDATA_F(objref), SET32, FILE_UNL2 },
	{ "fdata_more", W_UNL, UNL_F(data), SET64, 100 },
	{ "fdata_missing", W_FDATA1, 0, DROP, 0 },
	{ "lock_kind", W_LKPX, LOCK_F(kind), SET32, 4 },
	{ "lock_type", W_LKOFD, LOCK_F(type), SET32, 2 },
	{ "lock_pad", W_LKFL, LOCK_F(pad), SET32, 1 },
	{ "lock_range", W_LKPX, LOCK_F(start), SET64, 10 },
	{ "lock_eof", W_LKOFD, LOCK_F(end), SET64, CKPT_LOCK_EOF + 1 },
	{ "lock_flock_range", W_LKFL, LOCK_F(end), SET64, 9 },
	{ "lock_owner", W_LKPX, LOCK_F(owner_objref), SET32, 8 },
	{ "lock_file", W_LKOFD, LOCK_F(file_objref), SET32, 99 },
	{ "lock_ofd_owner", W_LKOFD, LOCK_F(owner_objref), SET32, FILE_NULL },
	{ "lock_pid", W_LKPX, LOCK_F(pid), SET32, ROOT + 1 },
	{ "lock_ofd_pid", W_LKOFD, LOCK_F(pid), SET32, ROOT },
	{ "lock_len", W_LKPX, HDR_LEN, ADD32, 8 },
	{ "lock_before_files", W_LKPX, 0, COPY, W_FNULL },
	/* pages shared with the parent's mm */
	{ "cow_self", W_MM2, F(ckpt_hdr_mm, cow_objref), SET32, 7 },
	{ "cow_unknown", W_MM2, F(ckpt_hdr_mm, cow_objref), SET32, 99 },
	{ "cow_nothing", W_MM2, F(ckpt_hdr_mm, cow_objref), SET32, 0 },
	{ "cow_vma_alone", W_MM2, F(ckpt_hdr_mm, cow_objref), SET32, 0 },
	{ "cow_vma_alone", W_MM2, F(ckpt_hdr_mm, nr_cow), SET32, 0 },
	{ "cow_count", W_MM2, F(ckpt_hdr_mm, nr_cow), SET32, 2 },
	{ "cow_huge", W_MM2, F(ckpt_hdr_mm, nr_cow), SET32, 1U << 21 },
	{ "cow_empty", W_COW, F(ckpt_hdr_cow, nr_pages), SET32, 0 },
	{ "cow_outside", W_COW, F(ckpt_hdr_cow, nr_pages), SET32, 2 },
	{ "cow_unaligned", W_COW, F(ckpt_hdr_cow, addr), SET64, 0x601008 },
	{ "cow_pad", W_COW, F(ckpt_hdr_cow, pad), SET32, 1 },
	{ "cow_len", W_COW, HDR_LEN, ADD32, 8 },
	{ "cow_file_vma", W_VMA0, F(ckpt_hdr_vma, flags), SET32,
	  CKPT_VMA_READ | CKPT_VMA_EXEC | CKPT_VMA_COW },
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
		[W_E1] = img.tree + sizeof(struct ckpt_hdr_tree) +
			 1 * sizeof(struct ckpt_tree_task),
		[W_E2] = img.tree + sizeof(struct ckpt_hdr_tree) +
			 2 * sizeof(struct ckpt_tree_task),
		[W_E3] = img.tree + sizeof(struct ckpt_hdr_tree) +
			 3 * sizeof(struct ckpt_tree_task),
		[W_E4] = img.tree + sizeof(struct ckpt_hdr_tree) +
			 4 * sizeof(struct ckpt_tree_task),
		[W_TASK2] = img.task2, [W_TASK3] = img.task3,
		[W_MM2] = img.mm2, [W_COW] = img.cow,
		[W_CRED2] = img.cred2, [W_RLIMITS2] = img.rlimits2,
		[W_FNULL] = img.file_null, [W_FRD] = img.file_rd,
		[W_FWR] = img.file_wr, [W_FFIFO] = img.file_fifo,
		[W_FFIFO2] = img.file_fifo2, [W_PIPE] = img.pipe,
		[W_FIFO] = img.fifo, [W_BUF0] = img.pipe_buf[0],
		[W_BUF1] = img.pipe_buf[1], [W_BUF2] = img.pipe_buf[2],
		[W_FEFD] = img.file_efd, [W_FSFD] = img.file_sfd,
		[W_FTFD] = img.file_tfd, [W_FEP] = img.file_ep,
		[W_FEP2] = img.file_ep2, [W_EVENTFD] = img.eventfd,
		[W_SIGNALFD] = img.signalfd, [W_TIMERFD] = img.timerfd,
		[W_EPOLL] = img.epoll, [W_EPOLL2] = img.epoll2,
		[W_ITEM0] = img.item[0], [W_ITEM1] = img.item[1],
		[W_ITEM2] = img.item[2], [W_FUS1] = img.file_us1,
		[W_FUS2] = img.file_us2, [W_FSP1] = img.file_sp1,
		[W_FSP2] = img.file_sp2, [W_FDG] = img.file_dg,
		[W_FLS] = img.file_ls, [W_FUD] = img.file_ud,
		[W_US1] = img.unix_s1, [W_US2] = img.unix_s2,
		[W_UP1] = img.unix_p1, [W_UP2] = img.unix_p2,
		[W_UD1] = img.unix_d1, [W_UD2] = img.unix_d2,
		[W_UL] = img.unix_l, [W_UU] = img.unix_u,
		[W_SKB_S1] = img.skb_s1[1], [W_SKB_S2] = img.skb_s2[0],
		[W_SKB_P0] = img.skb_p1[0], [W_SKB_P1] = img.skb_p1[1],
		[W_SKB_P2] = img.skb_p1[2], [W_SKB_D1] = img.skb_d1[0],
		[W_FINO] = img.file_ino, [W_INO] = img.inotify,
		[W_IEV0] = img.ino_ev[0], [W_IEV1] = img.ino_ev[1],
		[W_IW0] = img.ino_w[0], [W_IW1] = img.ino_w[1],
		[W_FPTM] = img.file_ptm, [W_PTY] = img.pty,
		[W_FPTS] = img.file_pts, [W_FUNL1] = img.file_unl1,
		[W_UNL] = img.unlinked, [W_FDATA0] = img.fdata[0],
		[W_FDATA1] = img.fdata[1], [W_FUNL2] = img.file_unl2,
		[W_LKPX] = img.lock_px,
		[W_LKOFD] = img.lock_ofd, [W_LKFL] = img.lock_fl,
		[W_CGROUP] = img.cgroup, [W_ZTASK] = img.ztask,
		[W_ZCRED] = img.zcred, [W_ZRLIMITS] = img.zrlimits,
	};

	return offs[w];
}

/* Insert a copy of the record at @from (nested ones included) at @to. */
static void insert_copy(size_t from, size_t to)
{
	static unsigned char rec[1 << 16];
	__u32 len = ((struct ckpt_hdr *)(img.buf + from))->len;

	if (len > sizeof(rec) || img.len + len > sizeof(img.buf)) {
		fprintf(stderr, "mkimage: no room to copy a record\n");
		exit(2);
	}
	memcpy(rec, img.buf + from, len);
	memmove(img.buf + to + len, img.buf + to, img.len - to);
	memcpy(img.buf + to, rec, len);
	img.len += len;
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
	case COPY:
		insert_copy(off, where_off(d->val));
		break;
	case RECRC:
		v64 = ckpt_xxh64(img.buf, off);
		memcpy(p + F(ckpt_hdr_tail, xxh64), &v64, sizeof(v64));
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
