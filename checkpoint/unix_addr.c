// SPDX-License-Identifier: GPL-2.0
/*
 * The addresses of unix sockets: a path, whose file's owner and mode
 * come with it, or an abstract name.  Restart binds a socket again to
 * its own address, removing first a file at the path whose socket is
 * gone, and unlinks it again if it was unlinked; a socket accepted from
 * a listener gets its listener's address as accept() leaves it, unbound.
 *
 * LOCKING: the inode lock of a socket's file is the one notify_change()
 * wants.  A new socket's address is published with a release store, as
 * unix_bind() does: no other task has the socket yet.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
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

/* ---------------------------------------------------------------------- */
/* checkpoint */

/*
 * The owner and mode of the file @path a socket was bound to: bind()
 * made it with the binder's fsuid and umask, chown() and chmod() may
 * have changed them since.
 */
int ckpt_unix_attrs(struct ckpt_ctx *ctx, const struct path *path,
		    int fd, struct ckpt_unix_attrs *ua)
{
	struct user_namespace *ns = current_user_ns();
	struct kstat st;
	int ret;

	ret = vfs_getattr(path, &st, STATX_BASIC_STATS, AT_STATX_SYNC_AS_STAT);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"pid %d fd %d: cannot read the owner and mode of a unix socket's file",
				task_pid_vnr(ctx->target), fd);
	ua->mode = st.mode;
	ua->uid = from_kuid(ns, st.uid);
	ua->gid = from_kgid(ns, st.gid);
	if (ua->uid == (u32)-1 || ua->gid == (u32)-1)
		return ckpt_err(ctx, -EOVERFLOW,
				"pid %d fd %d: a unix socket's file has an owner the checkpointer's user namespace cannot name",
				task_pid_vnr(ctx->target), fd);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* restart */

/* Is @hu bound to a path, whose file's attributes follow the address? */
bool rstr_unix_has_attrs(const struct ckpt_hdr_unix *hu,
			 const char *addr)
{
	return (hu->flags & CKPT_UNIX_BOUND) && hu->addr_len && addr[0];
}

int rstr_unix_read_attrs(struct ckpt_ctx *ctx, struct rstr_unix *ru)
{
	struct user_namespace *ns = current_user_ns();
	const struct ckpt_unix_attrs *ua = &ru->attrs;
	int ret;

	ret = ckpt_read(ctx, &ru->attrs, sizeof(ru->attrs));
	if (ret < 0)
		return ret;
	if ((ua->mode & S_IFMT) != S_IFSOCK || ua->mode & ~(S_IFMT | 07777) ||
	    ua->pad || !uid_valid(make_kuid(ns, ua->uid)) ||
	    !gid_valid(make_kgid(ns, ua->gid)))
		return ckpt_err(ctx, -EINVAL,
				"UNIX record at offset %llu: its file %s of mode %#o, owner %u:%u",
				ctx->hdr_pos, ru->addr, ua->mode, ua->uid,
				ua->gid);
	return 0;
}

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

/*
 * A path whose socket inode outlived its socket (the process was killed
 * after the checkpoint) is removed with unlink(), as the process would
 * have to, before binding again; anything else there is left alone.
 */
static int rstr_unix_unlink_stale(struct sockaddr_un *sun, int len)
{
	const char *name = sun->sun_path;
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
	return (int)kapi_unlink(name);
}

/*
 * The file bind() just made for @sock at @name, unlinked again: the
 * socket keeps its name and its inode, as the kernel had it when the
 * name was unlinked after the bind.  Only if the path still leads to
 * that inode: nothing else is ever removed.
 */
int rstr_unix_unlink_own(struct socket *sock, const char *name)
{
	struct inode *own = d_inode(unix_sk(sock->sk)->path.dentry);
	struct path path;
	bool same;
	int ret;

	ret = kern_path(name, 0, &path);
	if (ret < 0)
		return ret;
	same = d_inode(path.dentry) == own;
	path_put(&path);
	if (!same)
		return -EEXIST;
	return (int)kapi_unlink(name);
}

/* notify_change() on the file @path, as chown() and chmod() would. */
static int rstr_unix_setattr(const struct path *path, struct iattr *attr)
{
	struct inode *inode = d_inode(path->dentry);
	int ret;

	ret = mnt_want_write(path->mnt);
	if (ret < 0)
		return ret;
	inode_lock(inode);
	ret = notify_change(ckpt_mnt_idmap(path->mnt), path->dentry, attr,
			    NULL);
	inode_unlock(inode);
	mnt_drop_write(path->mnt);
	return ret;
}

/*
 * The owner, then the mode (which a chown may change) of the file bind()
 * just made for @sock with the restarting task's fsuid and umask: each
 * as the caller could set it itself, else a line saying which.
 */
static int rstr_unix_attrs(struct ckpt_ctx *ctx, struct socket *sock,
			   const struct rstr_unix *ru)
{
	const struct path *path = &unix_sk(sock->sk)->path;
	struct user_namespace *ns = current_user_ns();
	const struct ckpt_unix_attrs *ua = &ru->attrs;
	struct iattr owner = {
		.ia_valid = ATTR_UID | ATTR_GID | ATTR_CTIME,
		.ia_vfsuid = VFSUIDT_INIT(make_kuid(ns, ua->uid)),
		.ia_vfsgid = VFSGIDT_INIT(make_kgid(ns, ua->gid)),
	};
	struct iattr mode = {
		.ia_valid = ATTR_MODE | ATTR_CTIME,
		.ia_mode = ua->mode,
	};
	int ret;

	ret = rstr_unix_setattr(path, &owner);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"unix socket %s: cannot give its file owner %u:%u",
				ru->addr, ua->uid, ua->gid);
	ret = rstr_unix_setattr(path, &mode);
	if (!ret && d_inode(path->dentry)->i_mode != ua->mode)
		ret = -EPERM;
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"unix socket %s: cannot give its file mode %#o (owner %u:%u)",
				ru->addr, ua->mode & 07777, ua->uid, ua->gid);
	return 0;
}

/* @sock's file at @ru's path, unlinked again; failing, a line saying so. */
int rstr_unix_unlink_again(struct ckpt_ctx *ctx, struct socket *sock,
			   const struct rstr_unix *ru)
{
	int ret = rstr_unix_unlink_own(sock, ru->addr);

	if (ret < 0)
		return ckpt_err(ctx, ret,
				"cannot unlink %s again, the name of a unix socket unlinked when checkpointed",
				ru->addr);
	return 0;
}

/*
 * A socket whose path was unlinked: bound there and unlinked again,
 * only where the path is free now - whatever holds it (a file, another
 * socket, stale or not) is someone else's.  A listener's name stays
 * until its pending connections are made by connect() to it.
 */
static int rstr_unix_bind_unlinked(struct ckpt_ctx *ctx, struct socket *sock,
				   const struct rstr_unix *ru,
				   struct sockaddr_un *sun, int len)
{
	int ret = kernel_bind(sock, (struct sockaddr *)sun, len);

	if (ret < 0)
		return ckpt_err(ctx, ret,
				"cannot bind a unix socket to %s, unlinked when checkpointed%s",
				sun->sun_path, ret == -EADDRINUSE ?
				": the path is taken" : "");
	ret = rstr_unix_attrs(ctx, sock, ru);
	if (ret < 0 || ru->hu.state == CKPT_UNIX_LISTEN)
		return ret;
	return rstr_unix_unlink_again(ctx, sock, ru);
}

int rstr_unix_bind(struct ckpt_ctx *ctx, struct socket *sock,
		   const struct rstr_unix *ru)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int len = offsetof(struct sockaddr_un, sun_path) + ru->hu.addr_len;
	int ret;

	memcpy(sun.sun_path, ru->addr, ru->hu.addr_len);
	if (ru->hu.flags & CKPT_UNIX_UNLINKED)
		return rstr_unix_bind_unlinked(ctx, sock, ru, &sun, len);
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
	return sun.sun_path[0] ? rstr_unix_attrs(ctx, sock, ru) : 0;
}

/*
 * @ru's address on @sock: bound again if it was its own, else (a socket
 * accepted from a listener) its listener's, set as accept() leaves it,
 * without binding: the listener, if it is still there, holds the name.
 */
int rstr_unix_name(struct ckpt_ctx *ctx, struct socket *sock,
		   const struct rstr_unix *ru)
{
	int len = offsetof(struct sockaddr_un, sun_path) + ru->hu.addr_len;
	struct unix_address *addr;

	if (!ru->hu.addr_len)
		return 0;
	if (ru->hu.flags & CKPT_UNIX_BOUND)
		return rstr_unix_bind(ctx, sock, ru);
	addr = kmalloc(sizeof(*addr) + len, GFP_KERNEL);
	if (!addr)
		return -ENOMEM;
	refcount_set(&addr->refcnt, 1);
	addr->len = len;
	addr->name->sun_family = AF_UNIX;
	memcpy(addr->name->sun_path, ru->addr, ru->hu.addr_len);
	/* as unix_bind() publishes it: the socket is ours alone yet */
	smp_store_release(&unix_sk(sock->sk)->addr, addr);
	return 0;
}
