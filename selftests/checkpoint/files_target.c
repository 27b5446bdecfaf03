// SPDX-License-Identifier: GPL-2.0
/*
 * Targets for files_test: each mode sets up some file state, says
 * "ready", blocks in read(0), and after the restart checks that the state
 * is still there, from the inside.  Exit 0 when it is, 10 + the number of
 * the failed check otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define DUP_FILE	"/tmp/ckpt_files_dup"
#define APPEND_FILE	"/tmp/ckpt_files_append"
#define UNLINKED_FILE	"/tmp/ckpt_files_unlinked"
#define CWD_DIR		"/tmp/ckpt_files_cwd"
#define UNLINKED_SIZE	(3 << 19)	/* 1.5 MiB: two FILE_DATA records */
#define UNLINKED_POS	12345
#define SPARSE_FILE	"/tmp/ckpt_files_sparse"
#define SPARSE_SIZE	(3 << 20)
#define HUGE_SIZE	(1ULL << 40)	/* 1 TiB, nearly all hole */
#define HUGE_DATA	(1ULL << 39)
#define MIB		(1 << 20)
#define FOREIGN_ID	1234		/* the owner of "foreign"'s file */
#define FOREIGN_USER	1000		/* whom "foreign" runs as */
#define MAP_MAX		16
#define SHRUNK_SIZE	100001		/* within a page */
#define SMALL_FILE	"/tmp/ckpt_files_small/unlinked"	/* a 1 MiB tmpfs */
#define SMALL_SIZE	(512 << 10)
#define DELETED_DIR	"/tmp/ckpt_files_deleted"
#define DELETED_CHR	"/dev/ckpt_files_null"	/* devtmpfs: devices open */

static int check;

#define CHECK(cond) do {					\
	check++;						\
	if (!(cond)) {						\
		fprintf(stderr, "files_target: check %d failed: %s\n", \
			check, #cond);				\
		exit(10 + check);				\
	}							\
} while (0)

static int link_is(int fd, const char *want);

static void ready_and_wait(void)
{
	char c;

	if (write(1, "ready\n", 6) != 6)
		exit(2);
	if (read(0, &c, 1) != 1)
		exit(3);
}

static void mode_dup(void)
{
	char buf[100];

	memset(buf, 'd', sizeof(buf));
	CHECK(open(DUP_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600) == 3);
	CHECK(write(3, buf, sizeof(buf)) == sizeof(buf));
	CHECK(lseek(3, 10, SEEK_SET) == 10);
	CHECK(dup2(3, 7) == 7);
	CHECK(fcntl(7, F_SETFD, FD_CLOEXEC) == 0);
	ready_and_wait();
	CHECK(lseek(7, 0, SEEK_CUR) == 10);
	CHECK(lseek(3, 42, SEEK_SET) == 42);
	CHECK(lseek(7, 0, SEEK_CUR) == 42);	/* one open file again */
	CHECK(fcntl(3, F_GETFD) == 0);
	CHECK(fcntl(7, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(4, F_GETFD) == -1 && errno == EBADF);
}

static void mode_flags(void)
{
	int flags;

	CHECK(open(APPEND_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
		   O_NONBLOCK, 0600) == 3);
	CHECK(write(3, "abc", 3) == 3);
	CHECK(dup2(3, 9) == 9 && close(3) == 0);
	ready_and_wait();
	flags = fcntl(9, F_GETFL);
	CHECK((flags & O_ACCMODE) == O_WRONLY);
	CHECK(flags & O_APPEND);
	CHECK(flags & O_NONBLOCK);
	CHECK(lseek(9, 0, SEEK_SET) == 0);
	CHECK(write(9, "de", 2) == 2);		/* appends all the same */
	CHECK(lseek(9, 0, SEEK_CUR) == 5);
}

static void mode_unlinked(void)
{
	static unsigned char buf[UNLINKED_SIZE];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + (i >> 12);
	CHECK(open(UNLINKED_FILE, O_RDWR | O_CREAT | O_TRUNC, 0640) == 3);
	CHECK(write(3, buf, sizeof(buf)) == sizeof(buf));
	CHECK(unlink(UNLINKED_FILE) == 0);
	CHECK(lseek(3, UNLINKED_POS, SEEK_SET) == UNLINKED_POS);
	ready_and_wait();
	CHECK(fstat(3, &st) == 0);
	CHECK(st.st_nlink == 0 && S_ISREG(st.st_mode));
	CHECK(st.st_size == UNLINKED_SIZE && (st.st_mode & 0777) == 0640);
	CHECK(lseek(3, 0, SEEK_CUR) == UNLINKED_POS);
	CHECK(link_is(3, UNLINKED_FILE " (deleted)"));
	memset(buf, 0, sizeof(buf));
	CHECK(pread(3, buf, sizeof(buf), 0) == sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != (unsigned char)(i * 7 + (i >> 12)))
			break;
	CHECK(i == sizeof(buf));
}

/* Does fd @fd's /proc link say @want? */
static int link_is(int fd, const char *want)
{
	char path[64], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	if (strcmp(link, want))
		fprintf(stderr, "files_target: fd %d is \"%s\", not \"%s\"\n",
			fd, link, want);
	return !strcmp(link, want);
}

/* What SEEK_DATA and SEEK_HOLE say of a file: its data extents. */
struct extent_map {
	off_t size;
	int nr;
	off_t start[MAP_MAX], end[MAP_MAX];
};

/* The data map of @fd, whose offset it keeps. */
static void data_map(int fd, struct extent_map *m)
{
	off_t pos = lseek(fd, 0, SEEK_CUR), off = 0, data;

	memset(m, 0, sizeof(*m));
	m->size = lseek(fd, 0, SEEK_END);
	while (off < m->size && m->nr < MAP_MAX) {
		data = lseek(fd, off, SEEK_DATA);
		if (data < 0)
			break;
		m->start[m->nr] = data;
		off = m->end[m->nr++] = lseek(fd, data, SEEK_HOLE);
	}
	CHECK(lseek(fd, pos, SEEK_SET) == pos);
}

static int same_map(int fd, const struct extent_map *before)
{
	struct extent_map now;

	data_map(fd, &now);
	return !memcmp(&now, before, sizeof(now));
}

static unsigned char pattern(off_t i)
{
	return i * 7 + (i >> 12) + 1;
}

/* @len bytes at @off of @fd are the pattern (or zero, @zero). */
static int holds(int fd, off_t off, size_t len, int zero)
{
	static unsigned char buf[1 << 20];
	size_t i, n;

	for (; len; len -= n, off += n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (pread(fd, buf, n, off) != (ssize_t)n)
			return 0;
		for (i = 0; i < n; i++)
			if (buf[i] != (zero ? 0 : pattern(off + i)))
				return 0;
	}
	return 1;
}

/* Write the pattern to @len bytes at @off of @fd. */
static int put(int fd, off_t off, size_t len)
{
	static unsigned char buf[1 << 20];
	size_t i, n;

	for (; len; len -= n, off += n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			return 0;
	}
	return 1;
}

/* An unlinked file @fd at @path, @pos into it. */
static void unlinked_at(const char *path, int fd, off_t pos)
{
	CHECK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) == fd);
	CHECK(unlink(path) == 0);
	CHECK(lseek(fd, pos, SEEK_SET) == pos);
}

/*
 * Sparse unlinked files: holes inside and at the end of a small one, and
 * a 1 TiB one with a page of data in its middle.  Same holes after.
 */
static void mode_sparse(void)
{
	static struct extent_map small, huge;

	unlinked_at(SPARSE_FILE, 3, 5000);
	CHECK(put(3, 0, 8192) && put(3, MIB, 4096));
	CHECK(put(3, 2 * MIB + 100, 100));
	CHECK(ftruncate(3, SPARSE_SIZE) == 0);
	unlinked_at(SPARSE_FILE, 4, HUGE_DATA + 10);
	CHECK(ftruncate(4, HUGE_SIZE) == 0);
	CHECK(put(4, HUGE_DATA, 4096) && put(4, 0, 10));
	data_map(3, &small);
	data_map(4, &huge);
	CHECK(small.nr == 3 && small.end[2] < SPARSE_SIZE && huge.nr == 2);
	ready_and_wait();
	CHECK(same_map(3, &small) && same_map(4, &huge));
	CHECK(lseek(3, 0, SEEK_CUR) == 5000);
	CHECK(lseek(4, 0, SEEK_CUR) == (off_t)HUGE_DATA + 10);
	CHECK(holds(3, 0, 8192, 0) && holds(3, 8192, MIB - 8192, 1));
	CHECK(holds(3, MIB, 4096, 0) && holds(3, MIB + 4096, MIB - 3996, 1));
	CHECK(holds(3, 2 * MIB + 100, 100, 0));
	CHECK(holds(3, 2 * MIB + 200, MIB - 200, 1));
	CHECK(holds(4, 0, 10, 0) && holds(4, 10, 4086, 1));
	CHECK(holds(4, HUGE_DATA, 4096, 0));
	CHECK(holds(4, HUGE_SIZE - 4096, 4096, 1));
}

/* Owner, mode (the bits a umask strips too) and times of an unlinked file. */
static void mode_attrs(void)
{
	const struct timespec ts[2] = { { 1000000000, 123456789 },
					{ 1100000000, 987654321 } };
	struct stat before, st;

	unlinked_at(UNLINKED_FILE, 3, 0);
	CHECK(put(3, 0, 5000));
	CHECK(fchown(3, FOREIGN_ID, FOREIGN_ID + 1) == 0);
	CHECK(fchmod(3, 06777) == 0);
	CHECK(futimens(3, ts) == 0);
	CHECK(fstat(3, &before) == 0);
	ready_and_wait();
	CHECK(fstat(3, &st) == 0);
	CHECK(st.st_uid == FOREIGN_ID && st.st_gid == FOREIGN_ID + 1);
	CHECK(st.st_mode == (S_IFREG | 06777) && st.st_size == 5000);
	CHECK(st.st_nlink == 0);
	CHECK(st.st_atim.tv_sec == before.st_atim.tv_sec &&
	      st.st_atim.tv_nsec == before.st_atim.tv_nsec);
	CHECK(st.st_mtim.tv_sec == ts[1].tv_sec &&
	      st.st_mtim.tv_nsec == ts[1].tv_nsec);
	CHECK(holds(3, 0, 5000, 0));
}

/*
 * One unlinked inode open three times: twice by name before the unlink,
 * once through /proc/self/fd after it.  One inode after the restart.
 */
static void mode_twice(void)
{
	struct stat a, b, c;
	char buf[3];

	CHECK(open(UNLINKED_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600) == 3);
	CHECK(open(UNLINKED_FILE, O_RDONLY) == 4);
	CHECK(put(3, 0, 65536));
	CHECK(unlink(UNLINKED_FILE) == 0);
	CHECK(open("/proc/self/fd/3", O_WRONLY | O_APPEND) == 5);
	CHECK(lseek(3, 100, SEEK_SET) == 100);
	CHECK(lseek(4, 200, SEEK_SET) == 200);
	ready_and_wait();
	CHECK(fstat(3, &a) == 0 && fstat(4, &b) == 0 && fstat(5, &c) == 0);
	CHECK(a.st_ino == b.st_ino && a.st_ino == c.st_ino);
	CHECK(a.st_dev == b.st_dev && a.st_dev == c.st_dev);
	CHECK(a.st_nlink == 0 && a.st_size == 65536);
	CHECK(lseek(3, 0, SEEK_CUR) == 100 && lseek(4, 0, SEEK_CUR) == 200);
	CHECK((fcntl(4, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK((fcntl(5, F_GETFL) & (O_ACCMODE | O_APPEND)) ==
	      (O_WRONLY | O_APPEND));
	CHECK(holds(4, 0, 65536, 0));
	CHECK(link_is(3, UNLINKED_FILE " (deleted)"));
	CHECK(link_is(4, UNLINKED_FILE " (deleted)"));
	CHECK(link_is(5, UNLINKED_FILE " (deleted)"));
	CHECK(pwrite(3, "xyz", 3, 1000) == 3);
	CHECK(pread(4, buf, 3, 1000) == 3 && !memcmp(buf, "xyz", 3));
	CHECK(write(5, "tail", 4) == 4);
	CHECK(fstat(4, &b) == 0 && b.st_size == 65540);
}

/*
 * An unlinked file whose name files_test gives to a file of its own
 * before the restart: the file comes back all the same, with the name
 * O_TMPFILE gives ("#" and its inode number), the other file untouched.
 */
static void mode_taken(void)
{
	char want[64];
	struct stat st;

	unlinked_at(UNLINKED_FILE, 3, 7);
	CHECK(put(3, 0, 3000));
	ready_and_wait();
	CHECK(fstat(3, &st) == 0 && st.st_nlink == 0 && st.st_size == 3000);
	snprintf(want, sizeof(want), "/tmp/#%llu (deleted)",
		 (unsigned long long)st.st_ino);
	CHECK(link_is(3, want));
	CHECK(lseek(3, 0, SEEK_CUR) == 7 && holds(3, 0, 3000, 0));
}

/* Unlinked, then shrunk (the offset past the end) or grown. */
static void mode_truncated(void)
{
	static struct extent_map shrunk, grown;
	struct stat st;

	unlinked_at(UNLINKED_FILE, 3, 0);
	CHECK(put(3, 0, MIB) && ftruncate(3, SHRUNK_SIZE) == 0);
	CHECK(lseek(3, MIB, SEEK_SET) == MIB);
	unlinked_at(SPARSE_FILE, 4, 0);
	CHECK(put(4, 0, MIB) && ftruncate(4, 3 * MIB) == 0);
	CHECK(lseek(4, 50, SEEK_SET) == 50);
	data_map(3, &shrunk);
	data_map(4, &grown);
	ready_and_wait();
	CHECK(fstat(3, &st) == 0 && st.st_size == SHRUNK_SIZE);
	CHECK(fstat(4, &st) == 0 && st.st_size == 3 * MIB);
	CHECK(lseek(3, 0, SEEK_CUR) == MIB && lseek(4, 0, SEEK_CUR) == 50);
	CHECK(holds(3, 0, SHRUNK_SIZE, 0));
	CHECK(holds(4, 0, MIB, 0) && holds(4, MIB, 2 * MIB, 1));
	CHECK(same_map(3, &shrunk) && same_map(4, &grown));
}

/*
 * An unlinked file given to another owner, then the process drops to an
 * unprivileged user, who cannot give it that owner at restart.
 */
static void mode_foreign(void)
{
	gid_t gid = FOREIGN_USER;

	unlinked_at(UNLINKED_FILE, 3, 0);
	CHECK(put(3, 0, 100) && fchown(3, FOREIGN_ID, FOREIGN_ID) == 0);
	CHECK(chdir("/") == 0);
	CHECK(setgroups(1, &gid) == 0);
	CHECK(setresgid(gid, gid, gid) == 0);
	CHECK(setresuid(FOREIGN_USER, FOREIGN_USER, FOREIGN_USER) == 0);
	CHECK(prctl(PR_SET_DUMPABLE, 1) == 0);
	ready_and_wait();
}

/*
 * An unlinked file also mapped shared, through a file of its own: saved
 * apart, the two would no longer share their pages.
 */
static void mode_mapped(void)
{
	char *p;

	unlinked_at(UNLINKED_FILE, 3, 0);
	CHECK(put(3, 0, 4096));
	CHECK(open("/proc/self/fd/3", O_RDWR) == 4);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 4, 0);
	CHECK(p != MAP_FAILED && close(4) == 0);
	ready_and_wait();
	p[0] = 'x';
	CHECK(pread(3, p + 1, 1, 0) == 1 && p[1] == 'x');
}

/* Half a small filesystem's worth of data, for restarts that lack room. */
static void mode_small(void)
{
	unlinked_at(SMALL_FILE, 3, 0);
	CHECK(put(3, 0, SMALL_SIZE));
	ready_and_wait();
	CHECK(holds(3, 0, SMALL_SIZE, 0));
}

static void mode_devs(void)
{
	char buf[16];
	struct stat st;

	CHECK(open("/dev/null", O_WRONLY) == 3);
	CHECK(open("/dev/zero", O_RDONLY) == 4);
	CHECK(open("/tmp", O_RDONLY | O_DIRECTORY) == 5);
	ready_and_wait();
	CHECK(write(3, "x", 1) == 1);
	memset(buf, 1, sizeof(buf));
	CHECK(read(4, buf, sizeof(buf)) == sizeof(buf) && !buf[0] && !buf[15]);
	CHECK(fstat(5, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(fchdir(5) == 0);
}

static void mode_cwd(void)
{
	char cwd[256];

	CHECK(mkdir(CWD_DIR, 0700) == 0 || errno == EEXIST);
	CHECK(chdir(CWD_DIR) == 0);
	umask(027);
	ready_and_wait();
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, CWD_DIR));
	CHECK(umask(0) == 027);
}

/* A TCP socket: a kind of file checkpoint does not support yet. */
static void mode_socket(void)
{
	CHECK(socket(AF_INET, SOCK_STREAM, 0) == 3);
	ready_and_wait();
}

/* A regular file with no path: a namespace file, as /proc/self/ns has. */
static void mode_nsfs(void)
{
	CHECK(open("/proc/self/ns/uts", O_RDONLY) == 3);
	ready_and_wait();
}

/* A directory held open (fd 3), then removed: it has no name left. */
static void mode_deldir(void)
{
	CHECK(mkdir(DELETED_DIR, 0700) == 0 || errno == EEXIST);
	CHECK(open(DELETED_DIR, O_RDONLY | O_DIRECTORY) == 3);
	CHECK(rmdir(DELETED_DIR) == 0);
	ready_and_wait();
}

/* A device node (/dev/null's numbers) held open (fd 3), then unlinked. */
static void mode_delchr(void)
{
	unlink(DELETED_CHR);
	CHECK(mknod(DELETED_CHR, S_IFCHR | 0600, makedev(1, 3)) == 0);
	CHECK(open(DELETED_CHR, O_RDWR) == 3);
	CHECK(unlink(DELETED_CHR) == 0);
	ready_and_wait();
}

/* The working directory removed from under the process. */
static void mode_delcwd(void)
{
	CHECK(mkdir(DELETED_DIR, 0700) == 0 || errno == EEXIST);
	CHECK(chdir(DELETED_DIR) == 0);
	CHECK(rmdir(DELETED_DIR) == 0);
	ready_and_wait();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "dup", mode_dup }, { "flags", mode_flags },
		{ "unlinked", mode_unlinked }, { "devs", mode_devs },
		{ "cwd", mode_cwd }, { "socket", mode_socket },
		{ "sparse", mode_sparse }, { "attrs", mode_attrs },
		{ "twice", mode_twice }, { "truncated", mode_truncated },
		{ "foreign", mode_foreign }, { "mapped", mode_mapped },
		{ "small", mode_small }, { "nsfs", mode_nsfs },
		{ "deldir", mode_deldir }, { "delchr", mode_delchr },
		{ "delcwd", mode_delcwd }, { "taken", mode_taken },
	};
	size_t i;

	for (i = 0; argc == 2 && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: files_target dup|flags|unlinked|devs|cwd|socket|sparse|attrs|twice|truncated|foreign|mapped|small|nsfs|deldir|delchr|delcwd|taken\n");
	return 2;
}
