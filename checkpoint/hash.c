// SPDX-License-Identifier: GPL-2.0
/*
 * The image's checksum, computed beside the operation.
 *
 * Every byte of the stream goes into one running xxh64, in stream order.
 * Hashing a page run costs about a fifth of writing or reading it, and
 * the operation is one thread: so the runs are hashed by a work item on
 * another CPU while the operation writes or reads the next one.  The
 * pages stay referenced until hashed; the target is frozen (checkpoint)
 * or the restored task has not run yet (restart), so they do not change
 * meanwhile.  What comes between the runs (record headers, small
 * records) is hashed in line when nothing is queued, else queued as a
 * copy, so that the order holds.  The digest is only taken once the
 * queue is empty.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/workqueue.h>
#include <linux/wait.h>
#include <linux/ktime.h>
#include <linux/xxhash.h>

#include <checkpoint/checkpoint.h>

/*
 * Runs shorter than this are hashed in line when the queue is empty: a
 * work item costs more than they do.  At most CKPT_HASH_QUEUE_MAX bytes
 * wait to be hashed (the pages they pin); a copy of more than
 * CKPT_HASH_COPY_MAX bytes is not worth making.
 */
#define CKPT_HASH_ASYNC_MIN	16
#define CKPT_HASH_QUEUE_MAX	(16UL << 20)
#define CKPT_HASH_COPY_MAX	(64UL << 10)

struct ckpt_hasher {
	struct xxh64_state sum;
	spinlock_t lock;
	struct list_head items;		/* oldest first */
	size_t queued;			/* bytes queued or being hashed */
	wait_queue_head_t wait;		/* for room, or an empty queue */
	struct work_struct work;
	u64 ns;				/* time the work item spent */
};

/* Pages (@nr of them, referenced) or, if @nr is 0, @len bytes of data. */
struct ckpt_hash_item {
	struct list_head list;
	unsigned int nr;
	size_t len;
	union {
		DECLARE_FLEX_ARRAY(struct page *, pages);
		DECLARE_FLEX_ARRAY(u8, data);
	};
};

static size_t ckpt_hash_queued(struct ckpt_hasher *h)
{
	size_t queued;

	spin_lock(&h->lock);
	queued = h->queued;
	spin_unlock(&h->lock);
	return queued;
}

static void ckpt_hash_page(struct ckpt_hasher *h, struct page *page)
{
	void *kaddr = kmap_local_page(page);

	xxh64_update(&h->sum, kaddr, PAGE_SIZE);
	kunmap_local(kaddr);
}

static void ckpt_hash_item_run(struct ckpt_hasher *h,
			       struct ckpt_hash_item *item)
{
	unsigned int i;

	if (!item->nr) {
		xxh64_update(&h->sum, item->data, item->len);
		return;
	}
	for (i = 0; i < item->nr; i++) {
		ckpt_hash_page(h, item->pages[i]);
		put_page(item->pages[i]);
	}
}

/* The items in order; only one instance runs at a time. */
static void ckpt_hash_work(struct work_struct *work)
{
	struct ckpt_hasher *h = container_of(work, struct ckpt_hasher, work);
	struct ckpt_hash_item *item;
	size_t len;
	u64 t;

	for (;;) {
		spin_lock(&h->lock);
		item = list_first_entry_or_null(&h->items,
						struct ckpt_hash_item, list);
		if (item)
			list_del(&item->list);
		spin_unlock(&h->lock);
		if (!item)
			return;
		t = ktime_get_ns();
		ckpt_hash_item_run(h, item);
		h->ns += ktime_get_ns() - t;
		len = item->len;
		kfree(item);
		spin_lock(&h->lock);
		h->queued -= len;	/* after the sum: a drained queue shows it */
		spin_unlock(&h->lock);
		wake_up_all(&h->wait);
	}
}

/* Wait until everything queued is hashed: @h->sum is then up to date. */
static void ckpt_hash_drain(struct ckpt_hasher *h)
{
	wait_event(h->wait, !ckpt_hash_queued(h));
}

static void ckpt_hash_queue(struct ckpt_hasher *h, struct ckpt_hash_item *item)
{
	wait_event(h->wait, ckpt_hash_queued(h) + item->len <=
			    CKPT_HASH_QUEUE_MAX || !ckpt_hash_queued(h));
	spin_lock(&h->lock);
	list_add_tail(&item->list, &h->items);
	h->queued += item->len;
	spin_unlock(&h->lock);
	queue_work(system_unbound_wq, &h->work);
}

struct ckpt_hasher *ckpt_hasher_alloc(void)
{
	struct ckpt_hasher *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return NULL;
	xxh64_reset(&h->sum, 0);
	spin_lock_init(&h->lock);
	INIT_LIST_HEAD(&h->items);
	init_waitqueue_head(&h->wait);
	INIT_WORK(&h->work, ckpt_hash_work);
	return h;
}

/* Whatever is still queued (a failed operation's) is hashed and let go. */
void ckpt_hasher_free(struct ckpt_hasher *h)
{
	if (!h)
		return;
	ckpt_hash_drain(h);
	flush_work(&h->work);
	kfree(h);
}

/* @len bytes at @buf, next in the stream. */
void ckpt_hash(struct ckpt_hasher *h, const void *buf, size_t len)
{
	struct ckpt_hash_item *item = NULL;

	if (!len)
		return;
	if (ckpt_hash_queued(h) && len <= CKPT_HASH_COPY_MAX)
		item = kmalloc(struct_size(item, data, len), GFP_KERNEL);
	if (!item) {
		ckpt_hash_drain(h);
		xxh64_update(&h->sum, buf, len);
		return;
	}
	item->nr = 0;
	item->len = len;
	memcpy(item->data, buf, len);
	ckpt_hash_queue(h, item);
}

/* @nr whole pages, next in the stream; referenced until hashed. */
void ckpt_hash_pages(struct ckpt_hasher *h, struct page **pages,
		     unsigned int nr)
{
	struct ckpt_hash_item *item = NULL;
	unsigned int i;

	if (nr >= CKPT_HASH_ASYNC_MIN || ckpt_hash_queued(h))
		item = kmalloc(struct_size(item, pages, nr), GFP_KERNEL);
	if (!item) {
		ckpt_hash_drain(h);
		for (i = 0; i < nr; i++)
			ckpt_hash_page(h, pages[i]);
		return;
	}
	item->nr = nr;
	item->len = (size_t)nr * PAGE_SIZE;
	for (i = 0; i < nr; i++) {
		get_page(pages[i]);
		item->pages[i] = pages[i];
	}
	ckpt_hash_queue(h, item);
}

/* The xxh64 of the stream so far; *@ns gets the work item's time. */
u64 ckpt_hash_digest(struct ckpt_hasher *h, u64 *ns)
{
	ckpt_hash_drain(h);
	if (ns)
		*ns = h->ns;
	return xxh64_digest(&h->sum);
}
