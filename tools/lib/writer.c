// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: writing an image into memory as the kernel writes one, and
 * walking one without checking it (for tests that build or edit images).
 */
#include <string.h>

#include "internal.h"

void ckpt_writer_init(struct ckpt_writer *w, void *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	ckpt_xxh64_init(&w->sum);
}

/* End the innermost open record; a top-level one joins the sum. */
void ckpt_writer_end(struct ckpt_writer *w)
{
	struct ckpt_hdr *h;
	size_t off;

	if (!w->depth)
		return;
	off = w->open[--w->depth];
	h = (struct ckpt_hdr *)(w->buf + off);
	h->len = w->len - off;
	if (!w->depth) {
		ckpt_xxh64_update(&w->sum, w->buf + w->hashed,
				  w->len - w->hashed);
		w->hashed = w->len;
	}
}

void *ckpt_writer_put(struct ckpt_writer *w, const void *data, size_t len)
{
	size_t padded = CKPT_ALIGN_UP(len);
	void *p;

	if (w->error || padded > w->cap - w->len) {
		w->error = 1;
		return NULL;
	}
	p = w->buf + w->len;
	memset(p, 0, padded);
	if (data)
		memcpy(p, data, len);
	w->len += padded;
	return p;
}

/* The records open that @type does not nest in end first. */
void *ckpt_writer_begin(struct ckpt_writer *w, __u32 type, size_t *off)
{
	const struct ckpt_rec_desc *d = ckpt_rec_desc(type);
	struct ckpt_hdr *h;

	while (d && w->depth && ((struct ckpt_hdr *)
				 (w->buf + w->open[w->depth - 1]))->type !=
				d->parent)
		ckpt_writer_end(w);
	if (!d || (d->parent && !w->depth) || w->depth == CKPT_WRITER_DEPTH)
		w->error = 1;
	h = ckpt_writer_put(w, NULL, d ? d->size : 0);
	if (!h)
		return NULL;
	h->type = type;
	h->len = d->size;
	if (off)
		*off = (char *)h - (char *)w->buf;
	w->open[w->depth++] = (char *)h - (char *)w->buf;
	w->nr_records++;
	return h;
}

/* What the TAIL after the @w->len bytes written holds: their xxh64. */
static __u64 ckpt_writer_sum(struct ckpt_writer *w)
{
	while (w->depth)
		ckpt_writer_end(w);
	return ckpt_xxh64_digest(&w->sum);
}

long ckpt_writer_tail(struct ckpt_writer *w)
{
	struct ckpt_hdr_tail *t;
	__u64 sum;
	__u32 nr;
	size_t off;

	sum = ckpt_writer_sum(w);
	nr = w->nr_records;
	t = ckpt_writer_begin(w, CKPT_HDR_TAIL, &off);
	if (!t || w->error)
		return -1;
	t->xxh64 = sum;
	t->nr_records = nr;
	ckpt_writer_end(w);
	return off;
}

int ckpt_image_reseal(void *buf, size_t len)
{
	struct ckpt_hdr_tail *t;
	struct ckpt_writer w;

	if (len < sizeof(*t))
		return -1;
	t = (struct ckpt_hdr_tail *)((unsigned char *)buf + len - sizeof(*t));
	if (t->h.type != CKPT_HDR_TAIL || t->h.len != sizeof(*t))
		return -1;
	/* what precedes the TAIL, as if just written: one run to sum */
	ckpt_writer_init(&w, buf, len);
	w.len = len - sizeof(*t);
	ckpt_xxh64_update(&w.sum, w.buf, w.len);
	w.hashed = w.len;
	t->xxh64 = ckpt_writer_sum(&w);
	return 0;
}

static int ckpt_walk_range(const unsigned char *buf, size_t off, size_t end,
			   int parent, int *nr, ckpt_walk_fn fn, void *arg)
{
	const struct ckpt_rec_desc *d;
	const struct ckpt_hdr *h;
	size_t nested;
	int idx, ret;

	for (; off < end; off += h->len) {
		h = (const struct ckpt_hdr *)(buf + off);
		if (end - off < sizeof(*h) || h->len < sizeof(*h) ||
		    h->len > end - off || h->len % CKPT_ALIGN)
			return -1;
		idx = (*nr)++;
		ret = fn(arg, off, h, parent);
		if (ret)
			return ret;
		/* where its nested records start, if its fixed part is there */
		d = ckpt_rec_desc(h->type);
		nested = d && h->len >= d->size ? ckpt_rec_nested_at(h) : 0;
		if (nested && nested < h->len) {
			ret = ckpt_walk_range(buf, off + nested, off + h->len,
					      idx, nr, fn, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int ckpt_image_walk(const unsigned char *buf, size_t len, ckpt_walk_fn fn,
		    void *arg)
{
	int nr = 0;

	return ckpt_walk_range(buf, 0, len, -1, &nr, fn, arg);
}
