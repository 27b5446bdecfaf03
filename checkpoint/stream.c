// SPDX-License-Identifier: GPL-2.0
/*
 * The image stream: typed, length-prefixed records, written and read
 * strictly in order through the caller's fd, so a pipe or a socket works
 * as well as a file.  A running xxh64 over every byte lets the reader
 * check the tail record without seeking back.
 *
 * Everything read here is hostile until checked: types, lengths against
 * the enclosing record, alignment, the header's identity, the checksum.
 */
#include <linux/fs.h>
#include <linux/utsname.h>
#include <linux/timekeeping.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/path.h>
#include <linux/dcache.h>
#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/uio.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>

#include "format.h"

/* The record table (format.c) names the types. */
const char *ckpt_hdr_name(u32 type)
{
	return ckpt_rec_name(type);
}

/* ---------------------------------------------------------------------- */
/* writing */

static int ckpt_write_file(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t ret;

	while (done < len) {
		ret = kernel_write(ctx->file, buf + done, len - done,
				   &ctx->file->f_pos);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return -EIO;
		done += ret;
	}
	return 0;
}

/* Write out what ckpt_write() gathered. */
static int ckpt_flush(struct ckpt_ctx *ctx)
{
	u32 len = ctx->wbuf_len;

	ctx->wbuf_len = 0;
	return len ? ckpt_write_file(ctx, ctx->wbuf, len) : 0;
}

/*
 * Records are small and many (an idle process has some thirty): each
 * write into a tmpfs file or a pipe costs far more than copying its
 * bytes, and a pipe's reader would be woken for each.  They are gathered
 * and written in CKPT_WBUF_SIZE pieces; page data goes straight from the
 * pages (ckpt_write_pages()).
 */
#define CKPT_WBUF_SIZE	(64U << 10)

static int ckpt_wbuf_alloc(struct ckpt_ctx *ctx)
{
	if (!ctx->wbuf)
		ctx->wbuf = kvmalloc(CKPT_WBUF_SIZE, GFP_KERNEL);
	return ctx->wbuf ? 0 : -ENOMEM;
}

/* @len bytes after what is gathered: flushed first if they do not fit. */
static int ckpt_gather(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	int ret;

	ret = ckpt_wbuf_alloc(ctx);
	if (ret)
		return ret;
	if (len > CKPT_WBUF_SIZE - ctx->wbuf_len) {
		ret = ckpt_flush(ctx);
		if (ret)
			return ret;
	}
	if (len > CKPT_WBUF_SIZE)
		return ckpt_write_file(ctx, buf, len);
	memcpy(ctx->wbuf + ctx->wbuf_len, buf, len);
	ctx->wbuf_len += len;
	return 0;
}

int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	int ret = ckpt_gather(ctx, buf, len);

	if (ret)
		return ret;
	ckpt_hash(ctx->hasher, buf, len);
	ctx->pos += len;
	return 0;
}

/* The running sum over @nr whole pages, mostly beside the operation. */
static void ckpt_sum_pages(struct ckpt_ctx *ctx, struct page **pages,
			   unsigned int nr)
{
	u64 t = ktime_get_ns();

	ckpt_hash_pages(ctx->hasher, pages, nr);
	ctx->pstats.sum_ns += ktime_get_ns() - t;
}

/* The stream's checksum so far, once every byte of it is hashed. */
static u64 ckpt_sum_digest(struct ckpt_ctx *ctx)
{
	u64 t = ktime_get_ns();
	u64 sum = ckpt_hash_digest(ctx->hasher, &ctx->pstats.bg_ns);

	ctx->pstats.sum_ns += ktime_get_ns() - t;
	return sum;
}

/* An iterator over @nr whole pages, on the bio_vec table it returns. */
static struct bio_vec *ckpt_pages_iter(struct iov_iter *iter,
				       unsigned int direction,
				       struct page **pages, unsigned int nr)
{
	struct bio_vec *bv;
	unsigned int i;

	bv = kmalloc_array(nr ?: 1, sizeof(*bv), GFP_KERNEL);
	if (!bv)
		return NULL;
	for (i = 0; i < nr; i++) {
		bv[i].bv_page = pages[i];
		bv[i].bv_len = PAGE_SIZE;
		bv[i].bv_offset = 0;
	}
	iov_iter_bvec(iter, direction, bv, nr, (size_t)nr * PAGE_SIZE);
	return bv;
}

/*
 * Runs this short are copied with the records around them: one write
 * call per run would cost more than the copy (a sparse mapping has runs
 * of one page).
 */
#define CKPT_PAGES_GATHER	4

static int ckpt_gather_pages(struct ckpt_ctx *ctx, struct page **pages,
			     unsigned int nr)
{
	unsigned int i;
	void *kaddr;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		kaddr = kmap_local_page(pages[i]);
		ret = ckpt_gather(ctx, kaddr, PAGE_SIZE);
		kunmap_local(kaddr);
	}
	return ret;
}

/* Flush what is gathered, then write the pages straight from them. */
static int ckpt_write_pages_direct(struct ckpt_ctx *ctx, struct page **pages,
				   unsigned int nr)
{
	struct iov_iter iter;
	struct bio_vec *bv;
	ssize_t n;
	int ret;

	ret = ckpt_flush(ctx);
	if (ret)
		return ret;
	bv = ckpt_pages_iter(&iter, ITER_SOURCE, pages, nr);
	if (!bv)
		return -ENOMEM;
	while (iov_iter_count(&iter)) {
		n = ckpt_iter_write(ctx->file, &iter, &ctx->file->f_pos);
		if (n <= 0) {
			ret = n ? (int)n : -EIO;
			break;
		}
	}
	kfree(bv);
	return ret;
}

/**
 * ckpt_write_pages - whole pages, written from where they are
 * @ctx: checkpoint context
 * @pages: the pages, referenced by the caller
 * @nr: how many, at most CKPT_PAGES_MAX
 *
 * One write of all of them straight from the pages: no bounce buffer,
 * and no call per page into the file's write path.  Short runs go with
 * the records around them instead.
 */
int ckpt_write_pages(struct ckpt_ctx *ctx, struct page **pages,
		     unsigned int nr)
{
	int ret;
	u64 t;

	ckpt_sum_pages(ctx, pages, nr);
	t = ktime_get_ns();
	if (nr <= CKPT_PAGES_GATHER)
		ret = ckpt_gather_pages(ctx, pages, nr);
	else
		ret = ckpt_write_pages_direct(ctx, pages, nr);
	ctx->pstats.io_ns += ktime_get_ns() - t;
	if (!ret) {
		ctx->pos += (size_t)nr * PAGE_SIZE;
		ctx->pstats.nr += nr;
	}
	return ret;
}

int ckpt_write_pad(struct ckpt_ctx *ctx, size_t len)
{
	static const char zeroes[CKPT_ALIGN];

	return len ? ckpt_write(ctx, zeroes, len) : 0;
}

/*
 * Write record @h of struct size @size; @extra bytes of data or nested
 * records follow, which the caller writes (and pads, for data).
 */
int ckpt_write_obj(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		   size_t size, size_t extra)
{
	if (size + ALIGN(extra, CKPT_ALIGN) > U32_MAX)
		return -E2BIG;
	h->type = type;
	h->len = size + ALIGN(extra, CKPT_ALIGN);
	ctx->nr_records++;
	return ckpt_write(ctx, h, size);
}

/* @len bytes of @s (its NUL included), then padding. */
int ckpt_write_string(struct ckpt_ctx *ctx, const char *s, u32 len)
{
	int ret = ckpt_write(ctx, s, len);

	if (ret < 0)
		return ret;
	return ckpt_write_pad(ctx, ALIGN(len, CKPT_ALIGN) - len);
}

/* The path of @path as the checkpointer sees it, in a new buffer. */
char *ckpt_path_name(const struct path *path, u32 *len)
{
	char *buf, *p, *name;

	buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	p = d_path(path, buf, CKPT_PATH_MAX);
	name = IS_ERR(p) ? p : kstrdup(p, GFP_KERNEL);
	kfree(buf);
	if (!name)
		return ERR_PTR(-ENOMEM);
	if (!IS_ERR(name))
		*len = strlen(name) + 1;
	return name;
}

/*
 * ckpt_path_name() of what restart opens again by that path: it must
 * be absolute.  Out of reach of the checkpointer's root (another mount
 * namespace, above a chroot), d_path() says "(unreachable)/...":
 * -EXDEV, an image no restart could use.
 */
char *ckpt_abs_path_name(const struct path *path, u32 *len)
{
	char *name = ckpt_path_name(path, len);

	if (!IS_ERR(name) && name[0] != '/') {
		kfree(name);
		return ERR_PTR(-EXDEV);
	}
	return name;
}

int ckpt_write_header(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_header hdr = {};

	memcpy(hdr.magic, CKPT_MAGIC, CKPT_MAGIC_LEN);
	hdr.version = CKPT_VERSION;
	hdr.arch = CKPT_ARCH_X86_64;
	hdr.page_size = PAGE_SIZE;
	hdr.xstate_size = ckpt_xstate_size();
	hdr.xstate_features = ckpt_xstate_features();
	hdr.time = ktime_get_real_seconds();
	strscpy(hdr.release, utsname()->release, sizeof(hdr.release));
	strscpy(hdr.machine, utsname()->machine, sizeof(hdr.machine));
	return ckpt_write_obj(ctx, &hdr.h, CKPT_HDR_HEADER, sizeof(hdr), 0);
}

int ckpt_write_tail(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_tail tail = {};
	int ret;

	tail.xxh64 = ckpt_sum_digest(ctx);
	tail.nr_records = ctx->nr_records;
	ret = ckpt_write_obj(ctx, &tail.h, CKPT_HDR_TAIL, sizeof(tail), 0);
	return ret ? ret : ckpt_flush(ctx);
}

/* ---------------------------------------------------------------------- */
/* reading */

/* @len bytes of the stream, not hashed yet. */
static int ckpt_read_raw(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t ret;

	/* what the caller read before the ioctl comes first */
	if (ctx->prefix_pos < ctx->prefix_len) {
		done = min_t(size_t, len, ctx->prefix_len - ctx->prefix_pos);
		memcpy(buf, ctx->prefix + ctx->prefix_pos, done);
		ctx->prefix_pos += done;
	}
	while (done < len) {
		ret = kernel_read(ctx->file, buf + done, len - done,
				  &ctx->file->f_pos);
		if (ret < 0)
			return ckpt_err(ctx, (int)ret,
					"read error at offset %llu",
					ctx->pos + done);
		if (ret == 0)
			return ckpt_err(ctx, -EINVAL,
					"image truncated at offset %llu (in %s record at %llu)",
					ctx->pos + done,
					ckpt_hdr_name(ctx->hdr_type),
					ctx->hdr_pos);
		done += ret;
	}
	ctx->pos += len;
	return 0;
}

int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	int ret = ckpt_read_raw(ctx, buf, len);

	if (!ret)
		ckpt_hash(ctx->hasher, buf, len);
	return ret;
}

/**
 * ckpt_read_pages - whole pages of the image, read into where they go
 * @ctx: restart context
 * @pages: the pages, referenced by the caller
 * @nr: how many, at most CKPT_PAGES_MAX
 *
 * One read into all of them, straight from the file: no bounce buffer,
 * and no call per page into the file's read path.
 */
int ckpt_read_pages(struct ckpt_ctx *ctx, struct page **pages,
		    unsigned int nr)
{
	size_t len = (size_t)nr * PAGE_SIZE;
	struct iov_iter iter;
	struct bio_vec *bv;
	unsigned int i;
	void *kaddr;
	ssize_t n;
	int ret = 0;
	u64 t;

	/* what the caller read before the ioctl: page by page, once */
	if (ctx->prefix_pos < ctx->prefix_len) {
		for (i = 0; i < nr && !ret; i++) {
			kaddr = kmap_local_page(pages[i]);
			ret = ckpt_read(ctx, kaddr, PAGE_SIZE);
			kunmap_local(kaddr);
		}
		return ret;
	}
	bv = ckpt_pages_iter(&iter, ITER_DEST, pages, nr);
	if (!bv)
		return -ENOMEM;
	t = ktime_get_ns();
	while (!ret && iov_iter_count(&iter)) {
		n = vfs_iter_read(ctx->file, &iter, &ctx->file->f_pos, 0);
		if (n < 0)
			ret = ckpt_err(ctx, (int)n, "read error at offset %llu",
				       ctx->pos + len - iov_iter_count(&iter));
		else if (!n)
			ret = ckpt_err(ctx, -EINVAL,
				       "image truncated at offset %llu (in %s record at %llu)",
				       ctx->pos + len - iov_iter_count(&iter),
				       ckpt_hdr_name(ctx->hdr_type),
				       ctx->hdr_pos);
	}
	kfree(bv);
	ctx->pstats.io_ns += ktime_get_ns() - t;
	if (ret)
		return ret;
	ckpt_sum_pages(ctx, pages, nr);
	ctx->pos += len;
	ctx->pstats.nr += nr;
	return 0;
}

/* Consume the padding after @len bytes of data; it must be zero. */
int ckpt_read_pad(struct ckpt_ctx *ctx, size_t len)
{
	u8 pad[CKPT_ALIGN];
	size_t n = ALIGN(len, CKPT_ALIGN) - len;
	int ret;

	if (!n)
		return 0;
	ret = ckpt_read(ctx, pad, n);
	if (ret < 0)
		return ret;
	if (memchr_inv(pad, 0, n))
		return ckpt_err(ctx, -EINVAL, "nonzero padding at offset %llu",
				ctx->pos - n);
	return 0;
}

/*
 * A string of @len bytes, its NUL included, and its padding: it must hold
 * no other NUL.  Returns a new buffer.
 */
char *ckpt_read_string(struct ckpt_ctx *ctx, u32 len)
{
	char *str;
	int ret;

	if (len < 2 || len > CKPT_PATH_MAX) {
		ckpt_err(ctx, -EINVAL, "%s record at offset %llu: string length %u",
			 ckpt_hdr_name(ctx->hdr_type), ctx->hdr_pos, len);
		return ERR_PTR(-EINVAL);
	}
	str = kmalloc(len, GFP_KERNEL);
	if (!str)
		return ERR_PTR(-ENOMEM);
	ret = ckpt_read(ctx, str, len);
	if (ret)
		goto out_free;
	ret = ckpt_read_pad(ctx, len);
	if (ret)
		goto out_free;
	if (strnlen(str, len) != len - 1) {
		ret = ckpt_err(ctx, -EINVAL,
			       "%s record at offset %llu: malformed string",
			       ckpt_hdr_name(ctx->hdr_type), ctx->hdr_pos);
		goto out_free;
	}
	return str;

out_free:
	kfree(str);
	return ERR_PTR(ret);
}

/* As ckpt_read_string(), for an absolute path. */
char *ckpt_read_path(struct ckpt_ctx *ctx, u32 len)
{
	char *path = ckpt_read_string(ctx, len);

	if (!IS_ERR(path) && path[0] != '/') {
		kfree(path);
		ckpt_err(ctx, -EINVAL, "%s record at offset %llu: relative path",
			 ckpt_hdr_name(ctx->hdr_type), ctx->hdr_pos);
		return ERR_PTR(-EINVAL);
	}
	return path;
}

/* Read and check the next record header; nothing of its payload. */
int ckpt_read_hdr(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	const struct ckpt_rec_desc *d;
	int ret;

	ctx->hdr_pos = ctx->pos;
	ctx->hdr_type = 0;
	ret = ckpt_read_raw(ctx, h, sizeof(*h));
	if (ret < 0)
		return ret;
	/* the TAIL's checksum covers what came before its header */
	if (h->type != CKPT_HDR_TAIL)
		ckpt_hash(ctx->hasher, h, sizeof(*h));
	d = ckpt_rec_desc(h->type);
	if (!d)
		return ckpt_err(ctx, -EINVAL,
				"unknown record type %u at offset %llu",
				h->type, ctx->hdr_pos);
	/* from here on, a type indexes what is sized by CKPT_HDR_MAX_TYPE */
	ctx->hdr_type = h->type;
	if (h->len < d->size || (d->fixed && h->len != d->size) ||
	    !IS_ALIGNED(h->len, CKPT_ALIGN) ||
	    h->len > ckpt_rec_max_len(h->type, PAGE_SIZE))
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu has bad length %u",
				d->name, ctx->hdr_pos, h->len);
	if (ctx->hdr_pos + h->len > ctx->limit)
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu (length %u) runs past its parent ending at %llu",
				ckpt_hdr_name(h->type), ctx->hdr_pos, h->len,
				ctx->limit);
	ctx->nr_records++;
	return 0;
}

/* Having read @h, read the rest of its fixed part, @size bytes in all. */
int ckpt_read_payload(struct ckpt_ctx *ctx, struct ckpt_hdr *h, size_t size)
{
	if (h->len < size)
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu too short (%u < %zu)",
				ckpt_hdr_name(h->type), ctx->hdr_pos, h->len,
				size);
	return ckpt_read(ctx, h + 1, size - sizeof(*h));
}

/* As ckpt_read_payload(), for a record that is its fixed part only. */
int ckpt_read_fixed(struct ckpt_ctx *ctx, struct ckpt_hdr *h, size_t size)
{
	if (h->len != size)
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu has length %u, not %zu",
				ckpt_hdr_name(h->type), ctx->hdr_pos, h->len,
				size);
	return ckpt_read_payload(ctx, h, size);
}

/* Read the next record, which must be of @type, with a fixed part @size. */
int ckpt_read_obj(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		  size_t size)
{
	int ret = ckpt_read_hdr(ctx, h);

	if (ret < 0)
		return ret;
	if (h->type != type)
		return ckpt_err(ctx, -EINVAL,
				"expected a %s record at offset %llu, found %s",
				ckpt_hdr_name(type), ctx->hdr_pos,
				ckpt_hdr_name(h->type));
	return ckpt_read_payload(ctx, h, size);
}

int ckpt_read_header(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_header hdr;
	char why[80];
	u64 missing;
	int ret;

	ret = ckpt_read_obj(ctx, &hdr.h, CKPT_HDR_HEADER, sizeof(hdr));
	if (ret < 0)
		return ret;
	if (hdr.h.len != sizeof(hdr))
		return ckpt_err(ctx, -EINVAL, "HEADER record has length %u",
				hdr.h.len);
	if (ckpt_header_rules(&hdr, PAGE_SIZE, why, sizeof(why)))
		return ckpt_err(ctx, -EINVAL, "HEADER: %s", why);
	missing = hdr.xstate_features & ~ckpt_xstate_features();
	if (missing)
		return ckpt_err(ctx, -EINVAL,
				"image uses CPU state features %#llx this CPU lacks",
				missing);
	return 0;
}

/* @h was read by ckpt_read_hdr() and is a TAIL: check it. */
int ckpt_read_tail(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	u64 sum = ckpt_sum_digest(ctx);
	u32 nr = ctx->nr_records - 1;
	struct ckpt_hdr_tail tail;
	int ret;

	tail.h = *h;
	ret = ckpt_read_fixed(ctx, &tail.h, sizeof(tail));
	if (ret < 0)
		return ret;
	if (tail.pad)
		return ckpt_err(ctx, -EINVAL, "TAIL record at offset %llu: padding %#x",
				ctx->hdr_pos, tail.pad);
	if (tail.xxh64 != sum)
		return ckpt_err(ctx, -EINVAL,
				"image checksum mismatch: TAIL says xxh64 %016llx, the data's is %016llx",
				tail.xxh64, sum);
	if (tail.nr_records != nr)
		return ckpt_err(ctx, -EINVAL,
				"image has %u records, tail says %u",
				nr, tail.nr_records);
	if (ctx->flags & RESTART_VERBOSE)
		ckpt_log(ctx, "image of %llu bytes in %u records read; %llu pages: %llu us faulting in, %llu us reading, %llu us checksum (%llu us more beside)",
			 ctx->pos, nr, ctx->pstats.nr,
			 div_u64(ctx->pstats.find_ns, 1000),
			 div_u64(ctx->pstats.io_ns, 1000),
			 div_u64(ctx->pstats.sum_ns, 1000),
			 div_u64(ctx->pstats.bg_ns, 1000));
	return 0;
}

/*
 * Hand the stream over from one context to another: @to goes on reading
 * or writing exactly where @from stopped.  One context uses it at a time.
 */
void ckpt_stream_move(struct ckpt_ctx *to, struct ckpt_ctx *from)
{
	to->prefix = from->prefix;
	to->prefix_len = from->prefix_len;
	to->prefix_pos = from->prefix_pos;
	from->prefix = NULL;
	from->prefix_len = 0;
	from->prefix_pos = 0;
	to->wbuf = from->wbuf;
	to->wbuf_len = from->wbuf_len;
	from->wbuf = NULL;
	from->wbuf_len = 0;
	to->pos = from->pos;
	to->hasher = from->hasher;
	from->hasher = NULL;
	to->nr_records = from->nr_records;
	to->pstats = from->pstats;
	to->limit = from->limit;
	to->hdr_pos = from->hdr_pos;
	to->hdr_type = from->hdr_type;
}
