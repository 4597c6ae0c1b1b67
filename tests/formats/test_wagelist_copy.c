/* Unit tests of am_wage_list_copy() and am_wage_list_copy_header()
 * (src/formats/wagelist.c): a copy holds every field of its source in its
 * own arena, outlives it, and hashes the same; the import hands header
 * copies from its reading thread to its writing one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/assess.h"
#include "amanat/formats.h"
#include "wl_test.h"

static void assert_text_equal(const char *a, const char *b)
{
	if (!a || !b) {
		assert_null(a);
		assert_null(b);
		return;
	}
	assert_string_equal(a, b);
}

/* A string of the copy must not be the source's own. */
static void assert_text_apart(const char *copy, const char *src)
{
	if (copy)
		assert_ptr_not_equal(copy, src);
}

static void assert_line_equal(const struct am_wage_line *a,
			      const struct am_wage_line *b)
{
	assert_int_equal(a->row, b->row);
	assert_string_equal(a->national_code, b->national_code);
	assert_string_equal(a->insurance_no, b->insurance_no);
	assert_text_equal(a->first_name, b->first_name);
	assert_text_equal(a->last_name, b->last_name);
	assert_text_equal(a->father_name, b->father_name);
	assert_text_equal(a->id_no, b->id_no);
	assert_text_equal(a->id_place, b->id_place);
	assert_int_equal(a->id_date, b->id_date);
	assert_int_equal(a->birth_date, b->birth_date);
	assert_int_equal(a->sex, b->sex);
	assert_text_equal(a->nationality, b->nationality);
	assert_text_equal(a->occupation, b->occupation);
	assert_text_equal(a->job_code, b->job_code);
	assert_int_equal(a->start_date, b->start_date);
	assert_int_equal(a->end_date, b->end_date);
	assert_int_equal(a->days, b->days);
	assert_int_equal(a->daily_wage, b->daily_wage);
	assert_int_equal(a->monthly_wage, b->monthly_wage);
	assert_int_equal(a->benefits, b->benefits);
	assert_int_equal(a->subject_wage, b->subject_wage);
	assert_int_equal(a->total_pay, b->total_pay);
	assert_int_equal(a->insured_share, b->insured_share);
	assert_int_equal(a->prate, b->prate);
	assert_int_equal(a->seniority, b->seniority);
	assert_int_equal(a->spouse, b->spouse);
	assert_int_equal(a->hard_harmful_days, b->hard_harmful_days);
}

static void assert_list_equal(const struct am_wage_list *a,
			      const struct am_wage_list *b)
{
	assert_string_equal(a->file, b->file);
	assert_int_equal(a->header_row, b->header_row);
	assert_string_equal(a->workshop, b->workshop);
	assert_int_equal(a->period.year, b->period.year);
	assert_int_equal(a->period.month, b->period.month);
	assert_string_equal(a->list_no, b->list_no);
	assert_text_equal(a->workshop_name, b->workshop_name);
	assert_text_equal(a->employer_name, b->employer_name);
	assert_text_equal(a->address, b->address);
	assert_text_equal(a->description, b->description);
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->contract_row, b->contract_row);
	assert_int_equal(a->has_totals, b->has_totals);
	assert_int_equal(a->t_workers, b->t_workers);
	assert_int_equal(a->t_days, b->t_days);
	assert_int_equal(a->t_daily, b->t_daily);
	assert_int_equal(a->t_wage, b->t_wage);
	assert_int_equal(a->t_benefits, b->t_benefits);
	assert_int_equal(a->t_subject, b->t_subject);
	assert_int_equal(a->t_total, b->t_total);
	assert_int_equal(a->t_insured, b->t_insured);
	assert_int_equal(a->t_employer, b->t_employer);
	assert_int_equal(a->t_unemployment, b->t_unemployment);
	assert_int_equal(a->rate, b->rate);
	assert_int_equal(a->prate, b->prate);
	assert_int_equal(a->t_hard_harmful, b->t_hard_harmful);
	assert_int_equal(a->t_seniority, b->t_seniority);
	assert_int_equal(a->t_spouse, b->t_spouse);
	assert_int_equal(a->layout, b->layout);
	assert_int_equal(a->codepage, b->codepage);
	assert_memory_equal(a->hash, b->hash, 32);
	assert_int_equal(a->nlines, b->nlines);
	for (size_t i = 0; i < a->nlines; i++)
		assert_line_equal(&a->lines[i], &b->lines[i]);
}

/* No pointer of the copy leads into the source. */
static void assert_list_apart(const struct am_wage_list *c,
			      const struct am_wage_list *s)
{
	assert_text_apart(c->file, s->file);
	assert_text_apart(c->workshop_name, s->workshop_name);
	assert_text_apart(c->employer_name, s->employer_name);
	assert_text_apart(c->address, s->address);
	assert_text_apart(c->description, s->description);
	if (s->nlines)
		assert_ptr_not_equal(c->lines, s->lines);
	for (size_t i = 0; i < s->nlines; i++) {
		const struct am_wage_line *a = &c->lines[i], *b = &s->lines[i];

		assert_text_apart(a->first_name, b->first_name);
		assert_text_apart(a->last_name, b->last_name);
		assert_text_apart(a->father_name, b->father_name);
		assert_text_apart(a->id_no, b->id_no);
		assert_text_apart(a->id_place, b->id_place);
		assert_text_apart(a->nationality, b->nationality);
		assert_text_apart(a->occupation, b->occupation);
		assert_text_apart(a->job_code, b->job_code);
	}
}

/* Every field, the source released before the copy is read (ASan sees a
 * pointer left behind), and the hash the same, copied and computed. */
static void test_copy_outlives_source(void **state)
{
	struct am_wage_list sample, src, dst;
	uint8_t hash[32];

	(void)state;
	sample_list(&sample);
	sample.header_row = 1;
	sample.kind = 0;
	sample.prate = 7;
	sample.t_hard_harmful = 12345;
	sample.layout = AM_DBF_V6;
	sample.codepage = AM_CP_IRAN_SYSTEM;
	sample.lines[1].hard_harmful_days = 3;
	sample.lines[1].prate = 100;
	memcpy(hash, sample.hash, 32);
	/* The sample's strings are literals: a first copy puts them all in
	 * an arena that can be freed. */
	am_wage_list_init(&src);
	assert_int_equal(am_wage_list_copy(&src, &sample), 0);
	assert_list_equal(&src, &sample);
	am_wage_list_init(&dst);
	assert_int_equal(am_wage_list_copy(&dst, &src), 0);
	assert_list_apart(&dst, &src);
	am_wage_list_release(&src);
	assert_list_equal(&dst, &sample);
	assert_memory_equal(dst.hash, hash, 32);
	am_wage_list_hash(&dst);
	assert_memory_equal(dst.hash, hash, 32);
	am_wage_list_release(&dst);
	am_wage_list_release(&sample);
}

/* The header alone: every field but the lines, the count kept, in an
 * arena of its own that outlives the source. */
static void test_copy_header(void **state)
{
	struct am_wage_list sample, src, dst, want;

	(void)state;
	sample_list(&sample);
	am_wage_list_init(&src);
	assert_int_equal(am_wage_list_copy(&src, &sample), 0);
	am_wage_list_init(&dst);
	assert_int_equal(am_wage_list_copy_header(&dst, &src), 0);
	assert_null(dst.lines);
	assert_int_equal(dst.nlines, sample.nlines);
	assert_true(sample.nlines > 0);
	src.nlines = 0;
	assert_list_apart(&dst, &src);
	am_wage_list_release(&src);
	want = sample;
	want.nlines = 0;
	dst.nlines = 0;
	assert_list_equal(&dst, &want);
	/* A full copy into it afterwards replaces the header. */
	assert_int_equal(am_wage_list_copy(&dst, &sample), 0);
	assert_list_equal(&dst, &sample);
	am_wage_list_release(&dst);
	am_wage_list_release(&sample);
}

/* NULL strings stay NULL, "" stays "". */
static void test_copy_null_and_empty_texts(void **state)
{
	struct am_wage_list src, dst;

	(void)state;
	sample_list(&src);
	src.workshop_name = NULL;
	src.description = "";
	src.lines[0].father_name = NULL;
	src.lines[0].job_code = NULL;
	src.lines[1].id_no = "";
	am_wage_list_init(&dst);
	assert_int_equal(am_wage_list_copy(&dst, &src), 0);
	assert_null(dst.workshop_name);
	assert_string_equal(dst.description, "");
	assert_null(dst.lines[0].father_name);
	assert_null(dst.lines[0].job_code);
	assert_string_equal(dst.lines[1].id_no, "");
	assert_list_equal(&dst, &src);
	am_wage_list_release(&dst);
	am_wage_list_release(&src);
}

/* A list reused for copy after copy holds only the last; a list of no
 * lines copies as none; a small arena block size still takes a list whose
 * lines need more than a block. */
static void test_copy_reuses_destination(void **state)
{
	struct am_wage_list src, empty, dst;

	(void)state;
	sample_list(&src);
	am_wage_list_init(&empty);
	empty.file = "empty.csv";
	memcpy(empty.workshop, "0000000001", 11);
	memcpy(empty.list_no, "2", 2);
	empty.period.year = 1404;
	empty.period.month = 12;
	am_wage_list_hash(&empty);
	am_wage_list_init(&dst);
	am_arena_init(&dst.arena, 256);
	assert_int_equal(am_wage_list_copy(&dst, &src), 0);
	assert_list_equal(&dst, &src);
	assert_int_equal(am_wage_list_copy(&dst, &empty), 0);
	assert_list_equal(&dst, &empty);
	assert_int_equal(dst.nlines, 0);
	assert_null(dst.lines);
	assert_null(dst.workshop_name);
	assert_int_equal(dst.arena.block_size, 256);
	assert_int_equal(am_wage_list_copy(&dst, &src), 0);
	assert_list_equal(&dst, &src);
	assert_memory_equal(dst.hash, src.hash, 32);
	am_wage_list_release(&dst);
	am_wage_list_release(&empty);
	am_wage_list_release(&src);
}

/* Lists as a reader passes them, copied during the callback and read
 * after the reader has freed its own memory. */
struct kept {
	struct am_wage_list l[GOT_MAX];
	size_t n;
};

static int keep_fn(struct am_wage_list *l, bool refused, void *ctx)
{
	struct kept *k = ctx;

	(void)refused;
	if (k->n == GOT_MAX)
		return 0;
	am_wage_list_init(&k->l[k->n]);
	if (am_wage_list_copy(&k->l[k->n], l))
		return 1;
	k->n++;
	return 0;
}

static void test_copy_from_reader(void **state)
{
	struct kept k;
	struct got g;
	struct am_diags ds;
	char p[512];

	(void)state;
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	k.n = 0;
	data_path(p, sizeof(p), "good.csv");
	assert_int_equal(am_csv_read(p, NULL, got_fn, &g, &ds), 0);
	assert_int_equal(am_csv_read(p, NULL, keep_fn, &k, &ds), 0);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(k.n, 2);
	assert_int_equal(g.n, 2);
	for (size_t i = 0; i < k.n; i++) {
		struct am_wage_list *l = &k.l[i];
		uint8_t hash[32];

		assert_string_equal(l->file, p);
		assert_string_equal(l->workshop, g.l[i].workshop);
		assert_string_equal(l->list_no, g.l[i].list_no);
		assert_int_equal(l->period.year, g.l[i].period.year);
		assert_int_equal(l->period.month, g.l[i].period.month);
		assert_int_equal(l->nlines, g.l[i].nlines);
		assert_memory_equal(l->hash, g.l[i].hash, 32);
		for (size_t j = 0; j < l->nlines && j < 4; j++) {
			const struct am_wage_line *w = &l->lines[j];

			assert_int_equal(w->row, g.l[i].lines[j].row);
			assert_string_equal(w->national_code,
					    g.l[i].lines[j].national_code);
			assert_int_equal(w->daily_wage,
					 g.l[i].lines[j].daily_wage);
			assert_string_equal(w->first_name, g.l[i].text[j][0]);
			assert_string_equal(w->last_name, g.l[i].text[j][1]);
			assert_string_equal(w->occupation, g.l[i].text[j][3]);
		}
		memcpy(hash, l->hash, 32);
		am_wage_list_hash(l);
		assert_memory_equal(l->hash, hash, 32);
	}
	/* good.csv's second line: a quoted occupation with a comma. */
	assert_string_equal(k.l[0].lines[1].occupation, "منشی، دفتردار");
	for (size_t i = 0; i < k.n; i++)
		am_wage_list_release(&k.l[i]);
	am_diags_release(&ds);
}

/* The hash is stored with every posted list, and a list imported again is
 * known by it: its canonical form must never change. The sample list's
 * hash, as the first release computes it, and the same over many lines
 * (the hash is fed in chunks of several lines). */
static void test_hash_is_stable(void **state)
{
	static const char want[] =
		"3aa3d6d88c5ded19071bf0844b36129950abfaf4f86270de9dc1b3252d9e9763";
	static const char want_long[] =
		"8840aa5aa02dea45e44f098cc996de4053c6cf88d4585e6442f59c66895eb48b";
	struct am_wage_list l, big;
	char hex[65];

	(void)state;
	sample_list(&l);
	am_wage_list_hash(&l);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", l.hash[i]);
	assert_string_equal(hex, want);
	am_wage_list_init(&big);
	am_arena_init(&big.arena, 0);
	memcpy(big.workshop, l.workshop, sizeof(big.workshop));
	memcpy(big.list_no, l.list_no, sizeof(big.list_no));
	big.period = l.period;
	big.nlines = 500;
	big.lines = am_arena_alloc(&big.arena, 500 * sizeof(*big.lines));
	assert_non_null(big.lines);
	for (size_t i = 0; i < big.nlines; i++) {
		big.lines[i] = l.lines[i % l.nlines];
		big.lines[i].days = (int)(i % 31);
		big.lines[i].daily_wage += (am_money)i;
	}
	am_wage_list_hash(&big);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", big.hash[i]);
	assert_string_equal(hex, want_long);
	am_wage_list_release(&big);
	am_wage_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_outlives_source),
		cmocka_unit_test(test_copy_header),
		cmocka_unit_test(test_copy_null_and_empty_texts),
		cmocka_unit_test(test_copy_reuses_destination),
		cmocka_unit_test(test_hash_is_stable),
		cmocka_unit_test(test_copy_from_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
