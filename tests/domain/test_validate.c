/* Validation of whole wage lists against the real rules (rules/ir): each
 * file of tests/data/validate/ is one list and the exact problems expected
 * of it (row, field, error id, value, expected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/rules.h"
#include "amanat/assess.h"
#include "amanat/formats.h"

#define MAX_LINES 64
#define MAX_EXPECT 32

static struct am_rules *rules;

struct expect {
	unsigned row;
	char field[64], code[64], value[64], expected[128];
	bool matched;
};

struct vcase {
	char name[256];
	struct am_wage_list l;
	struct am_wage_line lines[MAX_LINES];
	struct am_period params_period;
	bool no_params;
	struct am_workshop_terms terms;
	am_date today;
	struct expect expects[MAX_EXPECT];
	size_t nexpects;
};

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static int setup(void **state)
{
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	if (am_rules_load_dir(env_or("AMANAT_RULES", "rules/ir"), &rules,
			      &ds) != 0) {
		am_diags_release(&ds);
		return -1;
	}
	am_diags_release(&ds);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	am_rules_free(rules);
	return 0;
}

static am_date parse_date(const char *s)
{
	am_date d = AM_WAGE_DATE_NONE;

	if (strcmp(s, "-") == 0)
		return AM_WAGE_DATE_NONE;
	if (am_jalali_parse(s, strlen(s), &d) != 0)
		fail_msg("bad date '%s'", s);
	return d;
}

static void parse_period(const char *s, struct am_period *p)
{
	/* Month 13 must pass: read it by hand, not with am_period_parse. */
	if (sscanf(s, "%d/%d", &p->year, &p->month) != 2)
		fail_msg("bad period '%s'", s);
}

static void copy_text(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", strcmp(v, "-") == 0 ? "" : v);
}

/* key=value tokens of a header, totals or line record. */
static void parse_fields(struct vcase *c, struct am_wage_line *w, char *rest)
{
	char *save = NULL;

	for (char *tok = strtok_r(rest, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		char *eq = strchr(tok, '=');
		const char *k = tok, *v;
		long long n;

		if (!eq)
			fail_msg("%s: token '%s' is not key=value", c->name,
				 tok);
		*eq = '\0';
		v = eq + 1;
		n = strtoll(v, NULL, 10);
		if (w) {
			if (!strcmp(k, "row"))
				w->row = (unsigned)n;
			else if (!strcmp(k, "nat"))
				copy_text(w->national_code,
					  sizeof(w->national_code), v);
			else if (!strcmp(k, "ins"))
				copy_text(w->insurance_no,
					  sizeof(w->insurance_no), v);
			else if (!strcmp(k, "sdate"))
				w->start_date = parse_date(v);
			else if (!strcmp(k, "edate"))
				w->end_date = parse_date(v);
			else if (!strcmp(k, "dd"))
				w->days = (int)n;
			else if (!strcmp(k, "rooz"))
				w->daily_wage = n;
			else if (!strcmp(k, "mah"))
				w->monthly_wage = n;
			else if (!strcmp(k, "maz"))
				w->benefits = n;
			else if (!strcmp(k, "mash"))
				w->subject_wage = n;
			else if (!strcmp(k, "totl"))
				w->total_pay = n;
			else if (!strcmp(k, "bime"))
				w->insured_share = n;
			else if (!strcmp(k, "hh"))
				w->hard_harmful_days = (int)n;
			else
				fail_msg("%s: unknown line key %s", c->name, k);
			continue;
		}
		if (!strcmp(k, "workshop"))
			copy_text(c->l.workshop, sizeof(c->l.workshop), v);
		else if (!strcmp(k, "listno"))
			copy_text(c->l.list_no, sizeof(c->l.list_no), v);
		else if (!strcmp(k, "kind"))
			c->l.kind = (int)n;
		else if (!strcmp(k, "num"))
			c->l.t_workers = n;
		else if (!strcmp(k, "tdd"))
			c->l.t_days = n;
		else if (!strcmp(k, "trooz"))
			c->l.t_daily = n;
		else if (!strcmp(k, "tmah"))
			c->l.t_wage = n;
		else if (!strcmp(k, "tmaz"))
			c->l.t_benefits = n;
		else if (!strcmp(k, "tmash"))
			c->l.t_subject = n;
		else if (!strcmp(k, "ttotl"))
			c->l.t_total = n;
		else if (!strcmp(k, "tbime"))
			c->l.t_insured = n;
		else
			fail_msg("%s: unknown key %s", c->name, k);
	}
}

static void parse_expect(struct vcase *c, char *rest)
{
	struct expect *e;
	char *parts[5];
	char *save = NULL;

	if (c->nexpects == MAX_EXPECT)
		fail_msg("%s: too many expects", c->name);
	rest[strcspn(rest, "\r\n")] = '\0';
	parts[0] = strtok_r(rest, "|", &save);
	for (int i = 1; i < 5; i++)
		parts[i] = strtok_r(NULL, "|", &save);
	e = &c->expects[c->nexpects++];
	memset(e, 0, sizeof(*e));
	if (!parts[0] || !parts[1] || !parts[2] || !parts[3])
		fail_msg("%s: bad expect", c->name);
	e->row = (unsigned)strtoul(parts[0], NULL, 10);
	snprintf(e->field, sizeof(e->field), "%s", parts[1]);
	snprintf(e->code, sizeof(e->code), "%s", parts[2]);
	/* An empty value is written as nothing between two bars. */
	if (parts[4]) {
		snprintf(e->value, sizeof(e->value), "%s", parts[3]);
		snprintf(e->expected, sizeof(e->expected), "%s", parts[4]);
	} else {
		snprintf(e->expected, sizeof(e->expected), "%s", parts[3]);
	}
}

static void load_case(const char *path, const char *name, struct vcase *c)
{
	char buf[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot open %s", path);
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->l.file = c->name;
	c->l.header_row = 1;
	c->l.lines = c->lines;
	while (fgets(buf, sizeof(buf), f)) {
		char *sp = strchr(buf, ' ');
		char *rest;

		if (buf[0] == '#' || buf[strspn(buf, " \t\r\n")] == '\0')
			continue;
		if (!sp)
			fail_msg("%s: bad line '%s'", name, buf);
		*sp = '\0';
		rest = sp + 1;
		rest[strcspn(rest, "\r\n")] = '\0';
		if (!strcmp(buf, "period")) {
			parse_period(rest, &c->l.period);
		} else if (!strcmp(buf, "today")) {
			c->today = parse_date(rest);
		} else if (!strcmp(buf, "params")) {
			c->no_params = strcmp(rest, "none") == 0;
			if (!c->no_params)
				parse_period(rest, &c->params_period);
		} else if (!strcmp(buf, "terms")) {
			c->terms.hard_harmful = strstr(rest, "hh") != NULL;
			c->terms.small_exempt = strstr(rest, "ex") != NULL;
		} else if (!strcmp(buf, "header")) {
			parse_fields(c, NULL, rest);
		} else if (!strcmp(buf, "totals")) {
			c->l.has_totals = true;
			parse_fields(c, NULL, rest);
		} else if (!strcmp(buf, "line")) {
			if (c->l.nlines == MAX_LINES)
				fail_msg("%s: too many lines", name);
			parse_fields(c, &c->lines[c->l.nlines++], rest);
		} else if (!strcmp(buf, "expect")) {
			parse_expect(c, rest);
		} else {
			fail_msg("%s: unknown record '%s'", name, buf);
		}
	}
	fclose(f);
}

static bool diag_matches(const struct am_diag *d, const struct expect *e)
{
	return d->line == e->row && !strcmp(d->field, e->field) &&
	       !strcmp(am_error_id(d->code), e->code) &&
	       !strcmp(d->value, e->value) && !strcmp(d->expected, e->expected);
}

/* 0 when the problems found are exactly the expected ones. */
static int run_case(struct vcase *c)
{
	struct am_assess_params p;
	struct am_diags ds;
	struct am_diag pd;
	size_t n;
	int bad = 0;

	if (!c->no_params &&
	    am_assess_params_load(rules, c->params_period, &p, &pd) != 0) {
		printf("    %s: params: %s\n", c->name, am_error_id(pd.code));
		return 1;
	}
	am_diags_init(&ds, 0);
	n = am_wage_list_validate(c->no_params ? NULL : &p, &c->terms, &c->l,
				  c->today, &ds);
	if (n != ds.nr) {
		printf("    %s: returned %zu, %zu diagnostics\n", c->name, n,
		       ds.nr);
		bad = 1;
	}
	for (size_t i = 0; i < ds.nr; i++) {
		const struct am_diag *d = &ds.items[i];
		bool found = false;

		if (strcmp(d->file, c->name) != 0) {
			printf("    %s: diagnostic names file '%s'\n", c->name,
			       d->file);
			bad = 1;
		}
		for (size_t j = 0; j < c->nexpects && !found; j++) {
			if (!c->expects[j].matched &&
			    diag_matches(d, &c->expects[j])) {
				c->expects[j].matched = true;
				found = true;
			}
		}
		if (!found) {
			printf("    %s: unexpected %u|%s|%s|%s|%s\n", c->name,
			       d->line, d->field, am_error_id(d->code),
			       d->value, d->expected);
			bad = 1;
		}
	}
	for (size_t j = 0; j < c->nexpects; j++) {
		const struct expect *e = &c->expects[j];

		if (!e->matched) {
			printf("    %s: missing %u|%s|%s|%s|%s\n", c->name,
			       e->row, e->field, e->code, e->value,
			       e->expected);
			bad = 1;
		}
	}
	am_diags_release(&ds);
	return bad;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void **state)
{
	char dir[1024], path[2048];
	char *names[256];
	size_t nnames = 0;
	unsigned failed = 0, expected = 0, clean = 0;
	struct dirent *de;
	struct vcase *c = calloc(1, sizeof(*c));
	DIR *d;

	(void)state;
	assert_non_null(c);
	snprintf(dir, sizeof(dir), "%s/validate",
		 env_or("AMANAT_TESTDATA", "tests/data"));
	d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s", dir);
	while ((de = readdir(d)) && nnames < 256) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".txt"))
			names[nnames++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof(names[0]), by_name);
	for (size_t i = 0; i < nnames; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		load_case(path, names[i], c);
		expected += (unsigned)c->nexpects;
		clean += c->nexpects == 0;
		failed += (unsigned)run_case(c);
		free(names[i]);
	}
	free(c);
	printf("    %zu lists, %u problems expected, %u clean, %u failed\n",
	       nnames, expected, clean, failed);
	assert_int_equal(failed, 0);
	assert_true(nnames >= 20);
	assert_true(expected >= 40);
	assert_true(clean >= 5);
}

static void make_natcode(unsigned n, char out[11])
{
	unsigned s = 0, r;

	snprintf(out, 11, "%09u", n);
	for (int i = 0; i < 9; i++)
		s += (unsigned)(out[i] - '0') * (unsigned)(10 - i);
	r = s % 11;
	out[9] = (char)('0' + (r < 2 ? r : 11 - r));
	out[10] = '\0';
}

/* A list too large for the stack table: duplicates are still found, and
 * only those, among valid lines; diags may be NULL. */
static void test_large_list(void **state)
{
	enum { N = 5000 };
	struct am_wage_line *lines = calloc(N, sizeof(*lines));
	struct am_wage_list l;
	struct am_assess_params p;
	struct am_workshop_terms t = { 0 };
	struct am_diags ds;
	am_date today;

	(void)state;
	assert_non_null(lines);
	assert_int_equal(am_assess_params_load(rules,
					       (struct am_period){ 1403, 7 },
					       &p, NULL),
			 0);
	assert_int_equal(am_jalali_to_date(1403, 8, 10, &today), 0);
	memset(&l, 0, sizeof(l));
	l.file = "large";
	l.header_row = 1;
	memcpy(l.workshop, "1234567890", 11);
	memcpy(l.list_no, "1", 2);
	l.period = (struct am_period){ 1403, 7 };
	l.lines = lines;
	l.nlines = N;
	for (unsigned i = 0; i < N; i++) {
		struct am_wage_line *w = &lines[i];

		w->row = i + 1;
		make_natcode(1234567 + i * 7919, w->national_code);
		w->start_date = AM_WAGE_DATE_NONE;
		w->end_date = AM_WAGE_DATE_NONE;
		w->days = 30;
		w->daily_wage = 2388728 + i;
		w->benefits = i * 1000;
		assert_int_equal(am_wage_line_fill(&p, w), 0);
		w->total_pay = w->subject_wage;
	}
	memcpy(lines[4000].national_code, lines[9].national_code, 11);
	memcpy(lines[4998].national_code, lines[1].national_code, 11);
	am_diags_init(&ds, 0);
	assert_int_equal(am_wage_list_validate(&p, &t, &l, today, &ds), 2);
	assert_int_equal(ds.nr, 2);
	assert_int_equal(ds.items[0].code, AM_EWAGE_DUPLICATE_PERSON);
	assert_int_equal(ds.items[0].line, 4001);
	assert_string_equal(ds.items[0].expected,
			    "once in the list (also on row 10)");
	assert_int_equal(ds.items[1].line, 4999);
	assert_string_equal(ds.items[1].expected,
			    "once in the list (also on row 2)");
	am_diags_release(&ds);
	assert_int_equal(am_wage_list_validate(&p, &t, &l, today, NULL), 2);
	free(lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_large_list),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
