// SPDX-License-Identifier: GPL-2.0
/*
 * What the fd tests (pipe, unix, anonfd, epoll, inotify, pty, locks)
 * share beyond util.c: see fdtest.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

/*
 * Only the harness's macros and struct __test_metadata are wanted here.
 * The 6.1 kselftest_harness.h also defines these four non-static; the
 * test's own file has the ones that run, and renamed, this file's copies
 * do not clash with them at link time.
 */
#define _fixture_global	fdtest_unused_fixture_global
#define __wait_for_test	fdtest_unused_wait_for_test
#define __run_test	fdtest_unused_run_test
#define __active_test	fdtest_unused_active_test
#include "kselftest_harness.h"
#undef _fixture_global
#undef __wait_for_test
#undef __run_test
#undef __active_test

#include "util.h"
#include "fdtest.h"

/* @text into the test's log, line by line, under @what. */
void log_text(struct __test_metadata *_metadata,
	      const char *what, const char *text)
{
	char buf[FDTEST_LOG_SIZE], *line, *save;

	snprintf(buf, sizeof(buf), "%s", text);
	TH_LOG("%s:", what);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		TH_LOG("  %s", line);
}

/* The target (@run of it) exited 0 with @status and printed @expect. */
void check_output(struct __test_metadata *_metadata,
		  int status, const char *out,
		  const char *expect, const char *run)
{
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("%s: status %#x (exit 3: a check in the target failed)",
		       run, status);
	}
	EXPECT_STREQ(expect, out) {
		TH_LOG("%s printed something else", run);
		log_text(_metadata, "expected", expect);
		log_text(_metadata, "printed", out);
	}
}

/*
 * The image a test's broken-image cases edit, made by the first case
 * that needs it (load_cached_image()): a temporary file opened before
 * the tests fork, so that the others find it there.
 */
static int image_cache_fd = -1;

static void __attribute__((constructor)) image_cache_open(void)
{
	image_cache_fd = tmp_image();
}

/*
 * The image of the target's mode "image", checkpointed by the first test
 * that needs it into image_cache_fd, read into *@buf: its length, or 0.
 */
size_t load_cached_image(struct __test_metadata *_metadata,
			 unsigned char **buf)
{
	int cache_fd = image_cache_fd, ret;
	struct stat st;

	if (cache_fd < 0 || fstat(cache_fd, &st)) {
		TH_LOG("no temporary file for the image");
		return 0;
	}
	if (!st.st_size) {
		ret = make_image("image", cache_fd);
		if (ret) {
			TH_LOG("cannot checkpoint %s image: %s", target_path(),
			       strerror(-ret));
			if (ftruncate(cache_fd, 0))
				TH_LOG("and cannot throw the image away");
			return 0;
		}
	}
	if (lseek(cache_fd, 0, SEEK_SET))
		return 0;
	return read_file(cache_fd, buf);
}

static int image_walk_rec(void *arg, size_t off, const struct ckpt_hdr *h,
			  int parent)
{
	struct image_layout *l = arg;

	if (l->nr == IMAGE_MAX_RECS)
		return -1;
	l->r[l->nr].off = off;
	l->r[l->nr].type = h->type;
	l->r[l->nr].parent = parent;
	l->nr++;
	return 0;
}

/* Every record of the @len byte image @buf, nested ones too, into @l. */
int image_walk(const unsigned char *buf, size_t len, struct image_layout *l)
{
	l->nr = 0;
	return ckpt_image_walk(buf, len, image_walk_rec, l) ? -1 : 0;
}

/* The @n-th record of @type (0: the first); -1 if none. */
int image_find(const struct image_layout *l, __u32 type, int n)
{
	int i;

	for (i = 0; i < l->nr; i++)
		if (l->r[i].type == type && !n--)
			return i;
	return -1;
}

void image_case_init(struct image_case *c, int wait_ms)
{
	signal(SIGPIPE, SIG_IGN);
	c->wait_ms = wait_ms;
	c->buf = NULL;
	c->len = 0;
	c->fd = -1;
	c->log = -1;
	c->pid = 0;
}

/* The edited image in a file of its own, and a file for the log. */
int image_case_files(struct image_case *c)
{
	c->fd = image_file(c->buf, c->len);
	c->log = tmp_image();
	return c->fd < 0 || c->log < 0 ? -1 : 0;
}

void image_case_fini(struct image_case *c)
{
	kill_reap(c->pid);
	if (c->fd >= 0)
		close(c->fd);
	if (c->log >= 0)
		close(c->log);
	free(c->buf);
}

/* restart() with the kernel's log on stdout */
int restart_logged(int img_fd, void *arg)
{
	(void)arg;
	return restart(0, img_fd, 0, STDOUT_FILENO);
}

/*
 * @c's image restarted by @call in a child.  A broken image fails the
 * restart with EINVAL, back in its caller, which goes on (it exits with
 * RESTART_EXIT_BASE + EINVAL; @hint names the caller's other exits); the
 * image as the kernel wrote it (@valid) runs and prints @expect (released
 * at once: its stdin is /dev/null).
 */
void image_case_restart(struct __test_metadata *_metadata,
			struct image_case *c,
			int (*call)(int img_fd, void *arg),
			int valid, const char *expect,
			const char *hint)
{
	char log[FDTEST_LOG_SIZE];
	int status;
	ssize_t n;

	c->pid = fork_call(c->fd, -1, c->log, call, NULL);
	ASSERT_LT(0, c->pid);
	ASSERT_EQ(0, wait_timeout(c->pid, &status, c->wait_ms))
		TH_LOG("the restarting child hangs");
	c->pid = 0;
	n = pread(c->log, log, sizeof(log) - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	if (valid) {
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("status %#x", status);
		EXPECT_NE(NULL, strstr(log, expect))
			log_text(_metadata, "output", log);
		return;
	}
	EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL)) {
		TH_LOG("status %#x (exit %d: EINVAL and the caller unharmed%s; 0: the target ran)",
		       status, RESTART_EXIT_BASE + EINVAL, hint);
		log_text(_metadata, "log", log);
	}
	EXPECT_LT(0, n) TH_LOG("nothing in the log");
	TH_LOG("kernel: %s", strtok(log, "\n") ?: "");
}

long long fd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The first two runs; the root's pid, or 0 if one failed. */
static pid_t fd_run_saved(struct __test_metadata *_metadata,
			  struct fd_run *r, const char *mode,
			  const char *expect, unsigned long flags)
{
	pid_t root = 0;
	int status;

	/* what the kernel does with these files */
	ASSERT_EQ(0, proc_spawn(r->t, mode)) TH_LOG("%s did not get ready", mode);
	ASSERT_EQ(0, proc_collect(r->t, r->out, r->out_size, &status,
				  r->wait_ms))
		TH_LOG("%s hangs", mode);
	check_output(_metadata, status, r->out, expect, "never checkpointed");
	ASSERT_TRUE(_metadata->passed);

	ASSERT_EQ(0, proc_spawn(r->t, mode)) TH_LOG("%s did not get ready", mode);
	ASSERT_EQ(0, settle_tree(r->t->pid, r->pids, r->nr, r->wait_ms))
		TH_LOG("%s does not settle", mode);
	ASSERT_EQ(0, r->signature(r->t->pid, r->before, r->sig_size));
	if (r->saved)
		r->saved(_metadata, r->arg, r->t->pid);
	r->ckpt_ns = fd_now_ns();
	ASSERT_EQ(0, checkpoint(r->t->pid, r->img, flags, STDERR_FILENO))
		TH_LOG("checkpoint of %s: %s", mode, strerror(errno));
	r->ckpt_ns = fd_now_ns() - r->ckpt_ns;
	root = r->t->pid;
	if (flags & CHECKPOINT_KILL) {
		ASSERT_EQ(0, reap_killed(&r->t->pid));
		proc_fini(r->t);
	} else {
		/* nothing changed, nothing was taken out of anything */
		ASSERT_EQ(0, r->signature(root, r->now, r->sig_size));
		EXPECT_STREQ(r->before, r->now);
		if (r->went_on)
			r->went_on(_metadata, r->arg, root);
		ASSERT_EQ(0, proc_collect(r->t, r->out, r->out_size, &status,
					  r->wait_ms))
			TH_LOG("%s hangs after a checkpoint", mode);
		check_output(_metadata, status, r->out, expect,
			     "checkpointed, not killed");
	}
	ASSERT_EQ(0, wait_gone(r->pids, *r->nr, r->wait_ms))
		TH_LOG("a task of %s is still there", mode);
	return root;
}

/* The third run, of the image the second made of @root's tree. */
static void fd_run_restored(struct __test_metadata *_metadata,
			    struct fd_run *r, pid_t root,
			    const char *mode, const char *expect)
{
	int status;

	if (r->pause_ms)
		sleep_for_ms(r->pause_ms);
	r->restart_ns = fd_now_ns();
	ASSERT_EQ(0, proc_restore(r->t, r->img, exec_rstr, NULL))
		TH_LOG("cannot run %s", rstr_path());
	EXPECT_EQ(0, wait_restored(r->t, root, r->signature, r->before,
				   r->now, r->sig_size, &status, r->wait_ms)) {
		log_text(_metadata, "fds saved", r->before);
		log_text(_metadata, "fds restored", r->now);
	}
	/* other fds or flags, or none: see what it does with them */
	ASSERT_NE(0, r->t->pid) TH_LOG("rstr exited with status %#x", status);
	if (r->restored)
		r->restored(_metadata, r->arg, root);
	ASSERT_EQ(0, proc_collect(r->t, r->out, r->out_size, &status,
				  r->wait_ms))
		TH_LOG("restored %s hangs", mode);
	check_output(_metadata, status, r->out, expect, "restored");
}

/* @mode's three runs, with the checkpoint's @flags. */
void fd_run_mode(struct __test_metadata *_metadata,
		 struct fd_run *r, const char *mode,
		 const char *expect, unsigned long flags)
{
	pid_t root = fd_run_saved(_metadata, r, mode, expect, flags);

	if (root)
		fd_run_restored(_metadata, r, root, mode, expect);
}
