// SPDX-License-Identifier: GPL-2.0
/*
 * Unix sockets.
 *
 * A socket is an object of its own, named by the FILE records of its
 * file (like a pipe).  A connected pair is one object in two halves: the
 * end met first writes its UNIX record and its peer's right after, each
 * with the data queued for it, so restart makes both at once with
 * socketpair() and fills each queue by sending from the other end - no
 * task waits for a peer to be bound or connected.  Messages keep their
 * boundaries: one send per queued datagram or seqpacket message.
 *
 * A connection accepted from a listener is such a pair too, its ends
 * named again: by bind() where the address was the socket's own, else
 * (the accepted end) with the listener's address, unbound, as accept()
 * leaves it.  A connection not accepted yet (an embryo in its listener's
 * queue) is made again the way it was made, by connect() to the listener
 * restored just before; its FILE waits for nothing, as the listener's is
 * written first, with every pending connection after it.
 *
 * What cannot be made again that way is refused by name: file
 * descriptors in flight (SCM_RIGHTS), datagrams queued by a sender not
 * connected, out-of-band data, and a peer held outside the tree.
 *
 * Their addresses are unix_addr.c's; their queues, and the files in
 * flight in them, unix_queue.c's.
 *
 * LOCKING, af_unix's: unix_state_lock() guards a socket's peer, address
 * and bound path, and its shutdown; a receive queue's lock its skbs (at
 * a listener, the embryos of the connections not accepted yet); a
 * peer's sk_callback_lock, read, its sk_socket and that socket's file,
 * which sock_orphan() clears under the write side; a file's f_lock its
 * f_flags.  The tree is frozen: only processes outside can change what
 * is looked at, and a peer outside is refused.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/sock.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>
#include <checkpoint/unix.h>

/* The socket behind @file, if it is a unix one. */
struct sock *ckpt_unix_sk(struct file *file)
{
	struct socket *sock;

	if (!S_ISSOCK(file_inode(file)->i_mode))
		return NULL;
	sock = SOCKET_I(file_inode(file));
	if (!sock->sk || sock->sk->sk_family != AF_UNIX)
		return NULL;
	return sock->sk;
}

static bool ckpt_unix_file(struct file *file)
{
	return ckpt_unix_sk(file) != NULL;
}

static bool ckpt_unix_is_file(struct file *file, void *arg)
{
	return file == arg;
}

/**
 * ckpt_unix_outside - is @file's socket connected to a peer outside?
 * @ctx: the task's checkpoint context
 * @file: a unix socket
 *
 * A connected socket whose peer's file no task of the tree holds talks
 * to a process outside; so does one with no peer (a listener, or a
 * datagram socket), which only the process that handed it over knows.
 */
static bool ckpt_unix_outside(struct ckpt_ctx *ctx, struct file *file)
{
	struct sock *sk = ckpt_unix_sk(file), *peer;
	struct file *pfile = NULL, *found = NULL;

	peer = sk ? unix_peer_get(sk) : NULL;
	if (!peer)
		return true;
	read_lock_bh(&peer->sk_callback_lock);
	if (peer->sk_socket && peer->sk_socket->file)
		pfile = get_file(peer->sk_socket->file);
	read_unlock_bh(&peer->sk_callback_lock);
	sock_put(peer);
	if (pfile)
		found = ckpt_tree_file(ctx, -1, ckpt_unix_is_file, pfile);
	if (found)
		fput(found);
	if (pfile)
		fput(pfile);
	return !found;
}

/* ---------------------------------------------------------------------- */
/* checkpoint */

/*
 * Is @sk's address its own?  A bound socket is hashed by its name: by
 * its inode in the bsd table (a path), or in the upper half of the
 * table (an abstract name).  An accepted socket shares its listener's
 * address but sits with the unbound ones.
 */
static bool ckpt_unix_bound(struct sock *sk)
{
	return !hlist_unhashed(&sk->sk_bind_node) || sk->sk_hash > UNIX_HASH_MOD;
}

static int ckpt_unix_state(struct ckpt_ctx *ctx, struct sock *sk, int fd,
			   struct ckpt_hdr_unix *hu)
{
	struct unix_sock *u = unix_sk(sk);
	struct sock *peer = unix_peer(sk);

	hu->type = sk->sk_type;
	if (sk->sk_state == TCP_LISTEN) {
		hu->state = CKPT_UNIX_LISTEN;
		hu->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	} else if (peer) {
		hu->state = CKPT_UNIX_CONNECTED;
		/* one way: the peer may have a peer of its own */
		if (sk->sk_type == SOCK_DGRAM && (u->addr || unix_sk(peer)->addr))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: a datagram unix socket connected to a bound one: not supported yet",
					task_pid_vnr(ctx->target), fd);
		if (!sock_flag(peer, SOCK_DEAD) && unix_peer(peer) != sk)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: a unix socket whose peer is connected elsewhere: not supported",
					task_pid_vnr(ctx->target), fd);
	} else {
		hu->state = CKPT_UNIX_UNCONNECTED;
		if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: an unconnected unix socket has datagrams queued: not supported yet",
					task_pid_vnr(ctx->target), fd);
	}
	if (READ_ONCE(sk->sk_err))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket has a pending error %d: not supported yet",
				task_pid_vnr(ctx->target), fd, READ_ONCE(sk->sk_err));
#if IS_ENABLED(CONFIG_AF_UNIX_OOB)
	if (READ_ONCE(u->oob_skb))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket holds out-of-band data: not supported yet",
				task_pid_vnr(ctx->target), fd);
#endif
	hu->shutdown = (sk->sk_shutdown & RCV_SHUTDOWN ? CKPT_UNIX_SHUT_RD : 0) |
		       (sk->sk_shutdown & SEND_SHUTDOWN ? CKPT_UNIX_SHUT_WR : 0);
	if (u->addr && ckpt_unix_bound(sk))
		hu->flags |= CKPT_UNIX_BOUND;
	/* bound to a path, then the path unlinked: the name lives on */
	if ((hu->flags & CKPT_UNIX_BOUND) && u->path.dentry &&
	    d_unlinked(u->path.dentry))
		hu->flags |= CKPT_UNIX_UNLINKED;
	if (sk->sk_socket && test_bit(SOCK_PASSCRED, &sk->sk_socket->flags))
		hu->flags |= CKPT_UNIX_PASSCRED;
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		hu->flags |= CKPT_UNIX_SNDBUF;
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		hu->flags |= CKPT_UNIX_RCVBUF;
	hu->sndbuf = READ_ONCE(sk->sk_sndbuf);
	hu->rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	return 0;
}

/* One socket's UNIX record: state, address, receive queue. */
static int ckpt_unix_one(struct ckpt_ctx *ctx, struct sock *sk, int fd,
			 int objref, int peer_objref, u32 flags, u32 nr_pending)
{
	struct ckpt_hdr_unix hu = { .objref = objref, .flags = flags };
	struct ckpt_unix_attrs ua = {};
	struct path file = {};
	struct unix_address *addr;
	struct ckpt_unix_queue q;
	char path[UNIX_PATH_MAX];
	bool attrs;
	u64 extra;
	u32 i;
	int ret;

	if (flags & CKPT_UNIX_PEER_CLOSED) {
		/* gone: no state, no queue; what matters is that it was */
		hu.type = sk->sk_type;
		hu.state = CKPT_UNIX_CONNECTED;
		hu.shutdown = CKPT_UNIX_SHUT_RD | CKPT_UNIX_SHUT_WR;
		hu.peer_objref = peer_objref;
		hu.sndbuf = READ_ONCE(sk->sk_sndbuf);
		hu.rcvbuf = READ_ONCE(sk->sk_rcvbuf);
		return ckpt_write_obj(ctx, &hu.h, CKPT_HDR_UNIX, sizeof(hu), 0);
	}
	ret = ckpt_unix_state(ctx, sk, fd, &hu);
	if (ret < 0)
		return ret;
	hu.peer_objref = peer_objref;
	hu.nr_pending = nr_pending;
	unix_state_lock(sk);
	/* an embryo's address is its listener's, restored by connect() */
	addr = flags & CKPT_UNIX_EMBRYO ? NULL : unix_sk(sk)->addr;
	if (addr) {
		hu.addr_len = addr->len - offsetof(struct sockaddr_un, sun_path);
		memcpy(path, addr->name->sun_path, hu.addr_len);
	}
	/* bound to a path: its file's attributes come with the address */
	attrs = (hu.flags & CKPT_UNIX_BOUND) && hu.addr_len && path[0];
	if (attrs && unix_sk(sk)->path.dentry) {
		file = unix_sk(sk)->path;
		path_get(&file);
	}
	unix_state_unlock(sk);
	if (attrs && !file.dentry)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket bound to %.*s has no file",
				task_pid_vnr(ctx->target), fd, (int)hu.addr_len,
				path);
	if (attrs) {
		ret = ckpt_unix_attrs(ctx, &file, fd, &ua);
		path_put(&file);
		if (ret < 0)
			return ret;
	}
	/* a relative name was the binder's cwd's: there is no telling now */
	if (hu.addr_len && path[0] && path[0] != '/')
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket bound to the relative name %.*s: not supported",
				task_pid_vnr(ctx->target), fd, (int)hu.addr_len,
				path);
	if (hu.state == CKPT_UNIX_LISTEN && !hu.addr_len)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a listening unix socket without an address: not supported",
				task_pid_vnr(ctx->target), fd);
	/* a listener's queue holds its pending connections, not data */
	if (hu.state == CKPT_UNIX_LISTEN)
		memset(&q, 0, sizeof(q));
	else
		ret = ckpt_unix_queue(ctx, sk, fd, &q);
	if (ret < 0)
		return ret;
	hu.nr_skbs = q.nr;
	hu.bytes = q.bytes;
	extra = ALIGN(hu.addr_len, CKPT_ALIGN) + (attrs ? sizeof(ua) : 0);
	for (i = 0; i < q.nr; i++)
		extra += sizeof(struct ckpt_hdr_unix_skb) +
			 ALIGN(q.lens[i], CKPT_ALIGN) +
			 ALIGN(q.nr_fds[i] * sizeof(s32), CKPT_ALIGN);
	ret = ckpt_write_obj(ctx, &hu.h, CKPT_HDR_UNIX, sizeof(hu), extra);
	if (ret)
		goto out;
	if (hu.addr_len) {
		ret = ckpt_write_string(ctx, path, hu.addr_len);
		if (ret)
			goto out;
	}
	if (attrs) {
		ret = ckpt_write_string(ctx, (const char *)&ua, sizeof(ua));
		if (ret)
			goto out;
	}
	ret = ckpt_unix_skbs(ctx, &q, fd);
out:
	ckpt_unix_queue_free(&q);
	return ret;
}

/* After every section: was a peer saved with its pair met as a FILE? */
struct ckpt_unix_check {
	struct ckpt_ctx *ctx;
	struct inode *inode;		/* the peer's; the objhash holds it */
	pid_t pid;
	int fd;				/* the end that brought the pair */
};

static int ckpt_unix_peer_check(void *data)
{
	struct ckpt_unix_check *c = data;
	struct socket *sock = SOCKET_I(c->inode);
	struct file *file = READ_ONCE(sock->file);

	if (file && ckpt_obj_lookup(c->ctx, file, CKPT_OBJ_FILE) > 0)
		return 0;
	return ckpt_err(c->ctx, -EOPNOTSUPP,
			"pid %d fd %d: a unix socket's peer is held by a process outside the tree: not supported",
			c->pid, c->fd);
}

/*
 * @peer, the other end of a connection whose end @objref is written
 * now: its objref (by inode, or by sock once closed or not accepted
 * yet), *@first if it was not met before, and *@pflags for its record.
 */
static int ckpt_unix_peer(struct ckpt_ctx *ctx, struct sock *peer,
			  struct inode **pinode, bool *first, u32 *pflags)
{
	*pinode = NULL;
	*pflags = 0;
	if (peer->sk_socket && !sock_flag(peer, SOCK_DEAD))
		*pinode = SOCK_INODE(peer->sk_socket);
	else if (sock_flag(peer, SOCK_DEAD))
		*pflags = CKPT_UNIX_PEER_CLOSED;
	return ckpt_obj_lookup_add(ctx, *pinode ?: (void *)peer,
				   *pinode ? CKPT_OBJ_INODE : CKPT_OBJ_SOCK,
				   first);
}

/* The peer's FILE must be met by the end of the checkpoint. */
static int ckpt_unix_defer_check(struct ckpt_ctx *ctx, struct inode *pinode,
				 int fd)
{
	struct ckpt_unix_check c = {
		.ctx = ctx->parent ?: ctx,
		.inode = pinode,
		.pid = task_pid_vnr(ctx->target),
		.fd = fd,
	};

	return ckpt_deferqueue_add(c.ctx, ckpt_unix_peer_check, 0, &c,
				   sizeof(c));
}

/* The connections queued at listener @sk, referenced, oldest first. */
int ckpt_unix_embryos(struct ckpt_ctx *ctx, struct sock *sk, int fd,
		      struct sock ***pemb)
{
	struct sk_buff_head *head = &sk->sk_receive_queue;
	struct sock **emb;
	struct sk_buff *skb;
	u32 n = 0, max = READ_ONCE(sk->sk_max_ack_backlog) + 1;

	*pemb = NULL;
	if (skb_queue_empty_lockless(head))
		return 0;
	emb = kcalloc(max, sizeof(*emb), GFP_KERNEL);
	if (!emb)
		return -ENOMEM;
	spin_lock(&head->lock);
	skb_queue_walk(head, skb) {
		if (n == max || !skb->sk || !ckpt_unix_embryo(skb->sk))
			break;
		sock_hold(skb->sk);
		emb[n++] = skb->sk;
	}
	/* more than the backlog lets in, or not a connection */
	if (skb && skb != (struct sk_buff *)head) {
		spin_unlock(&head->lock);
		while (n)
			sock_put(emb[--n]);
		kfree(emb);
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a listening unix socket's queue holds what is not a connection",
				task_pid_vnr(ctx->target), fd);
	}
	spin_unlock(&head->lock);
	*pemb = emb;
	return n;
}

/*
 * A connection not accepted yet: the connecting socket's record, then
 * the embryo's with the data sent to it.
 */
static int ckpt_unix_pending(struct ckpt_ctx *ctx, struct sock *emb, int fd)
{
	struct inode *cinode;
	struct sock *client;
	int eref, cref, ret;
	bool first;
	u32 cflags;

	unix_state_lock(emb);
	client = unix_peer(emb);
	if (client)
		sock_hold(client);
	unix_state_unlock(emb);
	if (!client)
		return -ENOTCONN;
	ret = ckpt_obj_lookup_add(ctx, emb, CKPT_OBJ_SOCK, &first);
	if (ret < 0)
		goto out;
	eref = ret;
	ret = ckpt_unix_peer(ctx, client, &cinode, &first, &cflags);
	if (ret < 0)
		goto out;
	cref = ret;
	/* the listener is written before any FILE of its connections */
	ret = -EINVAL;
	if (!first || !skb_queue_empty_lockless(&client->sk_receive_queue))
		goto out;
	ret = ckpt_unix_one(ctx, client, fd, cref, eref, cflags, 0);
	if (ret)
		goto out;
	ret = ckpt_unix_one(ctx, emb, fd, eref, cref, CKPT_UNIX_EMBRYO, 0);
	if (ret)
		goto out;
	if (cinode)
		ret = ckpt_unix_defer_check(ctx, cinode, fd);
out:
	sock_put(client);
	return ret;
}

/* A listener, then its connections not accepted yet. */
static int ckpt_unix_listener(struct ckpt_ctx *ctx, struct sock *sk, int fd,
			      int objref)
{
	struct sock **emb;
	int i, n, ret;

	n = ckpt_unix_embryos(ctx, sk, fd, &emb);
	if (n < 0)
		return n;
	ret = ckpt_unix_one(ctx, sk, fd, objref, 0, 0, n);
	for (i = 0; i < n && !ret; i++)
		ret = ckpt_unix_pending(ctx, emb[i], fd);
	if (ret < 0 && ret != -EOPNOTSUPP && ret != -ENOMEM)
		ret = ckpt_err(ctx, ret,
			       "pid %d fd %d: cannot save the connections waiting at a listening unix socket",
			       task_pid_vnr(ctx->target), fd);
	for (i = 0; i < n; i++)
		sock_put(emb[i]);
	kfree(emb);
	return ret;
}

/*
 * The UNIX record of @file's socket, objref @objref, first met now; for
 * a connected socket whose peer is not saved yet, the peer's after it.
 */
static int ckpt_unix(struct ckpt_ctx *ctx, struct file *file, int fd,
		     int objref)
{
	struct sock *sk = ckpt_unix_sk(file), *peer;
	struct inode *pinode = NULL;
	int peer_objref = 0, ret;
	bool first = false;
	u32 pflags = 0;

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		return ckpt_unix_listener(ctx, sk, fd, objref);
	unix_state_lock(sk);
	peer = unix_peer(sk);
	if (peer && sk->sk_state != TCP_LISTEN)
		sock_hold(peer);
	else
		peer = NULL;
	unix_state_unlock(sk);
	if (peer) {
		ret = ckpt_unix_peer(ctx, peer, &pinode, &first, &pflags);
		if (ret < 0)
			goto out;
		peer_objref = ret;
		/* ckpt_unix_deps() wrote the listener, and this end with it */
		if (first && ckpt_unix_embryo(peer)) {
			ret = ckpt_err(ctx, -EAGAIN,
				       "pid %d fd %d: a unix socket's connection reached its listener during the checkpoint",
				       task_pid_vnr(ctx->target), fd);
			goto out;
		}
	}
	ret = ckpt_unix_one(ctx, sk, fd, objref, peer_objref, 0, 0);
	if (ret < 0 || !first)
		goto out;
	ret = ckpt_unix_one(ctx, peer, fd, peer_objref, objref, pflags, 0);
	if (ret)
		goto out;
	if (pinode)
		ret = ckpt_unix_defer_check(ctx, pinode, fd);
out:
	if (peer)
		sock_put(peer);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

/*
 * Where a UNIX record stands: the first named by a FILE, its pair's
 * second half, or a connection not accepted yet after its listener: the
 * connecting socket, then the embryo.
 */
enum rstr_unix_role { RU_FIRST, RU_SECOND, RU_CLIENT, RU_EMBRYO };

/* The rules of @role, and of any state, for @hu. */
static bool rstr_unix_role_ok(const struct ckpt_hdr_unix *hu,
			      enum rstr_unix_role role, int objref,
			      int peer_objref)
{
	bool conn = hu->state == CKPT_UNIX_CONNECTED;
	bool closed = hu->flags & CKPT_UNIX_PEER_CLOSED;
	bool embryo = hu->flags & CKPT_UNIX_EMBRYO;

	switch (role) {
	case RU_FIRST:
		return hu->objref == objref && !closed && !embryo;
	case RU_SECOND:
		return hu->objref == objref && hu->peer_objref == peer_objref &&
		       !embryo && (!closed || !hu->nr_skbs);
	case RU_CLIENT:
		/* nothing reaches it before the accept() */
		return hu->objref > 0 && conn && !embryo && !hu->nr_skbs &&
		       hu->peer_objref != hu->objref;
	case RU_EMBRYO:
		return hu->objref == objref && hu->peer_objref == peer_objref &&
		       conn && hu->flags == CKPT_UNIX_EMBRYO && !hu->addr_len;
	}
	return false;
}

static int rstr_unix_check(struct ckpt_ctx *ctx, struct ckpt_hdr_unix *hu,
			   enum rstr_unix_role role, int objref,
			   int peer_objref)
{
	bool conn = hu->state == CKPT_UNIX_CONNECTED;
	bool listen = hu->state == CKPT_UNIX_LISTEN;
	bool bound = hu->flags & CKPT_UNIX_BOUND;

	if (!rstr_unix_role_ok(hu, role, objref, peer_objref) ||
	    (hu->type != SOCK_STREAM && hu->type != SOCK_DGRAM &&
	     hu->type != SOCK_SEQPACKET) ||
	    hu->state < CKPT_UNIX_UNCONNECTED || hu->state > CKPT_UNIX_LISTEN ||
	    hu->flags & ~CKPT_UNIX_FLAGS_ALL ||
	    hu->shutdown & ~(CKPT_UNIX_SHUT_RD | CKPT_UNIX_SHUT_WR) ||
	    (conn ? hu->peer_objref <= 0 : hu->peer_objref != 0) ||
	    (listen ? hu->type == SOCK_DGRAM || hu->nr_skbs ||
		      hu->backlog > U16_MAX || !hu->addr_len ||
		      hu->nr_pending > hu->backlog + 1 :
		      hu->backlog || hu->nr_pending) ||
	    (!conn && hu->nr_skbs) ||
	    /* only an accepted socket has an address not its own */
	    (hu->addr_len && !bound &&
	     (!conn || hu->type == SOCK_DGRAM)) ||
	    (bound && !hu->addr_len) ||
	    ((hu->flags & CKPT_UNIX_UNLINKED) && !bound) ||
	    hu->addr_len > UNIX_PATH_MAX || hu->nr_skbs > CKPT_UNIX_SKBS_MAX ||
	    hu->bytes > CKPT_UNIX_BYTES_MAX ||
	    hu->h.len < sizeof(*hu) + ALIGN(hu->addr_len, CKPT_ALIGN) +
			(u64)hu->nr_skbs * sizeof(struct ckpt_hdr_unix_skb) +
			hu->bytes)
		return ckpt_err(ctx, -EINVAL,
				"UNIX record at offset %llu: objref %d (expected %d), type %u, state %u, flags %#x, peer %d, %u messages, %llu bytes, %u pending",
				ctx->hdr_pos, hu->objref, objref, hu->type,
				hu->state, hu->flags, hu->peer_objref,
				hu->nr_skbs, hu->bytes, hu->nr_pending);
	return 0;
}

/* A UNIX record and its address; its queue is read later, by fill. */
static int rstr_unix_read(struct ckpt_ctx *ctx, struct rstr_unix *ru,
			  enum rstr_unix_role role, int objref, int peer_objref)
{
	int ret;

	ret = ckpt_read_obj(ctx, &ru->hu.h, CKPT_HDR_UNIX, sizeof(ru->hu));
	if (ret)
		goto out;
	ret = rstr_unix_check(ctx, &ru->hu, role, objref, peer_objref);
	if (ret)
		goto out;
	if (ru->hu.addr_len) {
		ret = ckpt_read(ctx, ru->addr, ru->hu.addr_len);
		if (ret)
			goto out;
		ret = ckpt_read_pad(ctx, ru->hu.addr_len);
		if (ret)
			goto out;
	}
	if (ru->hu.addr_len && ru->addr[0] &&
	    (ru->addr[0] != '/' ||
	     !memchr(ru->addr, '\0', ru->hu.addr_len))) {
		ret = ckpt_err(ctx, -EINVAL,
			       "UNIX record at offset %llu: a bad address",
			       ctx->hdr_pos);
		goto out;
	}
	/* an abstract name is no file to unlink */
	if ((ru->hu.flags & CKPT_UNIX_UNLINKED) && !ru->addr[0]) {
		ret = ckpt_err(ctx, -EINVAL,
			       "UNIX record at offset %llu: UNLINKED, bound to an abstract name",
			       ctx->hdr_pos);
		goto out;
	}
	if (rstr_unix_has_attrs(&ru->hu, ru->addr))
		ret = rstr_unix_read_attrs(ctx, ru);
out:
	ru->end = ctx->hdr_pos + ru->hu.h.len;
	return ret;
}

static int rstr_unix_setsockopt(struct socket *sock, int opt, int val)
{
	return sock_setsockopt(sock, SOL_SOCKET, opt, KERNEL_SOCKPTR(&val),
			       sizeof(val));
}

/* Options, with the limits setsockopt() has: before the queue is filled. */
static int rstr_unix_opts(struct ckpt_ctx *ctx, struct socket *sock,
			  const struct ckpt_hdr_unix *hu)
{
	int ret = 0;

	/* SO_SNDBUF and SO_RCVBUF double what they are given */
	if (hu->flags & CKPT_UNIX_SNDBUF) {
		ret = rstr_unix_setsockopt(sock, SO_SNDBUF, hu->sndbuf / 2);
		if (ret)
			goto out;
	}
	if (hu->flags & CKPT_UNIX_RCVBUF) {
		ret = rstr_unix_setsockopt(sock, SO_RCVBUF, hu->rcvbuf / 2);
		if (ret)
			goto out;
	}
	if (hu->flags & CKPT_UNIX_PASSCRED)
		ret = rstr_unix_setsockopt(sock, SO_PASSCRED, 1);
out:
	if (ret < 0)
		return ckpt_err(ctx, ret, "UNIX objref %d: cannot set its options",
				hu->objref);
	return 0;
}

/* Shutdown as it was, on this end only: the peer has its own record. */
static void rstr_unix_shutdown(struct sock *sk, u32 shut)
{
	unix_state_lock(sk);
	WRITE_ONCE(sk->sk_shutdown,
		   (shut & CKPT_UNIX_SHUT_RD ? RCV_SHUTDOWN : 0) |
		   (shut & CKPT_UNIX_SHUT_WR ? SEND_SHUTDOWN : 0));
	unix_state_unlock(sk);
	sk->sk_state_change(sk);
}

static int rstr_unix_file(struct ckpt_ctx *ctx, struct socket *sock,
			  int objref, enum ckpt_obj_type type)
{
	struct file *file;
	int ret;

	file = sock_alloc_file(sock, 0, NULL);	/* releases sock if it fails */
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = ckpt_obj_insert(ctx, file, objref, type);
	fput(file);
	if (ret < 0)
		return ckpt_err(ctx, ret, "UNIX record: objref %d is taken",
				objref);
	return 0;
}

static int rstr_unix_pair_fill(struct ckpt_ctx *ctx, struct socket *sa,
			       struct socket *sb, struct rstr_unix *a,
			       struct rstr_unix *b)
{
	int ret;

	/* options first: SO_PASSCRED gives the queued messages credentials */
	ret = rstr_unix_opts(ctx, sa, &a->hu);
	if (ret < 0)
		return ret;
	ret = rstr_unix_fill(ctx, a, sb);
	if (ret)
		return ret;
	/* the peer's record comes right after this one's queue */
	ret = rstr_unix_read(ctx, b, RU_SECOND, a->hu.peer_objref,
			     a->hu.objref);
	if (ret)
		return ret;
	if (b->hu.type != a->hu.type)
		return ckpt_err(ctx, -EINVAL,
				"UNIX record at offset %llu: type %u, its peer's is %u",
				ctx->hdr_pos, b->hu.type, a->hu.type);
	ret = rstr_unix_opts(ctx, sb, &b->hu);
	if (ret)
		return ret;
	return rstr_unix_fill(ctx, b, sa);
}

/* A connected pair, made at once: its first half is read, @a. */
static int rstr_unix_pair(struct ckpt_ctx *ctx, struct rstr_unix *a,
			  struct rstr_unix *b)
{
	struct socket *sa, *sb;
	int ret;

	if (!IS_ERR(ckpt_obj_fetch(ctx, a->hu.peer_objref, CKPT_OBJ_SOCKFILE)))
		return ckpt_err(ctx, -EINVAL,
				"UNIX record: objref %d's peer %d is already another pair's",
				a->hu.objref, a->hu.peer_objref);
	ret = sock_create(AF_UNIX, a->hu.type, 0, &sa);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot create a unix socket");
	ret = sock_create(AF_UNIX, a->hu.type, 0, &sb);
	if (ret < 0) {
		sock_release(sa);
		return ckpt_err(ctx, ret, "cannot create a unix socket");
	}
	ret = sa->ops->socketpair(sa, sb);
	if (ret)
		goto release;
	ret = rstr_unix_pair_fill(ctx, sa, sb, a, b);
	if (ret)
		goto release;
	ret = rstr_unix_name(ctx, sa, a);
	if (ret)
		goto release;
	ret = rstr_unix_name(ctx, sb, b);
	if (ret)
		goto release;
	rstr_unix_shutdown(sa->sk, a->hu.shutdown);
	rstr_unix_shutdown(sb->sk, b->hu.shutdown);
	ret = rstr_unix_file(ctx, sa, a->hu.objref, CKPT_OBJ_SOCKFILE);
	if (ret < 0) {
		sock_release(sb);
		return ret;
	}
	/* a closed peer is held until the restart ends, then closed */
	return rstr_unix_file(ctx, sb, b->hu.objref,
			      b->hu.flags & CKPT_UNIX_PEER_CLOSED ?
			      CKPT_OBJ_CLOSED : CKPT_OBJ_SOCKFILE);

release:
	sock_release(sa);
	sock_release(sb);
	return ret;
}

/*
 * A connection not accepted yet, made again as it was made: a socket
 * connect()ed to the listener @lsock just restored, which queues an
 * embryo there; what was sent to the embryo is sent again.  Its records:
 * the connecting socket's, then the embryo's with its queue.
 */
static int rstr_unix_connect(struct ckpt_ctx *ctx, struct socket *lsock,
			     const struct rstr_unix *l)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct rstr_unix *ru;
	struct socket *cs;
	struct sock *emb;
	int ret;

	ru = kcalloc(2, sizeof(*ru), GFP_KERNEL);
	if (!ru)
		return -ENOMEM;
	ret = rstr_unix_read(ctx, &ru[0], RU_CLIENT, 0, 0);
	if (ret)
		goto out;
	if (ru[0].hu.type != l->hu.type || ctx->pos != ru[0].end) {
		ret = ckpt_err(ctx, -EINVAL,
			       "UNIX record at offset %llu: type %u, length %u: no connection to a listener of type %u",
			       ctx->hdr_pos, ru[0].hu.type, ru[0].hu.h.len,
			       l->hu.type);
		goto out;
	}
	ret = sock_create(AF_UNIX, ru[0].hu.type, 0, &cs);
	if (ret < 0) {
		ckpt_err(ctx, ret, "cannot create a unix socket");
		goto out;
	}
	/* named first: connect() would autobind it for SO_PASSCRED */
	ret = rstr_unix_name(ctx, cs, &ru[0]);
	if (ret)
		goto out_release;
	memcpy(sun.sun_path, l->addr, l->hu.addr_len);
	ret = kernel_connect(cs, (struct sockaddr *)&sun,
			     offsetof(struct sockaddr_un, sun_path) +
			     l->hu.addr_len, O_NONBLOCK);
	if (ret) {
		ckpt_err(ctx, ret,
			 "UNIX objref %d: cannot connect to its listener again",
			 ru[0].hu.objref);
		goto out_release;
	}
	ret = rstr_unix_opts(ctx, cs, &ru[0].hu);
	if (ret)
		goto out_release;
	ret = rstr_unix_read(ctx, &ru[1], RU_EMBRYO, ru[0].hu.peer_objref,
			     ru[0].hu.objref);
	if (ret)
		goto out_release;
	/* unix_state_lock: the peer connect() set */
	unix_state_lock(cs->sk);
	emb = unix_peer(cs->sk);
	sock_hold(emb);
	unix_state_unlock(cs->sk);
	ret = rstr_unix_fill(ctx, &ru[1], cs);
	if (ret)
		goto out_put;
	ret = ckpt_obj_insert(ctx, emb, ru[1].hu.objref, CKPT_OBJ_SOCK);
	if (ret) {
		ckpt_err(ctx, ret, "UNIX record: objref %d is taken",
			 ru[1].hu.objref);
		goto out_put;
	}
	rstr_unix_shutdown(emb, ru[1].hu.shutdown);
	rstr_unix_shutdown(cs->sk, ru[0].hu.shutdown);
	sock_put(emb);
	/* a closed one is held until the restart ends, then closed */
	ret = rstr_unix_file(ctx, cs, ru[0].hu.objref,
			     ru[0].hu.flags & CKPT_UNIX_PEER_CLOSED ?
			     CKPT_OBJ_CLOSED : CKPT_OBJ_SOCKFILE);
	goto out;
out_put:
	sock_put(emb);
out_release:
	sock_release(cs);
out:
	kfree(ru);
	return ret;
}

/* A socket of its own: unconnected, maybe bound, maybe listening. */
static int rstr_unix_single(struct ckpt_ctx *ctx, struct rstr_unix *ru)
{
	struct socket *sock;
	u32 i;
	int ret;

	if (ctx->pos != ru->end)
		return ckpt_err(ctx, -EINVAL,
				"UNIX record at offset %llu: length %u",
				ctx->hdr_pos, ru->hu.h.len);
	ret = sock_create(AF_UNIX, ru->hu.type, 0, &sock);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot create a unix socket");
	ret = rstr_unix_opts(ctx, sock, &ru->hu);
	if (ret)
		goto fail;
	if (ru->hu.addr_len) {
		ret = rstr_unix_bind(ctx, sock, ru);
		if (ret)
			goto fail;
	}
	if (ru->hu.state == CKPT_UNIX_LISTEN) {
		ret = kernel_listen(sock, ru->hu.backlog);
		if (ret) {
			ckpt_err(ctx, ret, "cannot listen on a unix socket");
			goto fail;
		}
	}
	for (i = 0; i < ru->hu.nr_pending; i++) {
		ret = rstr_unix_connect(ctx, sock, ru);
		if (ret)
			goto fail;
	}
	if (ru->hu.state == CKPT_UNIX_LISTEN &&
	    (ru->hu.flags & CKPT_UNIX_UNLINKED)) {
		ret = rstr_unix_unlink_again(ctx, sock, ru);
		if (ret)
			goto fail;
	}
	rstr_unix_shutdown(sock->sk, ru->hu.shutdown);
	return rstr_unix_file(ctx, sock, ru->hu.objref, CKPT_OBJ_SOCKFILE);

fail:
	/* a name that was not there is not left behind */
	if ((ru->hu.flags & CKPT_UNIX_UNLINKED) &&
	    unix_sk(sock->sk)->path.dentry)
		rstr_unix_unlink_own(sock, ru->addr);
	sock_release(sock);
	return ret;
}

/* The socket @objref, first named now: its UNIX record(s) come next. */
static int rstr_unix_new(struct ckpt_ctx *ctx, int objref)
{
	struct rstr_unix *ru;
	int ret;

	ru = kcalloc(2, sizeof(*ru), GFP_KERNEL);
	if (!ru)
		return -ENOMEM;
	ret = rstr_unix_read(ctx, &ru[0], RU_FIRST, objref, 0);
	if (ret)
		goto out;
	if (ru[0].hu.state == CKPT_UNIX_CONNECTED)
		ret = rstr_unix_pair(ctx, &ru[0], &ru[1]);
	else
		ret = rstr_unix_single(ctx, &ru[0]);
out:
	kfree(ru);
	return ret;
}

/* The file of a UNIX FILE record. */
static struct file *rstr_unix_open(struct ckpt_ctx *ctx,
				   const struct ckpt_hdr_file *hf, char *name)
{
	struct file *file;
	int ret;

	if (hf->obj_objref <= 0 ||
	    hf->f_flags & ~(O_ACCMODE | O_NONBLOCK | O_LARGEFILE)) {
		ckpt_err(ctx, -EINVAL,
			 "FILE record at offset %llu: socket objref %d, flags %#x",
			 ctx->hdr_pos, hf->obj_objref, hf->f_flags);
		return ERR_PTR(-EINVAL);
	}
	file = ckpt_obj_fetch(ctx, hf->obj_objref, CKPT_OBJ_SOCKFILE);
	if (IS_ERR(file)) {
		ret = rstr_unix_new(ctx, hf->obj_objref);
		if (ret < 0)
			return ERR_PTR(ret);
		file = ckpt_obj_fetch(ctx, hf->obj_objref, CKPT_OBJ_SOCKFILE);
		if (IS_ERR(file))
			return file;
	}
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~O_NONBLOCK) |
			(hf->f_flags & O_NONBLOCK);
	spin_unlock(&file->f_lock);
	return get_file(file);
}

/*
 * A socket connected to a peer outside the tree is, at fds 0-2, the
 * caller's (INHERIT); elsewhere unix.c's own deferred check refuses it.
 */
static int ckpt_unix_match(struct ckpt_ctx *ctx,
			   const struct ckpt_file_desc *d)
{
	if (!ckpt_unix_file(d->file))
		return 0;
	if (ckpt_file_stdio(d) && ckpt_unix_outside(ctx, d->file))
		return CKPT_FILE_INHERIT;
	return CKPT_FILE_UNIX;
}

static int ckpt_unix_file_deps(struct ckpt_ctx *ctx,
			       const struct ckpt_file_desc *d)
{
	return ckpt_unix_deps(ctx, d->file, d->fd);
}

static int ckpt_unix_file_save(struct ckpt_ctx *ctx,
			       const struct ckpt_file_desc *d)
{
	return ckpt_unix(ctx, d->file, d->fd, d->hf->obj_objref);
}

const struct ckpt_file_ops ckpt_unix_file_ops = {
	.name = "unix socket",
	.kinds = BIT(CKPT_FILE_UNIX),
	.match = ckpt_unix_match,
	.deps = ckpt_unix_file_deps,
	.obj = ckpt_file_inode_obj,
	.checkpoint = ckpt_unix_file_save,
	.restart = rstr_unix_open,
};
