// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd, signalfd and timerfd files across checkpoint and restart.
 * Each mode of anonfd_target runs three times: never checkpointed, which
 * shows what the kernel does with its files; checkpointed without kill,
 * after which it must go on exactly the same (a checkpoint takes nothing
 * from them); and restored by rstr from that image, which must do the
 * same again.  What it prints after its release - counts, masks, signals
 * read, ticks, F_GETFL - is compared with what is written here; the
 * processes' fds, their flags and which fds are one open file (kcmp)
 * must be the same as when they were checkpointed.  The timers' fdinfo
 * after the restart must show the time they had left when checkpointed
 * (less the time the checkpoint and the restart took, not the time in
 * between), their periods, clocks and ticks.
 *
 * Timers the image cannot hold make the checkpoint fail with EOPNOTSUPP,
 * the target unharmed.  Images with a broken EVENTFD, SIGNALFD, TIMERFD
 * or FILE record make the restart fail with EINVAL, back in its caller,
 * whose fds and mappings are as they were.
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
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "util.h"
#include "fdtest.h"
#include "anonfd_target.h"

#define WAIT_MS		60000
#define SIG_SIZE	8192
#define OUT_SIZE	4096
#define PAUSE_MS	1500	/* between checkpoint and restart */
#define SLACK_NS	20000000LL

static const char expect_eventfd[] =
	"e0 rw read 4294967308\n"
	"e1 rw,nonblock reads 1 1 1 EAGAIN\n"
	"e2 rw,nonblock read EAGAIN, then 9\n"
	"e3 rw read 18446744073709551614\n";

/*
 * SIGUSR1 (raised: for the thread) and SIGRTMIN + 1 (queued with 42: for
 * the process) pending for s0; SIGUSR2 sent after the release for s1.
 */
static const char expect_signalfd[] =
	"s0 rw,nonblock mask 0000000400000200\n"
	"s0 read signal 10 code -6 value 0\n"
	"s0 read signal 35 code -1 value 42\n"
	"s0 read EAGAIN\n"
	"s1 rw mask 0000000000000800\n"
	"s1 read signal 12 code 0 value 0\n";

static const char expect_timerfd[] =
	"disarmed rw,nonblock value 0.000000000 period 0.500000000 read EAGAIN\n"
	"oneshot value 0.000000000 read 1\n"
	"many read enough\n"
	"abs armed\n"
	"cancel armed flags 03\n"
	"set read 1000000007\n"
	"armed rw period 1.000000000 read ok\n";

static const char expect_fork[] =
	"child exit 0\n"
	"eventfd read 12\n"
	"signalfd rw,nonblock\n"
	"signalfd read EAGAIN\n"
	"timerfd read EAGAIN\n";

static const char expect_image[] =
	"image eventfd 4294967301 signalfd 0000000000000200 timerfd armed\n";

/* The fds of @root's tree as text (see fd_signature()). */
static int signature(pid_t root, char *out, size_t size)
{
	return fd_signature(root, out, size, NULL, NULL);
}

/* A timerfd as its fdinfo shows it. */
struct tinfo {
	int clockid;
	unsigned long long ticks;
	unsigned int flags;
	long long value, period;	/* ns */
};

static long long fdinfo_time(const char *p)
{
	unsigned long long sec, nsec;

	if (sscanf(p, " (%llu, %llu)", &sec, &nsec) != 2)
		return -1;
	return sec * 1000000000LL + nsec;
}

/* What follows @key in @buf, or an empty string: no number there. */
static const char *after_key(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? p + strlen(key) : "";
}

static int timer_info(pid_t pid, int fd, struct tinfo *t)
{
	char buf[1024];

	if (!fdinfo_field(pid, fd, "clockid:", buf, sizeof(buf)) ||
	    sscanf(after_key(buf, "clockid:"), "%d", &t->clockid) != 1 ||
	    sscanf(after_key(buf, "ticks:"), "%llu", &t->ticks) != 1 ||
	    sscanf(after_key(buf, "settime flags:"), "%o", &t->flags) != 1)
		return -1;
	t->value = fdinfo_time(after_key(buf, "it_value:"));
	t->period = fdinfo_time(after_key(buf, "it_interval:"));
	return t->value < 0 || t->period < 0 ? -1 : 0;
}

FIXTURE(anon) {
	int img;
	struct proc t;		/* the target, or rstr */
	pid_t pids[TREE_MAX_TASKS]; /* the tree last seen */
	int nr;
	char before[SIG_SIZE];	/* its fds when checkpointed */
	char now[SIG_SIZE];
	char out[OUT_SIZE];	/* what it printed */
	struct tinfo tbefore[TFD_NR];	/* its timers when checkpointed */
	struct fd_run r;
};

#define SELF	FIXTURE_DATA(anon)
#define META	struct __test_metadata *_metadata

FIXTURE_SETUP(anon)
{
	signal(SIGPIPE, SIG_IGN);
	self->nr = 0;
	self->img = target_fixture("anonfd_target", &self->t);
	ASSERT_LE(0, self->img);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(anon)
{
	int i;

	proc_fini(&self->t);
	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, self->nr, TIMEOUT_MS);
	close(self->img);
}

static const char *const timer_name[TFD_NR] = {
	"armed", "disarmed", "oneshot", "many", "abs", "cancel", "set",
};

static void log_timer(META, const char *what, int i, const struct tinfo *t)
{
	TH_LOG("%s %s: clock %d ticks %llu flags 0%o value %lld period %lld",
	       what, timer_name[i], t->clockid, t->ticks, t->flags, t->value,
	       t->period);
}

/*
 * The restored timers of @root against those checkpointed: the same
 * clock and period; as much time left as when checkpointed, less what
 * the checkpoint and the restart took (not the pause between them); the
 * ticks not read.  An absolute timer comes back relative, unless it is
 * to be cancelled by a change of the clock.
 */
static void check_timers(META, SELF *self, pid_t root)
{
	long long elapsed, low;
	struct tinfo after;
	const struct tinfo *b;
	int i, ok;

	for (i = 0; i < TFD_NR; i++) {
		ASSERT_EQ(0, timer_info(root, ANON_FD0 + i, &after));
		elapsed = self->r.ckpt_ns + fd_now_ns() - self->r.restart_ns;
		b = &self->tbefore[i];
		ok = after.clockid == b->clockid && after.period == b->period;
		switch (i) {
		case TFD_ARMED:
		case TFD_ABS:
		case TFD_CANCEL:
			low = b->value - elapsed - SLACK_NS;
			ok = ok && after.value <= b->value &&
			     after.value >= low && after.ticks == 0 &&
			     after.flags == (i == TFD_ABS ? 0 : b->flags);
			if (!ok)
				TH_LOG("%s: %lld ns left, not within %lld..%lld",
				       timer_name[i], after.value, low,
				       b->value);
			break;
		case TFD_MANY:
			/* the fdinfo only shows the first tick unread */
			ok = ok && after.ticks >= TFD_MANY_MIN;
			break;
		default:
			ok = ok && after.value == 0 && after.ticks == b->ticks &&
			     after.flags == b->flags;
		}
		EXPECT_TRUE(ok) {
			log_timer(_metadata, "checkpointed", i, b);
			log_timer(_metadata, "restored", i, &after);
		}
	}
}

/* Once the tree is saved: its timers, to check the restored ones by. */
static void save_timers(META, void *arg, pid_t root)
{
	SELF *self = arg;
	int i;

	for (i = 0; i < TFD_NR; i++)
		ASSERT_EQ(0, timer_info(root, ANON_FD0 + i, &self->tbefore[i]));
}

static void restored_timers(META, void *arg, pid_t root)
{
	check_timers(_metadata, arg, root);
}

/*
 * @mode never checkpointed, then checkpointed with @flags (then going on
 * unless killed), then restored: the same output each time, @expect.
 */
static void run_mode(META, SELF *self, const char *mode, const char *expect,
		     unsigned long flags)
{
	int timers = !strcmp(mode, "timerfd");

	self->r = (struct fd_run){
		FD_RUN_FIXTURE(self), .wait_ms = WAIT_MS,
		.signature = signature,
		/* a restored timer must not count the pause */
		.pause_ms = PAUSE_MS,
		.saved = timers ? save_timers : NULL,
		.restored = timers ? restored_timers : NULL,
		.arg = self,
	};
	fd_run_mode(_metadata, &self->r, mode, expect, flags);
}

/*
 * Counts beyond what eventfd2() takes, up to the largest; a semaphore
 * read one at a time; EFD_NONBLOCK kept.
 */
TEST_F_TIMEOUT(anon, eventfd, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "eventfd", expect_eventfd, 0);
}

TEST_F_TIMEOUT(anon, eventfd_killed, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "eventfd", expect_eventfd, CHECKPOINT_KILL);
}

/*
 * The masks; signals pending when checkpointed are read from the
 * signalfd after the restart, and one sent after it.
 */
TEST_F_TIMEOUT(anon, signalfd, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "signalfd", expect_signalfd,
		 CHECKPOINT_KILL);
}

/*
 * Armed timers fire after the time they had left, disarmed ones stay so,
 * ticks not read are read after the restart; CLOCK_MONOTONIC, _REALTIME
 * and _BOOTTIME.
 */
TEST_F_TIMEOUT(anon, timerfd, 180)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "timerfd", expect_timerfd, 0);
}

TEST_F_TIMEOUT(anon, timerfd_killed, 180)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "timerfd", expect_timerfd, CHECKPOINT_KILL);
}

/* Each shared by parent and child: one open file again. */
TEST_F_TIMEOUT(anon, across_fork, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fork", expect_fork, CHECKPOINT_KILL);
}

/* ---------------------------------------------------------------------- */
/* Timers an image cannot hold */

FIXTURE(refuse) {
	struct proc t;
	int img;
	int log;
};

FIXTURE_VARIANT(refuse) {
	const char *mode;
	const char *expect;	/* what it prints after the release */
	const char *why;	/* in the kernel's log line */
};

FIXTURE_VARIANT_ADD(refuse, alarm) {
	.mode = "alarm", .expect = "alarm armed\n", .why = "clock 9",
};

FIXTURE_VARIANT_ADD(refuse, cancel_ticks) {
	.mode = "cancelticks", .expect = "cancel read 3\n",
	.why = "TFD_TIMER_CANCEL_ON_SET",
};

FIXTURE_SETUP(refuse)
{
	use_target("anonfd_target");
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

/* The checkpoint fails, saying why; the target goes on unharmed. */
TEST_F_TIMEOUT(refuse, checkpoint, 120)
{
	char log[1024], out[256];
	int in, wr, status;
	size_t len = 0;
	ssize_t n;

	ASSERT_EQ(0, proc_pipes(&self->t, &in, &wr));
	self->t.pid = spawn_target(variant->mode, in, wr);
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
	EXPECT_NE(NULL, strstr(log, variant->why)) TH_LOG("log: %s", log);

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
	EXPECT_STREQ(variant->expect, out);
}

/* ---------------------------------------------------------------------- */
/* Broken images */

enum edit {
	VALID,
	BAD_EFD_FLAGS,		/* EVENTFD: a flag that does not exist */
	BAD_EFD_COUNT,		/* EVENTFD: a count no write can make */
	BAD_EFD_OBJREF,		/* EVENTFD: another file's objref */
	BAD_EFD_FILE_FLAGS,	/* its FILE: write-only */
	BAD_SFD_SIGKILL,	/* SIGNALFD: SIGKILL in the mask */
	BAD_SFD_SIGSTOP,	/* SIGNALFD: SIGSTOP in the mask */
	BAD_SFD_PAD,		/* SIGNALFD: padding not zero */
	BAD_TFD_CLOCK,		/* TIMERFD: CLOCK_PROCESS_CPUTIME_ID */
	BAD_TFD_ALARM,		/* TIMERFD: CLOCK_BOOTTIME_ALARM */
	BAD_TFD_FLAGS,		/* TIMERFD: a flag that does not exist */
	BAD_TFD_CANCEL,		/* TIMERFD: CANCEL_ON_SET, not CLOCK_REALTIME */
	BAD_TFD_VALUE,		/* TIMERFD: more time left than ktime holds */
	BAD_TFD_PERIOD,		/* TIMERFD: the same for the period */
};

FIXTURE(image) {
	struct image_case c;
};

FIXTURE_VARIANT(image) {
	enum edit edit;
};

FIXTURE_VARIANT_ADD(image, valid) { .edit = VALID };
FIXTURE_VARIANT_ADD(image, eventfd_flags) { .edit = BAD_EFD_FLAGS };
FIXTURE_VARIANT_ADD(image, eventfd_count) { .edit = BAD_EFD_COUNT };
FIXTURE_VARIANT_ADD(image, eventfd_objref) { .edit = BAD_EFD_OBJREF };
FIXTURE_VARIANT_ADD(image, eventfd_file_flags) { .edit = BAD_EFD_FILE_FLAGS };
FIXTURE_VARIANT_ADD(image, signalfd_sigkill) { .edit = BAD_SFD_SIGKILL };
FIXTURE_VARIANT_ADD(image, signalfd_sigstop) { .edit = BAD_SFD_SIGSTOP };
FIXTURE_VARIANT_ADD(image, signalfd_pad) { .edit = BAD_SFD_PAD };
FIXTURE_VARIANT_ADD(image, timerfd_clock) { .edit = BAD_TFD_CLOCK };
FIXTURE_VARIANT_ADD(image, timerfd_alarm) { .edit = BAD_TFD_ALARM };
FIXTURE_VARIANT_ADD(image, timerfd_flags) { .edit = BAD_TFD_FLAGS };
FIXTURE_VARIANT_ADD(image, timerfd_cancel) { .edit = BAD_TFD_CANCEL };
FIXTURE_VARIANT_ADD(image, timerfd_value) { .edit = BAD_TFD_VALUE };
FIXTURE_VARIANT_ADD(image, timerfd_period) { .edit = BAD_TFD_PERIOD };

#define IMG	FIXTURE_DATA(image)

static int load_image(META, IMG *self)
{
	self->c.len = load_cached_image(_metadata, &self->c.buf);
	return self->c.len ? 0 : -1;
}

/*
 * The record of @type, and the FILE record right before it (the records
 * of these files are not nested in others); NULL if there is none.
 */
static struct ckpt_hdr *find_rec(IMG *self, __u32 type,
				 struct ckpt_hdr_file **file)
{
	struct ckpt_hdr *h;
	size_t off;
	long prev = -1;

	off = image_top_record(self->c.buf, self->c.len, type, 0, &prev);
	if (!off || prev < 0)
		return NULL;
	h = (struct ckpt_hdr *)(self->c.buf + prev);
	if (h->type != CKPT_HDR_FILE)
		return NULL;
	*file = (struct ckpt_hdr_file *)h;
	return (struct ckpt_hdr *)(self->c.buf + off);
}

static int edit_image(META, IMG *self, enum edit edit)
{
	struct ckpt_hdr_file *fe, *fs, *ft;
	struct ckpt_hdr_eventfd *e;
	struct ckpt_hdr_signalfd *s;
	struct ckpt_hdr_timerfd *t;

	e = (void *)find_rec(self, CKPT_HDR_EVENTFD, &fe);
	s = (void *)find_rec(self, CKPT_HDR_SIGNALFD, &fs);
	t = (void *)find_rec(self, CKPT_HDR_TIMERFD, &ft);
	if (!e || !s || !t) {
		TH_LOG("the image lacks an EVENTFD, SIGNALFD or TIMERFD record after its FILE");
		return -1;
	}
	if (e->count != IMG_COUNT || e->flags || fe->kind != CKPT_FILE_EVENTFD ||
	    s->sigmask != 1ULL << (SIGUSR1 - 1) ||
	    fs->kind != CKPT_FILE_SIGNALFD ||
	    t->clockid != CLOCK_MONOTONIC || !t->value_ns ||
	    t->interval_ns != 1000000000ULL || t->ticks || t->flags ||
	    ft->kind != CKPT_FILE_TIMERFD) {
		TH_LOG("EVENTFD count %#llx flags %#x, SIGNALFD mask %#llx, TIMERFD clock %d value %llu period %llu ticks %llu flags %#x",
		       (unsigned long long)e->count, e->flags,
		       (unsigned long long)s->sigmask, t->clockid,
		       (unsigned long long)t->value_ns,
		       (unsigned long long)t->interval_ns,
		       (unsigned long long)t->ticks, t->flags);
		return -1;
	}
	switch (edit) {
	case VALID:
		break;
	case BAD_EFD_FLAGS:
		e->flags |= CKPT_EVENTFD_SEMAPHORE << 1;
		break;
	case BAD_EFD_COUNT:
		e->count = ~0ULL;
		break;
	case BAD_EFD_OBJREF:
		e->objref = fs->objref;
		break;
	case BAD_EFD_FILE_FLAGS:
		fe->f_flags = (fe->f_flags & ~O_ACCMODE) | O_WRONLY;
		break;
	case BAD_SFD_SIGKILL:
		s->sigmask |= 1ULL << (SIGKILL - 1);
		break;
	case BAD_SFD_SIGSTOP:
		s->sigmask |= 1ULL << (SIGSTOP - 1);
		break;
	case BAD_SFD_PAD:
		s->pad = 1;
		break;
	case BAD_TFD_CLOCK:
		t->clockid = CLOCK_PROCESS_CPUTIME_ID;
		break;
	case BAD_TFD_ALARM:
		t->clockid = CLOCK_BOOTTIME_ALARM;
		break;
	case BAD_TFD_FLAGS:
		t->flags = CKPT_TIMERFD_CANCEL_ON_SET << 1;
		break;
	case BAD_TFD_CANCEL:
		t->flags = CKPT_TIMERFD_CANCEL_ON_SET;
		break;
	case BAD_TFD_VALUE:
		t->value_ns = 1ULL << 63;
		break;
	case BAD_TFD_PERIOD:
		t->interval_ns = ~0ULL;
		break;
	}
	return image_reseal(self->c.buf, self->c.len);
}

FIXTURE_SETUP(image)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("anonfd_target");
	ASSERT_EQ(0, load_image(_metadata, self));
	ASSERT_EQ(0, edit_image(_metadata, self, variant->edit));
	ASSERT_EQ(0, image_case_files(&self->c));
}

FIXTURE_TEARDOWN(image)
{
	image_case_fini(&self->c);
}

/*
 * What a failed restart must leave as it was in its caller: the fds and
 * what they are, and the mappings.  Static: taking it allocates nothing
 * that could move the heap.
 */
struct caller {
	char fds[4096];
	char maps[16384];
};

static struct caller callers[3];

static int read_all(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len < size - 1 ? 0 : -1;
}

static int take_caller(struct caller *c)
{
	char path[64], link[256];
	size_t len = 0;
	int fd;
	ssize_t n;

	c->fds[0] = '\0';
	for (fd = 0; fd < 64; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		len += snprintf(c->fds + len, sizeof(c->fds) - len, "%d %s\n",
				fd, link);
		if (len >= sizeof(c->fds))
			return -1;
	}
	return read_all("/proc/self/maps", c->maps, sizeof(c->maps));
}

#define CALLER_CHANGED	98
#define CALLER_CHANGED_HINT	"; 98: its fds or mappings changed"

/* restart() with the kernel's log on stdout; a failure must harm nothing */
static int restart_checked(int img_fd, void *arg)
{
	int err;

	(void)arg;
	if (take_caller(&callers[0]) || take_caller(&callers[1]))
		_exit(CALLER_CHANGED);
	if (!restart(0, img_fd, 0, STDOUT_FILENO))
		return 0;
	err = errno;
	if (take_caller(&callers[2]) ||
	    strcmp(callers[1].fds, callers[2].fds) ||
	    strcmp(callers[1].maps, callers[2].maps))
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
