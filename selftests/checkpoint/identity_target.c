// SPDX-License-Identifier: GPL-2.0
/*
 * identity_target: processes whose identity identity_test saves and
 * restores.  Started as root, each sets up its MODE, prints "ready",
 * blocks in read(0) and, once a byte or end of file arrives, prints one
 * line of what it now is (see report()) and exits 0.
 *
 *	identity_target MODE
 *
 * plain	root, as started
 * attrs	RLIMIT_NOFILE 100/200, nice 7, SCHED_BATCH, no_new_privs,
 *		not dumpable, parent-death signal SIGUSR1, oom_score_adj 500,
 *		login uid 4242
 * oom		oom_score_adj -500 (root: the floor goes down with it),
 *		then without CAP_SYS_RESOURCE
 * rt		SCHED_RR priority 7 with SCHED_RESET_ON_FORK
 * seccomp	an allow-everything seccomp filter
 * user		the ids of set_user_ids(), nice 5
 * nocap	root without CAP_SYS_ADMIN in any capability set
 * nofile	root with RLIMIT_NOFILE 64/4096, without CAP_SYS_RESOURCE
 * cpulimit	an RLIMIT_CPU soft limit of one hour
 *
 * In every mode, the byte read decides how it ends after its report: 'e'
 * exit 42, 't' SIGTERM, anything else (or end of file) exit 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "identity_target.h"
#include "target.h"

#define EXIT_ERROR	5
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))


/* The CapPrm or CapBnd line of /proc/self/status, as a number. */
static unsigned long long cap_line(const char *name)
{
	unsigned long long v = ~0ULL;
	char line[256];
	size_t len = strlen(name);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return v;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ':')
			sscanf(line + len + 1, "%llx", &v);
	}
	fclose(f);
	return v;
}

/* The first line of /proc/self/@name, into @buf. */
static const char *proc_self(const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int proc_self_write(const char *name, const char *val)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* One line: ids, groups, limits, scheduling, prctl() state, caps. */
static int report(void)
{
	char oom[32], login[32];
	uid_t r, e, s;
	gid_t gr, ge, gs, groups[8];
	struct rlimit rl;
	struct sched_param sp;
	int pdeath = 0, ng, i, nice;
	char buf[512];
	size_t len;

	if (getresuid(&r, &e, &s) || getresgid(&gr, &ge, &gs) ||
	    getrlimit(RLIMIT_NOFILE, &rl) || sched_getparam(0, &sp) ||
	    prctl(PR_GET_PDEATHSIG, &pdeath))
		return EXIT_ERROR;
	ng = getgroups(8, groups);
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (ng < 0 || errno)
		return EXIT_ERROR;
	len = snprintf(buf, sizeof(buf), "uid=%u,%u,%u gid=%u,%u,%u groups=",
		       r, e, s, gr, ge, gs);
	for (i = 0; i < ng; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%u",
				i ? "," : "", groups[i]);
	snprintf(buf + len, sizeof(buf) - len,
		 " nofile=%llu/%llu nice=%d policy=%#x prio=%d nnp=%d dump=%d pdeath=%d oom=%s loginuid=%s prm=%llx bnd=%llx pid=%d\n",
		 (unsigned long long)rl.rlim_cur,
		 (unsigned long long)rl.rlim_max, nice, sched_getscheduler(0),
		 sp.sched_priority, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
		 prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), pdeath,
		 proc_self("oom_score_adj", oom, sizeof(oom)),
		 proc_self("loginuid", login, sizeof(login)),
		 cap_line("CapPrm"), cap_line("CapBnd"), getpid());
	len = strlen(buf);
	return write(STDOUT_FILENO, buf, len) == (ssize_t)len ? 0 : EXIT_ERROR;
}

static int attrs(void)
{
	struct rlimit rl = { 100, 200 };
	struct sched_param sp = { 0 };

	if (setrlimit(RLIMIT_NOFILE, &rl) ||
	    setpriority(PRIO_PROCESS, 0, 7) ||
	    sched_setscheduler(0, SCHED_BATCH, &sp) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ||
	    prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) ||
	    proc_self_write("oom_score_adj", "500") ||
	    proc_self_write("loginuid", "4242"))
		return -1;
	return 0;
}

/*
 * Without CAP_SYS_RESOURCE, which only the OOM floor then needs (the
 * NOFILE hard limit no higher than AS_NO_RESOURCE's).
 */
static int oom(void)
{
	struct rlimit rl = { 64, 1024 };

	return setrlimit(RLIMIT_NOFILE, &rl) ||
	       proc_self_write("oom_score_adj", "-500") ||
	       drop_cap(CAP_SYS_RESOURCE);
}

static int rt(void)
{
	struct sched_param sp = { .sched_priority = 7 };

	return sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp);
}

static int seccomp_allow(void)
{
	struct sock_filter insn[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 1, .filter = insn };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static int user(void)
{
	return setpriority(PRIO_PROCESS, 0, 5) || set_user_ids();
}

/* Drop CAP_SYS_ADMIN from the bounding, then every other set. */
static int nocap(void)
{
	return prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) ||
	       drop_cap(CAP_SYS_ADMIN);
}

/* Without CAP_SYS_RESOURCE, which only the hard limit then needs. */
static int nofile(void)
{
	struct rlimit rl = { 64, 4096 };

	return setrlimit(RLIMIT_NOFILE, &rl) || drop_cap(CAP_SYS_RESOURCE);
}

static int cpulimit(void)
{
	struct rlimit rl = { 3600, RLIM_INFINITY };

	return setrlimit(RLIMIT_CPU, &rl);
}

static int setup(const char *mode)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} modes[] = {
		{ "attrs", attrs }, { "rt", rt }, { "seccomp", seccomp_allow },
		{ "oom", oom },
		{ "user", user }, { "nocap", nocap }, { "nofile", nofile },
		{ "cpulimit", cpulimit },
	};
	size_t i;

	if (!strcmp(mode, "plain"))
		return 0;
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(mode, modes[i].name))
			return modes[i].fn();
	}
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	int c, ret;

	if (argc != 2 || setup(argv[1])) {
		fprintf(stderr, "identity_target %s: %s\n",
			argc > 1 ? argv[1] : "", strerror(errno));
		return EXIT_ERROR;
	}
	if (write(STDOUT_FILENO, "ready\n", 6) != 6)
		return EXIT_ERROR;
	c = target_wait_byte();
	ret = c < 0 ? EXIT_ERROR : report();
	if (!ret && c == 'e')
		return 42;
	if (!ret && c == 't')
		raise(SIGTERM);
	return ret;
}
