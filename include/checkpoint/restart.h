/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What restart.c and section.c share: reading the records of a task's
 * section, before the point of no return.
 */
#ifndef _CHECKPOINT_RESTART_H
#define _CHECKPOINT_RESTART_H

struct ckpt_ctx;
struct ckpt_hdr;

/* section.c */
int rstr_read_record(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_records_required(struct ckpt_ctx *ctx);
int rstr_share(struct ckpt_ctx *ctx);

#endif /* _CHECKPOINT_RESTART_H */
