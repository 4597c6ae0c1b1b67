/* Tests of the persons registered ahead of a month's lists (src/app/
 * ahead.c): gathered in memory or through many sorted runs in temporary
 * files, the same persons come out, each code's first line, in batches
 * of any size, each with its audit entry; a second registration keeps
 * what is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/amanat.h"
#include "amanat/wagelist.h"
#include "app/ahead.h"
#include "testdb.h"

#define LINES 3000
#define CODES 700

/* A valid national code from nine digits (the tenth checks them). */
static void national_code(unsigned v, char out[11])
{
	unsigned sum = 0, r;

	snprintf(out, 11, "%09u", v);
	for (int i = 0; i < 9; i++)
		sum += (unsigned)(out[i] - '0') * (unsigned)(10 - i);
	r = sum % 11;
	out[9] = (char)('0' + (r < 2 ? r : 11 - r));
	out[10] = '\0';
}

/* Line i: one of CODES persons (a random one, so each comes many times,
 * out of order), named after the line. */
static void line_of(unsigned i, unsigned code, char prefix,
		    struct am_wage_line *ln, char name[16])
{
	memset(ln, 0, sizeof(*ln));
	national_code(100000 + code * 7919u % 900000, ln->national_code);
	snprintf(name, 16, "%c%u", prefix, i);
	ln->first_name = name;
	ln->last_name = i % 3 ? "رضایی" : "احمدی";
	ln->father_name = i % 4 ? "علی" : NULL;
	ln->birth_date = i % 5 ? 1000 + (am_date)i : AM_WAGE_DATE_NONE;
	ln->sex = i % 11 == 10 ? 0 : (i % 2 ? 'M' : 'F');
	ln->nationality = i % 6 ? "ایرانی" : NULL;
	if (i % 7)
		snprintf(ln->insurance_no, sizeof(ln->insurance_no), "%08u",
			 10000000 + i);
}

static struct am_store *open_db(const char *uri)
{
	struct am_store *s;

	if (am_store_open(uri, &s) != 0)
		fail_msg("open %s: %s", uri, am_store_errmsg(NULL));
	if (am_store_migrate(s, NULL, NULL) != 0)
		fail_msg("migrate %s: %s", uri, am_store_errmsg(s));
	return s;
}

/* Gather the lines (named with prefix) with chunks of chunk bytes, and
 * register them in batches of batch. */
static size_t gather_and_register(struct am_store *s, size_t chunk,
				  size_t batch, char prefix, size_t *runs,
				  size_t *workshops)
{
	struct am__ahead *g;
	size_t added;
	char name[16];

	assert_int_equal(am__ahead_new(chunk, &g), 0);
	srand(7);
	for (unsigned i = 0; i < LINES; i++) {
		struct am_wage_line ln;

		line_of(i, (unsigned)rand() % CODES, prefix, &ln, name);
		assert_int_equal(am__ahead_add(g, &ln), 0);
	}
	assert_int_equal(
		am__ahead_workshop(g, "2000000002", "کارگاه دوم", NULL), 0);
	assert_int_equal(
		am__ahead_workshop(g, "2000000001", "کارگاه یکم", "تهران"), 0);
	*runs = am__ahead_runs(g);
	assert_int_equal(am__ahead_register(g, s, batch, false, false, &added,
					    workshops),
			 0);
	am__ahead_free(g);
	return added;
}

static void test_runs_as_memory(void **state)
{
	const char *db[2] = { testdb_new("ahead0.db"),
			      testdb_new("ahead1.db") };
	static const size_t chunk[2] = { 0, 512 }, batch[2] = { 1000, 7 };
	unsigned first[CODES];
	size_t added[2], runs[2], workshops[2], distinct = 0;
	char *text[2];

	(void)state;
	/* Each code's first line with a sex: the one registered. */
	for (unsigned c = 0; c < CODES; c++)
		first[c] = LINES;
	srand(7);
	for (unsigned i = 0; i < LINES; i++) {
		unsigned c = (unsigned)rand() % CODES;

		if (first[c] == LINES && i % 11 != 10)
			first[c] = i;
	}
	for (unsigned c = 0; c < CODES; c++)
		distinct += first[c] != LINES;
	for (int k = 0; k < 2; k++) {
		struct am_store *s = open_db(db[k]);

		added[k] = gather_and_register(s, chunk[k], batch[k], 'n',
					       &runs[k], &workshops[k]);
		am_store_close(s);
		text[k] = testdb_persons(db[k]);
	}
	assert_int_equal(runs[0], 0);
	assert_true(runs[1] > 20);
	assert_int_equal(added[0], distinct);
	assert_int_equal(added[1], distinct);
	assert_int_equal(workshops[0], 2);
	assert_string_equal(text[0], text[1]);
	/* Each code with its first line's name. */
	{
		struct am_store *s = open_db(db[1]);

		for (unsigned c = 0; c < CODES; c++) {
			struct am_person p;
			struct am_arena a;
			struct am_wage_line ln;
			char name[16];

			if (first[c] == LINES)
				continue;
			line_of(first[c], c, 'n', &ln, name);
			am_arena_init(&a, 256);
			assert_int_equal(am_store_person_get(
						 s, ln.national_code, &a, &p),
					 0);
			assert_string_equal(p.first_name, name);
			assert_int_equal(p.sex, ln.sex);
			am_arena_release(&a);
		}
		/* Again, every line named otherwise: nothing added, nothing
		 * changed. */
		assert_int_equal(gather_and_register(s, 512, 7, 'x', &runs[1],
						     &workshops[1]),
				 0);
		am_store_close(s);
		free(text[1]);
		text[1] = testdb_persons(db[1]);
		assert_string_equal(text[0], text[1]);
	}
	/* An entry a batch: ceil(distinct / 7) the first time, and the
	 * second; the workshops' one each. */
	assert_int_equal(testdb_int(db[1], "SELECT count(*) FROM audit WHERE "
					   "action = 'persons.register'"),
			 2 * ((distinct + 6) / 7));
	assert_int_equal(testdb_int(db[0], "SELECT count(*) FROM audit WHERE "
					   "action = 'persons.register'"),
			 1);
	assert_int_equal(testdb_int(db[0], "SELECT count(*) FROM workshops"),
			 2);
	assert_int_equal(testdb_int(db[0], "SELECT count(*) FROM audit WHERE "
					   "action = 'workshops.register'"),
			 1);
	for (int k = 0; k < 2; k++) {
		free(text[k]);
		testdb_drop(db[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_as_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
