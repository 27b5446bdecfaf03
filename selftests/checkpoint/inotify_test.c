// SPDX-License-Identifier: GPL-2.0
/*
 * inotify files across checkpoint and restart (issue 5).  Each mode of
 * inotify_target runs three times: never checkpointed, which shows what
 * the kernel does; checkpointed (with or without kill), after which it
 * must go on exactly the same; and restored by rstr from that image,
 * which must do the same again.  What it prints after its release is
 * compared with what is written here: the events queued when it was
 * checkpointed, in order, with their wds, masks, names and moves' cookie
 * pairs; its watches as its fdinfo lists them (wd and mask, one-shot and
 * IN_EXCL_UNLINK included); what the restored watches report afterwards
 * (a one-shot fires once, a symbolic link is watched itself, files on
 * three mounts); the wd the next new watch gets.  The restored watches'
 * fdinfo lines - wd, inode, device, mask - must be the ones saved, and
 * the processes' fds, flags and shared open files as they were.
 *
 * A watch on an unlinked file makes the checkpoint fail with EOPNOTSUPP,
 * the target unharmed.  Images with a broken INOTIFY, INOTIFY_EVENT or
 * INOTIFY_WATCH record make the restart fail with EINVAL, back in its
 * caller, whose fds are as they were.
 *
 * rstr is $RSTR or /usr/bin/rstr (see rstr_path()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "util.h"
#include "fdtest.h"
#include "inotify_target.h"

#define WAIT_MS		60000
#define SIG_SIZE	8192
#define OUT_SIZE	4096
#define INFO_SIZE	4096

/*
 * Queued when checkpointed: the open of the file kept open, its write
 * and chmod; x made, moved to y, removed; watch 3 removed; c written
 * under its one-shot watch 4, which then went; sub made.  The restart's
 * own open of a (the file kept open) is not among them.
 */
static const char expect_watches[] =
	"inotify r,nonblock\n"
	"saved wd 1 mask 0x20 name a\n"
	"saved wd 2 mask 0x2\n"
	"saved wd 2 mask 0x4\n"
	"saved wd 1 mask 0x100 name x\n"
	"saved wd 1 mask 0x20 name x\n"
	"saved wd 1 mask 0x8 name x\n"
	"saved wd 1 mask 0x40 name x cookie new\n"
	"saved wd 1 mask 0x80 name y cookie same\n"
	"saved wd 1 mask 0x200 name y\n"
	"saved wd 3 mask 0x8000\n"
	"saved wd 1 mask 0x20 name c\n"
	"saved wd 4 mask 0x2\n"
	"saved wd 4 mask 0x8000\n"
	"saved wd 1 mask 0x8 name c\n"
	"saved wd 1 mask 0x40000100 name sub\n"
	"saved end\n"
	"inotify watch 1 mask 0x3e8\n"
	"inotify watch 2 mask 0x6\n"
	"inotify watch 5 mask 0x84000002\n"
	"inotify watch 6 mask 0x4\n"
	"inotify watch 7 mask 0x4\n"
	"inotify watch 8 mask 0xc00\n"
	"new wd 2 mask 0x2\n"
	"new wd 1 mask 0x100 name z\n"
	"new wd 1 mask 0x20 name z\n"
	"new wd 1 mask 0x8 name z\n"
	"new wd 1 mask 0x200 name z\n"
	"new wd 1 mask 0x20 name d\n"
	"new wd 5 mask 0x2\n"
	"new wd 5 mask 0x8000\n"
	"new wd 1 mask 0x8 name d\n"
	"new wd 1 mask 0x20 name d\n"
	"new wd 1 mask 0x8 name d\n"
	"new wd 6 mask 0x4\n"
	"new wd 2 mask 0x4\n"
	"new wd 7 mask 0x4\n"
	"new wd 1 mask 0x40000100 name sub2\n"
	"new wd 1 mask 0x40000200 name sub2\n"
	"new end\n"
	"next wd 9\n";

/* e1 made and removed, e2 made; the child took the first event */
static const char expect_fork[] =
	"child exit 0\n"
	"dup r,nonblock\n"
	"parent wd 1 mask 0x100 name e2\n"
	"parent wd 1 mask 0x200 name e1\n"
	"parent end\n"
	"parent watch 1 mask 0x300\n"
	"parent watch 2 mask 0x4\n"
	"next wd 3\n";

/* INO_QUEUE_MAX events, then the overflow; room again once read */
static const char expect_overflow[] =
	"full wd 1 mask 0x100 name f0\n"
	"full wd 1 mask 0x100 name f1\n"
	"full wd 1 mask 0x100 name f2\n"
	"full wd 1 mask 0x100 name f3\n"
	"full wd -1 mask 0x4000\n"
	"full end\n"
	"then wd 1 mask 0x100 name g\n"
	"then end\n";

static const char expect_unlinked[] =
	"unlinked wd 2 mask 0x4\n"
	"unlinked wd 1 mask 0x200 name u\n"
	"unlinked end\n"
	"closed wd 2 mask 0x400\n"
	"closed wd 2 mask 0x8000\n"
	"closed end\n";

static const char expect_image[] =
	"image wd 1 mask 0x100 name " IMG_NAME "\n"
	"image end\n"
	"next wd 3\n";

/* The fds of @root's tree as text (see fd_signature()). */
static int signature(pid_t root, char *out, size_t size)
{
	return fd_signature(root, out, size, NULL, NULL);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The watches of @pid's inotify at @fd, as its fdinfo lists them (wd,
 * inode, device, mask, file handle), sorted: the same inodes must be
 * watched again.
 */
static int watch_info(pid_t pid, int fd, char *out, size_t size)
{
	char buf[INFO_SIZE], name[32], *line, *save, *lines[64];
	size_t len = 0;
	int nr = 0, i;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	if (read_proc(pid, name, buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "inotify ", 8) && nr < 64)
			lines[nr++] = line;
	}
	qsort(lines, nr, sizeof(lines[0]), cmp_line);
	out[0] = '\0';
	for (i = 0; i < nr; i++) {
		len += snprintf(out + len, size - len, "%s\n", lines[i]);
		if (len >= size)
			return -1;
	}
	return nr ? 0 : -1;
}

FIXTURE(ino) {
	int img;
	struct proc t;		/* the target, or rstr */
	pid_t pids[TREE_MAX_TASKS]; /* the tree last seen */
	int nr;
	char before[SIG_SIZE];	/* its fds when checkpointed */
	char now[SIG_SIZE];
	char wbefore[INFO_SIZE];	/* its watches when checkpointed */
	char wnow[INFO_SIZE];
	char out[OUT_SIZE];	/* what it printed */
	char queue_max[32];	/* max_queued_events, if changed */
};

#define SELF	FIXTURE_DATA(ino)
#define META	struct __test_metadata *_metadata

FIXTURE_SETUP(ino)
{
	signal(SIGPIPE, SIG_IGN);
	self->nr = 0;
	self->queue_max[0] = '\0';
	self->img = target_fixture("inotify_target", &self->t);
	ASSERT_LE(0, self->img);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

static int write_sysctl(const char *val)
{
	int fd = open(INO_SYSCTL, O_WRONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, val, strlen(val));
		close(fd);
	}
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

FIXTURE_TEARDOWN(ino)
{
	int i;

	proc_fini(&self->t);
	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, self->nr, TIMEOUT_MS);
	close(self->img);
	if (self->queue_max[0])
		write_sysctl(self->queue_max);
}

/*
 * @mode never checkpointed, then checkpointed with @flags (then going on
 * unless killed), then restored: the same output each time, @expect.
 */
/* Its watches, once saved, as it goes on, once restored: the same. */
static void save_watches(META, void *arg, pid_t root)
{
	SELF *self = arg;

	ASSERT_EQ(0, watch_info(root, INO_FD, self->wbefore,
				sizeof(self->wbefore)));
}

static void check_watches(META, void *arg, pid_t root)
{
	SELF *self = arg;

	ASSERT_EQ(0, watch_info(root, INO_FD, self->wnow, sizeof(self->wnow)));
	EXPECT_STREQ(self->wbefore, self->wnow) {
		log_text(_metadata, "watches saved", self->wbefore);
		log_text(_metadata, "watches now", self->wnow);
	}
}

static void run_mode(META, SELF *self, const char *mode, const char *expect,
		     unsigned long flags)
{
	struct fd_run r = {
		FD_RUN_FIXTURE(self), .wait_ms = WAIT_MS,
		.signature = signature,
		.saved = save_watches, .went_on = check_watches,
		.restored = check_watches, .arg = self,
	};

	fd_run_mode(_metadata, &r, mode, expect, flags);
}

/*
 * Watches with holes in their wds, queued events of every kind, a file
 * watched and kept open (restart's own open of it is not reported), the
 * next wd; checkpointed without kill, the target goes on.
 */
TEST_F_TIMEOUT(ino, watches, 180)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "watches", expect_watches, 0);
}

TEST_F_TIMEOUT(ino, watches_killed, 180)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "watches", expect_watches, CHECKPOINT_KILL);
}

/* Shared by parent and child, and dup()ed: one open file, one queue. */
TEST_F_TIMEOUT(ino, across_fork, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fork", expect_fork, CHECKPOINT_KILL);
}

/* A queue that overflowed: IN_Q_OVERFLOW is restored where it was. */
TEST_F_TIMEOUT(ino, overflow, 120)
{
	char val[16];
	int fd;
	ssize_t n;

	if (_metadata->skip)
		return;
	fd = open(INO_SYSCTL, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, self->queue_max, sizeof(self->queue_max) - 1);
	close(fd);
	ASSERT_LT(0, n);
	self->queue_max[n] = '\0';
	snprintf(val, sizeof(val), "%d\n", INO_QUEUE_MAX);
	if (write_sysctl(val)) {
		self->queue_max[0] = '\0';
		SKIP(return, "cannot set %s", INO_SYSCTL);
	}
	run_mode(_metadata, self, "overflow", expect_overflow,
		 CHECKPOINT_KILL);
}

/* ---------------------------------------------------------------------- */
/* A watch an image cannot hold */

FIXTURE(refuse) {
	struct proc t;
	int img;
	int log;
};

FIXTURE_SETUP(refuse)
{
	use_target("inotify_target");
	proc_init(&self->t);
	self->img = tmp_image();
	self->log = tmp_image();
	ASSERT_LE(0, self->img);
	ASSERT_LE(0, self->log);
}

FIXTURE_TEARDOWN(refuse)
{
	proc_fini(&self->t);
	close(self->img);
	close(self->log);
}

/* The checkpoint fails, naming pid, fd and wd; the target goes on. */
TEST_F_TIMEOUT(refuse, unlinked, 120)
{
	char log[1024], why[128], out[512];
	int in, wr, status;
	size_t len = 0;
	ssize_t n;

	ASSERT_EQ(0, proc_pipes(&self->t, &in, &wr));
	self->t.pid = spawn_target("unlinked", in, wr);
	close(in);
	close(wr);
	ASSERT_LT(0, self->t.pid);
	ASSERT_EQ(0, wait_ready(self->t.out, TIMEOUT_MS));
	ASSERT_EQ(0, wait_blocked(self->t.pid, TIMEOUT_MS));
	EXPECT_EQ(-1, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL,
				 self->log));
	EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("%s", strerror(errno));
	n = pread(self->log, log, sizeof(log) - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	snprintf(why, sizeof(why),
		 "pid %d fd %d: inotify watch 2 is on an inode no path reaches from its root (unlinked)",
		 self->t.pid, INO_FD);
	EXPECT_NE(NULL, strstr(log, why)) TH_LOG("log: %s", log);

	close(self->t.in);
	self->t.in = -1;
	while (len < sizeof(out) - 1) {
		n = read(self->t.out, out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	out[len] = '\0';
	ASSERT_EQ(0, wait_timeout(self->t.pid, &status, WAIT_MS));
	self->t.pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("status %#x", status);
	EXPECT_STREQ(expect_unlinked, out);
}

/* ---------------------------------------------------------------------- */
/* Broken images */

enum edit {
	VALID,
	BAD_OBJREF,		/* INOTIFY: another file's objref */
	BAD_NEXT_WD,		/* INOTIFY: next wd 0 */
	BAD_NR_WATCHES,		/* INOTIFY: one watch more than it holds */
	BAD_NR_EVENTS,		/* INOTIFY: no event, one is there */
	BAD_LEN,		/* INOTIFY: 8 bytes longer than its records */
	BAD_FILE_FLAGS,		/* its FILE: O_RDWR, which inotify never is */
	BAD_EVENT_MASK,		/* INOTIFY_EVENT: FS_RENAME, never inotify's */
	BAD_EVENT_OVERFLOW,	/* INOTIFY_EVENT: IN_Q_OVERFLOW with a wd */
	BAD_EVENT_NAME,		/* INOTIFY_EVENT: a name with a '/' */
	BAD_WD_ORDER,		/* INOTIFY_WATCH: the wd of the one before */
	BAD_WD_ZERO,		/* INOTIFY_WATCH: wd 0 */
	BAD_WATCH_MASK,		/* INOTIFY_WATCH: IN_MASK_ADD kept */
	BAD_WATCH_MODE,		/* INOTIFY_WATCH: no file type */
	BAD_WATCH_PATH,		/* INOTIFY_WATCH: a relative path */
};

FIXTURE(image) {
	struct image_case c;
};

FIXTURE_VARIANT(image) {
	enum edit edit;
};

FIXTURE_VARIANT_ADD(image, valid) { .edit = VALID };
FIXTURE_VARIANT_ADD(image, objref) { .edit = BAD_OBJREF };
FIXTURE_VARIANT_ADD(image, next_wd) { .edit = BAD_NEXT_WD };
FIXTURE_VARIANT_ADD(image, nr_watches) { .edit = BAD_NR_WATCHES };
FIXTURE_VARIANT_ADD(image, nr_events) { .edit = BAD_NR_EVENTS };
FIXTURE_VARIANT_ADD(image, len) { .edit = BAD_LEN };
FIXTURE_VARIANT_ADD(image, file_flags) { .edit = BAD_FILE_FLAGS };
FIXTURE_VARIANT_ADD(image, event_mask) { .edit = BAD_EVENT_MASK };
FIXTURE_VARIANT_ADD(image, event_overflow) { .edit = BAD_EVENT_OVERFLOW };
FIXTURE_VARIANT_ADD(image, event_name) { .edit = BAD_EVENT_NAME };
FIXTURE_VARIANT_ADD(image, wd_order) { .edit = BAD_WD_ORDER };
FIXTURE_VARIANT_ADD(image, wd_zero) { .edit = BAD_WD_ZERO };
FIXTURE_VARIANT_ADD(image, watch_mask) { .edit = BAD_WATCH_MASK };
FIXTURE_VARIANT_ADD(image, watch_mode) { .edit = BAD_WATCH_MODE };
FIXTURE_VARIANT_ADD(image, watch_path) { .edit = BAD_WATCH_PATH };

#define IMG	FIXTURE_DATA(image)

/* The image's inotify: its FILE, INOTIFY, one EVENT and two WATCHes. */
struct ino_recs {
	struct ckpt_hdr_file *file;
	struct ckpt_hdr_inotify *ino;
	struct ckpt_hdr_inotify_event *ev;
	char *name;
	struct ckpt_hdr_inotify_watch *w[2];
	char *path[2];
};

static int find_inotify(IMG *self, struct ino_recs *r)
{
	unsigned char *p;
	size_t off;
	long prev = -1;
	int i;

	off = image_top_record(self->c.buf, self->c.len, CKPT_HDR_INOTIFY, 0,
			       &prev);
	if (!off || prev < 0 ||
	    image_hdr(self->c.buf, prev)->type != CKPT_HDR_FILE)
		return -1;
	r->file = (struct ckpt_hdr_file *)image_hdr(self->c.buf, prev);
	r->ino = (struct ckpt_hdr_inotify *)image_hdr(self->c.buf, off);
	if (r->ino->nr_events != 1 || r->ino->nr_watches != 2)
		return -1;
	p = (unsigned char *)(r->ino + 1);
	r->ev = (struct ckpt_hdr_inotify_event *)p;
	r->name = (char *)(r->ev + 1);
	p += r->ev->h.len;
	for (i = 0; i < 2; i++) {
		r->w[i] = (struct ckpt_hdr_inotify_watch *)p;
		r->path[i] = (char *)(r->w[i] + 1);
		p += r->w[i]->h.len;
	}
	return 0;
}

static int edit_image(META, IMG *self, enum edit edit)
{
	struct ino_recs r;

	if (self->c.len < sizeof(struct ckpt_hdr) || find_inotify(self, &r)) {
		TH_LOG("the image lacks an INOTIFY of one event and two watches after its FILE");
		return -1;
	}
	if (r.file->kind != CKPT_FILE_INOTIFY ||
	    r.ev->h.type != CKPT_HDR_INOTIFY_EVENT || r.ev->wd != 1 ||
	    r.ev->mask != IMG_DIR_MASK || strcmp(r.name, IMG_NAME) ||
	    r.w[0]->h.type != CKPT_HDR_INOTIFY_WATCH || r.w[0]->wd != 1 ||
	    r.w[0]->mask != IMG_DIR_MASK || strcmp(r.path[0], INO_DIR) ||
	    r.w[1]->h.type != CKPT_HDR_INOTIFY_WATCH || r.w[1]->wd != 2 ||
	    r.w[1]->mask != IMG_FILE_MASK || r.ino->next_wd != 3) {
		TH_LOG("INOTIFY next wd %d, EVENT wd %d mask %#x name %s, WATCHes wd %d mask %#x %s, wd %d mask %#x %s",
		       r.ino->next_wd, r.ev->wd, r.ev->mask, r.name,
		       r.w[0]->wd, r.w[0]->mask, r.path[0], r.w[1]->wd,
		       r.w[1]->mask, r.path[1]);
		return -1;
	}
	switch (edit) {
	case VALID:
		break;
	case BAD_OBJREF:
		r.ino->objref++;
		break;
	case BAD_NEXT_WD:
		r.ino->next_wd = 0;
		break;
	case BAD_NR_WATCHES:
		r.ino->nr_watches = 3;
		break;
	case BAD_NR_EVENTS:
		r.ino->nr_events = 0;
		break;
	case BAD_LEN:
		r.ino->h.len += 8;
		break;
	case BAD_FILE_FLAGS:
		r.file->f_flags = (r.file->f_flags & ~O_ACCMODE) | O_RDWR;
		break;
	case BAD_EVENT_MASK:
		r.ev->mask |= 0x10000000;
		break;
	case BAD_EVENT_OVERFLOW:
		r.ev->mask = 0x4000;
		break;
	case BAD_EVENT_NAME:
		r.name[0] = '/';
		break;
	case BAD_WD_ORDER:
		r.w[1]->wd = r.w[0]->wd;
		break;
	case BAD_WD_ZERO:
		r.w[0]->wd = 0;
		break;
	case BAD_WATCH_MASK:
		r.w[1]->mask |= 0x20000000;
		break;
	case BAD_WATCH_MODE:
		r.w[1]->mode = 0;
		break;
	case BAD_WATCH_PATH:
		r.path[1][0] = 'x';
		break;
	}
	return image_reseal(self->c.buf, self->c.len);
}

FIXTURE_SETUP(image)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("inotify_target");
	self->c.len = load_cached_image(_metadata, &self->c.buf);
	ASSERT_LT(0, self->c.len);
	ASSERT_EQ(0, edit_image(_metadata, self, variant->edit));
	ASSERT_EQ(0, image_case_files(&self->c));
}

FIXTURE_TEARDOWN(image)
{
	image_case_fini(&self->c);
}

/* The caller's fds, as their /proc links say, into @out. */
static int caller_fds(char *out, size_t size)
{
	char path[64], link[256];
	size_t len = 0;
	ssize_t n;
	int fd;

	out[0] = '\0';
	for (fd = 0; fd < 64; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		len += snprintf(out + len, size - len, "%d %s\n", fd, link);
		if (len >= size)
			return -1;
	}
	return 0;
}

#define CALLER_CHANGED		98
#define CALLER_CHANGED_HINT	"; 98: its fds changed"

/* restart() with the kernel's log on stdout; a failure leaves no fd */
static int restart_checked(int img_fd, void *arg)
{
	static char before[4096], after[4096];
	int err;

	(void)arg;
	if (caller_fds(before, sizeof(before)))
		_exit(CALLER_CHANGED);
	if (!restart(0, img_fd, 0, STDOUT_FILENO))
		return 0;
	err = errno;
	if (caller_fds(after, sizeof(after)) || strcmp(before, after))
		_exit(CALLER_CHANGED);
	errno = err;
	return -1;
}

/* Broken images fail with EINVAL, the caller unharmed; the valid one runs. */
TEST_F_TIMEOUT(image, restart, 120)
{
	image_case_restart(_metadata, &self->c, restart_checked,
			   variant->edit == VALID, expect_image,
			   CALLER_CHANGED_HINT);
}

TEST_HARNESS_MAIN
