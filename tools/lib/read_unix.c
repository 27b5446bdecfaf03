// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image reader: unix sockets, UNIX and UNIX_SKB.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---- unix sockets: UNIX records after the first FILE naming one ---- */

/* What a UNIX record's own fields must say, wherever it stands. */
static int rd_unix_fields(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	const char *state = ckpt_unix_state_name(u->state);
	int connected = u->state == CKPT_UNIX_CONNECTED;
	int listening = u->state == CKPT_UNIX_LISTEN;

	if (listening ? u->nr_pending > u->backlog + 1ULL : u->nr_pending)
		return rd_err(r, rec->off,
			      "%s UNIX objref %d with %u connections pending",
			      state, u->objref, u->nr_pending);
	if (u->flags & CKPT_UNIX_EMBRYO &&
	    (!connected || u->flags != CKPT_UNIX_EMBRYO || u->addr_len))
		return rd_err(r, rec->off,
			      "UNIX objref %d: an embryo with flags %#x, address of %u bytes",
			      u->objref, u->flags, u->addr_len);
	if (u->type != RD_SOCK_STREAM && u->type != RD_SOCK_DGRAM &&
	    u->type != RD_SOCK_SEQPACKET)
		return rd_err(r, rec->off, "bad UNIX type %u", u->type);
	if (u->state < CKPT_UNIX_UNCONNECTED || u->state > CKPT_UNIX_LISTEN)
		return rd_err(r, rec->off, "bad UNIX state %u", u->state);
	if (u->flags & ~CKPT_UNIX_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown UNIX flags %#x", u->flags);
	if (u->flags & CKPT_UNIX_UNLINKED && !(u->flags & CKPT_UNIX_BOUND))
		return rd_err(r, rec->off, "UNIX objref %d: UNLINKED, not bound",
			      u->objref);
	if (u->shutdown & ~(CKPT_UNIX_SHUT_RD | CKPT_UNIX_SHUT_WR))
		return rd_err(r, rec->off, "unknown UNIX shutdown %#x",
			      u->shutdown);
	if (connected ? u->peer_objref <= 0 : u->peer_objref != 0)
		return rd_err(r, rec->off,
			      "%s UNIX objref %d with peer objref %d", state,
			      u->objref, u->peer_objref);
	/* listen() refuses a datagram socket */
	if (listening && u->type == RD_SOCK_DGRAM)
		return rd_err(r, rec->off, "listening dgram UNIX objref %d",
			      u->objref);
	if (listening ? u->backlog > RD_UNIX_BACKLOG_MAX : u->backlog != 0)
		return rd_err(r, rec->off, "%s UNIX objref %d with backlog %u",
			      state, u->objref, u->backlog);
	/* listen() refuses an unbound socket: a listener has a name */
	if (listening && !u->addr_len)
		return rd_err(r, rec->off,
			      "listening UNIX objref %d without an address",
			      u->objref);
	/*
	 * Queues are saved for connected sockets only: a listener's holds
	 * connections not accepted yet, not data, and an unconnected
	 * socket's has no peer in the image to have sent it.
	 */
	if (!connected && u->nr_skbs)
		return rd_err(r, rec->off, "%s UNIX objref %d with %u skbs",
			      state, u->objref, u->nr_skbs);
	/* only an accepted socket has an address it was not bound to */
	if (u->flags & CKPT_UNIX_BOUND ? !u->addr_len :
	    u->addr_len && (!connected || u->type == RD_SOCK_DGRAM))
		return rd_err(r, rec->off,
			      "%s UNIX objref %d: address of %u bytes, flags %#x",
			      state, u->objref, u->addr_len, u->flags);
	return 0;
}

/*
 * The sizes: what the counts allow is checked here, so that a record
 * that cannot add up fails at its start; the skbs are checked against
 * them as they come.
 */
static int rd_unix_size(struct ckpt_reader *r, const struct ckpt_rec *rec,
			int attrs)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	__u64 base;

	if (u->addr_len > RD_UNIX_PATH_MAX)
		return rd_err(r, rec->off, "bad UNIX address length %u",
			      u->addr_len);
	if (u->nr_skbs > CKPT_UNIX_SKBS_MAX)
		return rd_err(r, rec->off, "UNIX of %u skbs (at most %u)",
			      u->nr_skbs, CKPT_UNIX_SKBS_MAX);
	if (u->bytes > CKPT_UNIX_BYTES_MAX)
		return rd_err(r, rec->off, "UNIX of %llu bytes (at most %u)",
			      (unsigned long long)u->bytes,
			      CKPT_UNIX_BYTES_MAX);
	/* each skb holds up to CKPT_UNIX_SKB_MAX bytes, a stream one 1+ */
	if ((u->type == RD_SOCK_STREAM && u->bytes < u->nr_skbs) ||
	    u->bytes > (__u64)u->nr_skbs * CKPT_UNIX_SKB_MAX)
		return rd_err(r, rec->off,
			      "UNIX of %u skbs cannot hold %llu bytes",
			      u->nr_skbs, (unsigned long long)u->bytes);
	/* each skb's data is padded by 0 to CKPT_ALIGN - 1 bytes */
	base = sizeof(*u) + CKPT_ALIGN_UP(u->addr_len) + (__u64)u->nr_skbs *
	       sizeof(struct ckpt_hdr_unix_skb) + u->bytes;
	if (rec->u.h.len < base ||
	    rec->u.h.len > base + (__u64)u->nr_skbs * (CKPT_ALIGN - 1) +
			   (attrs ? sizeof(struct ckpt_unix_attrs) : 0) +
			   (__u64)u->nr_skbs * CKPT_ALIGN_UP(CKPT_UNIX_SKB_FDS_MAX *
						      sizeof(__s32)))
		return rd_err(r, rec->off,
			      "bad UNIX record length %u for an address of %u bytes and %u skbs of %llu bytes",
			      rec->u.h.len, u->addr_len, u->nr_skbs,
			      (unsigned long long)u->bytes);
	return 0;
}

/*
 * A connected pair is one object.  The first record of a socket names a
 * peer not met before, whose record comes right after it; that one
 * names it back, with the same type, and only it may be PEER_CLOSED:
 * the end met first is the one a FILE named.  An objref names one
 * object, so the peer's is no earlier socket's, nor anything else's.
 */
static int rd_unix_pair(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	const char *owner;

	if (u->flags & CKPT_UNIX_PEER_CLOSED && !r->unix_first)
		return rd_err(r, rec->off,
			      "PEER_CLOSED on UNIX objref %d, which is not the second record of a connected pair",
			      u->objref);
	if (r->unix_first) {
		if (u->peer_objref == r->unix_first &&
		    u->type == r->unix_type)
			return 0;
		return rd_err(r, rec->off,
			      "UNIX objref %d (%s, peer %d) is not the peer of the %s socket %d before it",
			      u->objref, ckpt_sock_type_name(u->type),
			      u->peer_objref, ckpt_sock_type_name(r->unix_type),
			      r->unix_first);
	}
	if (u->state != CKPT_UNIX_CONNECTED)
		return 0;
	if (u->peer_objref == u->objref)
		return rd_err(r, rec->off, "UNIX objref %d is its own peer",
			      u->objref);
	owner = rd_objref_owner(r, u->peer_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "UNIX objref %d: peer objref %d is already taken (%s)",
			      u->objref, u->peer_objref, owner);
	if (rd_refset_add(&r->socks, u->peer_objref))
		return rd_err(r, rec->off, "out of memory");
	r->unix_peer = u->peer_objref;
	r->unix_type = u->type;
	return 0;
}

/*
 * After a listener, its pending connections: each the connecting
 * socket's record (a new objref, its peer the embryo's new one, nothing
 * queued for it), then the embryo's (EMBRYO, naming it back), which no
 * FILE may name.
 */
static int rd_unix_pending(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	const char *owner;

	if (r->unix_client) {
		if (u->objref == r->unix_objref &&
		    u->peer_objref == r->unix_client &&
		    u->flags & CKPT_UNIX_EMBRYO && u->type == r->unix_lsn_type)
			return rd_refset_add(&r->closed_socks, u->objref) ?
			       rd_err(r, rec->off, "out of memory") : 0;
		return rd_err(r, rec->off,
			      "UNIX objref %d is not the embryo %d of the socket %d connecting before it",
			      u->objref, r->unix_objref, r->unix_client);
	}
	if (u->state != CKPT_UNIX_CONNECTED || u->flags & CKPT_UNIX_EMBRYO ||
	    u->nr_skbs || u->type != r->unix_lsn_type ||
	    u->peer_objref == u->objref)
		return rd_err(r, rec->off,
			      "UNIX objref %d (%s %s, peer %d, %u skbs) is no connection waiting at a %s listener",
			      u->objref, ckpt_unix_state_name(u->state),
			      ckpt_sock_type_name(u->type), u->peer_objref,
			      u->nr_skbs, ckpt_sock_type_name(r->unix_lsn_type));
	owner = rd_objref_owner(r, u->objref) ?:
		rd_objref_owner(r, u->peer_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "UNIX objref %d, peer %d: an objref is already taken (%s)",
			      u->objref, u->peer_objref, owner);
	if (rd_refset_add(&r->socks, u->objref) ||
	    rd_refset_add(&r->socks, u->peer_objref))
		return rd_err(r, rec->off, "out of memory");
	return 0;
}

/* After a path a socket is BOUND to: its file's owner and mode. */
static int rd_unix_attrs(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_unix_attrs ua;

	if (rd_data(r, sizeof(ua), rec))
		return -1;
	memcpy(&ua, r->buf, sizeof(ua));
	if ((ua.mode & RD_S_IFMT) != RD_S_IFSOCK ||
	    ua.mode & ~(RD_S_IFMT | 07777) || ua.pad ||
	    ua.uid == (__u32)-1 || ua.gid == (__u32)-1)
		return rd_err(r, rec->off,
			      "UNIX objref %d: its file of mode %#o, owner %u:%u, padding %u",
			      rec->u.unix_sock.objref, ua.mode, ua.uid, ua.gid,
			      ua.pad);
	return 0;
}

/*
 * The bound address, into rec->path: a leading NUL makes it abstract,
 * any bytes; otherwise it is a path, absolute - restart binds it again
 * and cannot know what a relative one was relative to - and ending in
 * its only NUL.
 */
static int rd_unix_addr(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.unix_sock.addr_len;

	rec->path[0] = '\0';
	if (!n)
		return 0;
	if (rd_data(r, n, rec))
		return -1;
	memcpy(rec->path, r->buf, n);
	if (rec->path[0] &&
	    (rec->path[0] != '/' || strnlen(rec->path, n) != n - 1))
		return rd_err(r, rec->off,
			      "UNIX objref %d bound to a path that is not absolute and NUL-terminated",
			      rec->u.unix_sock.objref);
	/* an abstract name is no file: nothing to unlink */
	if (rec->u.unix_sock.flags & CKPT_UNIX_UNLINKED && !rec->path[0])
		return rd_err(r, rec->off,
			      "UNIX objref %d: UNLINKED, bound to an abstract name",
			      rec->u.unix_sock.objref);
	if (rec->u.unix_sock.flags & CKPT_UNIX_BOUND && rec->path[0])
		return rd_unix_attrs(r, rec);
	/* an abstract name has no file: its record no room for one */
	return rd_unix_size(r, rec, 0);
}

/*
 * After a socket's record and skbs: its new peer's record, a listener's
 * pending connections, or the rest.
 */
static void rd_unix_done(struct ckpt_reader *r, const struct ckpt_hdr_unix *u)
{
	if (u && u->state == CKPT_UNIX_LISTEN && u->nr_pending) {
		r->unix_pending = u->nr_pending;
		r->unix_lsn_type = u->type;
		r->unix_client = 0;
		r->unix_objref = 0;
		r->state = RD_UNIX;
		return;
	}
	if (r->unix_pending && !r->unix_client) {
		/* the connecting socket's: its embryo comes next */
		r->unix_client = r->unix_objref;
		r->unix_objref = r->unix_peer;
		r->unix_peer = 0;
		r->state = RD_UNIX;
		return;
	}
	if (r->unix_pending && --r->unix_pending) {
		r->unix_client = 0;
		r->unix_objref = 0;
		r->state = RD_UNIX;
		return;
	}
	r->unix_client = 0;
	if (r->unix_peer) {
		r->unix_first = r->unix_objref;
		r->unix_objref = r->unix_peer;
		r->unix_peer = 0;
		r->state = RD_UNIX;
		return;
	}
	r->unix_objref = 0;
	r->unix_first = 0;
	r->state = RD_EXTRA;
}

int rd_unix(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;

	if (rec->u.h.len < sizeof(*u))
		return rd_len(r, rec, sizeof(*u));
	if (rd_body(r, rec, sizeof(*u)))
		return -1;
	if (r->unix_pending) {
		if (rd_unix_fields(r, rec) ||
		    rd_unix_size(r, rec, u->flags & CKPT_UNIX_BOUND) ||
		    rd_unix_pending(r, rec) || rd_unix_addr(r, rec))
			return -1;
		/* the connecting socket names its embryo, read next */
		if (!r->unix_client) {
			r->unix_objref = u->objref;
			r->unix_peer = u->peer_objref;
		}
	} else if (u->objref != r->unix_objref && r->unix_first) {
		return rd_err(r, rec->off,
			      "UNIX objref %d after socket %d, whose peer %d comes next",
			      u->objref, r->unix_first, r->unix_objref);
	} else if (u->objref != r->unix_objref) {
		return rd_err(r, rec->off,
			      "UNIX objref %d after FILE objref %d of socket %d",
			      u->objref, r->unix_file, r->unix_objref);
	} else if (u->flags & CKPT_UNIX_EMBRYO) {
		return rd_err(r, rec->off,
			      "UNIX objref %d: an embryo, not after a listener",
			      u->objref);
	} else if (rd_unix_fields(r, rec) ||
		   rd_unix_size(r, rec, u->flags & CKPT_UNIX_BOUND) ||
		   rd_unix_pair(r, rec) || rd_unix_addr(r, rec)) {
		return -1;
	}
	if (u->flags & CKPT_UNIX_PEER_CLOSED &&
	    rd_refset_add(&r->closed_socks, u->objref))
		return rd_err(r, rec->off, "out of memory");
	r->unix_off = rec->off;
	r->unix_end = rec->off + rec->u.h.len;
	r->unix_bytes = u->bytes;
	r->unix_skb_type = u->type;
	r->unix_data = 0;
	r->skbs_left = r->nr_skbs = u->nr_skbs;
	r->unix_hdr = *u;
	if (u->nr_skbs)
		r->state = RD_UNIX_SKB;
	else
		rd_unix_done(r, u);
	return 0;
}

/* The files in flight with a queued skb: FILEs of the image before it. */
static int rd_unix_skb_fds(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.unix_skb.nr_fds, i;
	__s32 ref;

	if (!n)
		return 0;
	if (rd_data(r, n * sizeof(ref), rec))
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(&ref, r->buf + i * sizeof(ref), sizeof(ref));
		if (!rd_file_known(r, ref))
			return rd_err(r, rec->off,
				      "UNIX_SKB: file objref %d in flight is no FILE before it",
				      ref);
	}
	return 0;
}

int rd_unix_skb(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix_skb *s = &rec->u.unix_skb;
	__u64 left;

	if (rec->u.h.len < sizeof(*s))
		return rd_len(r, rec, sizeof(*s));
	if (rd_body(r, rec, sizeof(*s)))
		return -1;
	/* a datagram may be empty, a run of stream bytes not */
	if ((!s->len && r->unix_skb_type == RD_SOCK_STREAM) ||
	    s->len > CKPT_UNIX_SKB_MAX)
		return rd_err(r, rec->off, "bad UNIX_SKB length %u", s->len);
	if (s->nr_fds > CKPT_UNIX_SKB_FDS_MAX)
		return rd_err(r, rec->off, "UNIX_SKB with %u files in flight",
			      s->nr_fds);
	if (rd_len(r, rec, sizeof(*s) + CKPT_ALIGN_UP(s->len) +
			   CKPT_ALIGN_UP(s->nr_fds * sizeof(__s32))))
		return -1;
	if (s->len > r->unix_bytes - r->unix_data)
		return rd_err(r, rec->off,
			      "UNIX_SKB data past the %llu bytes of its UNIX",
			      (unsigned long long)r->unix_bytes);
	/* more than the bounce buffer holds: the last piece, then padding */
	for (left = s->len; left > r->buf_size; left -= r->buf_size) {
		if (rd_need(r, r->buf, r->buf_size, rec))
			return -1;
	}
	if (rd_data(r, left, rec) || rd_unix_skb_fds(r, rec))
		return -1;
	r->unix_data += s->len;
	r->skbs_left--;
	if (!r->skbs_left && r->pos != r->unix_end)
		return rd_err(r, r->unix_off,
			      "UNIX record has %llu bytes after its %u skbs",
			      (unsigned long long)(r->unix_end - r->pos),
			      r->nr_skbs);
	if (r->skbs_left && r->pos == r->unix_end)
		return rd_err(r, r->unix_off,
			      "UNIX record ends after %u of its %u skbs",
			      r->nr_skbs - r->skbs_left, r->nr_skbs);
	if (!r->skbs_left && r->unix_data != r->unix_bytes)
		return rd_err(r, r->unix_off,
			      "UNIX skbs hold %llu bytes, not its %llu",
			      (unsigned long long)r->unix_data,
			      (unsigned long long)r->unix_bytes);
	if (!r->skbs_left)
		rd_unix_done(r, &r->unix_hdr);
	return 0;
}
