// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: list the records of a checkpoint image and check it the way
 * the kernel's restart would.  Reads sequentially, so a pipe works.
 *
 *	ckptinfo [FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libckpt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckptinfo [FILE]\n"
		"List and check the records of a checkpoint image read from\n"
		"FILE, or from standard input if FILE is missing or \"-\".\n"
		"Exits 1 at the first problem found.\n");
}

/* Print at most @size bytes of @s, stopping at NUL, masking oddities. */
static void print_str(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size && s[i]; i++)
		putchar(s[i] > ' ' && s[i] < 0x7f ? s[i] : '?');
	if (!i)
		putchar('-');
}

static void print_header(const struct ckpt_hdr_header *h)
{
	time_t t = h->time;
	struct tm tm;
	char when[32] = "?";

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("version %u arch %s page_size %u release ", h->version,
	       h->arch == CKPT_ARCH_X86_64 ? "x86_64" : "?", h->page_size);
	print_str(h->release, sizeof(h->release));
	printf(" machine ");
	print_str(h->machine, sizeof(h->machine));
	printf(" xstate %u features %#llx time %s", h->xstate_size,
	       (unsigned long long)h->xstate_features, when);
}

static void print_task(const struct ckpt_hdr_task *t)
{
	printf("pid %d tgid %d comm ", t->pid, t->tgid);
	print_str(t->comm, sizeof(t->comm));
	printf(" mm %d blocked %#llx", t->mm_objref,
	       (unsigned long long)t->blocked);
}

static void print_mm(const struct ckpt_hdr_mm *mm)
{
	printf("objref %d nr_vmas %u brk %#llx-%#llx stack %#llx",
	       mm->objref, mm->nr_vmas, (unsigned long long)mm->start_brk,
	       (unsigned long long)mm->brk,
	       (unsigned long long)mm->start_stack);
}

static void print_vma(const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_vma *v = &rec->u.vma;

	printf("%s %#llx-%#llx %c%c%c", ckpt_vma_kind_name(v->kind),
	       (unsigned long long)v->start, (unsigned long long)v->end,
	       v->flags & CKPT_VMA_READ ? 'r' : '-',
	       v->flags & CKPT_VMA_WRITE ? 'w' : '-',
	       v->flags & CKPT_VMA_EXEC ? 'x' : '-');
	if (v->flags & CKPT_VMA_GROWSDOWN)
		printf(" growsdown");
	if (v->flags & CKPT_VMA_NORESERVE)
		printf(" noreserve");
	if (v->kind == CKPT_VMA_FILE) {
		printf(" pgoff %llu size %llu ", (unsigned long long)v->pgoff,
		       (unsigned long long)v->file_size);
		print_str(rec->path, sizeof(rec->path));
	}
}

static void print_cpu(const struct ckpt_hdr_cpu *c)
{
	printf("rip %#llx rsp %#llx xstate %u", (unsigned long long)c->rip,
	       (unsigned long long)c->rsp, c->xstate_size);
}

static void print_record(const struct ckpt_rec *rec)
{
	char name[16];

	snprintf(name, sizeof(name), "%*s%s", 2 * rec->depth, "",
		 ckpt_type_name(rec->u.h.type));
	printf("%8llu  %-8s %7u  ", (unsigned long long)rec->off, name,
	       rec->u.h.len);
	switch (rec->u.h.type) {
	case CKPT_HDR_HEADER:
		print_header(&rec->u.header);
		break;
	case CKPT_HDR_TASK:
		print_task(&rec->u.task);
		break;
	case CKPT_HDR_MM:
		print_mm(&rec->u.mm);
		break;
	case CKPT_HDR_VMA:
		print_vma(rec);
		break;
	case CKPT_HDR_CPU:
		print_cpu(&rec->u.cpu);
		break;
	case CKPT_HDR_PAGES:
		printf("addr %#llx nr_pages %u",
		       (unsigned long long)rec->u.pages.addr,
		       rec->u.pages.nr_pages);
		break;
	case CKPT_HDR_TAIL:
		printf("crc %08x ok records %u", rec->u.tail.crc32c,
		       rec->u.tail.nr_records);
		break;
	}
	putchar('\n');
}

static int open_input(int argc, char **argv)
{
	const char *path;
	int fd;

	if (argc > 2) {
		fprintf(stderr, "ckptinfo: too many arguments\n");
		usage(stderr);
		return -1;
	}
	if (argc == 2 && argv[1][0] == '-' && argv[1][1]) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			exit(0);
		}
		fprintf(stderr, "ckptinfo: unknown option '%s'\n", argv[1]);
		usage(stderr);
		return -1;
	}
	if (argc < 2 || !strcmp(argv[1], "-"))
		return 0;
	path = argv[1];
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "ckptinfo: cannot open %s: %s\n", path,
			strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	static struct ckpt_rec rec;
	struct ckpt_reader r;
	int fd, ret;

	fd = open_input(argc, argv);
	if (fd < 0)
		return 1;
	if (ckpt_reader_init(&r, fd)) {
		fprintf(stderr, "ckptinfo: %s\n", strerror(errno));
		return 1;
	}
	while ((ret = ckpt_reader_next(&r, &rec)) > 0)
		print_record(&rec);
	fflush(stdout);
	if (ret < 0)
		fprintf(stderr, "ckptinfo: %s at offset %llu\n", r.err,
			(unsigned long long)r.err_off);
	ckpt_reader_fini(&r);
	return ret < 0 ? 1 : 0;
}
