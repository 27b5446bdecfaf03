/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fd tests (pipe, unix, anonfd) share beyond util.c: checking
 * what a target printed when it runs one mode three ways (never
 * checkpointed, checkpointed, restored), and the image they break.
 * These log with TH_LOG: include after kselftest_harness.h.
 */
#ifndef CKPT_SELFTEST_FDTEST_H
#define CKPT_SELFTEST_FDTEST_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/wait.h>

#define FDTEST_LOG_SIZE	8192

/* @text into the test's log, line by line, under @what. */
static inline void log_text(struct __test_metadata *_metadata,
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
static inline void check_output(struct __test_metadata *_metadata,
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
 * The image of the target's mode "image", checkpointed by the first test
 * that needs it into @cache_fd (a temporary file opened before the tests
 * fork, so the rest find it there), read into *@buf: its length, or 0.
 */
static inline size_t load_cached_image(struct __test_metadata *_metadata,
				       int cache_fd, unsigned char **buf)
{
	struct stat st;
	int ret;

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

/* A broken-image case: an edited copy of the kept image, restarted. */
struct image_case {
	unsigned char *buf;
	size_t len;
	int fd;			/* the edited image */
	int log;		/* the restart's log, then the target's output */
	pid_t pid;
	int wait_ms;		/* for the restart, under emulation */
};

static inline void image_case_init(struct image_case *c, int wait_ms)
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
static inline int image_case_files(struct image_case *c)
{
	c->fd = image_file(c->buf, c->len);
	c->log = tmp_image();
	return c->fd < 0 || c->log < 0 ? -1 : 0;
}

static inline void image_case_fini(struct image_case *c)
{
	kill_reap(c->pid);
	if (c->fd >= 0)
		close(c->fd);
	if (c->log >= 0)
		close(c->log);
	free(c->buf);
}

/* restart() with the kernel's log on stdout */
static inline int restart_logged(int img_fd, void *arg)
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
static inline void image_case_restart(struct __test_metadata *_metadata,
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

#endif /* CKPT_SELFTEST_FDTEST_H */
