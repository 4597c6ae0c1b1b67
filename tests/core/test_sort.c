/* Unit tests of the two-key radix sort (src/core/mem.c, am__sortkeys()):
 * the order qsort() gives by (k1, k2, v), on keys alike in most digits,
 * on keys spread over all 64 bits, with ties kept in their order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

/* From core/internal.h, which tests do not include. */
struct am__sortkey {
	uint64_t k1, k2, v;
};

int am__sortkeys(struct am__sortkey *e, struct am__sortkey *tmp, size_t n);

static int by_keys(const void *a, const void *b)
{
	const struct am__sortkey *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return x->v < y->v ? -1 : x->v > y->v;
}

/* A 64-bit generator (splitmix64): the same keys each run. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* n keys made by make(), v their place: sorted, as qsort() sorts them
 * (v breaking ties: the sort is stable). */
static void check(size_t n, void (*make)(uint64_t *seed, struct am__sortkey *))
{
	struct am__sortkey *e = calloc(n + 1, sizeof(*e));
	struct am__sortkey *want = calloc(n + 1, sizeof(*want));
	struct am__sortkey *tmp = calloc(n + 1, sizeof(*tmp));
	uint64_t seed = 7;

	assert_non_null(e);
	assert_non_null(want);
	assert_non_null(tmp);
	for (size_t i = 0; i < n; i++) {
		make(&seed, &e[i]);
		e[i].v = i;
	}
	if (n)
		memcpy(want, e, n * sizeof(*e));
	qsort(want, n, sizeof(*want), by_keys);
	assert_int_equal(am__sortkeys(e, tmp, n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_true(e[i].k1 == want[i].k1);
		assert_true(e[i].k2 == want[i].k2);
		assert_int_equal(e[i].v, want[i].v);
	}
	free(e);
	free(want);
	free(tmp);
}

/* A national code packed as the registry import packs it: a nibble a
 * digit, from the top; few codes, so many ties. */
static uint64_t packed(uint64_t *seed, unsigned digits, uint64_t range)
{
	uint64_t code = next(seed) % range, v = 0;

	for (unsigned i = 0; i < digits; i++) {
		v |= (code % 10 + 1) << (60 - 4 * (digits - 1 - i));
		code /= 10;
	}
	return v;
}

static void make_codes(uint64_t *seed, struct am__sortkey *e)
{
	e->k1 = packed(seed, 10, 5000);
	e->k2 = 0;
}

static void make_pairs(uint64_t *seed, struct am__sortkey *e)
{
	e->k1 = packed(seed, 10, 300);
	e->k2 = packed(seed, next(seed) & 1 ? 10 : 11, 300);
}

static void make_wide(uint64_t *seed, struct am__sortkey *e)
{
	e->k1 = next(seed);
	e->k2 = next(seed) >> (next(seed) & 63);
}

static void make_same(uint64_t *seed, struct am__sortkey *e)
{
	(void)seed;
	e->k1 = 42;
	e->k2 = 7;
}

static void test_codes(void **state)
{
	(void)state;
	check(100000, make_codes);
}

static void test_pairs(void **state)
{
	(void)state;
	check(100000, make_pairs);
}

static void test_wide(void **state)
{
	(void)state;
	check(50000, make_wide);
}

static void test_edges(void **state)
{
	(void)state;
	check(0, make_wide);
	check(1, make_wide);
	check(2, make_wide);
	check(1000, make_same);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
