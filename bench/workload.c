// SPDX-License-Identifier: GPL-2.0
/*
 * workload: the processes "make bench" checkpoints and restarts.
 *
 *	workload REPORT idle
 *	workload REPORT mem MIB		MIB of touched anonymous memory
 *	workload REPORT sparse MIB STRIDE	a MIB mapping, one page in STRIDE touched
 *	workload REPORT files N		N open files (in the cwd)
 *	workload REPORT tree N		N processes: the root and N-1 children
 *	workload REPORT threads N	N threads: the main one and N-1 more
 *
 * It makes a session of its own (a tool may refuse a tree whose session
 * is outside it), sets itself up, and then waits for SIGUSR1.  On each,
 * it checks its state and reports on it in the file REPORT, written whole
 * under another name and renamed: "ok PID BYTES", BYTES being the memory
 * it touched, or "bad WHAT" (also when it cannot set itself up).  The first report says it is ready; after a
 * restart, a report says it runs and its state came back: every touched
 * page holds its pattern, every file its offset, every child is alive and
 * still its child, every thread goes on counting.  It holds no descriptor
 * on REPORT between reports, so no tool has to save one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE		4096UL
#define MAX_N		1000
#define THREAD_TICK_MS	200
#define THREAD_WAIT_MS	(10 * THREAD_TICK_MS)

static const char *report_path;
static volatile sig_atomic_t asked;

/* the state to check */
static unsigned char *mem;
static unsigned long mem_pages, stride = 1, touched;
static int fds[MAX_N], nfds;
static pid_t children[MAX_N];
static int nchildren;
static volatile unsigned long counts[MAX_N];
static int nthreads;

static void report(const char *fmt, ...);

/* The script runs us with no standard error: the report says why. */
static void die(const char *fmt, ...)
{
	static int dying;
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "workload: %s\n", msg);
	if (report_path && !dying++)
		report("bad %s\n", msg);
	exit(1);
}

static unsigned long number(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > max)
		die("bad number '%s' (1 to %lu)", s, max);
	return v;
}

static void report(const char *fmt, ...)
{
	char tmp[4096], buf[256];
	va_list ap;
	int fd, len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(tmp, sizeof(tmp), "%s.tmp", report_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, len) != len || close(fd) ||
	    rename(tmp, report_path))
		die("cannot write %s: %s", report_path, strerror(errno));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---------------------------------------------------------------------- */
/*
 * memory: every touched page is filled with a byte of its own, never 0:
 * a page of zeroes need not be saved, it would make the image smaller
 */

static unsigned char pattern(unsigned long page)
{
	return page % 255 + 1;
}

static void setup_mem(unsigned long mib, unsigned long step)
{
	unsigned long i;

	mem_pages = (mib << 20) / PAGE;
	stride = step;
	/* NORESERVE: a sparse mapping may be larger than memory */
	mem = mmap(NULL, mem_pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap of %lu MiB: %s", mib, strerror(errno));
	/* a huge page would touch 512 pages for each one we touch */
	if (stride > 1 && madvise(mem, mem_pages * PAGE, MADV_NOHUGEPAGE))
		die("madvise: %s", strerror(errno));
	for (i = 0; i < mem_pages; i += stride) {
		memset(mem + i * PAGE, pattern(i), PAGE);
		touched += PAGE;
	}
}

/* One word per page, at an offset that walks through the page. */
static const char *check_mem(void)
{
	unsigned long i, word;

	for (i = 0; i < mem_pages; i += stride) {
		memcpy(&word, mem + i * PAGE + (i % (PAGE / 8)) * 8, 8);
		if (word != pattern(i) * 0x0101010101010101UL)
			return "memory";
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* files: file k is 64 KiB long, its descriptor at offset 1000 * k + 1 */

static off_t file_offset(int k)
{
	return 1000 * k + 1;
}

static void setup_files(int n)
{
	static char block[64 << 10];
	char name[32];
	int k;

	memset(block, 'f', sizeof(block));
	for (k = 0; k < n; k++) {
		snprintf(name, sizeof(name), "file%02d", k);
		fds[k] = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fds[k] < 0 ||
		    write(fds[k], block, sizeof(block)) != sizeof(block) ||
		    lseek(fds[k], file_offset(k), SEEK_SET) != file_offset(k))
			die("file %s: %s", name, strerror(errno));
	}
	nfds = n;
}

static const char *check_files(void)
{
	int k;

	for (k = 0; k < nfds; k++)
		if (lseek(fds[k], 0, SEEK_CUR) != file_offset(k))
			return "file offset";
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* tree: children that wait for signals that never come */

static void setup_tree(int n)
{
	int k;

	for (k = 0; k < n - 1; k++) {
		children[k] = fork();
		if (children[k] < 0)
			die("fork: %s", strerror(errno));
		if (!children[k]) {
			for (;;)
				pause();
		}
	}
	nchildren = n - 1;
}

/* Alive, and ours: waitpid() fails for a process that is not a child. */
static const char *check_tree(void)
{
	int k;

	for (k = 0; k < nchildren; k++)
		if (waitpid(children[k], NULL, WNOHANG) != 0)
			return "child";
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* threads: each counts its ticks */

static void *thread_main(void *arg)
{
	volatile unsigned long *count = arg;

	for (;;) {
		(*count)++;
		sleep_ms(THREAD_TICK_MS);
	}
	return NULL;
}

static void setup_threads(int n)
{
	pthread_t t;
	int k, err;

	for (k = 0; k < n - 1; k++) {
		err = pthread_create(&t, NULL, thread_main, (void *)&counts[k]);
		if (err)
			die("pthread_create: %s", strerror(err));
	}
	nthreads = n - 1;
}

/* Every thread counts on within a few of its ticks. */
static const char *check_threads(void)
{
	unsigned long before[MAX_N];
	int k, waited, behind;

	for (k = 0; k < nthreads; k++)
		before[k] = counts[k];
	for (waited = 0; waited <= THREAD_WAIT_MS; waited += 20) {
		behind = 0;
		for (k = 0; k < nthreads; k++)
			behind += counts[k] == before[k];
		if (!behind)
			return NULL;
		sleep_ms(20);
	}
	return "thread";
}

/* ---------------------------------------------------------------------- */

static void on_usr1(int sig)
{
	(void)sig;
	asked = 1;
}

static void check_and_report(void)
{
	const char *bad = check_mem();

	if (!bad)
		bad = check_files();
	if (!bad)
		bad = check_tree();
	if (!bad)
		bad = check_threads();
	if (bad)
		report("bad %s\n", bad);
	else
		report("ok %d %lu\n", getpid(), touched);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t usr1, old;
	const char *kind;

	if (argc < 3)
		die("usage: workload REPORT idle|mem|sparse|files|tree|threads [ARGS]");
	report_path = argv[1];
	kind = argv[2];
	/* before any child or thread: they inherit the mask */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, &old) ||
	    sigaction(SIGUSR1, &sa, NULL))
		die("signals: %s", strerror(errno));
	if (getsid(0) != getpid() && setsid() < 0)
		die("setsid: %s", strerror(errno));

	if (!strcmp(kind, "idle") && argc == 3)
		;
	else if (!strcmp(kind, "mem") && argc == 4)
		setup_mem(number(argv[3], 1 << 20), 1);
	else if (!strcmp(kind, "sparse") && argc == 5)
		setup_mem(number(argv[3], 1 << 20), number(argv[4], 1 << 20));
	else if (!strcmp(kind, "files") && argc == 4)
		setup_files(number(argv[3], MAX_N));
	else if (!strcmp(kind, "tree") && argc == 4)
		setup_tree(number(argv[3], MAX_N));
	else if (!strcmp(kind, "threads") && argc == 4)
		setup_threads(number(argv[3], MAX_N));
	else
		die("bad workload '%s' or arguments", kind);

	report("ok %d %lu\n", getpid(), touched);
	for (;;) {
		sigsuspend(&old);
		if (asked) {
			asked = 0;
			check_and_report();
		}
	}
}
