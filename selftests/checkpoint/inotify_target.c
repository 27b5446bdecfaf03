// SPDX-License-Identifier: GPL-2.0
/*
 * inotify_target: inotify files for inotify_test.  Each mode makes
 * INO_DIR anew with the files it watches, sets its inotify up at INO_FD,
 * has events queued on it, prints "ready" and blocks in read(0) until
 * released (a byte or end of file on stdin); then it reads the events,
 * lists its watches (fdinfo), makes the watches report more and adds a
 * watch, printing what it finds, one fact a line, for the test to
 * compare with what the same mode prints when it was never
 * checkpointed.  Output goes through write(2) only.  A failed call exits
 * 3 with a line on stderr.
 *
 *	inotify_target MODE
 *
 * watches	a directory and six more inodes watched with various masks
 *		(one-shot, IN_EXCL_UNLINK, a symbolic link itself, /dev/null
 *		and / on mounts of their own), one watch removed and one
 *		one-shot fired (holes in the wds), events of every kind
 *		queued; a watched file kept open at INO_FILE
 * fork		an inotify shared with a child and dup()ed: the child reads
 *		one event and adds a watch, the parent sees both
 * overflow	more events than the queue holds (the test sets it to
 *		INO_QUEUE_MAX): IN_Q_OVERFLOW queued
 * unlinked	a watched file unlinked, still open: it cannot be saved
 * image	a directory and a file watched, an event queued, for the
 *		broken images
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "inotify_target.h"
#define TARGET_NAME "inotify_target"
#include "target.h"

#define PATH(name)	INO_DIR "/" name
#define MAX_WATCHES	16

/* An empty INO_DIR holding an empty file of each of @names. */
static void make_dir(const char *const *names)
{
	char path[sizeof(INO_DIR) + 256];
	struct dirent *d;
	DIR *dp;
	int fd;

	dp = opendir(INO_DIR);
	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), INO_DIR "/%s", d->d_name);
		if (unlink(path))
			CHECK(errno == EISDIR && rmdir(path) == 0);
	}
	if (dp)
		closedir(dp);
	CHECK(mkdir(INO_DIR, 0755) == 0 || errno == EEXIST);
	for (; *names; names++) {
		snprintf(path, sizeof(path), INO_DIR "/%s", *names);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		CHECK(fd >= 0 && close(fd) == 0);
	}
}

static void new_inotify(int fd, int flags)
{
	move_fd(inotify_init1(flags), fd);
}

/* Watch @path, which must get @wd. */
static void watch(int fd, const char *path, uint32_t mask, int wd)
{
	int got = inotify_add_watch(fd, path, mask);

	CHECK(got == wd);
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	CHECK(fd >= 0 && close(fd) == 0);
}

static void append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
}

/*
 * Every event queued on @fd (non-blocking), one a line: wd, mask, name.
 * A move's cookie is "new" when first seen, "same" when it is the one
 * before: its value is the kernel's counter, different in every run.
 */
static void read_events(const char *who, int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	uint32_t last = 0;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		CHECK(n > 0);
		for (p = buf; p < buf + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			say("%s wd %d mask %#x", who, e->wd, e->mask);
			if (e->len)
				say(" name %s", e->name);
			if (e->cookie)
				say(" cookie %s", e->cookie == last ? "same" :
				    "new");
			say("\n");
			last = e->cookie;
		}
	}
	say("%s end\n", who);
}

static int cmp_watch(const void *a, const void *b)
{
	const unsigned int *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* The watches of @fd as its fdinfo lists them, by wd: wd and mask. */
static void list_watches(const char *who, int fd)
{
	unsigned int w[MAX_WATCHES][2];
	char path[64], line[512];
	int nr = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "inotify ", 8))
			continue;
		CHECK(nr < MAX_WATCHES);
		CHECK(sscanf(line, "inotify wd:%x ino:%*x sdev:%*x mask:%x",
			     &w[nr][0], &w[nr][1]) == 2);
		nr++;
	}
	fclose(f);
	qsort(w, nr, sizeof(w[0]), cmp_watch);
	for (i = 0; i < nr; i++)
		say("%s watch %u mask %#x\n", who, w[i][0], w[i][1]);
}

static void say_flags(const char *who, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	CHECK(fl >= 0);
	say("%s %s%s\n", who, (fl & O_ACCMODE) == O_RDONLY ? "r" : "rw?",
	    fl & O_NONBLOCK ? ",nonblock" : "");
}

/* ---------------------------------------------------------------------- */

static void mode_watches(void)
{
	static const char *const names[] = { "a", "b", "c", "d", NULL };
	const int fd = INO_FD;
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

	make_dir(names);
	CHECK(symlink("a", PATH("l")) == 0);
	new_inotify(fd, IN_NONBLOCK);
	watch(fd, INO_DIR, IN_CREATE | IN_DELETE | IN_MOVED_FROM |
	      IN_MOVED_TO | IN_OPEN | IN_CLOSE_WRITE, 1);
	watch(fd, PATH("a"), IN_MODIFY | IN_ATTRIB, 2);
	watch(fd, PATH("b"), IN_ALL_EVENTS, 3);
	watch(fd, PATH("c"), IN_MODIFY | IN_ONESHOT, 4);
	watch(fd, PATH("d"), IN_MODIFY | IN_ONESHOT | IN_EXCL_UNLINK, 5);
	watch(fd, PATH("l"), IN_ATTRIB | IN_DONT_FOLLOW, 6);
	watch(fd, "/dev/null", IN_ATTRIB, 7);
	watch(fd, "/", IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR, 8);
	/* held open: restart opens it again, which the watch must not show */
	move_fd(open(PATH("a"), O_WRONLY | O_APPEND), INO_FILE);
	CHECK(write(INO_FILE, "x", 1) == 1);
	CHECK(chmod(PATH("a"), 0640) == 0);
	touch(PATH("x"));
	CHECK(rename(PATH("x"), PATH("y")) == 0);
	CHECK(unlink(PATH("y")) == 0);
	CHECK(inotify_rm_watch(fd, 3) == 0);
	append(PATH("c"));
	CHECK(mkdir(PATH("sub"), 0755) == 0);
	ready_and_wait();

	say_flags("inotify", fd);
	read_events("saved", fd);
	list_watches("inotify", fd);
	/* the watches report what happens now, the one-shot once */
	CHECK(write(INO_FILE, "x", 1) == 1);
	touch(PATH("z"));
	CHECK(unlink(PATH("z")) == 0);
	append(PATH("d"));
	append(PATH("d"));
	CHECK(utimensat(AT_FDCWD, PATH("l"), now, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK(utimensat(AT_FDCWD, PATH("a"), now, 0) == 0);
	CHECK(chmod("/dev/null", 0666) == 0);
	CHECK(mkdir(PATH("sub2"), 0755) == 0 && rmdir(PATH("sub2")) == 0);
	read_events("new", fd);
	say("next wd %d\n", inotify_add_watch(fd, PATH("b"), IN_MODIFY));
}

/*
 * After the release the child reads one event from the inotify and adds
 * a watch; the parent then reads the other events through the dup and
 * finds the child's watch there.
 */
static void mode_fork(void)
{
	static const char *const names[] = { "e", NULL };
	char buf[sizeof(struct inotify_event) + 16]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e = (void *)buf;
	pid_t pid;

	make_dir(names);
	new_inotify(INO_FD, IN_NONBLOCK);
	CHECK(dup2(INO_FD, INO_DUP) == INO_DUP);
	watch(INO_FD, INO_DIR, IN_CREATE | IN_DELETE, 1);
	touch(PATH("e1"));
	touch(PATH("e2"));
	CHECK(unlink(PATH("e1")) == 0);
	sync_open();
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		sync_done();
		CHECK(block() == 0);
		/* room for exactly one event with a short name */
		CHECK(read(INO_FD, buf, sizeof(buf)) == sizeof(buf));
		CHECK(e->wd == 1 && e->mask == IN_CREATE &&
		      !strcmp(e->name, "e1"));
		CHECK(inotify_add_watch(INO_FD, PATH("e"), IN_ATTRIB) == 2);
		_exit(0);
	}
	sync_wait();
	ready_and_wait();
	say("child exit %d\n", reap(pid));
	say_flags("dup", INO_DUP);
	read_events("parent", INO_DUP);
	list_watches("parent", INO_DUP);
	say("next wd %d\n", inotify_add_watch(INO_DUP, PATH("e2"), IN_ATTRIB));
}

static void mode_overflow(void)
{
	static const char *const names[] = { NULL };
	char path[64];
	int i;

	make_dir(names);
	new_inotify(INO_FD, IN_NONBLOCK);
	watch(INO_FD, INO_DIR, IN_CREATE, 1);
	for (i = 0; i < INO_QUEUE_MAX + 2; i++) {
		snprintf(path, sizeof(path), INO_DIR "/f%d", i);
		touch(path);
	}
	ready_and_wait();

	read_events("full", INO_FD);
	touch(PATH("g"));
	read_events("then", INO_FD);
}

static void mode_unlinked(void)
{
	static const char *const names[] = { "u", NULL };

	make_dir(names);
	new_inotify(INO_FD, IN_NONBLOCK);
	watch(INO_FD, INO_DIR, IN_DELETE, 1);
	watch(INO_FD, PATH("u"), IN_ATTRIB | IN_DELETE_SELF, 2);
	move_fd(open(PATH("u"), O_RDONLY), INO_FILE);
	CHECK(unlink(PATH("u")) == 0);
	ready_and_wait();

	read_events("unlinked", INO_FD);
	CHECK(close(INO_FILE) == 0);
	read_events("closed", INO_FD);
}

static void mode_image(void)
{
	static const char *const names[] = { "a", "b", NULL };

	make_dir(names);
	new_inotify(INO_FD, IN_NONBLOCK);
	watch(INO_FD, INO_DIR, IMG_DIR_MASK, 1);
	watch(INO_FD, PATH("a"), IMG_FILE_MASK, 2);
	touch(PATH(IMG_NAME));
	ready_and_wait();

	read_events("image", INO_FD);
	say("next wd %d\n", inotify_add_watch(INO_FD, PATH("b"), IN_MODIFY));
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "watches", mode_watches }, { "fork", mode_fork },
		{ "overflow", mode_overflow }, { "unlinked", mode_unlinked },
		{ "image", mode_image },
	};
	size_t i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: inotify_target watches|fork|overflow|unlinked|image\n");
	return 2;
}
