// SPDX-License-Identifier: GPL-2.0
/*
 * The checkpointer's mount table.  The mounts of a namespace are listed
 * in struct mnt_namespace and struct mount, private to fs/namespace.c,
 * which no exported function walks: the table is read as its
 * /proc/self/mountinfo text and the mounts found again by their mount
 * points.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <checkpoint/kapi.h>

#define KAPI_MOUNTINFO		"/proc/self/mountinfo"
#define KAPI_MOUNTINFO_MAX	(16U << 20)

char *kapi_mountinfo(void)
{
	size_t size = PAGE_SIZE * 4, len = 0;
	struct file *f;
	char *buf = NULL, *bigger;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(KAPI_MOUNTINFO, O_RDONLY, 0);
	if (IS_ERR(f))
		return ERR_CAST(f);
	for (;;) {
		if (!buf || len == size - 1) {
			if (buf)
				size *= 2;
			if (size > KAPI_MOUNTINFO_MAX) {
				n = -E2BIG;
				break;
			}
			bigger = kvmalloc(size, GFP_KERNEL);
			if (!bigger) {
				n = -ENOMEM;
				break;
			}
			if (buf)
				memcpy(bigger, buf, len);
			kvfree(buf);
			buf = bigger;
		}
		n = kernel_read(f, buf + len, size - 1 - len, &pos);
		if (n <= 0)
			break;
		len += n;
	}
	fput(f);
	if (n < 0) {
		kvfree(buf);
		return ERR_PTR(n);
	}
	buf[len] = '\0';
	return buf;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void kapi_unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/*
 * The mount point of the line @line, a copy, if the line is of a mount
 * of @dev: its fields "id parent major:minor root mount-point ...".
 */
static char *kapi_mount_line(char *line, dev_t dev)
{
	char *f[5];
	unsigned int major, minor, i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		f[i] = strsep(&line, " ");
	if (!f[4] || sscanf(f[2], "%u:%u", &major, &minor) != 2 ||
	    MKDEV(major, minor) != dev)
		return NULL;
	kapi_unescape(f[4]);
	return f[4];
}

bool kapi_mount_next(const char **pos, dev_t dev, struct path *root)
{
	const char *end;
	char *line, *mp;
	bool found = false;

	while (!found && *pos && **pos) {
		end = strchrnul(*pos, '\n');
		line = kmemdup_nul(*pos, end - *pos, GFP_KERNEL);
		*pos = *end ? end + 1 : end;
		if (!line)
			return false;
		mp = kapi_mount_line(line, dev);
		if (mp && !kern_path(mp, 0, root)) {
			found = root->dentry == root->mnt->mnt_root;
			if (!found)
				path_put(root);
		}
		kfree(line);
	}
	return found;
}
