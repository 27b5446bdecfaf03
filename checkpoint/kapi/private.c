// SPDX-License-Identifier: GPL-2.0
/*
 * Private structures of the kernel, mirrored: struct eventfd_ctx
 * (fs/eventfd.c, before 6.5), struct inotify_inode_mark and struct
 * inotify_event_info (fs/notify/inotify/inotify.h), struct n_tty_data
 * (drivers/tty/n_tty.c).  6.1 and 6.12 lay them out alike.  No mirror is
 * trusted before it is checked against what the kernel shows otherwise.
 */
#include <linux/bitmap.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/tty.h>
#include <linux/tty_ldisc.h>
#include <linux/wait.h>

#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

#include "internal.h"

/* ---------------------------------------------------------------------- */
/* eventfd */

/*
 * Trusted only if it holds the count and id the fdinfo shows, and flags
 * eventfd2() accepts.  Since 6.5 the fdinfo says it (compat.h).
 */
struct kapi_eventfd_ctx {
	struct kref kref;
	wait_queue_head_t wqh;
	__u64 count;
	unsigned int flags;
	int id;
};

int kapi_eventfd_flags(struct file *file, u64 count, int id)
{
	const struct kapi_eventfd_ctx *c = file->private_data;
	unsigned int flags;

	if (CKPT_EVENTFD_FDINFO_SEMAPHORE)
		return -EOPNOTSUPP;
	flags = READ_ONCE(c->flags);
	if (READ_ONCE(c->count) != count || READ_ONCE(c->id) != id ||
	    flags & ~EFD_FLAGS_SET)
		return -EOPNOTSUPP;
	return flags;
}

/* ---------------------------------------------------------------------- */
/* inotify */

struct kapi_inotify_event_info {
	struct fsnotify_event fse;
	u32 mask;
	int wd;
	u32 sync_cookie;
	int name_len;		/* strlen(name), 0 for none */
	char name[];
};

struct kapi_inotify_mark {
	struct fsnotify_mark fsn_mark;
	int wd;
};

/* The overflow event is inotify's own, made with these fields. */
bool kapi_inotify_layout_ok(struct fsnotify_group *group)
{
	const struct kapi_inotify_event_info *o;

	if (!group->overflow_event)
		return false;
	o = container_of(group->overflow_event,
			 struct kapi_inotify_event_info, fse);
	return o->mask == FS_Q_OVERFLOW && o->wd == -1 && !o->sync_cookie &&
	       !o->name_len;
}

int kapi_inotify_mark_wd(struct fsnotify_group *group,
			 struct fsnotify_mark *mark)
{
	struct kapi_inotify_mark *im = container_of(mark, struct kapi_inotify_mark,
						    fsn_mark);
	int wd = READ_ONCE(im->wd);
	bool ok;

	spin_lock(&group->inotify_data.idr_lock);
	ok = wd > 0 && idr_find(&group->inotify_data.idr, wd) == im;
	spin_unlock(&group->inotify_data.idr_lock);
	return ok ? wd : -EAGAIN;
}

/* Not for the group's overflow event, which has no fields of its own. */
void kapi_inotify_event(struct fsnotify_event *fse,
			struct kapi_inotify_event *e)
{
	const struct kapi_inotify_event_info *i;

	i = container_of(fse, struct kapi_inotify_event_info, fse);
	e->mask = i->mask;
	e->wd = i->wd;
	e->cookie = i->sync_cookie;
	e->name_len = i->name_len;
	e->name = i->name;
}

struct fsnotify_event *kapi_inotify_event_new(const struct kapi_inotify_event *e)
{
	struct kapi_inotify_event_info *i;
	size_t len = e->name_len ? e->name_len + 1 : 0;

	/* inotify frees its events with kfree(), charged as its own */
	i = kmalloc(struct_size(i, name, len), GFP_KERNEL_ACCOUNT);
	if (!i)
		return NULL;
	fsnotify_init_event(&i->fse);
	i->mask = e->mask;
	i->wd = e->wd;
	i->sync_cookie = e->cookie;
	i->name_len = e->name_len;
	if (len)
		memcpy(i->name, e->name, len);
	return &i->fse;
}

/* ---------------------------------------------------------------------- */
/* N_TTY */

/* 6.6 made the buffers u8 and num_overrun unsigned, of the same sizes. */
struct kapi_n_tty_data {
	size_t read_head;
	size_t commit_head;
	size_t canon_head;
	size_t echo_head;
	size_t echo_commit;
	size_t echo_mark;
	DECLARE_BITMAP(char_map, 256);
	unsigned long overrun_time;
	unsigned int num_overrun;
	bool no_room;
	unsigned char lnext:1, erasing:1, raw:1, real_raw:1, icanon:1;
	unsigned char push:1;
	u8 read_buf[N_TTY_BUF_SIZE];
	DECLARE_BITMAP(read_flags, N_TTY_BUF_SIZE);
	u8 echo_buf[N_TTY_BUF_SIZE];
	size_t read_tail;
	size_t line_start;
	size_t lookahead_count;
	unsigned int column;
	unsigned int canon_column;
	size_t echo_tail;
	struct mutex atomic_read_lock;
	struct mutex output_lock;
};

/* The special characters n_tty_set_termios() maps for @tty's termios. */
static void kapi_n_tty_char_map(const struct tty_struct *tty,
				unsigned long *map)
{
	bitmap_zero(map, 256);
	if (I_IGNCR(tty) || I_ICRNL(tty))
		__set_bit('\r', map);
	if (I_INLCR(tty))
		__set_bit('\n', map);
	if (L_ICANON(tty)) {
		__set_bit(ERASE_CHAR(tty), map);
		__set_bit(KILL_CHAR(tty), map);
		__set_bit(EOF_CHAR(tty), map);
		__set_bit('\n', map);
		__set_bit(EOL_CHAR(tty), map);
		if (L_IEXTEN(tty)) {
			__set_bit(WERASE_CHAR(tty), map);
			__set_bit(LNEXT_CHAR(tty), map);
			__set_bit(EOL2_CHAR(tty), map);
			if (L_ECHO(tty))
				__set_bit(REPRINT_CHAR(tty), map);
		}
	}
	if (I_IXON(tty)) {
		__set_bit(START_CHAR(tty), map);
		__set_bit(STOP_CHAR(tty), map);
	}
	if (L_ISIG(tty)) {
		__set_bit(INTR_CHAR(tty), map);
		__set_bit(QUIT_CHAR(tty), map);
		__set_bit(SUSP_CHAR(tty), map);
	}
	__clear_bit(__DISABLED_CHAR, map);
}

/*
 * Is @ld, @tty's N_TTY state, laid out as the mirror says?  Its
 * counters in range, its mode bits and, unless raw, its map of special
 * characters those n_tty_set_termios() derives from @tty's termios.
 * The caller holds @tty's termios_rwsem.
 */
static bool kapi_n_tty_sane(const struct tty_struct *tty,
			    const struct kapi_n_tty_data *ld)
{
	DECLARE_BITMAP(map, 256);
	size_t n = ld->read_head - ld->read_tail;
	bool cooked = I_ISTRIP(tty) || I_IUCLC(tty) || I_IGNCR(tty) ||
		      I_ICRNL(tty) || I_INLCR(tty) || L_ICANON(tty) ||
		      I_IXON(tty) || L_ISIG(tty) || L_ECHO(tty) ||
		      I_PARMRK(tty);

	if (n > N_TTY_BUF_SIZE || ld->icanon != !!L_ICANON(tty) ||
	    (ld->icanon ? ld->canon_head - ld->read_tail > n :
			  ld->commit_head - ld->read_tail > n) ||
	    ld->echo_head - ld->echo_tail > N_TTY_BUF_SIZE ||
	    ld->raw == cooked || (ld->real_raw && !ld->raw))
		return false;
	if (ld->raw)
		return true;
	kapi_n_tty_char_map(tty, map);
	return bitmap_equal(map, ld->char_map, 256);
}

int kapi_n_tty(struct tty_struct *tty, struct kapi_n_tty *v)
{
	const struct kapi_n_tty_data *ld = tty->disc_data;

	if (!ld || !kapi_n_tty_sane(tty, ld))
		return -EOPNOTSUPP;
	v->read_head = ld->read_head;
	v->commit_head = ld->commit_head;
	v->canon_head = ld->canon_head;
	v->read_tail = ld->read_tail;
	v->echo_head = ld->echo_head;
	v->echo_commit = ld->echo_commit;
	v->echo_mark = ld->echo_mark;
	v->echo_tail = ld->echo_tail;
	v->lookahead_count = ld->lookahead_count;
	v->column = ld->column;
	v->canon_column = ld->canon_column;
	v->icanon = ld->icanon;
	v->erasing = ld->erasing;
	v->lnext = ld->lnext;
	v->read_buf = ld->read_buf;
	v->read_flags = ld->read_flags;
	return 0;
}

/* Only once kapi_n_tty() found @tty's state laid out as the mirror. */
void kapi_n_tty_set_column(struct tty_struct *tty, unsigned int column,
			   unsigned int canon_column)
{
	struct kapi_n_tty_data *ld = tty->disc_data;

	mutex_lock(&ld->output_lock);
	ld->column = column;
	ld->canon_column = canon_column;
	mutex_unlock(&ld->output_lock);
}

/* TIOCINQ of @tty's line discipline, regs->di being the tty. */
static long kapi_tty_inq_call(const struct pt_regs *regs)
{
	struct tty_struct *tty = (struct tty_struct *)regs->di;
	struct tty_ldisc *ld = tty_ldisc_ref(tty);
	long ret = -EIO;

	if (ld) {
		if (ld->ops->ioctl)
			ret = ld->ops->ioctl(tty, TIOCINQ, regs->si);
		tty_ldisc_deref(ld);
	}
	return ret;
}

int kapi_tty_inq(struct tty_struct *tty, unsigned int *inq)
{
	struct pt_regs regs = { .di = (unsigned long)tty };
	long ret;

	ret = kapi_syscall_ubuf(kapi_tty_inq_call, &regs, &regs.si, inq,
				sizeof(*inq), true);
	return ret < 0 ? (int)ret : 0;
}
