// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image reader: eventfd, signalfd, timerfd, epoll and inotify.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---- eventfd, signalfd, timerfd, epoll: a record after their FILE ---- */

/* The record of the FILE before it: it carries that FILE's objref. */
static int rd_anon_objref(struct ckpt_reader *r, const struct ckpt_rec *rec,
			  __s32 objref)
{
	if (objref != r->anon_file)
		return rd_err(r, rec->off, "%s objref %d after FILE objref %d",
			      ckpt_type_name(rec->u.h.type), objref,
			      r->anon_file);
	r->state = RD_EXTRA;
	return 0;
}

int rd_eventfd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_eventfd *e = &rec->u.eventfd;

	if (rd_len(r, rec, sizeof(*e)) || rd_body(r, rec, sizeof(*e)) ||
	    rd_anon_objref(r, rec, e->objref))
		return -1;
	if (e->flags & ~CKPT_EVENTFD_SEMAPHORE)
		return rd_err(r, rec->off, "unknown EVENTFD flags %#x",
			      e->flags);
	/* eventfd_write() never lets the counter reach ULLONG_MAX */
	if (e->count == ~0ULL)
		return rd_err(r, rec->off, "bad EVENTFD count %#llx",
			      (unsigned long long)e->count);
	return 0;
}

int rd_signalfd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signalfd *s = &rec->u.signalfd;

	if (rd_len(r, rec, sizeof(*s)) || rd_body(r, rec, sizeof(*s)) ||
	    rd_anon_objref(r, rec, s->objref))
		return -1;
	if (s->pad)
		return rd_err(r, rec->off, "nonzero SIGNALFD padding");
	/* signalfd() drops them: they are never read from one */
	if (s->sigmask & RD_SIG_UNBLOCKABLE)
		return rd_err(r, rec->off,
			      "SIGNALFD mask %#llx holds SIGKILL or SIGSTOP",
			      (unsigned long long)s->sigmask);
	return 0;
}

int rd_timerfd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_timerfd *t = &rec->u.timerfd;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)) ||
	    rd_anon_objref(r, rec, t->objref))
		return -1;
	if (!rd_timer_clock_ok(t->clockid))
		return rd_err(r, rec->off, "bad TIMERFD clock %d", t->clockid);
	if (t->flags & ~CKPT_TIMERFD_CANCEL_ON_SET)
		return rd_err(r, rec->off, "unknown TIMERFD flags %#x",
			      t->flags);
	/* only a clock that can be set has settings to cancel on */
	if (t->flags & CKPT_TIMERFD_CANCEL_ON_SET && t->clockid != 0)
		return rd_err(r, rec->off,
			      "TIMERFD cancel-on-set on clock %d, not CLOCK_REALTIME",
			      t->clockid);
	if (t->pad)
		return rd_err(r, rec->off, "nonzero TIMERFD padding");
	return 0;
}

/* An EPOLL record: exactly its nr_items ITEMs follow, nested. */
int rd_epoll(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_epoll *e = &rec->u.epoll;

	if (rec->u.h.len < sizeof(*e))
		return rd_len(r, rec, sizeof(*e));
	if (rd_body(r, rec, sizeof(*e)) || rd_anon_objref(r, rec, e->objref))
		return -1;
	if (e->nr_items > RD_EPOLL_ITEMS_MAX)
		return rd_err(r, rec->off, "EPOLL of %u watches (at most %u)",
			      e->nr_items, RD_EPOLL_ITEMS_MAX);
	if (rd_len(r, rec, sizeof(*e) + (__u64)e->nr_items *
		   sizeof(struct ckpt_hdr_epoll_item)))
		return -1;
	r->epoll_objref = e->objref;
	r->epoll_off = rec->off;
	r->epoll_end = rec->off + rec->u.h.len;
	r->items_left = e->nr_items;
	if (e->nr_items)
		r->state = RD_EPOLL_ITEM;
	return 0;
}

/*
 * A watch is on a file restart has opened already: an earlier FILE
 * record, in any section, and not the epoll itself, which epoll_ctl()
 * refuses and which does not exist yet while its watches are added.
 */
static int rd_epoll_target(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_epoll_item *i = &rec->u.epoll_item;
	const char *owner;

	if (i->file_objref == r->epoll_objref)
		return rd_err(r, rec->off,
			      "EPOLL_ITEM fd %d names its own epoll, objref %d",
			      i->fd, i->file_objref);
	if (rd_file_known(r, i->file_objref))
		return 0;
	owner = rd_objref_owner(r, i->file_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "EPOLL_ITEM fd %d names objref %d, which is a %s, not a file",
			      i->fd, i->file_objref, owner);
	return rd_err(r, rec->off,
		      "EPOLL_ITEM fd %d names file objref %d, which no FILE record before it has",
		      i->fd, i->file_objref);
}

int rd_epoll_item(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_epoll_item *i = &rec->u.epoll_item;

	if (rd_len(r, rec, sizeof(*i)) || rd_body(r, rec, sizeof(*i)))
		return -1;
	if (i->fd < 0)
		return rd_err(r, rec->off, "bad EPOLL_ITEM fd %d", i->fd);
	if (i->pad)
		return rd_err(r, rec->off, "nonzero EPOLL_ITEM padding");
	if (i->events & ~RD_EPOLL_EVENTS)
		return rd_err(r, rec->off,
			      "EPOLL_ITEM fd %d has events %#x, which epoll_ctl() refuses",
			      i->fd, i->events);
	if (rd_epoll_target(r, rec))
		return -1;
	if (!--r->items_left)
		r->state = RD_EXTRA;
	return 0;
}

/* ---- inotify: its EVENTs, then its WATCHes, nested in INOTIFY ---- */

/* After the INOTIFY or one of its records: what comes next. */
static int rd_inotify_next(struct ckpt_reader *r)
{
	if (r->ino_events_left) {
		r->state = RD_INOTIFY_EVENT;
		return 0;
	}
	if (r->ino_watches_left) {
		r->state = RD_INOTIFY_WATCH;
		return 0;
	}
	r->state = RD_EXTRA;
	if (r->pos != r->ino_end)
		return rd_err(r, r->ino_off,
			      "INOTIFY record has %llu bytes after its records",
			      (unsigned long long)(r->ino_end - r->pos));
	return 0;
}

int rd_inotify(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_inotify *i = &rec->u.inotify;
	__u64 least;

	if (rec->u.h.len < sizeof(*i))
		return rd_len(r, rec, sizeof(*i));
	if (rd_body(r, rec, sizeof(*i)) || rd_anon_objref(r, rec, i->objref))
		return -1;
	if (i->next_wd <= 0)
		return rd_err(r, rec->off, "bad INOTIFY next wd %d", i->next_wd);
	if (i->nr_events > CKPT_INOTIFY_EVENTS_MAX ||
	    i->nr_watches > CKPT_INOTIFY_WATCHES_MAX)
		return rd_err(r, rec->off,
			      "INOTIFY of %u events and %u watches (at most %u of each)",
			      i->nr_events, i->nr_watches,
			      CKPT_INOTIFY_EVENTS_MAX);
	/* each record at least its header, a WATCH's path 8 bytes */
	least = sizeof(*i) +
		(__u64)i->nr_events * sizeof(struct ckpt_hdr_inotify_event) +
		(__u64)i->nr_watches *
		(sizeof(struct ckpt_hdr_inotify_watch) + CKPT_ALIGN);
	if (rec->u.h.len < least)
		return rd_err(r, rec->off,
			      "bad INOTIFY record length %u for %u events and %u watches",
			      rec->u.h.len, i->nr_events, i->nr_watches);
	r->ino_off = rec->off;
	r->ino_end = rec->off + rec->u.h.len;
	r->ino_events_left = i->nr_events;
	r->ino_watches_left = i->nr_watches;
	r->ino_last_wd = 0;
	r->ino_overflow = 0;
	return rd_inotify_next(r);
}

/*
 * A queued event: a wd, a mask of what inotify keeps, a name without a
 * '/'; or the queue's one overflow event, wd -1 and nothing else.
 */
int rd_inotify_event(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_inotify_event *e = &rec->u.inotify_event;
	int overflow;

	if (rec->u.h.len < sizeof(*e))
		return rd_len(r, rec, sizeof(*e));
	if (rd_body(r, rec, sizeof(*e)))
		return -1;
	if (e->name_len == 1 || e->name_len > CKPT_INOTIFY_NAME_MAX)
		return rd_err(r, rec->off, "bad INOTIFY_EVENT name length %u",
			      e->name_len);
	if (rd_len(r, rec, sizeof(*e) + CKPT_ALIGN_UP(e->name_len)))
		return -1;
	if (!e->mask || e->mask & ~CKPT_INOTIFY_EVENT_MASK)
		return rd_err(r, rec->off, "bad INOTIFY_EVENT mask %#x",
			      e->mask);
	overflow = e->mask == CKPT_INOTIFY_Q_OVERFLOW;
	if (overflow && (e->wd != -1 || e->cookie || e->name_len ||
			 r->ino_overflow))
		return rd_err(r, rec->off,
			      "bad INOTIFY_EVENT overflow: wd %d cookie %#x name length %u%s",
			      e->wd, e->cookie, e->name_len,
			      r->ino_overflow ? ", after another" : "");
	if (!overflow && (e->wd <= 0 || e->mask & CKPT_INOTIFY_Q_OVERFLOW))
		return rd_err(r, rec->off, "bad INOTIFY_EVENT wd %d mask %#x",
			      e->wd, e->mask);
	rec->path[0] = '\0';
	if (e->name_len && rd_string(r, rec, e->name_len, 0))
		return -1;
	if (strchr(rec->path, '/'))
		return rd_err(r, rec->off, "INOTIFY_EVENT name with a '/'");
	r->ino_overflow |= overflow;
	r->ino_events_left--;
	return rd_inotify_next(r);
}

/* The S_IFMT types of i_mode */
static int rd_inotify_mode_ok(__u32 mode)
{
	switch (mode) {
	case 0140000: case 0120000: case 0100000: case 060000:
	case 040000: case 020000: case 010000:
		return 1;
	}
	return 0;
}

/* A watch: wds increasing, a mask inotify keeps, an absolute path. */
int rd_inotify_watch(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_inotify_watch *w = &rec->u.inotify_watch;

	if (rec->u.h.len < sizeof(*w))
		return rd_len(r, rec, sizeof(*w));
	if (rd_body(r, rec, sizeof(*w)))
		return -1;
	if (w->path_len > CKPT_PATH_MAX ||
	    rd_len(r, rec, sizeof(*w) + CKPT_ALIGN_UP(w->path_len)))
		return rd_err(r, rec->off,
			      "bad INOTIFY_WATCH record length %u for a path of %u bytes",
			      rec->u.h.len, w->path_len);
	if (w->wd <= r->ino_last_wd)
		return rd_err(r, rec->off, "INOTIFY_WATCH wd %d after wd %d",
			      w->wd, r->ino_last_wd);
	if (w->mask & ~CKPT_INOTIFY_WATCH_MASK)
		return rd_err(r, rec->off,
			      "INOTIFY_WATCH wd %d has mask %#x, which inotify does not keep",
			      w->wd, w->mask);
	if (!rd_inotify_mode_ok(w->mode))
		return rd_err(r, rec->off, "INOTIFY_WATCH wd %d of type %#o",
			      w->wd, w->mode);
	if (rd_string(r, rec, w->path_len, 1))
		return -1;
	r->ino_last_wd = w->wd;
	r->ino_watches_left--;
	return rd_inotify_next(r);
}
