// SPDX-License-Identifier: GPL-2.0
/*
 * mem_target: the memory selftests' processes.  Unlike ckpt_target it is
 * dynamically linked: ld.so, libc and the program are private file
 * mappings, as in any ordinary program.
 *
 *	mem_target MODE [ARG]
 *
 * dyn		print 1, 2, 3, ... through stdio, each number the length of
 *		a malloc'ed list that setjmp/longjmp grew; -N if the list
 *		does not add up; DYN_SIGNALED more for each SIGUSR1 its
 *		handler caught
 * wait [ARG...]	print "ready", block in read(0), exit 0
 * layout	mappings of every kind a program makes: read-only and
 *		PROT_NONE data, a grows-down region, a THP region, locked
 *		regions (mlock, MLOCK_ONFAULT), one with MADV_DONTFORK,
 *		MADV_DONTDUMP, MADV_WIPEONFORK and MADV_MERGEABLE, and
 *		MADV_RANDOM and MADV_SEQUENTIAL,
 *		mlockall(MCL_FUTURE | MCL_ONFAULT) and PR_SET_THP_DISABLE;
 *		after read(0), exit 0 if all hold their data, the grows-down
 *		one still grows, a new mapping is locked on fault and THP
 *		stays disabled, else the code of the first one that does not
 * file PATH	PATH's first two pages mapped private, the first one written
 *		(copied on write); after read(0), exit 0 if the first page
 *		holds what was written and the second the file's data
 * shmem		4 pages of shared anonymous memory, written, the second made
 *		read-only; a 3-page memfd mapped twice (writable and
 *		read-only), its first two pages written; after read(0), exit
 *		0 if all hold their data and the memfd's mappings still share
 *		it: a write through one shows through the other
 * sysv		a SysV shared memory segment attached; then as wait
 * zero		/dev/zero mapped shared, written, shared with a child; after
 *		read(0), the child checks it and writes more, which the
 *		parent must see
 * shared PATH	PATH's first two pages mapped shared and writable, the first
 *		one written, and mapped shared read-only from a read-only
 *		fd; after read(0), the second page is written through the
 *		first mapping; exit 0 if the read-only one sees all of it
 *
 * many		3000 one-page mappings, every other one PROT_NONE, each
 *		holding its index; after read(0), exit 0 if all still do
 * membarrier	registered for private expedited membarrier(); after
 *		read(0), exit 0 if such a barrier is still allowed
 *
 * "ready" goes through write(2): it is the one line the tests wait for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "target.h"

#define EXIT_ERROR	5
#define EXIT_RO		10	/* read-only region lost its data */
#define EXIT_NONE	11	/* PROT_NONE region lost its data */
#define EXIT_GD		12	/* grows-down region lost its data */
#define EXIT_THP	13	/* THP region lost its data */
#define EXIT_COW	14	/* the written page of a file mapping */
#define EXIT_FILE	15	/* the unwritten page of a file mapping */
#define EXIT_LOCKED	16	/* a locked region lost its data */
#define EXIT_ADVISED	17	/* the advised region lost its data */
#define EXIT_SHARED	18	/* a shared mapping is not the file's */
#define EXIT_FUTURE	19	/* a new mapping is not locked on fault */
#define EXIT_SHMEM	20	/* shared anonymous memory lost its data */
#define EXIT_MEMFD	21	/* a memfd lost its data, or its sharing */
#define EXIT_THP_OFF	22	/* PR_SET_THP_DISABLE lost */
#define EXIT_MANY	23	/* one of many mappings lost its data */
#define EXIT_MEMBARRIER	24	/* a membarrier() registration lost */
#define EXIT_ZERO	25	/* /dev/zero mapped shared: data or sharing lost */

#define PAGE		4096UL
#define HUGE		(2UL << 20)
#define GD_HOLE		(4UL << 20)	/* room for the grows-down region */

static int say_ready(void)
{
	return write(STDOUT_FILENO, "ready\n", 6) == 6 ? 0 : -1;
}


/* --- dyn ---------------------------------------------------------------- */

struct node {
	struct node *next;
	long v;
};

#define DYN_SIGNALED	1000000

static jmp_buf dyn_env;
static struct node *dyn_list;
static volatile sig_atomic_t dyn_hits;

static void dyn_handler(int sig)
{
	(void)sig;
	dyn_hits++;
}

/* Grow the list by @n and return to the setjmp() with @n. */
static void dyn_step(long n)
{
	struct node *x = malloc(sizeof(*x));

	if (!x)
		longjmp(dyn_env, -1);
	x->v = n;
	x->next = dyn_list;
	dyn_list = x;
	longjmp(dyn_env, (int)n);
}

static long dyn_sum(void)
{
	struct node *x;
	long sum = 0;

	for (x = dyn_list; x; x = x->next)
		sum += x->v;
	return sum;
}

static int dyn(void)
{
	struct sigaction sa = { .sa_handler = dyn_handler,
				.sa_flags = SA_RESTART };
	struct timespec ts = { 0, 10 * 1000000L };
	volatile long n = 0;
	long got, v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sigaction(SIGUSR1, &sa, NULL))
		return EXIT_ERROR;
	for (;;) {
		got = setjmp(dyn_env);
		if (!got)
			dyn_step(n + 1);
		if (got < 0)
			return EXIT_ERROR;
		n = got;
		v = dyn_sum() == n * (n + 1) / 2 ? n : -n;
		if (printf("%ld\n", v + dyn_hits * DYN_SIGNALED) < 0)
			return EXIT_ERROR;
		nanosleep(&ts, NULL);
	}
}

/* --- layout ------------------------------------------------------------- */

static unsigned char pattern(unsigned long i, int seed)
{
	return (i * 13 + seed) ^ (i >> 12);
}

static void fill(unsigned char *p, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(i, seed);
}

static int same(const unsigned char *p, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != pattern(i, seed))
			return 0;
	}
	return 1;
}

static unsigned char *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

struct layout {
	unsigned char *ro, *none, *gd, *thp, *lk, *lkof, *adv;
};

/* 2 MiB, 2 MiB aligned, asking for a huge page. */
static unsigned char *map_thp(void)
{
	unsigned char *p = map_anon(2 * HUGE), *thp;

	if (!p)
		return NULL;
	thp = (unsigned char *)(((unsigned long)p + HUGE - 1) & ~(HUGE - 1));
	madvise(thp, HUGE, MADV_HUGEPAGE);
	return thp;
}

/*
 * Last, at the top of a hole of its own: nothing may sit within the
 * stack guard gap below a region that is to grow down.
 */
static unsigned char *map_gd(void)
{
	unsigned char *hole = mmap(NULL, GD_HOLE, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *p;

	if (hole == MAP_FAILED || munmap(hole, GD_HOLE))
		return NULL;
	p = mmap(hole + GD_HOLE - 4 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN |
		 MAP_FIXED_NOREPLACE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Locked, locked on fault, and advised regions. */
static int layout_lock_advise(struct layout *l)
{
	l->lk = map_anon(2 * PAGE);
	l->lkof = map_anon(4 * PAGE);
	l->adv = map_anon(2 * PAGE);
	if (!l->lk || !l->lkof || !l->adv)
		return -1;
	if (mlock(l->lk, 2 * PAGE) || mlock2(l->lkof, 4 * PAGE, MLOCK_ONFAULT) ||
	    madvise(l->lk, 2 * PAGE, MADV_RANDOM))
		return -1;
	if (madvise(l->adv, 2 * PAGE, MADV_DONTFORK) ||
	    madvise(l->adv, 2 * PAGE, MADV_DONTDUMP) ||
	    madvise(l->adv, 2 * PAGE, MADV_WIPEONFORK) ||
	    madvise(l->adv, 2 * PAGE, MADV_MERGEABLE))
		return -1;
	fill(l->lk, 2 * PAGE, 6);
	fill(l->lkof, PAGE, 7);
	fill(l->adv, 2 * PAGE, 8);
	return 0;
}

static int layout_setup(struct layout *l)
{
	l->ro = map_anon(4 * PAGE);
	l->none = map_anon(4 * PAGE);
	l->thp = map_thp();
	if (!l->ro || !l->none || !l->thp || layout_lock_advise(l))
		return -1;
	fill(l->ro, 4 * PAGE, 1);
	fill(l->none, 4 * PAGE, 2);
	fill(l->thp, HUGE, 4);
	/* written, then protected: the data must outlive the protection */
	if (madvise(l->ro, 4 * PAGE, MADV_SEQUENTIAL) ||
	    mprotect(l->ro, 4 * PAGE, PROT_READ) ||
	    mprotect(l->none + PAGE, 2 * PAGE, PROT_NONE))
		return -1;
	l->gd = map_gd();
	if (!l->gd)
		return -1;
	fill(l->gd, 4 * PAGE, 3);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		return -1;
	return mlockall(MCL_FUTURE | MCL_ONFAULT);
}

/*
 * Whether the mapping holding @addr (which may have merged with a
 * neighbour) is locked - VmFlags "lo" in smaps - but not populated, as
 * only a lock on fault leaves it (6.1 does not show "lf").
 */
static int locked_on_fault(void *addr)
{
	unsigned long a = (unsigned long)addr, start, end;
	unsigned char vec = 1;
	char line[512];
	int found = 0, ret = 0;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			found = start <= a && a < end;
		else if (found && !strncmp(line, "VmFlags:", 8)) {
			ret = !!strstr(line, " lo");
			break;
		}
	}
	fclose(f);
	return ret && !mincore(addr, PAGE, &vec) && !(vec & 1);
}

static int layout_check(struct layout *l)
{
	if (!same(l->ro, 4 * PAGE, 1))
		return EXIT_RO;
	if (mprotect(l->none + PAGE, 2 * PAGE, PROT_READ) ||
	    !same(l->none, 4 * PAGE, 2))
		return EXIT_NONE;
	if (!same(l->gd, 4 * PAGE, 3))
		return EXIT_GD;
	if (!same(l->thp, HUGE, 4))
		return EXIT_THP;
	if (!same(l->lk, 2 * PAGE, 6) || !same(l->lkof, PAGE, 7))
		return EXIT_LOCKED;
	if (!same(l->adv, 2 * PAGE, 8))
		return EXIT_ADVISED;
	if (!locked_on_fault(map_anon(PAGE)))
		return EXIT_FUTURE;
	if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) != 1)
		return EXIT_THP_OFF;
	/* not grows-down any more: this is SIGSEGV */
	l->gd[-1] = 1;
	return 0;
}

static int layout(void)
{
	struct layout l;

	if (layout_setup(&l) || say_ready() || block())
		return EXIT_ERROR;
	return layout_check(&l);
}

/* --- file --------------------------------------------------------------- */

static int file_map(const char *path)
{
	unsigned char *p, data[PAGE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || pread(fd, data, PAGE, PAGE) != (ssize_t)PAGE)
		return EXIT_ERROR;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return EXIT_ERROR;
	fill(p, PAGE, 5);
	if (say_ready() || block())
		return EXIT_ERROR;
	if (!same(p, PAGE, 5))
		return EXIT_COW;
	return memcmp(p + PAGE, data, PAGE) ? EXIT_FILE : 0;
}

static unsigned char *map_shared(int fd, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED | (fd < 0 ? MAP_ANONYMOUS : 0),
		       fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int shmem(void)
{
	unsigned char *a = map_shared(-1, 4 * PAGE, PROT_READ | PROT_WRITE);
	unsigned char *m1, *m2, zero[PAGE] = { 0 };
	int fd = memfd_create("ckpt-test", MFD_CLOEXEC);

	if (!a || fd < 0 || ftruncate(fd, 3 * PAGE))
		return EXIT_ERROR;
	m1 = map_shared(fd, 3 * PAGE, PROT_READ | PROT_WRITE);
	m2 = map_shared(fd, 3 * PAGE, PROT_READ);
	close(fd);
	if (!m1 || !m2)
		return EXIT_ERROR;
	fill(a, 4 * PAGE, 11);
	fill(m1, 2 * PAGE, 12);
	if (mprotect(a + PAGE, PAGE, PROT_READ) || say_ready() || block())
		return EXIT_ERROR;
	if (!same(a, 4 * PAGE, 11))
		return EXIT_SHMEM;
	if (!same(m2, 2 * PAGE, 12) || memcmp(m2 + 2 * PAGE, zero, PAGE))
		return EXIT_MEMFD;
	fill(m1 + 2 * PAGE, PAGE, 13);
	return same(m2 + 2 * PAGE, PAGE, 13) ? 0 : EXIT_MEMFD;
}

/*
 * /dev/zero mapped shared is shared anonymous memory ("/dev/zero
 * (deleted)" in /proc/PID/maps), here shared with a child too: after
 * the restart the child checks what the parent wrote and writes the
 * second page, which the parent must see.
 */
static int zero_child(const unsigned char *m, int rd)
{
	char c;

	if (read(rd, &c, 1) != 1)
		return EXIT_ERROR;
	if (!same(m, PAGE, 14))
		return EXIT_ZERO;
	fill((unsigned char *)m + PAGE, PAGE, 15);
	return 0;
}

static int zero_shared(void)
{
	int fd = open("/dev/zero", O_RDWR | O_CLOEXEC), p[2], status;
	unsigned char *m;
	pid_t child;

	if (fd < 0 || pipe(p))
		return EXIT_ERROR;
	m = map_shared(fd, 2 * PAGE, PROT_READ | PROT_WRITE);
	close(fd);
	if (!m)
		return EXIT_ERROR;
	fill(m, PAGE, 14);
	child = fork();
	if (child < 0)
		return EXIT_ERROR;
	if (!child) {
		close(p[1]);
		_exit(zero_child(m, p[0]));
	}
	close(p[0]);
	if (say_ready() || block())
		return EXIT_ERROR;
	if (write(p[1], "x", 1) != 1 || waitpid(child, &status, 0) != child)
		return EXIT_ERROR;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_ERROR;
	return same(m + PAGE, PAGE, 15) ? 0 : EXIT_ZERO;
}

static int sysv(void)
{
	int id = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
	void *p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);

	/* removed once detached: nothing outlives the test */
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1)
		return EXIT_ERROR;
	return say_ready() || block() ? EXIT_ERROR : 0;
}

static int shared_map(const char *path)
{
	int rw = open(path, O_RDWR | O_CLOEXEC), ro = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char *p, *q;

	if (rw < 0 || ro < 0)
		return EXIT_ERROR;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, ro, 0);
	close(rw);
	close(ro);
	if (p == MAP_FAILED || q == MAP_FAILED)
		return EXIT_ERROR;
	fill(p, PAGE, 9);
	if (say_ready() || block())
		return EXIT_ERROR;
	fill(p + PAGE, PAGE, 10);
	if (!same(q, PAGE, 9) || !same(q + PAGE, PAGE, 10))
		return EXIT_SHARED;
	return msync(p, 2 * PAGE, MS_SYNC) ? EXIT_ERROR : 0;
}

/*
 * MANY_MAPS mappings of a page each, every other one PROT_NONE so that
 * none merge, each holding its index: an MM record far over 64 KiB.
 */
#define MANY_MAPS	3000

static int many_maps(void)
{
	char *p = mmap(NULL, MANY_MAPS * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return EXIT_ERROR;
	for (i = 0; i < MANY_MAPS; i++)
		memcpy(p + (size_t)i * PAGE, &i, sizeof(i));
	for (i = 1; i < MANY_MAPS; i += 2)
		if (mprotect(p + (size_t)i * PAGE, PAGE, PROT_NONE))
			return EXIT_ERROR;
	if (say_ready() || block())
		return EXIT_ERROR;
	for (i = 0; i < MANY_MAPS; i++) {
		if (i % 2 && mprotect(p + (size_t)i * PAGE, PAGE, PROT_READ))
			return EXIT_ERROR;
		if (memcmp(p + (size_t)i * PAGE, &i, sizeof(i)))
			return EXIT_MANY;
	}
	return 0;
}

/*
 * Registered for private expedited membarrier(): a barrier it asks for
 * after the restart is refused (EPERM) unless the registration came back.
 */
static int membarrier_reg(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		    0, 0))
		return EXIT_ERROR;
	if (say_ready() || block())
		return EXIT_ERROR;
	return syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) ?
	       EXIT_MEMBARRIER : 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (argc == 2 && !strcmp(mode, "dyn"))
		return dyn();
	if (!strcmp(mode, "wait"))
		return say_ready() || block() ? EXIT_ERROR : 0;
	if (argc == 2 && !strcmp(mode, "layout"))
		return layout();
	if (argc == 3 && !strcmp(mode, "file"))
		return file_map(argv[2]);
	if (argc == 2 && !strcmp(mode, "shmem"))
		return shmem();
	if (argc == 2 && !strcmp(mode, "sysv"))
		return sysv();
	if (argc == 2 && !strcmp(mode, "zero"))
		return zero_shared();
	if (argc == 3 && !strcmp(mode, "shared"))
		return shared_map(argv[2]);
	if (argc == 2 && !strcmp(mode, "many"))
		return many_maps();
	if (argc == 2 && !strcmp(mode, "membarrier"))
		return membarrier_reg();
	fprintf(stderr, "usage: mem_target dyn|wait|layout|shmem|sysv|zero|many|membarrier|file PATH|shared PATH\n");
	return 2;
}
