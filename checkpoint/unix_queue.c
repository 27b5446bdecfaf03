// SPDX-License-Identifier: GPL-2.0
/*
 * The receive queues of unix sockets, with the files in flight in them
 * (SCM_RIGHTS), and the FILE records those files need before the
 * socket's.  Checkpoint copies a queue under its lock, one entry per
 * skb, and writes a UNIX_SKB record per entry after its socket's UNIX
 * record (unix.c); restart sends each again from the other end, one
 * message per record, with its files.
 *
 * LOCKING: a receive queue's lock guards its skbs, each with its data
 * and its files in flight; what a stream reader consumed of an skb moves
 * under the reader's own lock, and the tree's readers are frozen.
 * unix_state_lock() guards a socket's peer.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/af_unix.h>
#include <net/scm.h>
#include <net/sock.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>
#include <checkpoint/unix.h>

/* ---------------------------------------------------------------------- */
/* checkpoint */

void ckpt_unix_queue_free(struct ckpt_unix_queue *q)
{
	u32 i;

	for (i = 0; q->fds && i < q->total_fds; i++)
		fput(q->fds[i]);
	kvfree(q->fds);
	kvfree(q->nr_fds);
	kvfree(q->lens);
	kvfree(q->data);
}

/* Counts first, under the lock: what the copy must hold. */
static int ckpt_unix_queue_size(struct ckpt_ctx *ctx, struct sock *sk, int fd,
				u32 *pn, u64 *pbytes, u32 *pfds)
{
	struct sk_buff_head *head = &sk->sk_receive_queue;
	struct scm_fp_list *fp;
	struct sk_buff *skb;
	bool sockets = false;
	u64 bytes = 0;
	u32 n = 0, fds = 0;

	spin_lock(&head->lock);
	skb_queue_walk(head, skb) {
		bytes += skb->len;
		n++;
		fp = UNIXCB(skb).fp;
		if (fp) {
			fds += fp->count;
			sockets |= fp->count_unix > 0;
		}
	}
	spin_unlock(&head->lock);
	/* a socket in flight can lead back to its own queue: a cycle */
	if (sockets)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket has a socket in flight (SCM_RIGHTS): not supported yet",
				task_pid_vnr(ctx->target), fd);
	if (bytes > CKPT_UNIX_BYTES_MAX || n > CKPT_UNIX_SKBS_MAX ||
	    fds > CKPT_UNIX_FDS_MAX)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a unix socket holds %llu bytes and %u files in %u messages: too many",
				task_pid_vnr(ctx->target), fd, bytes, fds, n);
	*pn = n;
	*pbytes = bytes;
	*pfds = fds;
	return 0;
}

/*
 * @skb's data and files into the copy @q sized for @n, @bytes, @fds;
 * the caller holds the lock of the queue @skb is on.
 */
static int ckpt_unix_queue_skb(struct ckpt_unix_queue *q, struct sk_buff *skb,
			       bool stream, u32 n, u64 bytes, u32 fds)
{
	struct scm_fp_list *fp = UNIXCB(skb).fp;
	u32 off = stream ? UNIXCB(skb).consumed : 0;
	u32 len = skb->len - off, nfp = fp ? fp->count : 0, i;

	if (q->nr == n || q->bytes + len > bytes || len > CKPT_UNIX_SKB_MAX ||
	    q->total_fds + nfp > fds || nfp > CKPT_UNIX_SKB_FDS_MAX)
		return -EAGAIN;
	/* read to the end: its files went with its first bytes */
	if (stream && !len)
		return 0;
	if (skb_copy_bits(skb, off, q->data + q->bytes, len) < 0)
		return -EFAULT;
	for (i = 0; i < nfp; i++)
		q->fds[q->total_fds++] = get_file(fp->fp[i]);
	q->nr_fds[q->nr] = nfp;
	q->lens[q->nr++] = len;
	q->bytes += len;
	return 0;
}

/*
 * The receive queue of @sk, copied under its lock, one entry per skb: a
 * message for datagram and seqpacket sockets, a run of bytes not read
 * yet for stream ones, with the files in flight with it.  The socket is
 * frozen with every task that could send to it; the copy keeps the lock
 * short and the writer free to sleep.
 */
int ckpt_unix_queue(struct ckpt_ctx *ctx, struct sock *sk, int fd,
		    struct ckpt_unix_queue *q)
{
	struct sk_buff_head *head = &sk->sk_receive_queue;
	bool stream = sk->sk_type == SOCK_STREAM;
	struct sk_buff *skb;
	u32 n, fds;
	u64 bytes;
	int ret;

	memset(q, 0, sizeof(*q));
	ret = ckpt_unix_queue_size(ctx, sk, fd, &n, &bytes, &fds);
	if (ret < 0)
		return ret;
	q->lens = kvcalloc(n ?: 1, sizeof(*q->lens), GFP_KERNEL);
	q->nr_fds = kvcalloc(n ?: 1, sizeof(*q->nr_fds), GFP_KERNEL);
	q->fds = kvcalloc(fds ?: 1, sizeof(*q->fds), GFP_KERNEL);
	q->data = kvmalloc(bytes ?: 1, GFP_KERNEL);
	if (!q->lens || !q->nr_fds || !q->fds || !q->data) {
		ckpt_unix_queue_free(q);
		return -ENOMEM;
	}
	spin_lock(&head->lock);
	skb_queue_walk(head, skb) {
		ret = ckpt_unix_queue_skb(q, skb, stream, n, bytes, fds);
		if (ret < 0)
			break;
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

/*
 * The FILE objrefs of the @nr files in flight at @files: written before
 * the socket's FILE (ckpt_unix_deps()), and the queue has not changed.
 */
static int ckpt_unix_skb_fds(struct ckpt_ctx *ctx, struct file **files, u32 nr,
			     int fd)
{
	s32 refs[CKPT_UNIX_SKB_FDS_MAX];
	u32 i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = ckpt_obj_lookup(ctx, files[i], CKPT_OBJ_FILE);
		if (ret <= 0)
			return ckpt_err(ctx, -EAGAIN,
					"pid %d fd %d: a file in flight in a unix socket appeared during the checkpoint",
					task_pid_vnr(ctx->target), fd);
		/* a cycle: that file's record needs this socket's first */
		if (ckpt_file_writing(ctx, files[i]))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: a unix socket holds in flight (SCM_RIGHTS) a file that depends on the socket (an epoll watching it): not supported",
					task_pid_vnr(ctx->target), fd);
		refs[i] = ret;
	}
	return nr ? ckpt_write_string(ctx, (const char *)refs,
				      nr * sizeof(refs[0])) : 0;
}

/* The UNIX_SKB records of @q. */
int ckpt_unix_skbs(struct ckpt_ctx *ctx, const struct ckpt_unix_queue *q,
		   int fd)
{
	struct ckpt_hdr_unix_skb hs = {};
	u64 data = 0;
	u32 i, fds = 0;
	int ret;

	for (i = 0; i < q->nr; i++) {
		hs.len = q->lens[i];
		hs.nr_fds = q->nr_fds[i];
		ret = ckpt_write_obj(ctx, &hs.h, CKPT_HDR_UNIX_SKB, sizeof(hs),
				     ALIGN(hs.len, CKPT_ALIGN) +
				     hs.nr_fds * sizeof(s32));
		if (ret)
			return ret;
		ret = ckpt_write_string(ctx, q->data + data, hs.len);
		if (ret)
			return ret;
		ret = ckpt_unix_skb_fds(ctx, q->fds + fds, hs.nr_fds, fd);
		if (ret)
			return ret;
		data += hs.len;
		fds += hs.nr_fds;
	}
	return 0;
}

/* Does listener @file hold the connection @emb in its queue? */
static bool ckpt_unix_queues(struct file *file, void *emb)
{
	struct sock *sk = ckpt_unix_sk(file);
	struct sk_buff *skb;
	bool found = false;

	if (!sk || READ_ONCE(sk->sk_state) != TCP_LISTEN)
		return false;
	spin_lock(&sk->sk_receive_queue.lock);
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		if (skb->sk == emb) {
			found = true;
			break;
		}
	}
	spin_unlock(&sk->sk_receive_queue.lock);
	return found;
}

/*
 * The FILE records of the files in flight in @sk's queue, if the socket
 * is not saved yet: they come before the FILE of the socket that brings
 * its UNIX record, so restart has them when it fills the queue.
 */
static int ckpt_unix_inflight(struct ckpt_ctx *ctx, struct sock *sk, int fd)
{
	struct ckpt_unix_queue q;
	u32 i;
	int ret;

	if (sk->sk_socket && !sock_flag(sk, SOCK_DEAD) &&
	    ckpt_obj_lookup(ctx, SOCK_INODE(sk->sk_socket),
			    CKPT_OBJ_INODE) > 0)
		return 0;
	if (!atomic_read(&unix_sk(sk)->scm_stat.nr_fds))
		return 0;
	ret = ckpt_unix_queue(ctx, sk, fd, &q);
	if (ret < 0)
		return ret;
	/* a file in flight is open in no table: it has no fd */
	for (i = 0; i < q.total_fds && ret >= 0; i++)
		ret = ckpt_file_obj(ctx, q.fds[i], -1);
	ckpt_unix_queue_free(&q);
	return ret < 0 ? ret : 0;
}

/* The files in flight in the queues of @sk's connections not accepted. */
static int ckpt_unix_inflight_pending(struct ckpt_ctx *ctx, struct sock *sk,
				      int fd)
{
	struct sock **emb;
	int i, n, ret = 0;

	n = ckpt_unix_embryos(ctx, sk, fd, &emb);
	if (n < 0)
		return n;
	for (i = 0; i < n && ret >= 0; i++)
		ret = ckpt_unix_inflight(ctx, emb[i], fd);
	for (i = 0; i < n; i++)
		sock_put(emb[i]);
	kfree(emb);
	return ret;
}

/*
 * Before the FILE record of a socket: the FILEs of the files in flight
 * in its queue and its peer's; for a socket whose connection is not
 * accepted yet, its listener's, which brings this socket's UNIX record
 * along.
 */
int ckpt_unix_deps(struct ckpt_ctx *ctx, struct file *file, int fd)
{
	struct sock *sk = ckpt_unix_sk(file), *peer;
	struct file *listener;
	int ret = 0;

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		return ckpt_unix_inflight_pending(ctx, sk, fd);
	unix_state_lock(sk);
	peer = unix_peer(sk);
	if (peer)
		sock_hold(peer);
	unix_state_unlock(sk);
	if (peer && ckpt_unix_embryo(peer)) {
		if (ckpt_obj_lookup(ctx, peer, CKPT_OBJ_SOCK) > 0)
			goto out;
		listener = ckpt_tree_file(ctx, -1, ckpt_unix_queues, peer);
		if (!listener) {
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d fd %d: a unix socket connected to a listener outside the tree, not accepted yet: not supported",
				       task_pid_vnr(ctx->target), fd);
			goto out;
		}
		ret = ckpt_file_obj(ctx, listener, fd);
		fput(listener);
		goto out;
	}
	ret = ckpt_unix_inflight(ctx, sk, fd);
	if (ret >= 0 && peer)
		ret = ckpt_unix_inflight(ctx, peer, fd);
out:
	if (peer)
		sock_put(peer);
	return ret < 0 ? ret : 0;
}

/* ---------------------------------------------------------------------- */
/* restart */

/*
 * Send @len bytes at @buf from @from as one message, with @nr files in
 * flight: put at fds of ours for SCM_RIGHTS to take, closed after.
 */
static int rstr_unix_send(struct socket *from, void *buf, u32 len,
			  struct file **files, u32 nr)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct cmsghdr *cm = NULL;
	int *fds = NULL;
	u32 i = 0;
	int ret;

	if (nr) {
		cm = kzalloc(CMSG_SPACE(nr * sizeof(int)), GFP_KERNEL);
		if (!cm)
			return -ENOMEM;
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nr * sizeof(int));
		fds = (int *)CMSG_DATA(cm);
		msg.msg_control = cm;
		msg.msg_controllen = CMSG_SPACE(nr * sizeof(int));
	}
	for (; i < nr; i++) {
		ret = get_unused_fd_flags(O_CLOEXEC);
		if (ret < 0)
			goto out;
		fds[i] = ret;
		fd_install(ret, get_file(files[i]));
	}
	ret = kernel_sendmsg(from, &msg, &iov, 1, len);
out:
	while (i)
		close_fd(fds[--i]);
	kfree(cm);
	return ret;
}

/* The files a UNIX_SKB names as in flight, borrowed from the objhash. */
static int rstr_unix_skb_files(struct ckpt_ctx *ctx, u32 nr,
			       struct file **files)
{
	s32 *refs;
	u32 i;
	int ret;

	if (!nr)
		return 0;
	refs = kmalloc_array(nr, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	ret = ckpt_read(ctx, refs, nr * sizeof(refs[0]));
	if (ret)
		goto out;
	ret = ckpt_read_pad(ctx, nr * sizeof(refs[0]));
	if (ret)
		goto out;
	for (i = 0; i < nr; i++) {
		files[i] = ckpt_obj_fetch(ctx, refs[i], CKPT_OBJ_FILE);
		if (IS_ERR(files[i])) {
			ret = ckpt_err(ctx, -EINVAL,
				       "UNIX_SKB record at offset %llu: file objref %d in flight is no file before it",
				       ctx->hdr_pos, refs[i]);
			goto out;
		}
	}
out:
	kfree(refs);
	return ret;
}

/* One UNIX_SKB of @ru, sent from @from; *@left: bytes still to come. */
static int rstr_unix_skb(struct ckpt_ctx *ctx, struct rstr_unix *ru,
			 struct socket *from, u64 *left, u32 *fds_left)
{
	struct ckpt_hdr_unix_skb hs;
	struct file **files;
	void *buf;
	int ret;

	ret = ckpt_read_obj(ctx, &hs.h, CKPT_HDR_UNIX_SKB, sizeof(hs));
	if (ret < 0)
		return ret;
	/* a datagram may be empty, a run of stream bytes not */
	if ((!hs.len && ru->hu.type == SOCK_STREAM) ||
	    hs.len > CKPT_UNIX_SKB_MAX || hs.len > *left ||
	    hs.nr_fds > CKPT_UNIX_SKB_FDS_MAX || hs.nr_fds > *fds_left ||
	    hs.h.len != sizeof(hs) + ALIGN(hs.len, CKPT_ALIGN) +
			ALIGN(hs.nr_fds * sizeof(s32), CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"UNIX_SKB record at offset %llu: %u bytes (%llu left), %u files in flight",
				ctx->hdr_pos, hs.len, *left, hs.nr_fds);
	buf = kvmalloc(hs.len ?: 1, GFP_KERNEL);
	files = kcalloc(hs.nr_fds ?: 1, sizeof(*files), GFP_KERNEL);
	if (!buf || !files) {
		ret = -ENOMEM;
		goto out;
	}
	ret = ckpt_read(ctx, buf, hs.len);
	if (ret)
		goto out;
	ret = ckpt_read_pad(ctx, hs.len);
	if (ret)
		goto out;
	ret = rstr_unix_skb_files(ctx, hs.nr_fds, files);
	if (ret)
		goto out;
	ret = rstr_unix_send(from, buf, hs.len, files, hs.nr_fds);
	if (ret == hs.len)
		ret = 0;
	else
		ret = ckpt_err(ctx, ret < 0 ? ret : -ENOBUFS,
			       "UNIX_SKB record at offset %llu: %u bytes do not fit in the socket",
			       ctx->hdr_pos, hs.len);
out:
	kfree(files);
	kvfree(buf);
	*left -= hs.len;
	*fds_left -= hs.nr_fds;
	return ret;
}

/*
 * The queue of @ru's socket, sent to it from @from, message by message.
 * Meanwhile the sending end may hold all of it (the image's bytes are
 * bounded, CKPT_UNIX_BYTES_MAX); its own limit is set back after.
 */
int rstr_unix_fill(struct ckpt_ctx *ctx, struct rstr_unix *ru,
		   struct socket *from)
{
	u64 parent = ctx->limit, left = ru->hu.bytes;
	int sndbuf = READ_ONCE(from->sk->sk_sndbuf);
	u32 i, fds_left = CKPT_UNIX_FDS_MAX;
	int ret = 0;

	WRITE_ONCE(from->sk->sk_sndbuf, 2 * CKPT_UNIX_BYTES_MAX);
	ctx->limit = ru->end;
	for (i = 0; i < ru->hu.nr_skbs && !ret; i++)
		ret = rstr_unix_skb(ctx, ru, from, &left, &fds_left);
	ctx->limit = parent;
	WRITE_ONCE(from->sk->sk_sndbuf, sndbuf);
	if (ret)
		return ret;
	if (left || ctx->pos != ru->end)
		return ckpt_err(ctx, -EINVAL,
				"UNIX record: its messages hold %llu bytes, not %llu",
				ru->hu.bytes - left, ru->hu.bytes);
	return 0;
}
