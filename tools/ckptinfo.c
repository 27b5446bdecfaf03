// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: list the records of a checkpoint image and check it the way
 * the kernel's restart would: the tree of tasks (one line each), then
 * each task's section.  Reads sequentially, so a pipe works.
 *
 *	ckptinfo [FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libckpt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckptinfo [FILE]\n"
		"List and check the records of a checkpoint image read from\n"
		"FILE, or from standard input if FILE is missing or \"-\":\n"
		"its tree of tasks, then the section of each live one.\n"
		"Exits 1 at the first problem found.\n");
}

/* Print at most @size bytes of @s, stopping at NUL, masking oddities. */
static void print_str(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size && s[i]; i++)
		putchar(s[i] > ' ' && s[i] < 0x7f ? s[i] : '?');
	if (!i)
		putchar('-');
}

static void print_header(const struct ckpt_hdr_header *h)
{
	time_t t = h->time;
	struct tm tm;
	char when[32] = "?";

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("version %u arch %s page_size %u release ", h->version,
	       h->arch == CKPT_ARCH_X86_64 ? "x86_64" : "?", h->page_size);
	print_str(h->release, sizeof(h->release));
	printf(" machine ");
	print_str(h->machine, sizeof(h->machine));
	printf(" xstate %u features %#llx time %s", h->xstate_size,
	       (unsigned long long)h->xstate_features, when);
}

/* One line per task of the tree, after the TREE record's. */
static void print_tree(const struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	static const char * const flags[] = {
		"zombie", "subreaper", "share_files", "share_fs",
	};
	const struct ckpt_tree_task *t;
	const char *sep;
	__u32 i, f;

	printf("nr_tasks %u%s", rec->u.tree.nr_tasks,
	       rec->u.tree.flags & CKPT_TREE_PIDNS ? " pidns" : "");
	for (i = 0; i < r->nr_tasks; i++) {
		t = &r->tasks[i];
		printf("\n%27s pid %d tgid %d ppid %d pgid %d sid %d flags ",
		       "", t->pid, t->tgid, t->ppid, t->pgid, t->sid);
		sep = "";
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			if (t->flags & (1U << f)) {
				printf("%s%s", sep, flags[f]);
				sep = ",";
			}
		}
		printf("%s exit_signal %d", *sep ? "" : "-", t->exit_signal);
		if (t->flags & CKPT_TREE_ZOMBIE)
			printf(" exit %#x", t->exit_code);
	}
}

static void print_task(const struct ckpt_hdr_task *t)
{
	printf("pid %d tgid %d comm ", t->pid, t->tgid);
	print_str(t->comm, sizeof(t->comm));
	printf(" mm %d files %d fs %d sighand %d signal %d",
	       t->mm_objref, t->files_objref, t->fs_objref,
	       t->sighand_objref, t->signal_objref);
	printf(" blocked %#llx nice %d policy %u prio %u flags %#x dumpable %u pdeathsig %d",
	       (unsigned long long)t->blocked, t->nice,
	       t->policy, t->rt_priority, t->flags, t->dumpable,
	       t->pdeath_signal);
	if (t->flags & CKPT_TASK_STOPPED)
		printf(" stopped by %d%s", t->stop_signal,
		       t->stop_code ? "" : " (reported)");
}

static void print_mm(const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_mm *mm = &rec->u.mm;

	printf("objref %d nr_vmas %u brk %#llx-%#llx stack %#llx",
	       mm->objref, mm->nr_vmas, (unsigned long long)mm->start_brk,
	       (unsigned long long)mm->brk,
	       (unsigned long long)mm->start_stack);
	if (mm->flags & CKPT_MM_LOCK_FUTURE)
		printf(" lockfuture%s",
		       mm->flags & CKPT_MM_LOCK_ONFAULT ? "+onfault" : "");
	if (mm->flags & CKPT_MM_THP_DISABLE)
		printf(" thpdisable");
	if (mm->cow_objref)
		printf(" shares %u runs with mm %d", mm->nr_cow,
		       mm->cow_objref);
	if (mm->exe_path_len) {
		printf(" exe ");
		print_str(rec->path, sizeof(rec->path));
	}
}

static void print_vma_flags(__u32 flags)
{
	static const struct {
		__u32 flag;
		const char *name;
	} names[] = {
		{ CKPT_VMA_SHARED, "shared" }, { CKPT_VMA_MAYWRITE, "maywrite" },
		{ CKPT_VMA_LOCKED, "locked" },
		{ CKPT_VMA_LOCKONFAULT, "lockonfault" },
		{ CKPT_VMA_HUGEPAGE, "hugepage" },
		{ CKPT_VMA_NOHUGEPAGE, "nohugepage" },
		{ CKPT_VMA_DONTDUMP, "dontdump" },
		{ CKPT_VMA_DONTFORK, "dontfork" },
		{ CKPT_VMA_WIPEONFORK, "wipeonfork" },
		{ CKPT_VMA_MERGEABLE, "mergeable" },
		{ CKPT_VMA_COW, "cow" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (flags & names[i].flag)
			printf(" %s", names[i].name);
	}
}

static void print_vma(const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_vma *v = &rec->u.vma;

	printf("%s %#llx-%#llx %c%c%c", ckpt_vma_kind_name(v->kind),
	       (unsigned long long)v->start, (unsigned long long)v->end,
	       v->flags & CKPT_VMA_READ ? 'r' : '-',
	       v->flags & CKPT_VMA_WRITE ? 'w' : '-',
	       v->flags & CKPT_VMA_EXEC ? 'x' : '-');
	if (v->flags & CKPT_VMA_GROWSDOWN)
		printf(" growsdown");
	if (v->flags & CKPT_VMA_NORESERVE)
		printf(" noreserve");
	print_vma_flags(v->flags);
	if (v->kind == CKPT_VMA_SHMEM)
		printf(" objref %d", v->objref);
	if (v->kind == CKPT_VMA_FILE || v->kind == CKPT_VMA_SHMEM) {
		printf(" pgoff %llu size %llu ", (unsigned long long)v->pgoff,
		       (unsigned long long)v->file_size);
		print_str(rec->path, sizeof(rec->path));
	}
}

static void print_cpu(const struct ckpt_hdr_cpu *c)
{
	printf("rip %#llx rsp %#llx xstate %u", (unsigned long long)c->rip,
	       (unsigned long long)c->rsp, c->xstate_size);
}

static void print_file(const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;

	printf("objref %d %s flags %#o pos %llu size %llu",
	       f->objref, ckpt_file_kind_name(f->kind), f->f_flags,
	       (unsigned long long)f->pos, (unsigned long long)f->size);
	if (f->kind == CKPT_FILE_INHERIT)
		printf(" from the caller's fd %d", f->inherit_fd);
	if (f->kind == CKPT_FILE_PIPE || f->kind == CKPT_FILE_FIFO)
		printf(" pipe %d", f->obj_objref);
	if (f->kind == CKPT_FILE_UNIX)
		printf(" socket %d", f->obj_objref);
	if (f->kind == CKPT_FILE_UNLINKED)
		printf(" inode %d", f->obj_objref);
	if (f->kind == CKPT_FILE_PTY)
		printf(" pty %d %s", f->obj_objref,
		       f->rdev == 0x502 ? "master" : "slave");
	printf(" %s", rec->path);
}

/*
 * A PIPE is one line, printed once its buffers were read: it tells how
 * many of them are packets.  The buffers get no line of their own.
 */
static struct {
	struct ckpt_hdr_pipe p;
	__u64 off;
	__u32 bufs;		/* PIPE_BUF records read */
	__u32 packets;		/* of them, CKPT_PIPE_BUF_PACKET ones */
	int pending;		/* a PIPE whose line is not printed yet */
} cur_pipe;

static void print_pipe(void)
{
	const struct ckpt_hdr_pipe *p = &cur_pipe.p;

	printf("%8llu  %-8s %7u  objref %d size %u nr_bufs %u bytes %llu packets %u",
	       (unsigned long long)cur_pipe.off, "PIPE", p->h.len, p->objref,
	       p->size, p->nr_bufs, (unsigned long long)p->bytes,
	       cur_pipe.packets);
	if (cur_pipe.bufs != p->nr_bufs)
		printf(" (in its first %u buffers)", cur_pipe.bufs);
	putchar('\n');
	cur_pipe.pending = 0;
}

/* Collect a PIPE or PIPE_BUF record; print the PIPE when complete. */
static void print_pipe_record(const struct ckpt_rec *rec)
{
	if (rec->u.h.type == CKPT_HDR_PIPE) {
		cur_pipe.p = rec->u.pipe;
		cur_pipe.off = rec->off;
		cur_pipe.bufs = cur_pipe.packets = 0;
		cur_pipe.pending = 1;
	} else {
		cur_pipe.bufs++;
		if (rec->u.pipe_buf.flags & CKPT_PIPE_BUF_PACKET)
			cur_pipe.packets++;
	}
	if (cur_pipe.bufs == cur_pipe.p.nr_bufs)
		print_pipe();
}

static void print_timerfd(const struct ckpt_hdr_timerfd *t)
{
	static const char * const clocks[] = {
		[0] = "realtime", [1] = "monotonic", [7] = "boottime",
	};

	if (t->clockid >= 0 && t->clockid < (__s32)ARRAY_SIZE(clocks) &&
	    clocks[t->clockid])
		printf("objref %d clock %s", t->objref, clocks[t->clockid]);
	else
		printf("objref %d clock %d", t->objref, t->clockid);
	printf(" value %lluns interval %lluns ticks %llu%s",
	       (unsigned long long)t->value_ns,
	       (unsigned long long)t->interval_ns,
	       (unsigned long long)t->ticks,
	       t->flags & CKPT_TIMERFD_CANCEL_ON_SET ? " cancel_on_set" : "");
}

/*
 * A socket's address: "-" if unbound, "@name" if abstract (the leading
 * NUL dropped; the name may hold any bytes, those masked), else its path.
 */
static void print_unix_addr(const char *addr, __u32 len)
{
	__u32 i;

	if (!len || addr[0]) {
		print_str(addr, len);
		return;
	}
	putchar('@');
	for (i = 1; i < len; i++)
		putchar(addr[i] > ' ' && addr[i] < 0x7f ? addr[i] : '?');
}

/* A PTY: the slave's index, modes, termios and what is queued. */
static void print_lock(const struct ckpt_hdr_lock *l)
{
	static const char * const kinds[] = {
		[CKPT_LOCK_POSIX] = "posix", [CKPT_LOCK_OFD] = "ofd",
		[CKPT_LOCK_FLOCK] = "flock",
	};

	printf("%s %s owner %d file %d pid %d bytes %llu-",
	       l->kind < 4 && kinds[l->kind] ? kinds[l->kind] : "?",
	       l->type ? "write" : "read", l->owner_objref, l->file_objref,
	       l->pid, (unsigned long long)l->start);
	if (l->end == CKPT_LOCK_EOF)
		printf("end");
	else
		printf("%llu", (unsigned long long)l->end);
}

static void print_pty(const struct ckpt_hdr_pty *p)
{
	static const char * const flags[] = {
		"locked", "packet", "master-excl", "slave-excl",
		"slave-closed", "master-stopped", "master-tcooff",
		"slave-stopped", "slave-tcooff", "lnext",
	};
	unsigned int i;

	printf("objref %d /dev/pts/%u", p->objref, p->index);
	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (p->flags & (1U << i))
			printf(" %s", flags[i]);
	if (p->flags & CKPT_PTY_PACKET)
		printf(" events %#x", p->pktstatus);
	if (p->sid)
		printf(" ctty of session %d group %d", p->sid, p->pgrp);
	printf(" iflag %#o oflag %#o cflag %#o lflag %#o speed %u/%u",
	       p->termios.iflag, p->termios.oflag, p->termios.cflag,
	       p->termios.lflag, p->termios.ispeed, p->termios.ospeed);
	printf(" winsize %ux%u column %u/%u in %u (%u in lines) +%u out %u +%u",
	       p->ws_row, p->ws_col, p->column, p->canon_column, p->in_bytes,
	       p->in_canon, p->in_pending, p->out_bytes, p->out_pending);
}

static void print_unix(const struct ckpt_rec *rec)
{
	static const char * const flags[] = {
		"passcred", "sndbuf", "rcvbuf", "peer_closed", "bound",
		"embryo",
	};
	static const char * const shutdown[] = { "-", "rd", "wr", "rd,wr" };
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	const char *sep = "";
	__u32 f;

	printf("objref %d %s %s", u->objref, ckpt_sock_type_name(u->type),
	       ckpt_unix_state_name(u->state));
	if (u->state == CKPT_UNIX_CONNECTED)
		printf(" peer %d", u->peer_objref);
	if (u->state == CKPT_UNIX_LISTEN)
		printf(" backlog %u pending %u", u->backlog, u->nr_pending);
	printf(" addr ");
	print_unix_addr(rec->path, u->addr_len);
	printf(" flags ");
	for (f = 0; f < ARRAY_SIZE(flags); f++) {
		if (u->flags & (1U << f)) {
			printf("%s%s", sep, flags[f]);
			sep = ",";
		}
	}
	printf("%s shutdown %s sndbuf %u rcvbuf %u nr_skbs %u bytes %llu",
	       *sep ? "" : "-", shutdown[u->shutdown & 3], u->sndbuf,
	       u->rcvbuf, u->nr_skbs, (unsigned long long)u->bytes);
}

/* A queued event: the overflow, or wd, mask, cookie and name ("-": none). */
static void print_inotify_event(const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_inotify_event *e = &rec->u.inotify_event;

	if (e->mask == CKPT_INOTIFY_Q_OVERFLOW) {
		printf("overflow");
		return;
	}
	printf("wd %d mask %#x cookie %#x name %s", e->wd, e->mask, e->cookie,
	       e->name_len ? rec->path : "-");
}

static void print_cred(const struct ckpt_hdr_cred *c)
{
	printf("uid %u/%u/%u/%u gid %u/%u/%u/%u groups %u caps inh %#llx prm %#llx eff %#llx bnd %#llx amb %#llx securebits %#x",
	       c->uid, c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid,
	       c->fsgid, c->ngroups, (unsigned long long)c->cap_inheritable,
	       (unsigned long long)c->cap_permitted,
	       (unsigned long long)c->cap_effective,
	       (unsigned long long)c->cap_bset,
	       (unsigned long long)c->cap_ambient, c->securebits);
}

/* Only the limits that are not unlimited, as "index=soft/hard". */
static void print_rlimits(const struct ckpt_hdr_rlimits *rh)
{
	const char *sep = "";
	int i;

	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		if (rh->rlim[i].max == CKPT_RLIM_INFINITY)
			continue;
		printf("%s%d=%llu/%llu", sep, i,
		       (unsigned long long)rh->rlim[i].cur,
		       (unsigned long long)rh->rlim[i].max);
		sep = " ";
	}
}

/* Signals with an action other than SIG_DFL, as "N:handler/flags". */
static void print_sighand(const struct ckpt_hdr_sighand *s)
{
	const struct ckpt_sigaction *a;
	int i, n = 0;

	printf("objref %d actions", s->objref);
	for (i = 0; i < CKPT_NSIG; i++) {
		a = &s->action[i];
		if (!a->handler && !a->flags)
			continue;
		printf(" %d:%#llx/%#llx", i + 1, (unsigned long long)a->handler,
		       (unsigned long long)a->flags);
		n++;
	}
	if (!n)
		printf(" none");
}

static void print_signal(const struct ckpt_hdr_signal *s)
{
	printf("itimer_real %lluns/%lluns altstack %#llx+%llu flags %#x",
	       (unsigned long long)s->real.value,
	       (unsigned long long)s->real.interval,
	       (unsigned long long)s->altstack_sp,
	       (unsigned long long)s->altstack_size, s->altstack_flags);
	if (s->flags & CKPT_SIGNAL_RESTORE_SIGMASK)
		printf(" saved_sigmask %#llx",
		       (unsigned long long)s->saved_sigmask);
	printf(" itimer_virtual %lluns/%lluns itimer_prof %lluns/%lluns next_timer_id %u",
	       (unsigned long long)s->virt.value,
	       (unsigned long long)s->virt.interval,
	       (unsigned long long)s->prof.value,
	       (unsigned long long)s->prof.interval, s->next_timer_id);
}

static void print_posix_timer(const struct ckpt_hdr_posix_timer *t)
{
	printf("id %d clock %d notify %d signal %d value %#llx left %lluns period %lluns",
	       t->id, t->clockid, t->notify, t->signo,
	       (unsigned long long)t->value,
	       (unsigned long long)t->it.value,
	       (unsigned long long)t->it.interval);
}

static void print_restart_block(const struct ckpt_hdr_restart_block *b)
{
	if (b->kind == CKPT_RESTART_NANOSLEEP)
		printf("nanosleep clock %d", b->clockid);
	else if (b->kind == CKPT_RESTART_FUTEX)
		printf("futex %#llx val %u clock %d%s",
		       (unsigned long long)b->uaddr, b->val, b->clockid,
		       b->futex_flags & CKPT_FUTEX_SHARED ? " shared" : "");
	else
		printf("poll nfds %u%s", b->nfds,
		       b->has_timeout ? "" : " no timeout");
	printf(" left %lluns", (unsigned long long)b->remaining);
}

static void print_record(const struct ckpt_reader *r,
			 const struct ckpt_rec *rec)
{
	char name[16];

	if (rec->u.h.type == CKPT_HDR_PIPE ||
	    rec->u.h.type == CKPT_HDR_PIPE_BUF) {
		print_pipe_record(rec);
		return;
	}
	if (rec->u.h.type == CKPT_HDR_TASK && r->section < 0)
		printf("-- section of zombie %d (TREE entry %ld)\n",
		       rec->u.task.pid, r->zombie);
	else if (rec->u.h.type == CKPT_HDR_TASK)
		printf("-- section of task %d (TREE entry %ld)\n",
		       rec->u.task.pid, r->section);
	if (rec->u.h.type == CKPT_HDR_TAIL)
		printf("-- end of the sections\n");

	snprintf(name, sizeof(name), "%*s%s", 2 * rec->depth, "",
		 ckpt_type_name(rec->u.h.type));
	printf("%8llu  %-8s %7u  ", (unsigned long long)rec->off, name,
	       rec->u.h.len);
	switch (rec->u.h.type) {
	case CKPT_HDR_HEADER:
		print_header(&rec->u.header);
		break;
	case CKPT_HDR_TREE:
		print_tree(r, rec);
		break;
	case CKPT_HDR_TASK:
		print_task(&rec->u.task);
		break;
	case CKPT_HDR_MM:
		print_mm(rec);
		break;
	case CKPT_HDR_VMA:
		print_vma(rec);
		break;
	case CKPT_HDR_COW:
		printf("addr %#llx nr_pages %u: the parent's",
		       (unsigned long long)rec->u.cow.addr,
		       rec->u.cow.nr_pages);
		break;
	case CKPT_HDR_CPU:
		print_cpu(&rec->u.cpu);
		break;
	case CKPT_HDR_PAGES:
		printf("addr %#llx nr_pages %u",
		       (unsigned long long)rec->u.pages.addr,
		       rec->u.pages.nr_pages);
		break;
	case CKPT_HDR_TAIL:
		printf("xxh64 %016llx ok records %u",
		       (unsigned long long)rec->u.tail.xxh64,
		       rec->u.tail.nr_records);
		break;
	case CKPT_HDR_CRED:
		print_cred(&rec->u.cred);
		break;
	case CKPT_HDR_RLIMITS:
		print_rlimits(&rec->u.rlimits);
		break;
	case CKPT_HDR_SIGHAND:
		print_sighand(&rec->u.sighand);
		break;
	case CKPT_HDR_SIGNAL:
		print_signal(&rec->u.signal);
		break;
	case CKPT_HDR_SIGINFO:
		printf("signal %d %s code %d errno %d",
		       rec->u.siginfo.signo,
		       rec->u.siginfo.queue == CKPT_SIGQ_THREAD ? "thread" :
								  "process",
		       rec->u.siginfo.si_code, rec->u.siginfo.si_errno);
		break;
	case CKPT_HDR_POSIX_TIMER:
		print_posix_timer(&rec->u.posix_timer);
		break;
	case CKPT_HDR_RESTART_BLOCK:
		print_restart_block(&rec->u.restart_block);
		break;
	case CKPT_HDR_CGROUP:
		printf("%s", rec->path);
		break;
	case CKPT_HDR_FS:
		printf("objref %d umask %03o cwd %s", rec->u.fs.objref,
		       rec->u.fs.umask, rec->path);
		break;
	case CKPT_HDR_FILE:
		print_file(rec);
		break;
	case CKPT_HDR_FILE_DATA:
		printf("objref %d offset %llu len %u", rec->u.file_data.objref,
		       (unsigned long long)rec->u.file_data.offset,
		       rec->u.file_data.len);
		break;
	case CKPT_HDR_UNLINKED:
		printf("objref %d mode %#o uid %u gid %u size %llu data %llu atime %lld.%09u mtime %lld.%09u",
		       rec->u.unlinked.objref, rec->u.unlinked.mode,
		       rec->u.unlinked.uid, rec->u.unlinked.gid,
		       (unsigned long long)rec->u.unlinked.size,
		       (unsigned long long)rec->u.unlinked.data,
		       (long long)rec->u.unlinked.atime_sec,
		       rec->u.unlinked.atime_nsec,
		       (long long)rec->u.unlinked.mtime_sec,
		       rec->u.unlinked.mtime_nsec);
		break;
	case CKPT_HDR_FILES:
		printf("objref %d nr_fds %u", rec->u.files.objref,
		       rec->u.files.nr_fds);
		break;
	case CKPT_HDR_FD:
		printf("fd %d file %d%s", rec->u.fd.fd, rec->u.fd.file_objref,
		       rec->u.fd.flags & CKPT_FD_CLOEXEC ? " cloexec" : "");
		break;
	case CKPT_HDR_EVENTFD:
		printf("objref %d count %llu%s", rec->u.eventfd.objref,
		       (unsigned long long)rec->u.eventfd.count,
		       rec->u.eventfd.flags & CKPT_EVENTFD_SEMAPHORE ?
		       " semaphore" : "");
		break;
	case CKPT_HDR_SIGNALFD:
		printf("objref %d mask %#llx", rec->u.signalfd.objref,
		       (unsigned long long)rec->u.signalfd.sigmask);
		break;
	case CKPT_HDR_TIMERFD:
		print_timerfd(&rec->u.timerfd);
		break;
	case CKPT_HDR_EPOLL:
		printf("objref %d nr_items %u", rec->u.epoll.objref,
		       rec->u.epoll.nr_items);
		break;
	case CKPT_HDR_EPOLL_ITEM:
		printf("fd %d file %d events %#x data %#llx",
		       rec->u.epoll_item.fd, rec->u.epoll_item.file_objref,
		       rec->u.epoll_item.events,
		       (unsigned long long)rec->u.epoll_item.data);
		break;
	case CKPT_HDR_UNIX:
		print_unix(rec);
		break;
	case CKPT_HDR_UNIX_SKB:
		printf("len %u", rec->u.unix_skb.len);
		break;
	case CKPT_HDR_PTY:
		print_pty(&rec->u.pty);
		break;
	case CKPT_HDR_INOTIFY:
		printf("objref %d next_wd %d nr_events %u nr_watches %u",
		       rec->u.inotify.objref, rec->u.inotify.next_wd,
		       rec->u.inotify.nr_events, rec->u.inotify.nr_watches);
		break;
	case CKPT_HDR_INOTIFY_EVENT:
		print_inotify_event(rec);
		break;
	case CKPT_HDR_INOTIFY_WATCH:
		printf("wd %d mask %#x mode %#o %s", rec->u.inotify_watch.wd,
		       rec->u.inotify_watch.mask, rec->u.inotify_watch.mode,
		       rec->path);
		break;
	case CKPT_HDR_LOCK:
		print_lock(&rec->u.lock);
		break;
	}
	putchar('\n');
}

static int open_input(int argc, char **argv)
{
	const char *path;
	int fd;

	if (argc > 2) {
		fprintf(stderr, "ckptinfo: too many arguments\n");
		usage(stderr);
		return -1;
	}
	if (argc == 2 && argv[1][0] == '-' && argv[1][1]) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			exit(0);
		}
		fprintf(stderr, "ckptinfo: unknown option '%s'\n", argv[1]);
		usage(stderr);
		return -1;
	}
	if (argc < 2 || !strcmp(argv[1], "-"))
		return 0;
	path = argv[1];
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "ckptinfo: cannot open %s: %s\n", path,
			strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	static struct ckpt_rec rec;
	struct ckpt_reader r;
	int fd, ret;

	fd = open_input(argc, argv);
	if (fd < 0)
		return 1;
	if (ckpt_reader_init(&r, fd)) {
		fprintf(stderr, "ckptinfo: %s\n", strerror(errno));
		return 1;
	}
	while ((ret = ckpt_reader_next(&r, &rec)) > 0)
		print_record(&r, &rec);
	/* a bad buffer: what was read of its pipe */
	if (cur_pipe.pending)
		print_pipe();
	fflush(stdout);
	if (ret < 0)
		fprintf(stderr, "ckptinfo: %s at offset %llu\n", r.err,
			(unsigned long long)r.err_off);
	ckpt_reader_fini(&r);
	return ret < 0 ? 1 : 0;
}
