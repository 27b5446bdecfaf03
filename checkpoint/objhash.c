// SPDX-License-Identifier: GPL-2.0
/*
 * The objhash: kernel objects <-> objrefs.
 *
 * Anything two tasks may share (an mm, a file, a files table...) is saved
 * once: the first time checkpoint meets an object it gets a new objref and
 * its record is written; later sightings only name the objref.  Restart
 * builds the reverse map, objref -> restored object, so a second reference
 * in the image shares the object again instead of creating a copy.
 *
 * The hash holds a reference on every object in it; teardown drops them.
 * Some types are kept for their identity only (an fd table, signal
 * handlers): checkpoint holds every task that uses them frozen, and
 * restart only compares them with what a restoring task has.
 *
 * One hash serves every task of an operation; restoring tasks use it
 * concurrently, so it has a lock.
 */
#include <linux/slab.h>
#include <linux/hashtable.h>
#include <linux/sched/mm.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <net/sock.h>

#include <checkpoint/checkpoint.h>

#define CKPT_OBJHASH_BITS	8

struct ckpt_obj {
	struct hlist_node by_ptr;
	struct hlist_node by_ref;
	void *ptr;
	int objref;
	enum ckpt_obj_type type;
};

struct ckpt_objhash {
	struct mutex lock;
	DECLARE_HASHTABLE(by_ptr, CKPT_OBJHASH_BITS);
	DECLARE_HASHTABLE(by_ref, CKPT_OBJHASH_BITS);
	int next_objref;
};

static void obj_mm_grab(void *ptr)
{
	mmget(ptr);
}

static void obj_mm_drop(void *ptr)
{
	mmput(ptr);
}

static void obj_file_grab(void *ptr)
{
	get_file(ptr);
}

static void obj_file_drop(void *ptr)
{
	fput(ptr);
}

static void obj_inode_grab(void *ptr)
{
	ihold(ptr);
}

static void obj_inode_drop(void *ptr)
{
	iput(ptr);
}

static void obj_sock_grab(void *ptr)
{
	sock_hold(ptr);
}

static void obj_sock_drop(void *ptr)
{
	sock_put(ptr);
}

static const struct ckpt_obj_ops obj_mm = {
	CKPT_OBJ_MM, "mm", obj_mm_grab, obj_mm_drop
};

static const struct ckpt_obj_ops obj_inode = {
	CKPT_OBJ_INODE, "inode", obj_inode_grab, obj_inode_drop
};

static const struct ckpt_obj_ops obj_sock = {
	CKPT_OBJ_SOCK, "sock", obj_sock_grab, obj_sock_drop
};

/* kept for their identity only: no reference */
static const struct ckpt_obj_ops obj_files = { CKPT_OBJ_FILES, "files" };
static const struct ckpt_obj_ops obj_fs = { CKPT_OBJ_FS, "fs" };
static const struct ckpt_obj_ops obj_sighand = { CKPT_OBJ_SIGHAND, "sighand" };
static const struct ckpt_obj_ops obj_signal = { CKPT_OBJ_SIGNAL, "signal" };

/* a struct file, in the role its type names */
static const struct ckpt_obj_ops obj_file = {
	CKPT_OBJ_FILE, "file", obj_file_grab, obj_file_drop
};

static const struct ckpt_obj_ops obj_shmem = {
	CKPT_OBJ_SHMEM, "shmem", obj_file_grab, obj_file_drop
};

static const struct ckpt_obj_ops obj_pipe = {
	CKPT_OBJ_PIPE, "pipe", obj_file_grab, obj_file_drop
};

static const struct ckpt_obj_ops obj_sockfile = {
	CKPT_OBJ_SOCKFILE, "socket", obj_file_grab, obj_file_drop
};

static const struct ckpt_obj_ops obj_closed = {
	CKPT_OBJ_CLOSED, "closed file", obj_file_grab, obj_file_drop
};

static const struct ckpt_obj_ops obj_unlinked = {
	CKPT_OBJ_UNLINKED, "unlinked file", obj_file_grab, obj_file_drop
};

/* Every type of object, by type. */
static const struct ckpt_obj_ops *const ckpt_obj_types[CKPT_OBJ_MAX] = {
	[CKPT_OBJ_MM] = &obj_mm,
	[CKPT_OBJ_FILE] = &obj_file,
	[CKPT_OBJ_SHMEM] = &obj_shmem,
	[CKPT_OBJ_FILES] = &obj_files,
	[CKPT_OBJ_FS] = &obj_fs,
	[CKPT_OBJ_SIGHAND] = &obj_sighand,
	[CKPT_OBJ_SIGNAL] = &obj_signal,
	[CKPT_OBJ_INODE] = &obj_inode,
	[CKPT_OBJ_PIPE] = &obj_pipe,
	[CKPT_OBJ_SOCK] = &obj_sock,
	[CKPT_OBJ_SOCKFILE] = &obj_sockfile,
	[CKPT_OBJ_CLOSED] = &obj_closed,
	[CKPT_OBJ_TTY] = &ckpt_tty_obj_ops,	/* pty.c */
	[CKPT_OBJ_PTY] = &rstr_pty_obj_ops,	/* pty.c */
	[CKPT_OBJ_UNLINKED] = &obj_unlinked,
};

static bool obj_type_valid(enum ckpt_obj_type type)
{
	return type > 0 && type < CKPT_OBJ_MAX && ckpt_obj_types[type] &&
	       ckpt_obj_types[type]->type == type;
}

/* The hash's reference on @obj, taken or dropped as its type says. */
static void obj_grab(const struct ckpt_obj *obj)
{
	const struct ckpt_obj_ops *ops = ckpt_obj_types[obj->type];

	if (ops->grab)
		ops->grab(obj->ptr);
}

static void obj_drop(const struct ckpt_obj *obj)
{
	const struct ckpt_obj_ops *ops = ckpt_obj_types[obj->type];

	if (ops->drop)
		ops->drop(obj->ptr);
}

int ckpt_objhash_alloc(struct ckpt_ctx *ctx)
{
	struct ckpt_objhash *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return -ENOMEM;
	mutex_init(&h->lock);
	hash_init(h->by_ptr);
	hash_init(h->by_ref);
	h->next_objref = 1;
	ctx->objhash = h;
	return 0;
}

void ckpt_objhash_free(struct ckpt_ctx *ctx)
{
	struct ckpt_objhash *h = ctx->objhash;
	struct hlist_node *n;
	struct ckpt_obj *obj;
	int bkt;

	if (!h)
		return;
	hash_for_each_safe(h->by_ref, bkt, n, obj, by_ref) {
		obj_drop(obj);
		kfree(obj);
	}
	kfree(h);
	ctx->objhash = NULL;
}

static struct ckpt_obj *obj_find_ptr(struct ckpt_objhash *h, void *ptr)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(h->by_ptr, obj, by_ptr, (unsigned long)ptr)
		if (obj->ptr == ptr)
			return obj;
	return NULL;
}

static struct ckpt_obj *obj_find_ref(struct ckpt_objhash *h, int objref)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(h->by_ref, obj, by_ref, objref)
		if (obj->objref == objref)
			return obj;
	return NULL;
}

static int obj_new(struct ckpt_objhash *h, void *ptr, int objref,
		   enum ckpt_obj_type type)
{
	struct ckpt_obj *obj = kmalloc(sizeof(*obj), GFP_KERNEL);

	if (!obj)
		return -ENOMEM;
	obj->ptr = ptr;
	obj->objref = objref;
	obj->type = type;
	obj_grab(obj);
	hash_add(h->by_ptr, &obj->by_ptr, (unsigned long)ptr);
	hash_add(h->by_ref, &obj->by_ref, objref);
	return 0;
}

/**
 * ckpt_obj_lookup_add - objref of @ptr, giving it a new one on first sight
 * @ctx: checkpoint context
 * @ptr: the kernel object
 * @type: its type; the hash takes a reference of that type
 * @first: set to true when @ptr was not in the hash before
 *
 * Returns the objref (> 0) or a negative errno.
 */
int ckpt_obj_lookup_add(struct ckpt_ctx *ctx, void *ptr,
			enum ckpt_obj_type type, bool *first)
{
	struct ckpt_objhash *h = ctx->objhash;
	struct ckpt_obj *obj;
	int objref, ret;

	if (!ptr || !obj_type_valid(type))
		return -EINVAL;
	mutex_lock(&h->lock);
	obj = obj_find_ptr(h, ptr);
	if (obj) {
		ret = obj->type == type ? obj->objref : -EINVAL;
		*first = false;
		goto out;
	}
	ret = -ENOSPC;
	if (h->next_objref == INT_MAX)
		goto out;
	objref = h->next_objref;
	ret = obj_new(h, ptr, objref, type);
	if (ret < 0)
		goto out;
	h->next_objref++;
	*first = true;
	ret = objref;
out:
	mutex_unlock(&h->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ckpt_obj_lookup_add, CHECKPOINT);

/* The objref of @ptr, 0 if it has none yet, or -EINVAL for a type clash. */
int ckpt_obj_lookup(struct ckpt_ctx *ctx, void *ptr, enum ckpt_obj_type type)
{
	struct ckpt_objhash *h = ctx->objhash;
	struct ckpt_obj *obj;
	int ret = 0;

	mutex_lock(&h->lock);
	obj = obj_find_ptr(h, ptr);
	if (obj)
		ret = obj->type == type ? obj->objref : -EINVAL;
	mutex_unlock(&h->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ckpt_obj_lookup, CHECKPOINT);

/**
 * ckpt_obj_for_each - call @fn on every object of @type in the hash
 * @ctx: checkpoint context
 * @type: the objects' type
 * @fn: called with the hash locked; must not use the hash itself
 * @arg: for @fn
 */
void ckpt_obj_for_each(struct ckpt_ctx *ctx, enum ckpt_obj_type type,
		       void (*fn)(void *ptr, void *arg), void *arg)
{
	struct ckpt_objhash *h = ctx->objhash;
	struct ckpt_obj *obj;
	int bkt;

	mutex_lock(&h->lock);
	hash_for_each(h->by_ref, bkt, obj, by_ref)
		if (obj->type == type)
			fn(obj->ptr, arg);
	mutex_unlock(&h->lock);
}

/**
 * ckpt_obj_insert - restart: record that @objref from the image is @ptr
 *
 * The objref comes from the image, so it is checked: it must be positive
 * and not seen before.  The hash takes a reference on @ptr.
 */
int ckpt_obj_insert(struct ckpt_ctx *ctx, void *ptr, int objref,
		    enum ckpt_obj_type type)
{
	struct ckpt_objhash *h = ctx->objhash;
	int ret = -EINVAL;

	if (!ptr || !obj_type_valid(type) || objref <= 0)
		return -EINVAL;
	mutex_lock(&h->lock);
	if (!obj_find_ref(h, objref))
		ret = obj_new(h, ptr, objref, type);
	mutex_unlock(&h->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ckpt_obj_insert, CHECKPOINT);

/**
 * ckpt_obj_fetch - restart: the object an image's objref names
 *
 * Returns the object (the hash keeps its reference) or ERR_PTR(-EINVAL)
 * if the objref is unknown or names an object of another type.
 */
void *ckpt_obj_fetch(struct ckpt_ctx *ctx, int objref,
		     enum ckpt_obj_type type)
{
	struct ckpt_objhash *h = ctx->objhash;
	struct ckpt_obj *obj;
	void *ptr = ERR_PTR(-EINVAL);

	mutex_lock(&h->lock);
	obj = obj_find_ref(h, objref);
	if (obj && obj->type == type)
		ptr = obj->ptr;
	mutex_unlock(&h->lock);
	return ptr;
}
EXPORT_SYMBOL_NS_GPL(ckpt_obj_fetch, CHECKPOINT);
