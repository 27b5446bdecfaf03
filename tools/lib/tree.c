// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: HEADER and TREE, read and checked before anything is forked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---------------------------------------------------------------------- */
/* the tree, read and checked before anything is forked */

#define PID_MAX_LIMIT	(4L << 20)	/* the kernel's highest pid_max */

long ckpt_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	long max = 0;

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	return max > 0 ? max : PID_MAX_LIMIT;
}

static const struct ckpt_tree_task *sort_tasks;

static int cmp_pid(const void *a, const void *b)
{
	__s32 x = sort_tasks[*(const __u32 *)a].pid;
	__s32 y = sort_tasks[*(const __u32 *)b].pid;

	return x < y ? -1 : x > y;
}

/* The indexes of @nr @tasks, sorted by pid (malloc'd), or NULL. */
static __u32 *tree_index(const struct ckpt_tree_task *tasks, __u32 nr)
{
	__u32 *by_pid = malloc((nr ? nr : 1) * sizeof(*by_pid));
	__u32 i;

	if (!by_pid)
		return NULL;
	for (i = 0; i < nr; i++)
		by_pid[i] = i;
	sort_tasks = tasks;
	qsort(by_pid, nr, sizeof(*by_pid), cmp_pid);
	return by_pid;
}

/* The entry whose pid is @pid, or -1. */
static long tree_lookup(const struct ckpt_tree_task *tasks,
			const __u32 *by_pid, __u32 nr, __s32 pid)
{
	size_t lo = 0, hi = nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tasks[by_pid[mid]].pid < pid)
			lo = mid + 1;
		else if (tasks[by_pid[mid]].pid > pid)
			hi = mid;
		else
			return by_pid[mid];
	}
	return -1;
}

long ckpt_tree_find(const struct ckpt_tree *t, __s32 pid)
{
	return tree_lookup(t->tasks, t->by_pid, t->tree->nr_tasks, pid);
}

/* The TREE rules are the image format's (checkpoint/format.c). */
int ckpt_check_tree(const struct ckpt_hdr_tree *h,
		    const struct ckpt_tree_task *tasks, long pid_max,
		    char *err, size_t errlen)
{
	__u32 *scratch;
	int ret;

	if (ckpt_tree_count_rule(h->nr_tasks, pid_max, err, errlen))
		return -EINVAL;
	scratch = malloc(ckpt_tree_scratch_len(h->nr_tasks) * sizeof(*scratch));
	if (!scratch) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = ckpt_tree_rules(h->flags, tasks, h->nr_tasks, pid_max, scratch,
			      err, errlen) ? -EINVAL : 0;
	free(scratch);
	return ret;
}

/* Read the record of @type at @off in t->prefix; its length, or < 0. */
static ssize_t read_prefix_record(int fd, struct ckpt_tree *t, size_t off,
				  __u32 type, size_t min)
{
	struct ckpt_hdr h;
	ssize_t n = ckpt_read_full(fd, t->prefix + off, sizeof(h));

	if (n < 0)
		return -errno;
	if (n == 0 && !off) {
		snprintf(t->err, sizeof(t->err), "empty image");
		return -EINVAL;
	}
	if (n < (ssize_t)sizeof(h)) {
		snprintf(t->err, sizeof(t->err), "truncated image: no %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	memcpy(&h, t->prefix + off, sizeof(h));
	if (h.type != type) {
		snprintf(t->err, sizeof(t->err),
			 "unexpected %s record at offset %zu (want %s)",
			 ckpt_type_name(h.type), off, ckpt_type_name(type));
		return -EINVAL;
	}
	if (h.len < min || h.len % CKPT_ALIGN || h.len > CKPT_PREFIX_MAX - off) {
		snprintf(t->err, sizeof(t->err), "bad %s record length %u",
			 ckpt_type_name(type), h.len);
		return -EINVAL;
	}
	n = ckpt_read_full(fd, t->prefix + off + sizeof(h), h.len - sizeof(h));
	if (n < 0)
		return -errno;
	if (n < (ssize_t)(h.len - sizeof(h))) {
		snprintf(t->err, sizeof(t->err), "truncated %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	return h.len;
}

int ckpt_read_tree(int fd, struct ckpt_tree *t)
{
	const size_t hlen = sizeof(struct ckpt_hdr_header);
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->prefix = malloc(CKPT_PREFIX_MAX);
	if (!t->prefix) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -ENOMEM;
	}
	n = read_prefix_record(fd, t, 0, CKPT_HDR_HEADER, hlen);
	if (n >= 0 && n != (ssize_t)hlen) {
		snprintf(t->err, sizeof(t->err),
			 "bad HEADER record length %zd", n);
		n = -EINVAL;
	}
	if (n < 0)
		goto fail;
	t->header = (const struct ckpt_hdr_header *)t->prefix;
	if (ckpt_header_rules(t->header, RD_PAGE_SIZE, t->err,
			      sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	n = read_prefix_record(fd, t, hlen, CKPT_HDR_TREE,
			       sizeof(struct ckpt_hdr_tree));
	if (n < 0)
		goto fail;
	t->len = hlen + n;
	t->tree = (const struct ckpt_hdr_tree *)(t->prefix + hlen);
	t->tasks = (const struct ckpt_tree_task *)(t->tree + 1);
	if (ckpt_tree_count_rule(t->tree->nr_tasks, ckpt_pid_max(), t->err,
			     sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	if ((__u64)t->tree->nr_tasks * sizeof(*t->tasks) !=
	    n - sizeof(*t->tree)) {
		snprintf(t->err, sizeof(t->err),
			 "bad TREE record length %zd (want %zu)", n,
			 sizeof(*t->tree) +
			 t->tree->nr_tasks * sizeof(*t->tasks));
		n = -EINVAL;
		goto fail;
	}
	n = ckpt_check_tree(t->tree, t->tasks, ckpt_pid_max(), t->err,
			    sizeof(t->err));
	if (n)
		goto fail;
	t->by_pid = tree_index(t->tasks, t->tree->nr_tasks);
	if (t->by_pid)
		return 0;
	snprintf(t->err, sizeof(t->err), "out of memory");
	n = -ENOMEM;
fail:
	if (n < 0 && !t->err[0])
		snprintf(t->err, sizeof(t->err), "read error (%s)",
			 strerror(-n));
	return n;
}

void ckpt_tree_free(struct ckpt_tree *t)
{
	free(t->prefix);
	free(t->by_pid);
	memset(t, 0, sizeof(*t));
}
