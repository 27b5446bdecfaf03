// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt's xxh64 against known answers (the kernel's lib/xxhash.c must
 * agree with it on every image), and its streaming against its one-shot:
 * a reader hashes an image in whatever pieces read() returns.  Prints TAP.
 */
#include <stdio.h>
#include <string.h>

#include "libckpt.h"

static int n, failed;

static void result(int ok, const char *name)
{
	n++;
	printf("%sok %d %s\n", ok ? "" : "not ", n, name);
	if (!ok)
		failed++;
}

/* XXH64 of these by the reference implementation, seed 0. */
static const struct {
	const char *in;
	__u64 sum;
} known[] = {
	{ "", 0xef46db3751d8e999ULL },
	{ "a", 0xd24ec4f1a98c6e5bULL },
	{ "abc", 0x44bc2cf5ad770999ULL },
	/* 39 bytes: a stripe, then the 4- and 1-byte steps of the tail */
	{ "Nobody inspects the spammish repetition", 0xfbcea83c8a378bf1ULL },
};

/*
 * Prefixes of the pattern main() fills in, hashed by the reference
 * (libxxhash 0.8.1): 32 bytes are one stripe and no tail, 1000 end with
 * an 8-byte step, 1003 with 1-byte ones after it, 1023 with every step.
 */
#define PATTERN_LEN	1023
static const struct {
	size_t len;
	__u64 sum;
} known_pattern[] = {
	{ 32, 0x8d57d6a4671cc43dULL },
	{ 1000, 0x99594f4828043d35ULL },
	{ 1003, 0x6225f49abc0f2191ULL },
	{ 1023, 0x4478b44bf84a35dfULL },
};

static unsigned char pattern[PATTERN_LEN];

static void known_answers(void)
{
	char name[128];
	__u64 got;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		got = ckpt_xxh64(known[i].in, strlen(known[i].in));
		if (got != known[i].sum)
			printf("# \"%s\": %016llx, want %016llx\n", known[i].in,
			       (unsigned long long)got,
			       (unsigned long long)known[i].sum);
		snprintf(name, sizeof(name), "known answer \"%s\"",
			 known[i].in);
		result(got == known[i].sum, name);
	}
	for (i = 0; i < ARRAY_SIZE(known_pattern); i++) {
		got = ckpt_xxh64(pattern, known_pattern[i].len);
		if (got != known_pattern[i].sum)
			printf("# %zu bytes: %016llx, want %016llx\n",
			       known_pattern[i].len, (unsigned long long)got,
			       (unsigned long long)known_pattern[i].sum);
		snprintf(name, sizeof(name), "known answer, %zu bytes",
			 known_pattern[i].len);
		result(got == known_pattern[i].sum, name);
	}
}

/*
 * Fed in pieces of @sizes (again and again), the hash of 1000 bytes is
 * the one-shot's; so is each digest on the way, of the prefix so far,
 * which also shows a digest leaves the state alone.
 */
static void pieces(const size_t *sizes, size_t nr, const char *name)
{
	struct ckpt_xxh64 s;
	size_t off = 0, i = 0, len;
	int ok = 1;

	ckpt_xxh64_init(&s);
	while (off < 1000) {
		len = sizes[i++ % nr];
		if (len > 1000 - off)
			len = 1000 - off;
		ckpt_xxh64_update(&s, pattern + off, len);
		off += len;
		if (ckpt_xxh64_digest(&s) != ckpt_xxh64(pattern, off)) {
			printf("# %s: prefix of %zu bytes differs\n", name, off);
			ok = 0;
			break;
		}
	}
	ok = ok && ckpt_xxh64_digest(&s) == ckpt_xxh64(pattern, 1000);
	result(ok, name);
}

/* Every length to 100 a byte at a time: each boundary of stripe and tail. */
static void bytewise(void)
{
	struct ckpt_xxh64 s;
	size_t len, i;
	int ok = 1;

	for (len = 0; len <= 100 && ok; len++) {
		ckpt_xxh64_init(&s);
		for (i = 0; i < len; i++)
			ckpt_xxh64_update(&s, pattern + i, 1);
		if (ckpt_xxh64_digest(&s) != ckpt_xxh64(pattern, len)) {
			printf("# %zu bytes one at a time differ\n", len);
			ok = 0;
		}
	}
	result(ok, "a byte at a time, lengths 0 to 100");
}

/* A changed bit anywhere changes the hash: the avalanche reaches it. */
static void flips(void)
{
	__u64 base = ckpt_xxh64(pattern, 1000);
	size_t i;
	int ok = 1;

	for (i = 0; i < 1000 * 8 && ok; i += 7) {
		pattern[i / 8] ^= 1 << (i % 8);
		if (ckpt_xxh64(pattern, 1000) == base) {
			printf("# bit %zu does not change the hash\n", i);
			ok = 0;
		}
		pattern[i / 8] ^= 1 << (i % 8);
	}
	result(ok, "a bit flipped changes the hash");
}

int main(void)
{
	static const size_t odd[] = { 1, 7, 31, 32, 33, 64, 5, 100, 3 };
	static const size_t one[] = { 1 };
	static const size_t stripe[] = { 32 };
	static const size_t over[] = { 33 };
	static const size_t big[] = { 999, 1 };
	size_t i;

	/* the bytes known_pattern[] was computed from */
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = i * 31 + 7;

	printf("TAP version 13\n1..%zu\n",
	       ARRAY_SIZE(known) + ARRAY_SIZE(known_pattern) + 7);
	known_answers();
	pieces(odd, ARRAY_SIZE(odd), "pieces of 1, 7, 31, 32, 33, 64, 5, 100, 3");
	pieces(one, ARRAY_SIZE(one), "pieces of 1");
	pieces(stripe, ARRAY_SIZE(stripe), "pieces of 32");
	pieces(over, ARRAY_SIZE(over), "pieces of 33");
	pieces(big, ARRAY_SIZE(big), "pieces of 999 and 1");
	bytewise();
	flips();
	printf("xxh64_test: %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
