// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: xxh64: xxHash's 64-bit hash, seed 0, as the kernel's lib/xxhash.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---------------------------------------------------------------------- */
/* xxh64: xxHash's 64-bit hash, seed 0, as the kernel's lib/xxhash.c */

/* the spec's primes, in hex as it gives them */
#define XXH_P1	0x9e3779b185ebca87ULL
#define XXH_P2	0xc2b2ae3d27d4eb4fULL
#define XXH_P3	0x165667b19e3779f9ULL
#define XXH_P4	0x85ebca77c2b2ae63ULL
#define XXH_P5	0x27d4eb2f165667c5ULL

static __u64 xxh_rotl(__u64 x, int r)
{
	return x << r | x >> (64 - r);
}

/* The hash is defined on little-endian words, whatever the host's order. */
static __u64 xxh_le64(const unsigned char *p)
{
	__u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static __u32 xxh_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

static __u64 xxh_round(__u64 acc, __u64 lane)
{
	return xxh_rotl(acc + lane * XXH_P2, 31) * XXH_P1;
}

static __u64 xxh_merge(__u64 acc, __u64 v)
{
	return (acc ^ xxh_round(0, v)) * XXH_P1 + XXH_P4;
}

/* One 32-byte stripe: each of the four lanes feeds its own accumulator. */
static void xxh_stripe(__u64 v[4], const unsigned char *p)
{
	int i;

	for (i = 0; i < 4; i++)
		v[i] = xxh_round(v[i], xxh_le64(p + 8 * i));
}

void ckpt_xxh64_init(struct ckpt_xxh64 *s)
{
	memset(s, 0, sizeof(*s));
	/* seed 0: seed + P1 + P2, seed + P2, seed, seed - P1 */
	s->v[0] = XXH_P1 + XXH_P2;
	s->v[1] = XXH_P2;
	s->v[2] = 0;
	s->v[3] = -XXH_P1;
}

void ckpt_xxh64_update(struct ckpt_xxh64 *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n;

	s->total += len;
	/* complete a stripe that earlier calls left partial */
	if (s->buf_len) {
		n = sizeof(s->buf) - s->buf_len;
		if (n > len)
			n = len;
		memcpy(s->buf + s->buf_len, p, n);
		s->buf_len += n;
		p += n;
		len -= n;
		if (s->buf_len < sizeof(s->buf))
			return;
		xxh_stripe(s->v, s->buf);
		s->buf_len = 0;
	}
	while (len >= sizeof(s->buf)) {
		xxh_stripe(s->v, p);
		p += sizeof(s->buf);
		len -= sizeof(s->buf);
	}
	memcpy(s->buf, p, len);
	s->buf_len = len;
}

/* The state stays as it is: a reader can go on hashing after a digest. */
__u64 ckpt_xxh64_digest(const struct ckpt_xxh64 *s)
{
	const unsigned char *p = s->buf, *end = s->buf + s->buf_len;
	__u64 h;
	int i;

	if (s->total >= sizeof(s->buf)) {
		h = xxh_rotl(s->v[0], 1) + xxh_rotl(s->v[1], 7) +
		    xxh_rotl(s->v[2], 12) + xxh_rotl(s->v[3], 18);
		for (i = 0; i < 4; i++)
			h = xxh_merge(h, s->v[i]);
	} else {
		/* no stripe went through the lanes: seed (0) + P5 */
		h = XXH_P5;
	}
	h += s->total;
	for (; p + 8 <= end; p += 8)
		h = xxh_rotl(h ^ xxh_round(0, xxh_le64(p)), 27) * XXH_P1 +
		    XXH_P4;
	if (p + 4 <= end) {
		h = xxh_rotl(h ^ xxh_le32(p) * XXH_P1, 23) * XXH_P2 + XXH_P3;
		p += 4;
	}
	for (; p < end; p++)
		h = xxh_rotl(h ^ *p * XXH_P5, 11) * XXH_P1;
	/* avalanche: every input bit reaches every output bit */
	h ^= h >> 33;
	h *= XXH_P2;
	h ^= h >> 29;
	h *= XXH_P3;
	h ^= h >> 32;
	return h;
}

__u64 ckpt_xxh64(const void *buf, size_t len)
{
	struct ckpt_xxh64 s;

	ckpt_xxh64_init(&s);
	ckpt_xxh64_update(&s, buf, len);
	return ckpt_xxh64_digest(&s);
}
