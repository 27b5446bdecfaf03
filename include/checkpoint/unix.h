/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unix sockets, shared by unix.c (the sockets: their state, kinds and
 * records), unix_addr.c (their addresses and the files bound to them)
 * and unix_queue.c (the messages queued at them, with the files in
 * flight).
 */
#ifndef _CHECKPOINT_UNIX_H
#define _CHECKPOINT_UNIX_H

#include <linux/net.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/sock.h>
#include <checkpoint/checkpoint.h>

/*
 * A connection not accepted yet: its listener's end has neither socket
 * nor file until accept(), and is not dead (a closed socket is).
 */
static inline bool ckpt_unix_embryo(struct sock *sk)
{
	return !sk->sk_socket && !sock_flag(sk, SOCK_DEAD);
}

struct ckpt_unix_queue {
	u32 nr;
	u32 *lens;
	u32 *nr_fds;		/* per skb: files in flight with it */
	void *data;
	u64 bytes;
	u32 total_fds;
	struct file **fds;	/* all of them, referenced, in order */
};

struct rstr_unix {
	struct ckpt_hdr_unix hu;
	char addr[ALIGN(UNIX_PATH_MAX, CKPT_ALIGN)];
	struct ckpt_unix_attrs attrs;	/* bound to a path: its file's */
	u64 end;			/* where its UNIX_SKBs end */
};

/* unix.c */
struct sock *ckpt_unix_sk(struct file *file);
int ckpt_unix_embryos(struct ckpt_ctx *ctx, struct sock *sk, int fd,
		      struct sock ***pemb);

/* unix_addr.c */
int ckpt_unix_attrs(struct ckpt_ctx *ctx, const struct path *path, int fd,
		    struct ckpt_unix_attrs *ua);
bool rstr_unix_has_attrs(const struct ckpt_hdr_unix *hu, const char *addr);
int rstr_unix_read_attrs(struct ckpt_ctx *ctx, struct rstr_unix *ru);
int rstr_unix_unlink_own(struct socket *sock, const char *name);
int rstr_unix_unlink_again(struct ckpt_ctx *ctx, struct socket *sock,
			   const struct rstr_unix *ru);
int rstr_unix_bind(struct ckpt_ctx *ctx, struct socket *sock,
		   const struct rstr_unix *ru);
int rstr_unix_name(struct ckpt_ctx *ctx, struct socket *sock,
		   const struct rstr_unix *ru);

/* unix_queue.c */
void ckpt_unix_queue_free(struct ckpt_unix_queue *q);
int ckpt_unix_queue(struct ckpt_ctx *ctx, struct sock *sk, int fd,
		    struct ckpt_unix_queue *q);
int ckpt_unix_skbs(struct ckpt_ctx *ctx, const struct ckpt_unix_queue *q,
		   int fd);
int ckpt_unix_deps(struct ckpt_ctx *ctx, struct file *file, int fd);
int rstr_unix_fill(struct ckpt_ctx *ctx, struct rstr_unix *ru,
		   struct socket *from);

#endif /* _CHECKPOINT_UNIX_H */
