/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unprivileged identity that identity_target takes in its "user" mode
 * and identity_test's restarting processes take too.
 */
#ifndef _IDENTITY_TARGET_H
#define _IDENTITY_TARGET_H

#include <grp.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#define USER_IDS "uid=1000,1001,1002 gid=2000,2001,2002 groups=3000,3001 "

/* From root: groups first, then gids, then uids (which drop the caps). */
static inline int set_user_ids(void)
{
	static const gid_t groups[] = { 3000, 3001 };

	return setgroups(2, groups) || setresgid(2000, 2001, 2002) ||
	       setresuid(1000, 1001, 1002);
}

/* Drop @cap from the effective, permitted and inheritable sets. */
static inline int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	d[cap / 32].permitted &= ~(1U << (cap % 32));
	d[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d);
}

#endif /* _IDENTITY_TARGET_H */
