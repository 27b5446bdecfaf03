/* SPDX-License-Identifier: GPL-2.0 */
/* What cow_target and cow_test agree on: the region and its pages. */
#ifndef CKPT_COW_TARGET_H
#define CKPT_COW_TARGET_H

#define COW_REGION	0x200000000UL	/* fixed: the test reads its pages */
#define COW_PAGE	4096UL
#define REGION_PAGES	2048UL		/* 8 MiB */
#define COW_RUN		8UL		/* pages each change touches */
#define CHILD_WROTE	0UL		/* the child's own copies */
#define CHILD_UNMAPPED	100UL		/* a hole in the child's mapping */
#define CHILD_RDONLY	200UL		/* read-only in the child, shared */
#define PARENT_WROTE	300UL		/* the parent's new copies */
#define SHARED_WRITTEN	400UL		/* written by the child once released */

/* Pages both map, the same page: all but the three changes above. */
#define COW_SHARED	(REGION_PAGES - 3 * COW_RUN)

#endif /* CKPT_COW_TARGET_H */
