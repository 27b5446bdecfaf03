/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fd tests (pipe, unix, anonfd) share beyond util.c: checking
 * what a target printed when it runs one mode three ways (never
 * checkpointed, checkpointed, restored), and the image they break.
 * These log with TH_LOG: include after kselftest_harness.h.
 */
#ifndef CKPT_SELFTEST_FDTEST_H
#define CKPT_SELFTEST_FDTEST_H

#include <stdio.h>
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

#endif /* CKPT_SELFTEST_FDTEST_H */
