// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_target: the processes the checkpoint selftests save and restore.
 *
 *	ckpt_target MODE [ARG]
 *
 * counter [MS]	print 1, 2, 3, ... one a line, MS (10) ms apart
 * wait		print "ready", block in read(0), exit 0
 * masked	as wait, with SIGUSR1 and SIGUSR2 blocked
 * avx		ymm8-15 hold a pattern across a read(0) syscall; exit 0 if
 *		they still do after it, 3 if not, 4 without AVX
 * sparse	1 GiB NORESERVE mapping with one page written; after read(0)
 *		exit 0 if that page and a sample of the others are intact
 * threads	a second thread sleeps; the first counts as in counter
 * inet		holds a UDP socket (a kind checkpoint refuses); counts
 * sharedmm	a CLONE_VM child sleeps; then as wait
 * sharedfiles	a CLONE_FILES child sleeps; then as wait
 * child	a forked child sleeps; then as wait
 * shmem	a MAP_SHARED anonymous page; then as wait
 *
 * Output goes through write(2) only: nothing sits in a stdio buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "target.h"

#define EXIT_MISMATCH	3
#define EXIT_NO_AVX	4
#define EXIT_ERROR	5

#define SPARSE_SIZE	(1UL << 30)
#define SPARSE_PAGE	(512UL << 20)
#define SPARSE_STEP	(64UL << 20)

static int write_all(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static int say(const char *s)
{
	return write_all(s, strlen(s));
}


static int counter(const char *arg)
{
	long ms = arg ? atol(arg) : 10;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	unsigned long n;
	char line[32];
	int len;

	for (n = 1; ; n++) {
		len = snprintf(line, sizeof(line), "%lu\n", n);
		if (write_all(line, len))
			return EXIT_ERROR;
		nanosleep(&ts, NULL);
	}
}

static int wait_mode(void)
{
	if (say("ready\n") || block())
		return EXIT_ERROR;
	return 0;
}

static int masked(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return EXIT_ERROR;
	return wait_mode();
}

/* 8 registers of 32 bytes. */
static unsigned char ymm_in[256];
static unsigned char ymm_out[256];

/*
 * Load ymm8-15, read(0, &c, 1) with the raw syscall instruction, which
 * preserves the vector registers, and store them back: no C code runs
 * in between that could touch them.
 */
static long avx_read(char *c)
{
	long ret = 0;	/* __NR_read */

	asm volatile("vmovdqu 0x00(%[in]), %%ymm8\n\t"
		     "vmovdqu 0x20(%[in]), %%ymm9\n\t"
		     "vmovdqu 0x40(%[in]), %%ymm10\n\t"
		     "vmovdqu 0x60(%[in]), %%ymm11\n\t"
		     "vmovdqu 0x80(%[in]), %%ymm12\n\t"
		     "vmovdqu 0xa0(%[in]), %%ymm13\n\t"
		     "vmovdqu 0xc0(%[in]), %%ymm14\n\t"
		     "vmovdqu 0xe0(%[in]), %%ymm15\n\t"
		     "syscall\n\t"
		     "vmovdqu %%ymm8, 0x00(%[out])\n\t"
		     "vmovdqu %%ymm9, 0x20(%[out])\n\t"
		     "vmovdqu %%ymm10, 0x40(%[out])\n\t"
		     "vmovdqu %%ymm11, 0x60(%[out])\n\t"
		     "vmovdqu %%ymm12, 0x80(%[out])\n\t"
		     "vmovdqu %%ymm13, 0xa0(%[out])\n\t"
		     "vmovdqu %%ymm14, 0xc0(%[out])\n\t"
		     "vmovdqu %%ymm15, 0xe0(%[out])\n\t"
		     : "+a" (ret)
		     : "D" (0L), "S" (c), "d" (1L),
		       [in] "r" (ymm_in), [out] "r" (ymm_out)
		     : "rcx", "r11", "memory", "xmm8", "xmm9", "xmm10",
		       "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

static int avx(void)
{
	unsigned int i;
	char c;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		return EXIT_NO_AVX;
	for (i = 0; i < sizeof(ymm_in); i++)
		ymm_in[i] = (i * 37 + 11) ^ 0xa5;
	if (say("ready\n"))
		return EXIT_ERROR;
	if (avx_read(&c) != 1)
		return EXIT_ERROR;
	return memcmp(ymm_in, ymm_out, sizeof(ymm_in)) ? EXIT_MISMATCH : 0;
}

static unsigned char sparse_byte(unsigned long i)
{
	return (i * 7 + 3) ^ (i >> 8);
}

static int page_is_zero(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (p[i])
			return 0;
	}
	return 1;
}

static int sparse_check(const unsigned char *map, long page)
{
	unsigned long off, i;

	for (i = 0; i < (unsigned long)page; i++) {
		if (map[SPARSE_PAGE + i] != sparse_byte(i))
			return EXIT_MISMATCH;
	}
	if (!page_is_zero(map + SPARSE_PAGE - page, page) ||
	    !page_is_zero(map + SPARSE_PAGE + page, page) ||
	    !page_is_zero(map + SPARSE_SIZE - page, page))
		return EXIT_MISMATCH;
	for (off = 0; off < SPARSE_SIZE; off += SPARSE_STEP) {
		if (off != SPARSE_PAGE && !page_is_zero(map + off, page))
			return EXIT_MISMATCH;
	}
	return 0;
}

static int sparse(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *map;
	long i;

	map = mmap(NULL, SPARSE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return EXIT_ERROR;
	for (i = 0; i < page; i++)
		map[SPARSE_PAGE + i] = sparse_byte(i);
	if (say("ready\n") || block())
		return EXIT_ERROR;
	return sparse_check(map, page);
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static int threads(const char *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, sleeper, NULL))
		return EXIT_ERROR;
	return counter(arg);
}

static char clone_stack[64 << 10];

static int clone_child(void *arg)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != *(pid_t *)arg)
		_exit(0);
	for (;;)
		pause();
	return 0;
}

/* Share @flags with a sleeping child while waiting. */
static int shared(int flags)
{
	pid_t parent = getpid(), child;
	int ret;

	child = clone(clone_child, clone_stack + sizeof(clone_stack),
		      flags | SIGCHLD, &parent);
	if (child < 0)
		return EXIT_ERROR;
	ret = wait_mode();
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return ret;
}

static int shmem(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return EXIT_ERROR;
	strcpy(p, "shared");
	return wait_mode();
}

static int run(const char *mode, const char *arg)
{
	if (!strcmp(mode, "counter"))
		return counter(arg);
	if (!strcmp(mode, "wait"))
		return wait_mode();
	if (!strcmp(mode, "masked"))
		return masked();
	if (!strcmp(mode, "avx"))
		return avx();
	if (!strcmp(mode, "sparse"))
		return sparse();
	if (!strcmp(mode, "threads"))
		return threads(arg);
	if (!strcmp(mode, "inet"))
		return socket(AF_INET, SOCK_DGRAM, 0) < 0 ? EXIT_ERROR :
							    counter(arg);
	if (!strcmp(mode, "sharedmm"))
		return shared(CLONE_VM);
	if (!strcmp(mode, "sharedfiles"))
		return shared(CLONE_FILES);
	if (!strcmp(mode, "shmem"))
		return shmem();
	if (!strcmp(mode, "child"))
		return shared(0);
	return -1;
}

int main(int argc, char **argv)
{
	int ret = -1;

	if (argc == 2 || argc == 3)
		ret = run(argv[1], argc == 3 ? argv[2] : NULL);
	if (ret < 0) {
		fprintf(stderr,
			"usage: ckpt_target counter|wait|masked|avx|sparse|threads|inet|sharedmm|sharedfiles|shmem|child [ARG]\n");
		return 2;
	}
	return ret;
}
