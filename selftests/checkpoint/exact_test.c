// SPDX-License-Identifier: GPL-2.0
/*
 * Never silently wrong: exact_target's tree (a thread, a zombie, a
 * stopped child, the pipe of "a | b", pipes to the test at stdio, file
 * locks of three kinds, an unlinked sparse file, a pty, a socket pair
 * with data, a POSIX timer and an itimer, an eventfd, a timerfd, a
 * signalfd, an inotify watch, signals pending with their siginfo and an
 * identity of its own) is read as the kernel shows it - for every
 * process and thread: /proc/PID/{status,stat,maps,smaps,fdinfo/N,
 * cgroup,oom_score_adj,loginuid,limits,timers,syscall,...}, /proc/locks,
 * fstat() and fcntl() of every fd through pidfd_getfd() - before the
 * checkpoint (CHECKPOINT_KILL) and once rstr restored it, and the two
 * are compared field by field.  Tasks are matched by their place in
 * the tree; rstr gives them their pids again, so pids are compared too.
 *
 * Each field is compared exactly unless a rule below says otherwise,
 * and every rule names its section of doc/exactness.md, which says why
 * that field may differ.  Rules of the section "Known differences still
 * to fix" are reported (TH_LOG) without failing.  Released, the tree
 * prints the pending signals' siginfo, which must be what was queued,
 * and how each child ended.
 *
 * timer_threads: a process with a POSIX timer and many threads comes
 * back with its timer.  Only the process's first task makes the timers
 * (and checks that the restarting process has none of its own); its
 * threads read their sections while it may be making them already.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "util.h"
#include "exact_target.h"

#define WAIT_MS		60000
#define MAX_PROCS	EXACT_NR_PROCS
#define MAX_TASKS	16
#define MAX_FDS		64
#define MAX_ENTRIES	8192
#define KEY_SIZE	128
#define VAL_SIZE	512
#define FILE_SIZE	65536
#define OUT_SIZE	1024
/* timers' time left: what may pass between the two snapshots */
#define TIMER_SLACK_S	600

/* How a field compares: doc/exactness.md has a section for each. */
enum rule {
	EXACT,		/* the same text */
	SKIP,		/* not compared: not the process's, or not kept */
	NOT_MORE,	/* a number, not above what it was */
	TIME_LEFT,	/* a time left, less by at most TIMER_SLACK_S */
	KNOWN,		/* a difference still to fix: logged, not failed */
};

struct entry {
	char key[2 * KEY_SIZE + 1];
	char val[VAL_SIZE];
	enum rule rule;
	const char *why;	/* the section of doc/exactness.md */
};

/* Objects numbered in order of appearance: a restart makes new ones. */
struct numbering {
	unsigned long long id[MAX_ENTRIES / 8];
	int nr;
};

struct snap {
	struct entry *e;
	int nr;
	struct numbering inos;	/* pipe, socket and anon inodes */
	struct fd_ref files[MAX_FDS * MAX_PROCS];	/* open files */
	int nr_files;
	pid_t pids[MAX_PROCS];
	int nr_pids;
	unsigned long lock_inos[2];	/* the lock files' */
	char key[KEY_SIZE];	/* the prefix of the task being read */
	char who;		/* the task being read: a rule's who */
	int overflow;
};

/*
 * A field of a file of /proc and its rule, when not EXACT; a field
 * ending in '*' is a prefix.  The rule is for the tasks @who names:
 * 0 for all, ROOT for the root process (its threads too), or the state
 * letter of the processes it is for ('Z' zombies, 'T' stopped ones).
 */
struct field_rule {
	const char *file;
	const char *field;
	enum rule rule;
	const char *why;
	char who;
};

#define ROOT	'R'

static const struct field_rule rules[] = {
	/* /proc/PID/status */
	{ "status", "VmPeak", SKIP, "high-water marks", 0 },
	{ "status", "VmHWM", SKIP, "high-water marks", 0 },
	{ "status", "VmRSS", SKIP, "resident memory", 0 },
	{ "status", "RssAnon", SKIP, "resident memory", 0 },
	{ "status", "RssFile", SKIP, "resident memory", 0 },
	{ "status", "RssShmem", SKIP, "resident memory", 0 },
	{ "status", "VmPTE", SKIP, "resident memory", 0 },
	{ "status", "PPid", SKIP, "the root's parent", ROOT },
	{ "status", "SigQ", SKIP, "per-user counters", 0 },
	{ "status", "voluntary_ctxt_switches", SKIP, "time and counters", 0 },
	{ "status", "nonvoluntary_ctxt_switches", SKIP, "time and counters", 0 },
	/* /proc/PID/stat */
	{ "stat", "minflt", SKIP, "time and counters", 0 },
	{ "stat", "cminflt", SKIP, "time and counters", 0 },
	{ "stat", "majflt", SKIP, "time and counters", 0 },
	{ "stat", "cmajflt", SKIP, "time and counters", 0 },
	{ "stat", "utime", SKIP, "time and counters", 0 },
	{ "stat", "stime", SKIP, "time and counters", 0 },
	{ "stat", "cutime", SKIP, "time and counters", 0 },
	{ "stat", "cstime", SKIP, "time and counters", 0 },
	{ "stat", "guest_time", SKIP, "time and counters", 0 },
	{ "stat", "cguest_time", SKIP, "time and counters", 0 },
	{ "stat", "delayacct_blkio_ticks", SKIP, "time and counters", 0 },
	{ "stat", "starttime", SKIP, "start_time", 0 },
	{ "stat", "rss", SKIP, "resident memory", 0 },
	{ "stat", "ppid", SKIP, "the root's parent", ROOT },
	{ "stat", "processor", SKIP, "the CPU it last ran on", 0 },
	/* /proc/PID/smaps, each mapping */
	{ "smaps", "Rss", NOT_MORE, "resident memory", 0 },
	{ "smaps", "Pss", SKIP, "resident memory", 0 },
	{ "smaps", "Pss_Dirty", SKIP, "resident memory", 0 },
	{ "smaps", "Pss_Anon", SKIP, "resident memory", 0 },
	{ "smaps", "Pss_File", SKIP, "resident memory", 0 },
	{ "smaps", "Pss_Shmem", SKIP, "resident memory", 0 },
	{ "smaps", "Shared_Clean", SKIP, "resident memory", 0 },
	{ "smaps", "Shared_Dirty", SKIP, "resident memory", 0 },
	{ "smaps", "Private_Clean", SKIP, "resident memory", 0 },
	{ "smaps", "Private_Dirty", SKIP, "resident memory", 0 },
	{ "smaps", "Referenced", SKIP, "resident memory", 0 },
	{ "smaps", "Anonymous", NOT_MORE, "resident memory", 0 },
	/* per process */
	{ "proc", "sessionid*", SKIP, "sessionid", 0 },
	{ "proc", "oom_score *", SKIP, "resident memory", 0 },
	/* fdinfo and fstat of each fd */
	{ "fd", "it_value", TIME_LEFT, "time left of timers", 0 },
	{ "fd", "atime", SKIP, "times of new inodes", 0 },
	{ "fd", "mtime", SKIP, "times of new inodes", 0 },
	{ "fd", "ctime", SKIP, "ctime", 0 },
};

static int rule_matches(const struct field_rule *r, const struct snap *s,
			const char *file, const char *field)
{
	size_t len = strlen(r->field);

	if (strcmp(r->file, file) || (r->who && r->who != s->who))
		return 0;
	if (len && r->field[len - 1] == '*')
		return !strncmp(r->field, field, len - 1);
	return !strcmp(r->field, field);
}

static const struct field_rule *find_rule(const struct snap *s,
					  const char *file, const char *field)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (rule_matches(&rules[i], s, file, field))
			return &rules[i];
	return NULL;
}

static void add_rule(struct snap *s, const char *key, const char *val,
		     enum rule rule, const char *why)
{
	struct entry *e;
	size_t len;

	if (s->nr == MAX_ENTRIES) {
		s->overflow = 1;
		return;
	}
	e = &s->e[s->nr++];
	snprintf(e->key, sizeof(e->key), "%s %s", s->key, key);
	snprintf(e->val, sizeof(e->val), "%s", val);
	len = strlen(e->val);
	while (len && (e->val[len - 1] == '\n' || e->val[len - 1] == ' ' ||
		       e->val[len - 1] == '\t'))
		e->val[--len] = '\0';
	e->rule = rule;
	e->why = why;
}

/* @field of @file (a rule's file): under its rule, or EXACT. */
static void add(struct snap *s, const char *file, const char *field,
		const char *val)
{
	const struct field_rule *r = find_rule(s, file, field);
	char key[KEY_SIZE];

	snprintf(key, sizeof(key), "%s %s", file, field);
	add_rule(s, key, val, r ? r->rule : EXACT, r ? r->why : NULL);
}

static void add_num(struct snap *s, const char *file, const char *field,
		    long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	add(s, file, field, buf);
}

/* @id's number in @n, added if new. */
static int number(struct numbering *n, unsigned long long id)
{
	int i;

	for (i = 0; i < n->nr && n->id[i] != id; i++)
		;
	if (i == n->nr && n->nr < (int)ARRAY_SIZE(n->id))
		n->id[n->nr++] = id;
	return i;
}

/* A whole file of /proc/@pid (or of its task @tid if not 0). */
static int slurp(pid_t pid, pid_t tid, const char *name, char *buf,
		 size_t size)
{
	char path[96];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid,
			 name);
	else
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * A file, line by line (NULs of cmdline and environ made spaces), or
 * what kept it from being read.
 */
static void add_file(struct snap *s, pid_t pid, pid_t tid, const char *name)
{
	static char buf[FILE_SIZE];
	char *line, *save, key[KEY_SIZE];
	int ret = slurp(pid, tid, name, buf, sizeof(buf)), i;

	if (ret < 0) {
		snprintf(buf, sizeof(buf), "(error %s)", strerror(-ret));
		add(s, "proc", name, buf);
		return;
	}
	for (i = 0; i < ret; i++)
		if (!buf[i])
			buf[i] = ' ';
	add(s, "proc", name, ret ? "" : "(empty)");
	for (line = strtok_r(buf, "\n", &save), i = 1; line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		snprintf(key, sizeof(key), "%s %d", name, i);
		add(s, "proc", key, line);
	}
}

/* "Key:<tab>value" lines of @file (status), each a field. */
static void add_keyed(struct snap *s, pid_t pid, pid_t tid, const char *file)
{
	static char buf[FILE_SIZE];
	char *line, *save, *colon;
	int ret = slurp(pid, tid, file, buf, sizeof(buf));

	if (ret < 0) {
		add(s, file, "(file)", strerror(-ret));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		add(s, file, line, colon + 1 + strspn(colon + 1, " \t"));
	}
}

static const char *const stat_names[] = {
	"pid", "comm", "state", "ppid", "pgrp", "session", "tty_nr",
	"tpgid", "flags", "minflt", "cminflt", "majflt", "cmajflt", "utime",
	"stime", "cutime", "cstime", "priority", "nice", "num_threads",
	"itrealvalue", "starttime", "vsize", "rss", "rsslim", "startcode",
	"endcode", "startstack", "kstkesp", "kstkeip", "signal", "blocked",
	"sigignore", "sigcatch", "wchan", "nswap", "cnswap", "exit_signal",
	"processor", "rt_priority", "policy", "delayacct_blkio_ticks",
	"guest_time", "cguest_time", "start_data", "end_data", "start_brk",
	"arg_start", "arg_end", "env_start", "env_end", "exit_code",
};

static void add_stat(struct snap *s, pid_t pid, pid_t tid)
{
	static const char *const sep = " \n";
	char buf[1024], *p = NULL, *save, *tok;
	size_t i = 2;
	int ret = slurp(pid, tid, "stat", buf, sizeof(buf));

	if (ret >= 0)
		p = strrchr(buf, ')');
	if (!p) {
		add(s, "stat", "(file)", ret < 0 ? strerror(-ret) : buf);
		return;
	}
	*p = '\0';
	add_num(s, "stat", "pid", strtol(buf, NULL, 10));
	add(s, "stat", "comm", strchr(buf, '(') ?: "");
	for (tok = strtok_r(p + 1, sep, &save); tok;
	     tok = strtok_r(NULL, sep, &save), i++)
		add(s, "stat", i < ARRAY_SIZE(stat_names) ? stat_names[i] :
		    "(more)", tok);
}

/* Lines of maps, keyed by the address range. */
static void add_maps(struct snap *s, pid_t pid)
{
	static char buf[FILE_SIZE];
	char *line, *save, *sp, key[KEY_SIZE];
	int ret = slurp(pid, 0, "maps", buf, sizeof(buf));

	if (ret < 0) {
		add(s, "maps", "(file)", strerror(-ret));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		snprintf(key, sizeof(key), "maps %s", line);
		add_rule(s, key, sp + 1, EXACT, NULL);
	}
}

/* Is the flag @flag in the VmFlags @flags?  Removes it if so. */
static int take_flag(char *flags, const char *flag)
{
	char *p = flags;
	size_t len = strlen(flag);

	for (; (p = strstr(p, flag)); p += len) {
		if ((p == flags || p[-1] == ' ') &&
		    (p[len] == ' ' || !p[len])) {
			memmove(p, p + len + !!p[len], strlen(p + len + !!p[len]) + 1);
			return 1;
		}
	}
	return 0;
}

/* A mapping's VmFlags, without "sd", which has a rule of its own. */
static void add_vmflags(struct snap *s, const char *range, const char *val)
{
	char flags[VAL_SIZE], key[KEY_SIZE];

	snprintf(flags, sizeof(flags), "%s", val);
	snprintf(key, sizeof(key), "smaps %s VmFlags sd", range);
	add_rule(s, key, take_flag(flags, "sd") ? "sd" : "-", SKIP,
		 "soft-dirty");
	snprintf(key, sizeof(key), "smaps %s VmFlags", range);
	add_rule(s, key, flags, EXACT, NULL);
}

/* smaps: each mapping's fields, under the smaps rules. */
static void add_smaps(struct snap *s, pid_t pid)
{
	static char buf[4 * FILE_SIZE];
	char *line, *save, *colon, *val, range[64] = "?", key[KEY_SIZE];
	const struct field_rule *r;
	int ret = slurp(pid, 0, "smaps", buf, sizeof(buf));

	if (ret < 0) {
		add(s, "smaps", "(file)", strerror(-ret));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		if (!colon || strchr(line, ' ') < colon) {
			/* a mapping's first line: its range names it */
			snprintf(range, sizeof(range), "%.*s",
				 (int)strcspn(line, " "), line);
			continue;
		}
		*colon = '\0';
		val = colon + 1 + strspn(colon + 1, " \t");
		if (!strcmp(line, "VmFlags")) {
			add_vmflags(s, range, val);
			continue;
		}
		r = find_rule(s, "smaps", line);
		snprintf(key, sizeof(key), "smaps %s %s", range, line);
		add_rule(s, key, val, r ? r->rule : EXACT, r ? r->why : NULL);
	}
}

/*
 * What an fd's /proc link names, made independent of inode numbers
 * where the object is new at restart (pipe:[N] -> pipe:#k).
 */
static void fd_link(struct snap *s, const char *link, char *out,
		    size_t size)
{
	const char *br = strchr(link, '[');
	unsigned long long ino;

	if (link[0] != '/' && br && isdigit((unsigned char)br[1])) {
		ino = strtoull(br + 1, NULL, 10);
		snprintf(out, size, "%.*s#%d", (int)(br - link), link,
			 number(&s->inos, ino));
		return;
	}
	snprintf(out, size, "%s", link);
}

/* A path the restart opens again: its inode is the same file's. */
static int same_path(const char *link)
{
	return link[0] == '/' && !strstr(link, " (deleted)");
}

/*
 * fdinfo: "key:<tab>value" lines; lock: lines keyed in order; an ino of
 * a new object numbered; the inotify line's fields as they are.
 */
static void add_fdinfo(struct snap *s, pid_t pid, int fd, const char *link)
{
	static char buf[FILE_SIZE];
	char name[32], *line, *save, *colon, field[64], val[VAL_SIZE];
	int ret, locks = 0;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	ret = slurp(pid, 0, name, buf, sizeof(buf));
	if (ret < 0) {
		add(s, "fd", "fdinfo", strerror(-ret));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		snprintf(val, sizeof(val), "%s",
			 colon + 1 + strspn(colon + 1, " \t"));
		if (!strcmp(line, "lock"))
			snprintf(field, sizeof(field), "lock %d", locks++);
		else
			snprintf(field, sizeof(field), "%s", line);
		if (!strcmp(line, "ino") && !same_path(link))
			snprintf(val, sizeof(val), "#%d",
				 number(&s->inos, strtoull(val, NULL, 10)));
		add(s, "fd", field, val);
	}
}

/*
 * A time of an fd's inode: a regular file's are restored (an unlinked
 * one's) or the same file's (by path), all of them but an unlinked
 * file's ctime; a pty slave's atime and mtime are restored too; other
 * inodes are new.
 */
static void add_time(struct snap *s, const char *field,
		     const struct timespec *ts, const struct stat *st,
		     const char *link)
{
	char buf[48], key[32];
	int ctime = !strcmp(field, "ctime");

	snprintf(buf, sizeof(buf), "%lld.%09ld", (long long)ts->tv_sec,
		 ts->tv_nsec);
	snprintf(key, sizeof(key), "fd %s", field);
	if (S_ISREG(st->st_mode) && (!ctime || same_path(link)))
		add_rule(s, key, buf, EXACT, NULL);
	else if (!ctime && !strncmp(link, "/dev/pts/", 9))
		add_rule(s, key, buf, EXACT, NULL);
	else
		add(s, "fd", field, buf);
}

/* fstat() and fcntl() of @pid's @fd, on a copy of it taken with pidfd_getfd. */
static void add_fstat(struct snap *s, int pidfd, int fd, const char *link)
{
	struct stat st;
	int copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	char buf[64];

	if (copy < 0 || fstat(copy, &st)) {
		add(s, "fd", "fstat", strerror(errno));
		if (copy >= 0)
			close(copy);
		return;
	}
	add_num(s, "fd", "st_mode", st.st_mode);
	add_num(s, "fd", "st_nlink", st.st_nlink);
	add_num(s, "fd", "st_uid", st.st_uid);
	add_num(s, "fd", "st_gid", st.st_gid);
	snprintf(buf, sizeof(buf), "%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	add(s, "fd", "st_rdev", buf);
	add_num(s, "fd", "st_size", st.st_size);
	add_num(s, "fd", "st_blocks", st.st_blocks);
	snprintf(buf, sizeof(buf), "%u:%u", major(st.st_dev),
		 minor(st.st_dev));
	add(s, "fd", "st_dev", buf);
	if (same_path(link))
		add_num(s, "fd", "st_ino", st.st_ino);
	else
		add_num(s, "fd", "st_ino", number(&s->inos, st.st_ino));
	add_time(s, "atime", &st.st_atim, &st, link);
	add_time(s, "mtime", &st.st_mtim, &st, link);
	add_time(s, "ctime", &st.st_ctim, &st, link);
	add_num(s, "fd", "F_GETFL", fcntl(copy, F_GETFL));
	add_num(s, "fd", "F_GETOWN", fcntl(copy, F_GETOWN));
	add_num(s, "fd", "F_GETSIG", fcntl(copy, F_GETSIG));
	add_num(s, "fd", "F_GETPIPE_SZ", fcntl(copy, F_GETPIPE_SZ));
	/* the copy goes now: a pipe end held outside fails the checkpoint */
	close(copy);
}

/* Every fd of @pid: link, open file, fdinfo, fstat, fcntl. */
static void add_fds(struct snap *s, pid_t pid, const char *task)
{
	char path[64], link[256], what[256];
	struct dirent *d;
	int fds[MAX_FDS], nr = 0, i, file, pidfd;
	ssize_t n;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dp = opendir(path);
	if (!dp) {
		add(s, "fd", "(dir)", strerror(errno));
		return;
	}
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.' && nr < MAX_FDS)
			fds[nr++] = atoi(d->d_name);
	closedir(dp);
	qsort(fds, nr, sizeof(int), cmp_int);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	for (i = 0; i < nr; i++) {
		snprintf(s->key, sizeof(s->key), "%s fd %d", task, fds[i]);
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fds[i]);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		fd_link(s, link, what, sizeof(what));
		add(s, "fd", "link", what);
		file = same_file(s->files, s->nr_files, pid, fds[i]);
		if (file == s->nr_files &&
		    s->nr_files < (int)ARRAY_SIZE(s->files)) {
			s->files[s->nr_files].pid = pid;
			s->files[s->nr_files++].fd = fds[i];
		}
		add_num(s, "fd", "open file", file);
		add_fdinfo(s, pid, fds[i], link);
		add_fstat(s, pidfd, fds[i], link);
	}
	if (pidfd >= 0)
		close(pidfd);
	snprintf(s->key, sizeof(s->key), "%s", task);
}

/* The threads of @pid other than itself, in the order of their tids. */
static int task_tids(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *d;
	int nr = 0;
	pid_t tid;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dp = opendir(path);
	if (!dp)
		return 0;
	while ((d = readdir(dp))) {
		tid = atoi(d->d_name);
		if (tid > 0 && tid != pid && nr < max)
			tids[nr++] = tid;
	}
	closedir(dp);
	qsort(tids, nr, sizeof(pid_t), cmp_int);
	return nr;
}

static const char *const proc_files[] = {
	"cgroup", "oom_score_adj", "oom_score", "loginuid", "sessionid",
	"limits", "timers", "cmdline", "environ", "personality",
	"coredump_filter", "comm", "attr/current",
};

static const char *const proc_links[] = {
	"cwd", "root", "exe", "ns/cgroup", "ns/ipc", "ns/mnt", "ns/net",
	"ns/pid", "ns/time", "ns/user", "ns/uts",
};

static void add_links(struct snap *s, pid_t pid)
{
	char path[64], link[256];
	size_t i;
	ssize_t n;

	for (i = 0; i < ARRAY_SIZE(proc_links); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid,
			 proc_links[i]);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			snprintf(link, sizeof(link), "(error %s)",
				 strerror(errno));
		else
			link[n] = '\0';
		add(s, "proc", proc_links[i], link);
	}
}

/* The state letter of /proc/@pid/stat, '?' if unreadable. */
static char state_of(pid_t pid)
{
	int ppid, sig;
	char state;

	return proc_stat(pid, &state, &ppid, &sig) ? '?' : state;
}

/* What a task (a thread too) shows of itself. */
static void add_task(struct snap *s, pid_t pid, pid_t tid)
{
	add_keyed(s, pid, tid, "status");
	add_stat(s, pid, tid);
	add_file(s, pid, tid, "syscall");
}

/* Process number @idx of the tree: the process, its threads, its fds. */
static void add_proc(struct snap *s, int idx, pid_t pid)
{
	pid_t tids[MAX_TASKS];
	char task[32];
	size_t i;
	int nr, t;

	snprintf(task, sizeof(task), "P%d", idx);
	snprintf(s->key, sizeof(s->key), "%s", task);
	s->who = idx ? state_of(pid) : ROOT;
	add_task(s, pid, 0);
	for (i = 0; i < ARRAY_SIZE(proc_files); i++)
		add_file(s, pid, 0, proc_files[i]);
	add_links(s, pid);
	add_maps(s, pid);
	add_smaps(s, pid);
	nr = task_tids(pid, tids, MAX_TASKS);
	for (t = 0; t < nr; t++) {
		snprintf(s->key, sizeof(s->key), "%s.T%d", task, t + 1);
		add_num(s, "task", "tid", tids[t]);
		add_task(s, pid, tids[t]);
	}
	add_fds(s, pid, task);
}

/*
 * The lines of /proc/locks of the tree's pids or the lock files,
 * without their ordinal, sorted.
 */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_tree_lock(const struct snap *s, const char *line)
{
	unsigned long maj, min, ino;
	char f[4][32];
	int pid, i;

	if (sscanf(line, "%31s %31s %31s %31s %d %lx:%lx:%lu", f[0], f[1],
		   f[2], f[3], &pid, &maj, &min, &ino) != 8)
		return 0;
	for (i = 0; i < s->nr_pids; i++)
		if (s->pids[i] == pid)
			return 1;
	return ino == s->lock_inos[0] || ino == s->lock_inos[1];
}

static void add_locks(struct snap *s)
{
	static char buf[FILE_SIZE];
	char *lines[256], *line, *save, key[32];
	int nr = 0, i;

	snprintf(s->key, sizeof(s->key), "locks");
	s->who = 0;
	if (slurp(1, 0, "../locks", buf, sizeof(buf)) < 0) {
		add(s, "locks", "(file)", "unreadable");
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line && nr < 256;
	     line = strtok_r(NULL, "\n", &save)) {
		line = strchr(line, ':');
		if (!line || strstr(line, "->"))
			continue;
		line += 1 + strspn(line + 1, " ");
		if (is_tree_lock(s, line))
			lines[nr++] = line;
	}
	qsort(lines, nr, sizeof(char *), cmp_str);
	for (i = 0; i < nr; i++) {
		snprintf(key, sizeof(key), "%d", i);
		add(s, "locks", key, lines[i]);
	}
}

static unsigned long path_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* Everything the kernel shows of the tree at @pids. */
static void snapshot(struct snap *s, const pid_t *pids, int nr)
{
	int i;

	s->nr = 0;
	s->inos.nr = 0;
	s->nr_files = 0;
	s->overflow = 0;
	s->nr_pids = nr;
	memcpy(s->pids, pids, nr * sizeof(pid_t));
	s->lock_inos[0] = path_ino(EXACT_LOCK_FILE);
	s->lock_inos[1] = path_ino(EXACT_FLOCK_FILE);
	for (i = 0; i < nr; i++)
		add_proc(s, i, pids[i]);
	add_locks(s);
}

static const char *rule_name(enum rule r)
{
	switch (r) {
	case NOT_MORE:
		return "not more";
	case TIME_LEFT:
		return "time left";
	default:
		return "exact";
	}
}

/* A timerfd's "(sec, nsec)" in ns; -1 if it is not one. */
static long long time_left_ns(const char *v)
{
	long long sec, nsec;

	if (sscanf(v, "(%lld, %lld)", &sec, &nsec) != 2)
		return -1;
	return sec * 1000000000LL + nsec;
}

/* Does @b (after) stand to @a (before) as @a's rule wants? */
static int entry_ok(const struct entry *a, const struct entry *b)
{
	long long x, y;

	switch (a->rule) {
	case SKIP:
		return 1;
	case NOT_MORE:
		x = strtoll(a->val, NULL, 10);
		y = strtoll(b->val, NULL, 10);
		return y <= x;
	case TIME_LEFT:
		x = time_left_ns(a->val);
		y = time_left_ns(b->val);
		if (!x && !y)
			return 1;
		return x > 0 && y > 0 && y <= x &&
		       x - y <= TIMER_SLACK_S * 1000000000LL;
	default:
		return !strcmp(a->val, b->val);
	}
}

static const struct entry *find_entry(const struct snap *s, const char *key,
				      int hint)
{
	int i;

	if (hint < s->nr && !strcmp(s->e[hint].key, key))
		return &s->e[hint];
	for (i = 0; i < s->nr; i++)
		if (!strcmp(s->e[i].key, key))
			return &s->e[i];
	return NULL;
}

/* Compare @b (after) with @a (before): the number of differences. */
static int compare(struct __test_metadata *_metadata, const struct snap *a,
		   const struct snap *b)
{
	const struct entry *x, *y;
	int i, bad = 0, known = 0;

	for (i = 0; i < a->nr; i++) {
		x = &a->e[i];
		y = find_entry(b, x->key, i);
		if (!y) {
			TH_LOG("%s: gone after the restart (was \"%s\")",
			       x->key, x->val);
			bad++;
		} else if (x->rule == KNOWN) {
			if (strcmp(x->val, y->val) && !known++)
				TH_LOG("known differences (doc/exactness.md, still to fix):");
			if (strcmp(x->val, y->val))
				TH_LOG("  %s: \"%s\" -> \"%s\" (%s)", x->key,
				       x->val, y->val, x->why);
		} else if (!entry_ok(x, y)) {
			TH_LOG("%s (%s): before \"%s\", after \"%s\"",
			       x->key, rule_name(x->rule), x->val, y->val);
			bad++;
		}
	}
	for (i = 0; i < b->nr; i++) {
		if (!find_entry(a, b->e[i].key, i)) {
			TH_LOG("%s: new after the restart (\"%s\")",
			       b->e[i].key, b->e[i].val);
			bad++;
		}
	}
	return bad;
}

/* What each process of the tree is doing once it is set up. */
static const char settled_state[EXACT_NR_PROCS] = {
	[EXACT_ROOT] = 'S', [EXACT_WRITER] = 'S', [EXACT_READER] = 'S',
	[EXACT_ZOMBIE] = 'Z', [EXACT_STOPPED] = 'T',
};

/* Has rstr (@t, if restoring) exited?  Reaped then, t->pid 0. */
static int rstr_gone(struct proc *t)
{
	int status;

	if (!t || !t->pid || waitpid(t->pid, &status, WNOHANG) != t->pid)
		return 0;
	t->pid = 0;
	return 1;
}

/* wait_blocked(), unless rstr (@t, if restoring) exits first */
static int wait_root(struct proc *t, pid_t root, int ms)
{
	for (; ms > 0; ms -= 100) {
		if (!wait_blocked(root, 100))
			return 0;
		if (rstr_gone(t))
			return -1;
	}
	return -1;
}

/*
 * Within @ms: the tree of @root complete, the root asleep in read(0),
 * every process in its settled state, the root's thread asleep - unless
 * rstr (@t, if restoring) exits first.
 */
static int settle(struct proc *t, pid_t root, pid_t *pids, int ms)
{
	pid_t tids[MAX_TASKS];
	int i, nr;

	if (wait_root(t, root, ms))
		return -1;
	for (; ms > 0; ms -= 20, sleep_for_ms(20)) {
		nr = tree_pids(root, pids, MAX_PROCS + 1);
		if (nr != EXACT_NR_PROCS)
			continue;
		for (i = 0; i < nr && state_of(pids[i]) == settled_state[i];
		     i++)
			;
		if (i < nr || task_tids(root, tids, MAX_TASKS) != 1)
			continue;
		if (state_of(tids[0]) == 'S')
			return 0;
	}
	return -1;
}

/*
 * What the tree prints once released: the signal of the thread's queue
 * comes first (dequeue_signal() looks there before the process's).
 */
static void expected_output(pid_t root, char *out, size_t size)
{
	snprintf(out, size,
		 "sig %d code %d pid %d uid %d value %d\n"
		 "sig %d code %d pid %d uid %d value %d\n"
		 "timers armed\n"
		 "child %d status 0\nchild %d status 0\n"
		 "child %d status %d\nchild %d status 0\ndone\n",
		 EXACT_SIG_THREAD, SI_QUEUE, root, getuid(),
		 EXACT_SIG_THREAD_VALUE,
		 EXACT_SIG_PROC, SI_QUEUE, root, getuid(), EXACT_SIG_PROC_VALUE,
		 EXACT_WRITER, EXACT_READER,
		 EXACT_ZOMBIE, EXACT_ZOMBIE_EXIT, EXACT_STOPPED);
}

/*
 * The zombie has ids of its own (and so a restart that gave it rstr's,
 * root's, would show): real, effective, saved and fs uid.
 */
static int zombie_ids_ok(pid_t pid)
{
	char buf[4096], want[64];

	snprintf(want, sizeof(want), "\nUid:\t%d\t%d\t%d\t%d\n",
		 EXACT_ZOMBIE_UID, EXACT_ZOMBIE_UID, EXACT_ZOMBIE_UID + 1,
		 EXACT_ZOMBIE_UID);
	return slurp(pid, 0, "status", buf, sizeof(buf)) > 0 &&
	       strstr(buf, want) ? 0 : -1;
}

FIXTURE(exact) {
	int img;
	struct proc t;
	pid_t pids[MAX_PROCS + 1];
	pid_t now[MAX_PROCS + 1];
	struct snap before, after;
	char out[OUT_SIZE], expect[OUT_SIZE];
};

FIXTURE_SETUP(exact)
{
	signal(SIGPIPE, SIG_IGN);
	memset(self->pids, 0, sizeof(self->pids));
	self->img = target_fixture("exact_target", &self->t);
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, mount_devpts()) TH_LOG("no devpts at /dev/pts");
	self->before.e = calloc(MAX_ENTRIES, sizeof(struct entry));
	self->after.e = calloc(MAX_ENTRIES, sizeof(struct entry));
	ASSERT_NE(NULL, self->before.e);
	ASSERT_NE(NULL, self->after.e);
}

FIXTURE_TEARDOWN(exact)
{
	int i;

	proc_fini(&self->t);
	for (i = EXACT_NR_PROCS; i-- > 0;)
		if (self->pids[i] > 0)
			kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, EXACT_NR_PROCS, TIMEOUT_MS);
	close(self->img);
	unlink(EXACT_LOCK_FILE);
	unlink(EXACT_FLOCK_FILE);
	free(self->before.e);
	free(self->after.e);
}

TEST_F_TIMEOUT(exact, tree, 600)
{
	pid_t root;
	int status, i;

	ASSERT_EQ(0, proc_spawn(&self->t, "tree"))
		TH_LOG("exact_target did not get ready");
	root = self->t.pid;
	ASSERT_EQ(0, settle(NULL, root, self->pids, WAIT_MS))
		TH_LOG("the tree does not settle");
	snapshot(&self->before, self->pids, EXACT_NR_PROCS);
	ASSERT_EQ(0, self->before.overflow);
	ASSERT_EQ(0, zombie_ids_ok(self->pids[EXACT_ZOMBIE]));
	ASSERT_EQ(0, checkpoint(root, self->img, CHECKPOINT_KILL,
				STDERR_FILENO))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	proc_fini(&self->t);
	ASSERT_EQ(0, wait_gone(self->pids, EXACT_NR_PROCS, WAIT_MS))
		TH_LOG("a task of the tree is still there");

	ASSERT_EQ(0, proc_restore(&self->t, self->img, exec_rstr, NULL))
		TH_LOG("cannot run %s", rstr_path());
	ASSERT_EQ(0, settle(&self->t, root, self->now, WAIT_MS))
		TH_LOG("the restored tree does not settle%s",
		       self->t.pid ? "" : ": rstr exited");
	for (i = 0; i < EXACT_NR_PROCS; i++)
		EXPECT_EQ(self->pids[i], self->now[i]);
	snapshot(&self->after, self->now, EXACT_NR_PROCS);
	ASSERT_EQ(0, self->after.overflow);
	TH_LOG("%d fields compared", self->before.nr);
	EXPECT_EQ(0, compare(_metadata, &self->before, &self->after));

	expected_output(root, self->expect, sizeof(self->expect));
	ASSERT_EQ(0, proc_collect(&self->t, self->out, sizeof(self->out),
				  &status, WAIT_MS))
		TH_LOG("the restored tree hangs");
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("rstr: status %#x (3: a check in the tree failed)",
		       status);
	EXPECT_STREQ(self->expect, self->out);
	memset(self->pids, 0, sizeof(self->pids));
}

/*
 * Within @ms, @pid asleep in read(0) with @nr threads asleep too, unless
 * rstr (@t, if restoring) exits first.
 */
static int settle_threads(struct proc *t, pid_t pid, int nr, int ms)
{
	pid_t tids[MAX_TASKS * 2];
	int i, n;

	if (wait_root(t, pid, ms))
		return -1;
	for (; ms > 0; ms -= 20, sleep_for_ms(20)) {
		n = task_tids(pid, tids, ARRAY_SIZE(tids));
		for (i = 0; i < n && state_of(tids[i]) == 'S'; i++)
			;
		if (n == nr && i == n)
			return 0;
	}
	return -1;
}

TEST_F_TIMEOUT(exact, timer_threads, 300)
{
	char before[OUT_SIZE], after[OUT_SIZE];
	pid_t root;
	int status;

	ASSERT_EQ(0, proc_spawn(&self->t, "timers"))
		TH_LOG("exact_target timers did not get ready");
	root = self->t.pid;
	ASSERT_EQ(0, settle_threads(NULL, root, EXACT_TIMER_THREADS, WAIT_MS));
	ASSERT_LT(0, slurp(root, 0, "timers", before, sizeof(before)));
	ASSERT_EQ(0, checkpoint(root, self->img, CHECKPOINT_KILL,
				STDERR_FILENO))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	proc_fini(&self->t);

	ASSERT_EQ(0, proc_restore(&self->t, self->img, exec_rstr, NULL))
		TH_LOG("cannot run %s", rstr_path());
	ASSERT_EQ(0, settle_threads(&self->t, root, EXACT_TIMER_THREADS,
				    WAIT_MS))
		TH_LOG("the restored process does not settle%s",
		       self->t.pid ? "" : ": rstr exited");
	ASSERT_LT(0, slurp(root, 0, "timers", after, sizeof(after)));
	EXPECT_STREQ(before, after);
	ASSERT_EQ(0, proc_collect(&self->t, self->out, sizeof(self->out),
				  &status, WAIT_MS))
		TH_LOG("the restored process hangs");
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("rstr: status %#x", status);
	EXPECT_STREQ("timers armed\ndone\n", self->out);
}

TEST_HARNESS_MAIN
