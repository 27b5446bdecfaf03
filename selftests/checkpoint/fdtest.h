/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fd tests (pipe, unix, anonfd, epoll, inotify, pty, locks)
 * share beyond util.c (fdtest.c): checking what a target printed when it
 * runs one mode three ways (never checkpointed, checkpointed, restored),
 * and the image they break.  These log with TH_LOG: include after
 * kselftest_harness.h and util.h.
 */
#ifndef CKPT_SELFTEST_FDTEST_H
#define CKPT_SELFTEST_FDTEST_H

#include <stddef.h>
#include <sys/types.h>

#define FDTEST_LOG_SIZE	8192

/* @text into the test's log, line by line, under @what. */
void log_text(struct __test_metadata *_metadata, const char *what,
	      const char *text);
/* The target (@run of it) exited 0 with @status and printed @expect. */
void check_output(struct __test_metadata *_metadata, int status,
		  const char *out, const char *expect, const char *run);

/*
 * The image of the target's mode "image", checkpointed by the first test
 * that needs it into a temporary file opened before the tests fork (so
 * that the others find it there), read into *@buf: its length, or 0.
 */
size_t load_cached_image(struct __test_metadata *_metadata,
			 unsigned char **buf);

/*
 * An image's records, as a test that edits it sees them: each with its
 * offset, type and the record it is nested in, in the order libckpt's
 * ckpt_image_walk() meets them (what nests where is the format's).
 */
#define IMAGE_MAX_RECS	4096

struct image_rec {
	size_t off;
	__u32 type;
	int parent;		/* index of the enclosing record, -1: none */
};

struct image_layout {
	struct image_rec r[IMAGE_MAX_RECS];
	int nr;
};

static inline struct ckpt_hdr *image_hdr(unsigned char *buf, size_t off)
{
	return (struct ckpt_hdr *)(buf + off);
}

/* Every record of the @len byte image @buf, nested ones too, into @l. */
int image_walk(const unsigned char *buf, size_t len, struct image_layout *l);
/* The @n-th record of @type (0: the first); -1 if none. */
int image_find(const struct image_layout *l, __u32 type, int n);

/* A broken-image case: an edited copy of the kept image, restarted. */
struct image_case {
	unsigned char *buf;
	size_t len;
	int fd;			/* the edited image */
	int log;		/* the restart's log, then the target's output */
	pid_t pid;
	int wait_ms;		/* for the restart, under emulation */
};

void image_case_init(struct image_case *c, int wait_ms);
/* The edited image in a file of its own, and a file for the log. */
int image_case_files(struct image_case *c);
void image_case_fini(struct image_case *c);
/* restart() with the kernel's log on stdout */
int restart_logged(int img_fd, void *arg);
/*
 * @c's image restarted by @call in a child.  A broken image fails the
 * restart with EINVAL, back in its caller, which goes on (it exits with
 * RESTART_EXIT_BASE + EINVAL; @hint names the caller's other exits); the
 * image as the kernel wrote it (@valid) runs and prints @expect (released
 * at once: its stdin is /dev/null).
 */
void image_case_restart(struct __test_metadata *_metadata,
			struct image_case *c,
			int (*call)(int img_fd, void *arg), int valid,
			const char *expect, const char *hint);

/*
 * A mode of a target run three ways - never checkpointed, checkpointed
 * with some flags, restored by rstr - printing what it must each time,
 * with its fds (see fd_signature()) the same when restored as when
 * saved: what the fd tests share.  The hooks, when set, compare what a
 * test looks at beyond the fds, with the root's pid: once the tree is
 * saved, once a checkpoint without kill is over, once it is restored.
 */
struct fd_run {
	struct proc *t;		/* the target, then rstr */
	int img;
	pid_t *pids;		/* the tree last seen: TREE_MAX_TASKS */
	int *nr;
	char *before, *now;	/* the fd signatures */
	size_t sig_size;
	char *out;		/* what it printed */
	size_t out_size;
	int wait_ms;
	int pause_ms;		/* between the checkpoint and the restart */
	long long ckpt_ns;	/* set: how long checkpoint() took */
	long long restart_ns;	/* set: CLOCK_MONOTONIC when rstr started */
	sig_fn signature;
	void (*saved)(struct __test_metadata *_metadata, void *arg, pid_t root);
	void (*went_on)(struct __test_metadata *_metadata, void *arg,
			pid_t root);
	void (*restored)(struct __test_metadata *_metadata, void *arg,
			 pid_t root);
	void *arg;
};

/*
 * The fields of a struct fd_run that a fixture @f has by these names:
 * t, img, pids, nr, before, now, out (arrays of SIG_SIZE and OUT_SIZE).
 */
#define FD_RUN_FIXTURE(f)						\
	.t = &(f)->t, .img = (f)->img, .pids = (f)->pids, .nr = &(f)->nr,	\
	.before = (f)->before, .now = (f)->now, .sig_size = SIG_SIZE,	\
	.out = (f)->out, .out_size = OUT_SIZE

long long fd_now_ns(void);
/* @mode's three runs, with the checkpoint's @flags. */
void fd_run_mode(struct __test_metadata *_metadata, struct fd_run *r,
		 const char *mode, const char *expect, unsigned long flags);

#endif /* CKPT_SELFTEST_FDTEST_H */
