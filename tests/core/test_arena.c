/* Unit tests of arenas (src/core/arena.c): alignment, big requests in blocks
 * of their own, zero-size and overflowing requests, clear and release; and
 * of the large tables' memory (src/core/mem.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/arena.h"

#define ALIGN (alignof(max_align_t))

static void assert_aligned(const void *p)
{
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % ALIGN, 0);
}

static void test_init(void **state)
{
	struct am_arena a;

	(void)state;
	am_arena_init(&a, 0);
	assert_null(a.head);
	assert_int_equal(a.block_size, 64 << 10);
	assert_int_equal(a.used, 0);
	am_arena_init(&a, 1000);
	assert_int_equal(a.block_size, 1000);
	/* Releasing an arena that never allocated is fine. */
	am_arena_release(&a);
	am_arena_clear(&a);
	assert_null(a.head);
}

/* Every allocation is aligned for any object, and none overlaps another:
 * each is filled with its own byte and checked after all are made. */
static void test_alignment_and_overlap(void **state)
{
	enum { N = 2000 };
	static unsigned char *ptrs[N];
	static size_t sizes[N];
	struct am_arena a;
	size_t total = 0;

	(void)state;
	am_arena_init(&a, 4096);
	for (size_t i = 0; i < N; i++) {
		/* Sizes 1..300 and now and then one past the big threshold. */
		sizes[i] = i % 97 == 0 ? 1500 + i : 1 + (i * 7919) % 300;
		ptrs[i] = am_arena_alloc(&a, sizes[i]);
		assert_aligned(ptrs[i]);
		memset(ptrs[i], (int)(i & 0xFF), sizes[i]);
		total += (sizes[i] + ALIGN - 1) / ALIGN * ALIGN;
	}
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < sizes[i]; j++)
			if (ptrs[i][j] != (unsigned char)(i & 0xFF))
				fail_msg("allocation %zu overwritten at %zu", i,
					 j);
	/* used counts what was handed out, rounded to the alignment. */
	assert_int_equal(a.used, total);
	am_arena_release(&a);
	assert_null(a.head);
	assert_int_equal(a.used, 0);
}

/* A request above a quarter of the block size gets its own block, behind
 * the current one, so that the current block keeps serving small ones. */
static void test_big_allocations(void **state)
{
	struct am_arena a;
	unsigned char *small1, *small2, *big;
	void *head;

	(void)state;
	am_arena_init(&a, 1024);
	small1 = am_arena_alloc(&a, 16);
	assert_aligned(small1);
	head = a.head;
	big = am_arena_alloc(&a, 1 << 20);
	assert_aligned(big);
	memset(big, 0xAB, 1 << 20);
	assert_ptr_equal(a.head, head); /* current block unchanged */
	small2 = am_arena_alloc(&a, 16);
	assert_ptr_equal(small2, small1 + 16); /* same block, next slot */

	/* A big request into an empty arena. */
	am_arena_release(&a);
	big = am_arena_alloc(&a, 5000);
	assert_aligned(big);
	memset(big, 1, 5000);
	small1 = am_arena_alloc(&a, 8);
	assert_aligned(small1);
	assert_true(small1 < big || small1 >= big + 5000);

	/* Exactly at the threshold (a quarter) stays in the ordinary block. */
	am_arena_release(&a);
	small1 = am_arena_alloc(&a, 16);
	head = a.head;
	small2 = am_arena_alloc(&a, 256);
	assert_ptr_equal(a.head, head);
	assert_ptr_equal(small2, small1 + 16);
	am_arena_release(&a);

	/* Blocks far larger than the block size, many of them. */
	am_arena_init(&a, 0);
	for (int i = 0; i < 20; i++) {
		unsigned char *p = am_arena_alloc(&a, (size_t)(1 << 20) + i);

		assert_aligned(p);
		p[0] = 1;
		p[(1 << 20) + i - 1] = 2;
	}
	am_arena_release(&a);
}

/* Refused requests return NULL and leave the arena as it was. */
static void test_refused(void **state)
{
	struct am_arena a;
	void *head;
	size_t used;

	(void)state;
	am_arena_init(&a, 0);
	assert_null(am_arena_alloc(&a, 0));
	assert_null(a.head);
	assert_non_null(am_arena_alloc(&a, 10));
	head = a.head;
	used = a.used;
	assert_null(am_arena_alloc(&a, 0));
	assert_null(am_arena_alloc(&a, SIZE_MAX));
	assert_null(am_arena_alloc(&a, SIZE_MAX - ALIGN + 1));
	assert_null(am_arena_calloc(&a, SIZE_MAX / 2, 3));
	assert_null(am_arena_calloc(&a, 3, SIZE_MAX / 2));
	assert_null(am_arena_calloc(&a, 0, 8));
	assert_null(am_arena_calloc(&a, 8, 0));
	assert_ptr_equal(a.head, head);
	assert_int_equal(a.used, used);
	am_arena_release(&a);
}

static void test_calloc_and_strings(void **state)
{
	struct am_arena a;
	unsigned char *p;
	char *s;

	(void)state;
	am_arena_init(&a, 256);
	/* Dirty the block, clear it, and calloc over the same memory. */
	p = am_arena_alloc(&a, 200);
	memset(p, 0xFF, 200);
	am_arena_clear(&a);
	p = am_arena_calloc(&a, 25, 8);
	assert_aligned(p);
	for (int i = 0; i < 200; i++)
		assert_int_equal(p[i], 0);

	s = am_arena_strdup(&a, "کد ملی");
	assert_string_equal(s, "کد ملی");
	s = am_arena_strndup(&a, "abcdef", 3);
	assert_string_equal(s, "abc");
	s = am_arena_strndup(&a, "", 0);
	assert_non_null(s);
	assert_string_equal(s, "");
	/* strndup copies len bytes, NULs included, and terminates. */
	s = am_arena_strndup(&a, "a\0b", 3);
	assert_memory_equal(s, "a\0b\0", 4);
	am_arena_release(&a);
}

/* Clear keeps one ordinary block and hands its memory out again. */
static void test_clear_reuses(void **state)
{
	struct am_arena a;
	void *first, *again, *head;

	(void)state;
	am_arena_init(&a, 1024);
	first = am_arena_alloc(&a, 100);
	assert_aligned(first);
	for (int i = 0; i < 100; i++)
		assert_non_null(am_arena_alloc(&a, 200));
	/* A big block goes behind the current one, so head is still the
	 * newest ordinary block: the one clear keeps. */
	assert_non_null(am_arena_alloc(&a, 100000));
	head = a.head;
	am_arena_clear(&a);
	assert_ptr_equal(a.head, head);
	assert_int_equal(a.used, 0);
	/* Its memory is handed out again without a new block. */
	again = am_arena_alloc(&a, 100);
	assert_aligned(again);
	assert_ptr_equal(a.head, head);
	assert_int_equal(a.used, (100 + ALIGN - 1) / ALIGN * ALIGN);
	am_arena_clear(&a);
	am_arena_clear(&a);
	assert_non_null(am_arena_alloc(&a, 1));
	am_arena_release(&a);
	assert_null(a.head);
	/* Reusable after release. */
	first = am_arena_alloc(&a, 32);
	assert_aligned(first);
	am_arena_release(&a);
}

/* A block size that is not a multiple of the alignment still aligns. */
static void test_odd_block_size(void **state)
{
	struct am_arena a;

	(void)state;
	for (size_t bs = 1; bs < 200; bs += 7) {
		am_arena_init(&a, bs);
		for (size_t n = 1; n < 100; n += 3) {
			unsigned char *p = am_arena_alloc(&a, n);

			assert_aligned(p);
			memset(p, 0x5A, n);
		}
		am_arena_release(&a);
	}
}

/* From core/internal.h, which tests do not include. */
void *am__huge_calloc(size_t size);
void am__huge_free(void *p, size_t size);

/* A large table's memory: zeroed, every byte of it writable, and from a
 * few MiB on, in memory of its own aligned to a huge page; small ones
 * from calloc. */
static void test_huge_calloc(void **state)
{
	const size_t mib = (size_t)1 << 20;
	const size_t sizes[] = { 1,	  4096,	       8 * mib - 1,
				 8 * mib, 8 * mib + 1, 20 * mib + 12345 };

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		unsigned char *p = am__huge_calloc(n);

		assert_non_null(p);
		if (n >= 8 * mib)
			assert_int_equal((uintptr_t)p % (2 * mib), 0);
		for (size_t i = 0; i < n; i += 4093)
			assert_int_equal(p[i], 0);
		assert_int_equal(p[n - 1], 0);
		memset(p, 0xA5, n);
		assert_int_equal(p[n - 1], 0xA5);
		am__huge_free(p, n);
	}
	am__huge_free(NULL, 8 * mib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_alignment_and_overlap),
		cmocka_unit_test(test_big_allocations),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_calloc_and_strings),
		cmocka_unit_test(test_clear_reuses),
		cmocka_unit_test(test_odd_block_size),
		cmocka_unit_test(test_huge_calloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
