// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image reader: a pty's FILEs and its PTY record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---- ptys: the PTY after the first FILE naming one ---- */

static __u32 rd_rdev_major(__u32 rdev)
{
	return (rdev & 0xfff00) >> 8;
}

static __u32 rd_rdev_minor(__u32 rdev)
{
	return (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
}

/*
 * A FILE of a pty names its end by rdev: /dev/ptmx's for the master, of
 * f_flags its PTY's and once, the slave's device for a slave.  Checked
 * when the pty is known: at once, or once its PTY record was read.
 */
static int rd_pty_file_end(struct ckpt_reader *r, const struct ckpt_rec *rec,
			   const struct ckpt_hdr_file *f,
			   struct ckpt_pty_seen *p)
{
	if (f->rdev == RD_PTY_MASTER_RDEV) {
		if (p->master_taken || f->f_flags != p->master_flags)
			return rd_err(r, rec->off,
				      "pty FILE objref %d: a second master of pty %d, or flags %#o, not its PTY's %#o",
				      f->objref, p->objref, f->f_flags,
				      p->master_flags);
		p->master_taken = 1;
		return 0;
	}
	if (rd_rdev_minor(f->rdev) != p->index ||
	    p->flags & CKPT_PTY_SLAVE_CLOSED)
		return rd_err(r, rec->off,
			      "pty FILE objref %d: slave %u:%u of pty %d (/dev/pts/%u%s)",
			      f->objref, rd_rdev_major(f->rdev),
			      rd_rdev_minor(f->rdev), p->objref, p->index,
			      p->flags & CKPT_PTY_SLAVE_CLOSED ?
			      ", whose slave is closed" : "");
	return 0;
}

int rd_file_pty(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	struct ckpt_pty_seen *p;
	const char *owner;

	if ((f->mode & 0170000) != 0020000 || f->pos || f->size ||
	    f->f_flags & ~CKPT_PTY_FILE_FLAGS_ALL ||
	    (f->f_flags & 3) == 3 ||
	    (f->rdev != RD_PTY_MASTER_RDEV &&
	     rd_rdev_major(f->rdev) != RD_PTY_SLAVE_MAJOR))
		return rd_err(r, rec->off,
			      "pty FILE objref %d: mode %#o, flags %#o, rdev %#x, offset or size not 0",
			      f->objref, f->mode, f->f_flags, f->rdev);
	p = rd_pty_find(r, f->obj_objref);
	if (p)
		return rd_pty_file_end(r, rec, f, p);
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: pty objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	r->pty_first = *f;
	r->state = RD_PTY;
	return 0;
}

/* Every field of a PTY record its queues do not say, as the kernel. */
static int rd_pty_fields(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_pty *p = &rec->u.pty;
	const struct ckpt_termios *t = &p->termios;
	const __u32 stop_m = CKPT_PTY_MASTER_STOPPED | CKPT_PTY_MASTER_TCOOFF;
	const __u32 stop_s = CKPT_PTY_SLAVE_STOPPED | CKPT_PTY_SLAVE_TCOOFF;
	int canon = !!(t->lflag & RD_ICANON);
	long pid_max = ckpt_pid_max();

	if (p->objref != r->pty_first.obj_objref ||
	    p->index >= CKPT_PTY_INDEX_MAX || p->flags & ~CKPT_PTY_FLAGS_ALL ||
	    (p->flags & stop_m) == CKPT_PTY_MASTER_TCOOFF ||
	    (p->flags & stop_s) == CKPT_PTY_SLAVE_TCOOFF ||
	    (!canon && p->flags & CKPT_PTY_LNEXT) ||
	    p->master_flags & ~CKPT_PTY_FILE_FLAGS_ALL ||
	    (p->master_flags & 3) != 2 ||
	    p->pktstatus & ~CKPT_PTY_PKTSTATUS_ALL ||
	    (p->sid ? p->sid < 0 || p->sid >= pid_max || p->pgrp <= 0 ||
		      p->pgrp >= pid_max : p->pgrp != 0))
		return rd_err(r, rec->off,
			      "PTY objref %d (FILE names %d), index %u, flags %#x, master flags %#o, packet events %#x, session %d, group %d",
			      p->objref, r->pty_first.obj_objref, p->index,
			      p->flags, p->master_flags, p->pktstatus, p->sid,
			      p->pgrp);
	if (t->iflag & ~CKPT_PTY_IFLAGS || t->oflag & ~CKPT_PTY_OFLAGS ||
	    t->lflag & ~CKPT_PTY_LFLAGS || t->cflag & ~CKPT_PTY_CFLAGS ||
	    (t->cflag & RD_CSIZE_CREAD_PARENB) != RD_CS8_CREAD ||
	    t->line != RD_N_TTY || t->pad)
		return rd_err(r, rec->off,
			      "PTY objref %d: termios iflag %#o oflag %#o cflag %#o lflag %#o line %u",
			      p->objref, t->iflag, t->oflag, t->cflag, t->lflag,
			      t->line);
	if (p->in_bytes > (canon ? CKPT_PTY_BUF_SIZE : CKPT_PTY_BUF_SIZE - 1) ||
	    p->in_canon > p->in_bytes || (!canon && p->in_canon) ||
	    p->in_pending > CKPT_PTY_PENDING_MAX ||
	    p->out_bytes >= CKPT_PTY_BUF_SIZE ||
	    p->out_pending > CKPT_PTY_PENDING_MAX)
		return rd_err(r, rec->off,
			      "PTY objref %d: to the slave %u bytes, %u in lines, %u pending; to the master %u, %u pending",
			      p->objref, p->in_bytes, p->in_canon, p->in_pending,
			      p->out_bytes, p->out_pending);
	if (p->slave_mode & ~07777U || p->pad ||
	    p->slave_atime_nsec >= 1000000000U ||
	    p->slave_mtime_nsec >= 1000000000U ||
	    p->slave_uid == (__u32)-1 || p->slave_gid == (__u32)-1)
		return rd_err(r, rec->off,
			      "PTY objref %d: /dev/pts/%u owner %u:%u mode %#o",
			      p->objref, p->index, p->slave_uid, p->slave_gid,
			      p->slave_mode);
	return rd_len(r, rec, sizeof(*p) + CKPT_ALIGN_UP(p->in_bytes) +
		      CKPT_ALIGN_UP((p->in_canon + 7) / 8) +
		      CKPT_ALIGN_UP(p->in_pending) +
		      CKPT_ALIGN_UP(p->out_bytes) +
		      CKPT_ALIGN_UP(p->out_pending));
}

/*
 * A PTY record: its fields, its queues (the line ends within the
 * complete lines, the last of which ends), and the FILE that named the
 * pty first, which must be one of its ends.
 */
int rd_pty(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_pty *p = &rec->u.pty;
	struct ckpt_pty_seen *seen;
	__u32 canon, eol;
	unsigned char last;

	if (rec->u.h.len < sizeof(*p))
		return rd_len(r, rec, sizeof(*p));
	if (rd_body(r, rec, sizeof(*p)) || rd_pty_fields(r, rec))
		return -1;
	canon = p->in_canon;
	eol = (canon + 7) / 8;
	if ((p->in_bytes && rd_data(r, p->in_bytes, rec)) ||
	    (eol && rd_data(r, eol, rec)))
		return -1;
	if (eol) {
		last = r->buf[eol - 1];
		if (!(r->buf[(canon - 1) / 8] & (1U << ((canon - 1) % 8))) ||
		    (canon % 8 && last & ~((1U << (canon % 8)) - 1)))
			return rd_err(r, rec->off,
				      "PTY objref %d: its %u bytes of complete lines do not end a line, or have line ends past them",
				      p->objref, canon);
	}
	if ((p->in_pending && rd_data(r, p->in_pending, rec)) ||
	    (p->out_bytes && rd_data(r, p->out_bytes, rec)) ||
	    (p->out_pending && rd_data(r, p->out_pending, rec)))
		return -1;
	seen = realloc(r->ptys, (r->nr_ptys + 1) * sizeof(*r->ptys));
	if (!seen)
		return rd_err(r, rec->off, "out of memory");
	r->ptys = seen;
	seen += r->nr_ptys++;
	seen->objref = p->objref;
	seen->index = p->index;
	seen->flags = p->flags;
	seen->master_flags = p->master_flags;
	seen->master_taken = 0;
	r->state = RD_EXTRA;
	return rd_pty_file_end(r, rec, &r->pty_first, seen);
}
