/* amanat store: the registered persons as a bit set in memory, so that a
 * bulk posting asks the database only about persons it has not seen. */
#include "core/internal.h"
#include "store/store_int.h"

/*
 * A national code's tenth digit is a check digit of the nine before it,
 * so one bit per nine-digit prefix holds any set of valid codes: 10^9
 * bits, 119 MiB, whatever the registry's size. A code whose check digit
 * is wrong (a registry may hold some from old systems) has no bit and is
 * never "known" here: its posting asks the database, as without a set.
 * Checking a national month's 17 million persons against 40 million
 * registered this way costs a memory read each, where the database costs
 * a B-tree page each (docs/storage.md, "Persons").
 */
#define PREFIXES 1000000000LL
#define WORD_BITS 64
#define BITS_SIZE (((size_t)(PREFIXES / WORD_BITS) + 1) * sizeof(uint64_t))

struct am_person_set {
	uint64_t *bits;
	int64_t count; /* codes added (each once) */
};

/* The nine-digit prefix of code when its check digit is right, else -1. */
static int64_t prefix_of(int64_t code)
{
	int64_t prefix, rest;
	int sum = 0, r, check;

	if (code < 0 || code >= PREFIXES * 10)
		return -1;
	prefix = code / 10;
	rest = prefix;
	/* The ninth digit weighs 2, the first 10. */
	for (int w = 2; w <= 10; w++) {
		sum += (int)(rest % 10) * w;
		rest /= 10;
	}
	r = sum % 11;
	check = r < 2 ? r : 11 - r;
	return code % 10 == check ? prefix : -1;
}

int am__person_set_new(struct am_person_set **out)
{
	struct am_person_set *set = calloc(1, sizeof(*set));

	*out = NULL;
	if (!set)
		return AM_ENOMEM;
	/* Zero pages come from the kernel as they are first written; read
	 * at random, the set is in huge pages where there are. */
	set->bits = am__huge_calloc(BITS_SIZE);
	if (!set->bits) {
		free(set);
		return AM_ENOMEM;
	}
	*out = set;
	return 0;
}

void am_person_set_free(struct am_person_set *set)
{
	if (!set)
		return;
	am__huge_free(set->bits, BITS_SIZE);
	free(set);
}

bool am_person_set_has(const struct am_person_set *set, int64_t code)
{
	int64_t p = prefix_of(code);

	return p >= 0 && (set->bits[p / WORD_BITS] >> (p % WORD_BITS) & 1);
}

/* Ask for code's bit ahead of am_person_set_has(). */
void am_person_set_prefetch(const struct am_person_set *set, int64_t code)
{
	int64_t p = prefix_of(code);

	if (p >= 0)
		__builtin_prefetch(&set->bits[p / WORD_BITS]);
}

/* False when code cannot be held (its check digit is wrong). */
bool am_person_set_add(struct am_person_set *set, int64_t code)
{
	int64_t p = prefix_of(code);
	uint64_t bit;

	if (p < 0)
		return false;
	bit = (uint64_t)1 << (p % WORD_BITS);
	if (!(set->bits[p / WORD_BITS] & bit)) {
		set->bits[p / WORD_BITS] |= bit;
		set->count++;
	}
	return true;
}

int64_t am_person_set_count(const struct am_person_set *set)
{
	return set ? set->count : 0;
}

static int load_one(void *ctx, int64_t code)
{
	am_person_set_add(ctx, code);
	return 0;
}

static int count_one(void *ctx, int64_t code)
{
	(void)code;
	++*(int64_t *)ctx;
	return 0;
}

/* Counting that stops at a bound: the walk's stop, not an error. */
#define COUNT_REACHED 1

struct count_to {
	int64_t n, bound;
};

static int count_to_one(void *ctx, int64_t code)
{
	struct count_to *c = ctx;

	(void)code;
	return ++c->n >= c->bound ? COUNT_REACHED : 0;
}

int am_store_persons_at_least(struct am_store *s, int64_t n, bool *yes)
{
	struct count_to c = { 0, n };
	int err;

	*yes = n <= 0;
	if (*yes)
		return 0;
	err = am__store_ready(s);
	if (!err)
		err = s->be->person_codes(s, count_to_one, &c);
	if (err == COUNT_REACHED)
		err = 0;
	if (!err)
		*yes = c.n >= n;
	return err;
}

int am_store_person_set_load(struct am_store *s, int64_t min_persons,
			     struct am_person_set **out)
{
	struct am_person_set *set;
	int64_t n = 0;
	int err;

	*out = NULL;
	err = am__store_ready(s);
	if (err)
		return err;
	/* Below 0: the backend's own threshold (none: always). */
	if (min_persons < 0) {
		min_persons = 0;
		if (s->be->person_set_min)
			err = s->be->person_set_min(s, &min_persons);
		if (err)
			return err;
	}
	/* Counted first (a tenth of the filling, and no memory): a small
	 * registry is not worth the set's memory. */
	if (min_persons > 0) {
		err = s->be->person_codes(s, count_one, &n);
		if (err || n < min_persons)
			return err;
	}
	err = am__person_set_new(&set);
	if (err)
		return am__store_errf(s, err, "persons: out of memory");
	err = s->be->person_codes(s, load_one, set);
	if (err) {
		am_person_set_free(set);
		return err;
	}
	*out = set;
	return 0;
}
