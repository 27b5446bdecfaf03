/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the checkpoint selftests: spawning ckpt_target,
 * restarting in a child, waiting with timeouts, reading counters.
 */
#ifndef _CKPT_SELFTEST_UTIL_H
#define _CKPT_SELFTEST_UTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "libckpt.h"

/*
 * How long a test waits for a target to get somewhere: 10 s, times
 * $CKPT_TIMEOUT_SCALE (1 to 20) on a slow kernel (the debug kernel's
 * KASAN and lockdep make a busy target several times slower).
 */
#define TIMEOUT_MS	test_timeout_ms()
int test_timeout_ms(void);

/*
 * A child made by fork_call() exits with RESTART_EXIT_BASE + errno when
 * the call failed, RESTART_EXIT_RETURNED if it claimed success.
 */
#define RESTART_EXIT_BASE	100
#define RESTART_EXIT_RETURNED	99

/* @status is that of a child whose call failed with -1/@err. */
#define CALL_FAILED_WITH(status, err)				\
	(WIFEXITED(status) &&					\
	 WEXITSTATUS(status) == RESTART_EXIT_BASE + (err))

#define KILLED_BY(status, sig)					\
	(WIFSIGNALED(status) && WTERMSIG(status) == (sig))

const char *target_path(void);
void use_target(const char *name);
int tmp_image(void);
int reopen_fd(int fd, int flags);

pid_t spawn_target(const char *mode, int in_fd, int out_fd);
int wait_timeout(pid_t pid, int *status, int ms);
void kill_reap(pid_t pid);
int is_alive(pid_t pid);
int nr_threads(pid_t pid);

int wait_ready(int fd, int ms);
int read_small_file(const char *path, char *buf, size_t size);
int read_proc(pid_t pid, const char *name, char *buf, size_t size);
int wait_blocked(pid_t pid, int ms);

/* Reads the counter target's numbers, one a line. */
struct lines {
	int fd;
	size_t len;
	char buf[256];
};

void lines_init(struct lines *l, int fd);
int lines_next(struct lines *l, long *val, int ms);

/* A process of ours: its stdin's write end, its stdout's read end. */
struct proc {
	pid_t pid;
	int in;
	int out;
	struct lines lines;	/* reads @out */
};

void proc_init(struct proc *p);
void proc_fini(struct proc *p);
int stdio_pipes(int *in_wr, int *out_rd, int *in_rd, int *out_wr);
int proc_pipes(struct proc *p, int *in_rd, int *out_wr);
int target_fixture(const char *target, struct proc *t);

/* Fork a child with fds 0/1 set (-1: /dev/null), image fd at 3. */
typedef int (*call_fn)(int img_fd, void *arg);
pid_t fork_call(int img_fd, int in_fd, int out_fd, call_fn fn, void *arg);
pid_t fork_restart(int img_fd, int in_fd, int out_fd);

int reap_killed(pid_t *pid);
int make_image(const char *mode, int img_fd);
size_t read_file(int fd, unsigned char **buf);
int image_file(const unsigned char *buf, size_t len);
int image_reseal(unsigned char *buf, size_t len);
/*
 * The @nth (0: the first) top-level record of @type in the @len byte
 * image @buf, found by ckpt_image_walk(): its offset, and in *@prev (if
 * not NULL) the offset of the top-level record before it, -1 if none.
 * 0 if there is no such record (or a length on the way is broken).
 */
size_t image_top_record(const unsigned char *buf, size_t len, __u32 type,
			int nth, long *prev);

/* rstr, the tree coordinator: $RSTR, or from $PATH */
const char *rstr_path(void);
int exec_rstr(int img_fd, void *arg);
pid_t fork_rstr(int img_fd, int in_fd, int out_fd);

int task_exists(pid_t pid);
unsigned long long proc_mask(pid_t pid, const char *field);
int proc_stat(pid_t pid, char *state, int *ppid, int *exit_signal);
pid_t proc_ppid(pid_t pid);
pid_t wait_gone(const pid_t *pids, size_t nr, int ms);

/*
 * Running a target the three ways the fd tests do (never checkpointed,
 * checkpointed, restored by rstr) and comparing what its tree holds.
 */
#define TREE_MAX_TASKS	8
#define TREE_MAX_FDS	64

void sleep_for_ms(int ms);
int cmp_int(const void *a, const void *b);
int tree_pids(pid_t root, pid_t *pids, int max);
int task_fds(pid_t pid, int *fds, int max);
const char *fdinfo_field(pid_t pid, int fd, const char *key, char *buf,
			 size_t size);
long fd_flags(pid_t pid, int fd);

struct fd_ref {
	pid_t pid;
	int fd;
};

int same_file(const struct fd_ref *refs, int nr, pid_t pid, int fd);

/* Inodes numbered in order of appearance: they change with a restart. */
struct ino_list {
	unsigned long ino[TREE_MAX_FDS];
	int nr;
};

int ino_index(struct ino_list *l, unsigned long ino);

/*
 * What fd_signature() says an fd is, from its /proc link @link, into
 * @what; @arg is fd_signature()'s.
 */
typedef void (*fd_what_fn)(const char *link, struct ino_list *inos,
			   void *arg, char *what, size_t size);
int fd_signature(pid_t root, char *out, size_t size, fd_what_fn what_fn,
		 void *arg);
typedef int (*sig_fn)(pid_t root, char *out, size_t size);

int proc_spawn(struct proc *t, const char *mode);
int proc_restore(struct proc *t, int img, call_fn fn, void *arg);
int settle_tree(pid_t root, pid_t *pids, int *nr, int ms);
int proc_collect(struct proc *t, char *out, size_t size, int *status,
		 int ms);
int wait_restored(struct proc *t, pid_t root, sig_fn sig,
		  const char *before, char *now, size_t size, int *status,
		  int ms);
int remove_tree(const char *dir);
int mount_devpts(void);

#endif /* _CKPT_SELFTEST_UTIL_H */
