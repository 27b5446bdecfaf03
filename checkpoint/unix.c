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
 * What cannot be made again that way is refused by name: a connection
 * accepted from a listener (its ends have addresses a pair lacks), a
 * listener with connections not accepted yet, file descriptors in flight
 * (SCM_RIGHTS), out-of-band data, and a peer held outside the tree.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/sock.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/symbols.h>

/* The socket behind @file, if it is a unix one. */
static struct sock *ckpt_unix_sk(struct file *file)
{
	struct socket *sock;

	if (!S_ISSOCK(file_inode(file)->i_mode))
		return NULL;
	sock = SOCKET_I(file_inode(file));
	if (!sock->sk || sock->sk->sk_family != AF_UNIX)
		return NULL;
	return sock->sk;
}

bool ckpt_unix_file(struct file *file)
{
	return ckpt_unix_sk(file) != NULL;
}

/* ---------------------------------------------------------------------- */
/* checkpoint */

struct ckpt_unix_queue {
	u32 nr;
	u32 *lens;
	void *data;
	u64 bytes;
};

static void ckpt_unix_queue_free(struct ckpt_unix_queue *q)
{
	kvfree(q->lens);
	kvfree(q->data);
}

/*
 * The receive queue of @sk, copied under its lock, one entry per skb: a
 * message for datagram and seqpacket sockets, a run of bytes not read
 * yet for stream ones.  The socket is frozen with every task that could
 * send to it; the copy keeps the lock short and the writer free to sleep.
 */
static int ckpt_unix_queue(struct ckpt_ctx *ctx, struct sock *sk, int fd,
			   struct ckpt_unix_queue *q)
{
	struct sk_buff_head *head = &sk->sk_receive_queue;
	bool stream = sk->sk_type == SOCK_STREAM;
	struct sk_buff *skb;
	u32 n = 0, off, len;
	u64 bytes = 0;
	int ret = 0;

	memset(q, 0, sizeof(*q));
	if (atomic_read(&unix_sk(sk)->scm_stat.nr_fds))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket has file descriptors in flight (SCM_RIGHTS): not supported yet",
				task_pid_vnr(ctx->target), fd);
	spin_lock(&head->lock);
	skb_queue_walk(head, skb) {
		bytes += skb->len;
		n++;
	}
	spin_unlock(&head->lock);
	if (bytes > CKPT_UNIX_BYTES_MAX || n > CKPT_UNIX_SKBS_MAX)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket holds %llu bytes in %u messages: too many",
				task_pid_vnr(ctx->target), fd, bytes, n);
	q->lens = kvcalloc(n ?: 1, sizeof(*q->lens), GFP_KERNEL);
	q->data = kvmalloc(bytes ?: 1, GFP_KERNEL);
	if (!q->lens || !q->data) {
		ckpt_unix_queue_free(q);
		return -ENOMEM;
	}
	spin_lock(&head->lock);
	skb_queue_walk(head, skb) {
		off = stream ? UNIXCB(skb).consumed : 0;
		len = skb->len - off;
		if (q->nr == n || q->bytes + len > bytes ||
		    len > CKPT_UNIX_SKB_MAX) {
			ret = -EAGAIN;
			break;
		}
		if (stream && !len)
			continue;
		if (skb_copy_bits(skb, off, q->data + q->bytes, len) < 0) {
			ret = -EFAULT;
			break;
		}
		q->lens[q->nr++] = len;
		q->bytes += len;
	}
	spin_unlock(&head->lock);
	if (ret < 0) {
		ckpt_unix_queue_free(q);
		return ckpt_err(ctx, ret,
				"pid %d fd %d: cannot copy the queue of a unix socket",
				task_pid_vnr(ctx->target), fd);
	}
	return 0;
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
		if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: a listening unix socket has connections not accepted yet: not supported yet",
					task_pid_vnr(ctx->target), fd);
	} else if (peer) {
		hu->state = CKPT_UNIX_CONNECTED;
		if (u->addr || unix_sk(peer)->addr)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: a unix socket connected to a bound one (an accepted connection): not supported yet",
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
			 int objref, int peer_objref, u32 flags)
{
	struct ckpt_hdr_unix hu = { .objref = objref, .flags = flags };
	struct ckpt_hdr_unix_skb hs = {};
	struct unix_address *addr;
	struct ckpt_unix_queue q;
	char path[UNIX_PATH_MAX];
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
	unix_state_lock(sk);
	addr = unix_sk(sk)->addr;
	if (addr) {
		hu.addr_len = addr->len - offsetof(struct sockaddr_un, sun_path);
		memcpy(path, addr->name->sun_path, hu.addr_len);
	}
	unix_state_unlock(sk);
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
	ret = ckpt_unix_queue(ctx, sk, fd, &q);
	if (ret < 0)
		return ret;
	hu.nr_skbs = q.nr;
	hu.bytes = q.bytes;
	extra = ALIGN(hu.addr_len, CKPT_ALIGN);
	for (i = 0; i < q.nr; i++)
		extra += sizeof(hs) + ALIGN(q.lens[i], CKPT_ALIGN);
	ret = ckpt_write_obj(ctx, &hu.h, CKPT_HDR_UNIX, sizeof(hu), extra);
	if (!ret && hu.addr_len)
		ret = ckpt_write_string(ctx, path, hu.addr_len);
	for (i = 0, extra = 0; i < q.nr && !ret; i++) {
		hs.len = q.lens[i];
		ret = ckpt_write_obj(ctx, &hs.h, CKPT_HDR_UNIX_SKB, sizeof(hs),
				     hs.len);
		if (!ret)
			ret = ckpt_write_string(ctx, q.data + extra, hs.len);
		extra += hs.len;
	}
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
 * The UNIX record of @file's socket, objref @objref, first met now; for
 * a connected socket whose peer is not saved yet, the peer's after it.
 */
int ckpt_unix(struct ckpt_ctx *ctx, struct file *file, int fd, int objref)
{
	struct sock *sk = ckpt_unix_sk(file), *peer;
	struct ckpt_unix_check c = { .ctx = ctx->parent ?: ctx };
	struct inode *pinode = NULL;
	int peer_objref = 0, ret;
	bool first = false;
	u32 pflags = 0;

	unix_state_lock(sk);
	peer = unix_peer(sk);
	if (peer && sk->sk_state != TCP_LISTEN)
		sock_hold(peer);
	else
		peer = NULL;
	unix_state_unlock(sk);
	if (peer) {
		if (peer->sk_socket && !sock_flag(peer, SOCK_DEAD))
			pinode = SOCK_INODE(peer->sk_socket);
		else
			pflags = CKPT_UNIX_PEER_CLOSED;
		/* a closed peer has no inode: it is an object by its sock */
		ret = ckpt_obj_lookup_add(ctx, pinode ?: (void *)peer,
					  pinode ? CKPT_OBJ_INODE :
						   CKPT_OBJ_SOCK, &first);
		if (ret < 0)
			goto out;
		peer_objref = ret;
	}
	ret = ckpt_unix_one(ctx, sk, fd, objref, peer_objref, 0);
	if (ret < 0 || !first)
		goto out;
	ret = ckpt_unix_one(ctx, peer, fd, peer_objref, objref, pflags);
	if (!ret && pinode) {
		c.inode = pinode;
		c.pid = task_pid_vnr(ctx->target);
		c.fd = fd;
		ret = ckpt_deferqueue_add(c.ctx, ckpt_unix_peer_check, 0, &c,
					  sizeof(c));
	}
out:
	if (peer)
		sock_put(peer);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

struct rstr_unix {
	struct ckpt_hdr_unix hu;
	char addr[ALIGN(UNIX_PATH_MAX, CKPT_ALIGN)];
	u64 end;			/* where its UNIX_SKBs end */
};

static int rstr_unix_check(struct ckpt_ctx *ctx, struct ckpt_hdr_unix *hu,
			   int objref, int peer_objref, bool second)
{
	bool conn = hu->state == CKPT_UNIX_CONNECTED;
	bool listen = hu->state == CKPT_UNIX_LISTEN;
	bool closed = hu->flags & CKPT_UNIX_PEER_CLOSED;

	if (hu->objref != objref || hu->pad ||
	    (hu->type != SOCK_STREAM && hu->type != SOCK_DGRAM &&
	     hu->type != SOCK_SEQPACKET) ||
	    hu->state < CKPT_UNIX_UNCONNECTED || hu->state > CKPT_UNIX_LISTEN ||
	    hu->flags & ~CKPT_UNIX_FLAGS_ALL ||
	    (closed && (!second || hu->nr_skbs)) ||
	    hu->shutdown & ~(CKPT_UNIX_SHUT_RD | CKPT_UNIX_SHUT_WR) ||
	    (conn ? hu->peer_objref <= 0 : hu->peer_objref != 0) ||
	    (second && hu->peer_objref != peer_objref) ||
	    (listen ? hu->type == SOCK_DGRAM || hu->nr_skbs ||
		      hu->backlog > U16_MAX || !hu->addr_len : hu->backlog) ||
	    (!conn && hu->nr_skbs) || (conn && hu->addr_len) ||
	    hu->addr_len > UNIX_PATH_MAX || hu->nr_skbs > CKPT_UNIX_SKBS_MAX ||
	    hu->bytes > CKPT_UNIX_BYTES_MAX ||
	    hu->h.len < sizeof(*hu) + ALIGN(hu->addr_len, CKPT_ALIGN) +
			(u64)hu->nr_skbs * sizeof(struct ckpt_hdr_unix_skb) +
			hu->bytes)
		return ckpt_err(ctx, -EINVAL,
				"UNIX record at offset %llu: objref %d (expected %d), type %u, state %u, flags %#x, peer %d, %u messages, %llu bytes",
				ctx->hdr_pos, hu->objref, objref, hu->type,
				hu->state, hu->flags, hu->peer_objref,
				hu->nr_skbs, hu->bytes);
	return 0;
}

/* A UNIX record and its address; its queue is read later, by fill. */
static int rstr_unix_read(struct ckpt_ctx *ctx, struct rstr_unix *ru,
			  int objref, int peer_objref, bool second)
{
	int ret;

	ret = ckpt_read_obj(ctx, &ru->hu.h, CKPT_HDR_UNIX, sizeof(ru->hu));
	if (!ret)
		ret = rstr_unix_check(ctx, &ru->hu, objref, peer_objref,
				      second);
	if (!ret && ru->hu.addr_len) {
		ret = ckpt_read(ctx, ru->addr, ru->hu.addr_len);
		if (!ret)
			ret = ckpt_read_pad(ctx, ru->hu.addr_len);
	}
	if (!ret && ru->hu.addr_len && ru->addr[0] &&
	    (ru->addr[0] != '/' ||
	     !memchr(ru->addr, '\0', ru->hu.addr_len)))
		ret = ckpt_err(ctx, -EINVAL,
			       "UNIX record at offset %llu: a bad address",
			       ctx->hdr_pos);
	ru->end = ctx->hdr_pos + ru->hu.h.len;
	return ret;
}

/* The queue of @ru's socket, sent to it from @from, message by message. */
static int rstr_unix_fill(struct ckpt_ctx *ctx, struct rstr_unix *ru,
			  struct socket *from)
{
	struct ckpt_hdr_unix_skb hs;
	u64 parent = ctx->limit, left = ru->hu.bytes;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov;
	void *buf = NULL;
	u32 i;
	int ret = 0;

	ctx->limit = ru->end;
	for (i = 0; i < ru->hu.nr_skbs && !ret; i++) {
		ret = ckpt_read_obj(ctx, &hs.h, CKPT_HDR_UNIX_SKB, sizeof(hs));
		if (ret < 0)
			break;
		/* a datagram may be empty, a run of stream bytes not */
		if ((!hs.len && ru->hu.type == SOCK_STREAM) ||
		    hs.len > CKPT_UNIX_SKB_MAX || hs.len > left ||
		    hs.pad || hs.h.len != sizeof(hs) + ALIGN(hs.len, CKPT_ALIGN)) {
			ret = ckpt_err(ctx, -EINVAL,
				       "UNIX_SKB record at offset %llu: %u bytes (%llu left)",
				       ctx->hdr_pos, hs.len, left);
			break;
		}
		kvfree(buf);
		buf = kvmalloc(hs.len ?: 1, GFP_KERNEL);
		ret = buf ? ckpt_read(ctx, buf, hs.len) : -ENOMEM;
		if (!ret)
			ret = ckpt_read_pad(ctx, hs.len);
		if (ret < 0)
			break;
		iov.iov_base = buf;
		iov.iov_len = hs.len;
		ret = kernel_sendmsg(from, &msg, &iov, 1, hs.len);
		if (ret == hs.len)
			ret = 0;
		else
			ret = ckpt_err(ctx, ret < 0 ? ret : -ENOBUFS,
				       "UNIX_SKB record at offset %llu: %u bytes do not fit in the socket",
				       ctx->hdr_pos, hs.len);
		left -= hs.len;
	}
	kvfree(buf);
	ctx->limit = parent;
	if (!ret && (left || ctx->pos != ru->end))
		ret = ckpt_err(ctx, -EINVAL,
			       "UNIX record: its messages hold %llu bytes, not %llu",
			       ru->hu.bytes - left, ru->hu.bytes);
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
	if (hu->flags & CKPT_UNIX_SNDBUF)
		ret = rstr_unix_setsockopt(sock, SO_SNDBUF, hu->sndbuf / 2);
	if (!ret && hu->flags & CKPT_UNIX_RCVBUF)
		ret = rstr_unix_setsockopt(sock, SO_RCVBUF, hu->rcvbuf / 2);
	if (!ret && hu->flags & CKPT_UNIX_PASSCRED)
		ret = rstr_unix_setsockopt(sock, SO_PASSCRED, 1);
	if (ret < 0)
		return ckpt_err(ctx, ret, "UNIX objref %d: cannot set its options",
				hu->objref);
	return 0;
}

/* Shutdown as it was, on this end only: the peer has its own record. */
static void rstr_unix_shutdown(struct socket *sock, u32 shut)
{
	struct sock *sk = sock->sk;

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

/*
 * While a queue is filled, the sending end may hold all of it: its own
 * limit is set from its record afterwards.  The image's bytes are
 * bounded (CKPT_UNIX_BYTES_MAX).
 */
static int rstr_unix_unlimit(struct socket *sock)
{
	int old = READ_ONCE(sock->sk->sk_sndbuf);

	WRITE_ONCE(sock->sk->sk_sndbuf, 2 * CKPT_UNIX_BYTES_MAX);
	return old;
}

static int rstr_unix_pair_fill(struct ckpt_ctx *ctx, struct socket *sa,
			       struct socket *sb, struct rstr_unix *a,
			       struct rstr_unix *b)
{
	int old_a, old_b, ret;

	/* options first: SO_PASSCRED gives the queued messages credentials */
	ret = rstr_unix_opts(ctx, sa, &a->hu);
	if (ret < 0)
		return ret;
	old_b = rstr_unix_unlimit(sb);
	ret = rstr_unix_fill(ctx, a, sb);
	WRITE_ONCE(sb->sk->sk_sndbuf, old_b);
	/* the peer's record comes right after this one's queue */
	if (!ret)
		ret = rstr_unix_read(ctx, b, a->hu.peer_objref, a->hu.objref,
				     true);
	if (!ret && b->hu.type != a->hu.type)
		ret = ckpt_err(ctx, -EINVAL,
			       "UNIX record at offset %llu: type %u, its peer's is %u",
			       ctx->hdr_pos, b->hu.type, a->hu.type);
	if (!ret)
		ret = rstr_unix_opts(ctx, sb, &b->hu);
	if (ret < 0)
		return ret;
	old_a = rstr_unix_unlimit(sa);
	ret = rstr_unix_fill(ctx, b, sa);
	WRITE_ONCE(sa->sk->sk_sndbuf, old_a);
	return ret;
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
	if (!ret)
		ret = rstr_unix_pair_fill(ctx, sa, sb, a, b);
	if (ret < 0) {
		sock_release(sa);
		sock_release(sb);
		return ret;
	}
	rstr_unix_shutdown(sa, a->hu.shutdown);
	rstr_unix_shutdown(sb, b->hu.shutdown);
	ret = rstr_unix_file(ctx, sa, a->hu.objref, CKPT_OBJ_SOCKFILE);
	if (ret < 0) {
		sock_release(sb);
		return ret;
	}
	/* a closed peer is held until the restart ends, then closed */
	return rstr_unix_file(ctx, sb, b->hu.objref,
			      b->hu.flags & CKPT_UNIX_PEER_CLOSED ?
			      CKPT_OBJ_CLOSED : CKPT_OBJ_SOCKFILE);
}

/*
 * A path whose socket inode outlived its socket (the process was killed
 * after the checkpoint) is removed with unlink(), as the process would
 * have to, before binding again; anything else there is left alone.
 */
/*
 * Is nobody bound to @sun any more?  A datagram socket's connect() says
 * so without touching anyone: a live datagram socket there accepts it
 * (nothing is sent), a live stream or seqpacket one refuses the type,
 * and only an inode no socket holds refuses the connection.
 */
static bool rstr_unix_stale(struct sockaddr_un *sun, int len)
{
	struct socket *probe;
	int ret;

	if (sock_create(AF_UNIX, SOCK_DGRAM, 0, &probe) < 0)
		return false;
	ret = kernel_connect(probe, (struct sockaddr *)sun, len, O_NONBLOCK);
	sock_release(probe);
	return ret == -ECONNREFUSED;
}

static int rstr_unix_unlink_stale(struct sockaddr_un *sun, int len)
{
	const char *name = sun->sun_path;
	struct pt_regs regs = {};
	struct path path;
	bool sock;
	int ret;

	ret = kern_path(name, 0, &path);
	if (ret < 0)
		return ret;
	sock = S_ISSOCK(d_inode(path.dentry)->i_mode);
	path_put(&path);
	if (!sock || !rstr_unix_stale(sun, len))
		return -EADDRINUSE;
	return (int)ckpt_syscall_ubuf(ckpt_syms.sys_unlink, &regs, &regs.di,
				      (void *)name, strlen(name) + 1, false);
}

static int rstr_unix_bind(struct ckpt_ctx *ctx, struct socket *sock,
			  const struct rstr_unix *ru)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int len = offsetof(struct sockaddr_un, sun_path) + ru->hu.addr_len;
	int ret;

	memcpy(sun.sun_path, ru->addr, ru->hu.addr_len);
	ret = kernel_bind(sock, (struct sockaddr *)&sun, len);
	if (ret == -EADDRINUSE && sun.sun_path[0]) {
		ret = rstr_unix_unlink_stale(&sun, len);
		if (!ret)
			ret = kernel_bind(sock, (struct sockaddr *)&sun, len);
	}
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot bind a unix socket to %s%s",
				sun.sun_path[0] ? "" : "@",
				sun.sun_path + !sun.sun_path[0]);
	return 0;
}

/* A socket of its own: unconnected, maybe bound, maybe listening. */
static int rstr_unix_single(struct ckpt_ctx *ctx, struct rstr_unix *ru)
{
	struct socket *sock;
	int ret;

	if (ctx->pos != ru->end)
		return ckpt_err(ctx, -EINVAL,
				"UNIX record at offset %llu: length %u",
				ctx->hdr_pos, ru->hu.h.len);
	ret = sock_create(AF_UNIX, ru->hu.type, 0, &sock);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot create a unix socket");
	ret = rstr_unix_opts(ctx, sock, &ru->hu);
	if (!ret && ru->hu.addr_len)
		ret = rstr_unix_bind(ctx, sock, ru);
	if (!ret && ru->hu.state == CKPT_UNIX_LISTEN) {
		ret = kernel_listen(sock, ru->hu.backlog);
		if (ret < 0)
			ckpt_err(ctx, ret, "cannot listen on a unix socket");
	}
	if (ret < 0) {
		sock_release(sock);
		return ret;
	}
	rstr_unix_shutdown(sock, ru->hu.shutdown);
	return rstr_unix_file(ctx, sock, ru->hu.objref, CKPT_OBJ_SOCKFILE);
}

/* The socket @objref, first named now: its UNIX record(s) come next. */
static int rstr_unix_new(struct ckpt_ctx *ctx, int objref)
{
	struct rstr_unix *ru;
	int ret;

	ru = kcalloc(2, sizeof(*ru), GFP_KERNEL);
	if (!ru)
		return -ENOMEM;
	ret = rstr_unix_read(ctx, &ru[0], objref, 0, false);
	if (!ret && ru[0].hu.state == CKPT_UNIX_CONNECTED)
		ret = rstr_unix_pair(ctx, &ru[0], &ru[1]);
	else if (!ret)
		ret = rstr_unix_single(ctx, &ru[0]);
	kfree(ru);
	return ret;
}

/* The file of a UNIX FILE record. */
struct file *rstr_unix_open(struct ckpt_ctx *ctx, struct ckpt_hdr_file *hf)
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
