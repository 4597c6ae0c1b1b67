/* Unit tests of the rules layer: every refusal of the strict loader with its
 * file, line and error id (fixtures in tests/data/rules/), lookups by date,
 * typed access, tables, Persian digits and the identity hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/rules.h"

#define AM_ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

static const char *testdata(void)
{
	const char *dir = getenv("AMANAT_TESTDATA");

	return dir && *dir ? dir : "tests/data";
}

static void data_path(char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/rules/%s", testdata(), rel);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static am_date jdate(const char *s)
{
	am_date d = 0;

	assert_int_equal(am_jalali_parse(s, strlen(s), &d), 0);
	return d;
}

/* Print diagnostics, so a failing test shows what the loader said. */
static void dump(const struct am_diags *ds)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	for (size_t i = 0; i < ds->nr; i++) {
		am_buf_clear(&b);
		am_diag_format(&ds->items[i], AM_LANG_EN, &b);
		printf("    %s\n", b.buf);
	}
	am_buf_release(&b);
}

/* A set from texts, in order; returns the first error (0 = finished). */
static int load_texts(struct am_rules **out, struct am_diags *ds,
		      const char *const *texts, size_t n)
{
	struct am_rules *r;
	int first = 0, err;

	assert_int_equal(am_rules_new(&r), 0);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "text%zu.yaml", i);
		err = am_rules_add_text(r, name, texts[i], strlen(texts[i]),
					ds);
		if (!first)
			first = err;
	}
	err = am_rules_finish(r, ds);
	if (!first)
		first = err;
	if (first) {
		am_rules_free(r);
		r = NULL;
	}
	*out = r;
	return first;
}

static int load_text(struct am_rules **out, struct am_diags *ds,
		     const char *text)
{
	return load_texts(out, ds, &text, 1);
}

static struct am_rules *load_good(void)
{
	char dir[1024];
	struct am_rules *r = NULL;
	struct am_diags ds;
	int err;

	data_path(dir, sizeof(dir), "good");
	am_diags_init(&ds, 0);
	err = am_rules_load_dir(dir, &r, &ds);
	if (err)
		dump(&ds);
	assert_int_equal(err, 0);
	assert_int_equal(ds.nr, 0);
	am_diags_release(&ds);
	return r;
}

/* ---- Refusals, fixture by fixture ---- */

struct expect {
	const char *file; /* under tests/data/rules/bad/ */
	int code;
	unsigned line;
	const char *field;
};

/* Every diagnostic each bad fixture must give, in order of line. */
static const struct expect expected[] = {
	{ "unknown_key.yaml", AM_ERULES_UNKNOWN_KEY, 7, "colour" },
	{ "unknown_key_value.yaml", AM_ERULES_MISSING_REFERENCE, 7,
	  "values[0].reference" },
	{ "unknown_key_value.yaml", AM_ERULES_UNKNOWN_KEY, 9,
	  "values[0].refrence" },
	{ "unknown_key_top.yaml", AM_ERULES_UNKNOWN_KEY, 1, "country" },
	{ "syntax.yaml", AM_ERULES_SYNTAX, 5, "" },
	{ "alias.yaml", AM_ERULES_SYNTAX, 5, "" },
	{ "repeated_key.yaml", AM_ERULES_SYNTAX, 4, "unit" },
	{ "bad_utf8.yaml", AM_EINVALID_UTF8, 6, "" },
	{ "empty.yaml", AM_ERULES_MISSING_KEY, 1, "parameters" },
	{ "not_a_list.yaml", AM_ERULES_BAD_VALUE, 2, "parameters" },
	{ "missing_unit.yaml", AM_ERULES_MISSING_KEY, 2, "unit" },
	{ "missing_keys.yaml", AM_ERULES_MISSING_KEY, 2, "confidence" },
	{ "missing_keys.yaml", AM_ERULES_MISSING_KEY, 4, "description.en" },
	{ "missing_keys.yaml", AM_ERULES_MISSING_KEY, 6, "values[0].from" },
	{ "missing_reference.yaml", AM_ERULES_MISSING_REFERENCE, 7,
	  "values[0].reference" },
	{ "missing_reference.yaml", AM_ERULES_MISSING_REFERENCE, 12,
	  "values[1].reference" },
	{ "missing_reference.yaml", AM_ERULES_MISSING_REFERENCE, 15,
	  "values[2].reference" },
	{ "bad_unit.yaml", AM_ERULES_BAD_UNIT, 3, "unit" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 4, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 6, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 8, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 10, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 12, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 14, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 16, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 18, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 20, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 22, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 24, "values[0].value" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 26, "values[0].from" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 27, "name" },
	{ "bad_values.yaml", AM_ERULES_BAD_VALUE, 27, "confidence" },
	{ "bad_table.yaml", AM_ERULES_BAD_TABLE, 14, "values[0].rows[1]" },
	{ "bad_table.yaml", AM_ERULES_BAD_VALUE, 15, "values[0].rows[2][1]" },
	{ "bad_table.yaml", AM_ERULES_BAD_TABLE, 16, "values[0].rows[3]" },
	{ "table_shape.yaml", AM_ERULES_MISSING_KEY, 2, "columns" },
	{ "table_shape.yaml", AM_ERULES_UNKNOWN_KEY, 14, "values[0].value" },
	{ "table_shape.yaml", AM_ERULES_MISSING_KEY, 14, "values[0].rows" },
	{ "table_shape.yaml", AM_ERULES_UNKNOWN_KEY, 19, "columns" },
	{ "table_shape.yaml", AM_ERULES_UNKNOWN_KEY, 21, "values[0].rows" },
	{ "table_shape.yaml", AM_ERULES_BAD_UNIT, 26, "columns[0].unit" },
	{ "table_shape.yaml", AM_ERULES_BAD_TABLE, 26, "columns[1].name" },
	{ "gap.yaml", AM_ERULES_DATE_GAP, 11, "values[1].from" },
	{ "overlap.yaml", AM_ERULES_DATE_OVERLAP, 11, "values[1].from" },
	{ "order.yaml", AM_ERULES_DATE_OVERLAP, 10, "values[1].from" },
	{ "order.yaml", AM_ERULES_DATE_OVERLAP, 14, "values[2].to" },
};

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Load one bad fixture alone and compare its diagnostics one by one. */
static void check_fixture(const char *file)
{
	char path[1024];
	struct am_rules *r;
	struct am_diags ds;
	size_t len, want = 0, got = 0;
	char *text, rel[256];
	int err;

	snprintf(rel, sizeof(rel), "bad/%s", file);
	data_path(path, sizeof(path), rel);
	text = read_file(path, &len);
	am_diags_init(&ds, 0);
	assert_int_equal(am_rules_new(&r), 0);
	err = am_rules_add_text(r, path, text, len, &ds);
	assert_int_equal(am_rules_finish(r, &ds), err);
	for (size_t i = 0; i < AM_ARRAY_SIZE_T(expected); i++) {
		const struct expect *e = &expected[i];
		const struct am_diag *d;

		if (strcmp(e->file, file) != 0)
			continue;
		want++;
		if (got >= ds.nr)
			break;
		d = &ds.items[got++];
		if (d->code != e->code || d->line != e->line ||
		    strcmp(d->field, e->field) != 0 ||
		    !ends_with(d->file, file)) {
			dump(&ds);
			fail_msg("%s: expected %s line %u field '%s', got %s "
				 "line %u field '%s'",
				 file, am_error_id(e->code), e->line, e->field,
				 am_error_id(d->code), d->line, d->field);
		}
	}
	if (ds.nr != want)
		dump(&ds);
	assert_int_equal(ds.nr, want);
	assert_true(want > 0);
	/* The first error reported is the one returned. */
	assert_int_equal(err, ds.items[0].code);
	assert_int_equal(am_rules_count(r), 0);
	assert_string_equal(am_rules_identity(r), "");
	am_rules_free(r);
	am_diags_release(&ds);
	free(text);
}

static void test_bad_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < AM_ARRAY_SIZE_T(expected); i++)
		if (i == 0 || strcmp(expected[i].file, expected[i - 1].file))
			check_fixture(expected[i].file);
}

/* The fixture from the format's description: the unknown key on line 7
 * says line 7, with what was found and what is allowed. */
static void test_unknown_key_line(void **state)
{
	char path[1024];
	struct am_diags ds;
	struct am_rules *r;
	size_t len;
	char *text;

	(void)state;
	data_path(path, sizeof(path), "bad/unknown_key.yaml");
	text = read_file(path, &len);
	am_diags_init(&ds, 0);
	assert_int_equal(am_rules_new(&r), 0);
	assert_int_equal(am_rules_add_text(r, path, text, len, &ds),
			 AM_ERULES_UNKNOWN_KEY);
	assert_int_equal(ds.nr, 1);
	assert_string_equal(ds.items[0].file, path);
	assert_int_equal(ds.items[0].line, 7);
	assert_string_equal(ds.items[0].value, "colour");
	assert_non_null(strstr(ds.items[0].expected, "description"));
	assert_int_equal(am_rules_finish(r, &ds), AM_ERULES_UNKNOWN_KEY);
	am_rules_free(r);
	am_diags_release(&ds);
	free(text);
}

static void test_gap_and_overlap_text(void **state)
{
	char path[1024];
	struct am_diags ds;
	struct am_rules *r;
	size_t len;
	char *text;

	(void)state;
	am_diags_init(&ds, 0);
	data_path(path, sizeof(path), "bad/gap.yaml");
	text = read_file(path, &len);
	assert_int_equal(am_rules_new(&r), 0);
	assert_int_equal(am_rules_add_text(r, "gap.yaml", text, len, &ds),
			 AM_ERULES_DATE_GAP);
	free(text);
	data_path(path, sizeof(path), "bad/overlap.yaml");
	text = read_file(path, &len);
	assert_int_equal(am_rules_add_text(r, "overlap.yaml", text, len, &ds),
			 AM_ERULES_DATE_OVERLAP);
	free(text);
	assert_int_equal(ds.nr, 2);
	/* 1402/12/29 ends the first value: the next must start 1403/01/01. */
	assert_string_equal(ds.items[0].value, "1403/01/02");
	assert_non_null(strstr(ds.items[0].expected, "1403/01/01"));
	/* The first value runs to 1403/01/01 inclusive: overlap. */
	assert_string_equal(ds.items[1].value, "1403/01/01");
	assert_non_null(strstr(ds.items[1].expected, "1403/01/02"));
	/* The first error of all is returned by finish. */
	assert_int_equal(am_rules_finish(r, &ds), AM_ERULES_DATE_GAP);
	am_rules_free(r);
	am_diags_release(&ds);
}

static const char param_head[] = "parameters:\n"
				 "  - name: a.b\n"
				 "    unit: count\n"
				 "    confidence: H\n"
				 "    description: {fa: x, en: y}\n"
				 "    values:\n";

static int load_values(const char *values, struct am_diags *ds,
		       struct am_rules **out)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", param_head, values);
	return load_text(out, ds, text);
}

/* Adjacent values meet exactly; a from equal to the one before, or an
 * earlier one, overlaps; a to before its from is refused. */
static void test_date_edges(void **state)
{
	static const struct {
		const char *values;
		int err;
		unsigned line;
	} cases[] = {
		{ "      - {from: 1403/01/01, to: 1403/12/30, value: 1, "
		  "reference: r}\n"
		  "      - {from: 1404/01/01, value: 2, reference: r}\n",
		  0, 0 },
		{ "      - {from: 1403/01/01, to: 1403/12/29, value: 1, "
		  "reference: r}\n"
		  "      - {from: 1404/01/01, value: 2, reference: r}\n",
		  AM_ERULES_DATE_GAP, 8 },
		{ "      - {from: 1403/01/01, value: 1, reference: r}\n"
		  "      - {from: 1403/01/01, value: 2, reference: r}\n",
		  AM_ERULES_DATE_OVERLAP, 8 },
		{ "      - {from: 1403/01/01, to: 1404/01/01, value: 1, "
		  "reference: r}\n"
		  "      - {from: 1404/01/01, value: 2, reference: r}\n",
		  AM_ERULES_DATE_OVERLAP, 8 },
		{ "      - {from: 1403/01/02, to: 1403/01/01, value: 1, "
		  "reference: r}\n",
		  AM_ERULES_DATE_OVERLAP, 7 },
		{ "      - {from: 1403/01/01, to: 1403/01/01, value: 1, "
		  "reference: r}\n",
		  0, 0 },
		{ "      []\n", AM_ERULES_BAD_VALUE, 7 },
		{ "      - {from: 1403/01/01, value: 1, reference: \"  \"}\n",
		  AM_ERULES_MISSING_REFERENCE, 7 },
		{ "      - {from: 1403/01/01, value: , reference: r}\n",
		  AM_ERULES_MISSING_KEY, 7 },
	};

	(void)state;
	for (size_t i = 0; i < AM_ARRAY_SIZE_T(cases); i++) {
		struct am_diags ds;
		struct am_rules *r = NULL;
		int err;

		am_diags_init(&ds, 0);
		err = load_values(cases[i].values, &ds, &r);
		if (err != cases[i].err) {
			dump(&ds);
			fail_msg("case %zu: got %s", i, am_error_id(err));
		}
		if (err) {
			assert_int_equal(ds.nr, 1);
			assert_int_equal(ds.items[0].line, cases[i].line);
			assert_null(r);
		}
		am_rules_free(r);
		am_diags_release(&ds);
	}
}

/* Problems of every file are reported in one run, file by file. */
static void test_all_errors_of_all_files(void **state)
{
	char dir[1024];
	struct am_rules *r = (struct am_rules *)1;
	struct am_diags ds;
	size_t want = AM_ARRAY_SIZE_T(expected);
	int err;

	(void)state;
	data_path(dir, sizeof(dir), "bad");
	am_diags_init(&ds, 0);
	err = am_rules_load_dir(dir, &r, &ds);
	assert_null(r);
	/* alias.yaml comes first by name and stops at its line 5. */
	assert_int_equal(err, AM_ERULES_SYNTAX);
	assert_true(ends_with(ds.items[0].file, "/alias.yaml"));
	if (ds.nr != want)
		dump(&ds);
	assert_int_equal(ds.nr, want);
	for (size_t i = 0; i < want; i++) {
		bool seen = false;

		for (size_t j = 0; j < ds.nr && !seen; j++)
			seen = ends_with(ds.items[j].file, expected[i].file) &&
			       ds.items[j].line == expected[i].line &&
			       ds.items[j].code == expected[i].code;
		if (!seen)
			fail_msg("no %s in %s:%u",
				 am_error_id(expected[i].code),
				 expected[i].file, expected[i].line);
	}
	am_diags_release(&ds);
}

static void test_duplicates_across_files(void **state)
{
	char dir[1024];
	struct am_rules *r;
	struct am_diags ds;

	(void)state;
	data_path(dir, sizeof(dir), "dup");
	am_diags_init(&ds, 0);
	assert_int_equal(am_rules_load_dir(dir, &r, &ds), AM_ERULES_DUPLICATE);
	assert_null(r);
	assert_int_equal(ds.nr, 1);
	assert_int_equal(ds.items[0].code, AM_ERULES_DUPLICATE);
	assert_true(ends_with(ds.items[0].file, "/b_more.yaml"));
	assert_int_equal(ds.items[0].line, 9);
	assert_string_equal(ds.items[0].field, "name");
	assert_string_equal(ds.items[0].value, "wage.minimum.daily");
	assert_non_null(strstr(ds.items[0].expected, "a_wages.yaml:2"));
	am_diags_release(&ds);
}

/* A duplicate inside one text, and duplicates reported even when another
 * text has errors, so one run shows everything. */
static void test_duplicates_with_errors(void **state)
{
	const char *texts[] = {
		"parameters:\n"
		"  - {name: a.b, unit: count, confidence: H,\n"
		"     description: {fa: x, en: y},\n"
		"     values: [{from: 1403/01/01, value: 1, reference: r}]}\n"
		"  - {name: a.b, unit: count, confidence: H,\n"
		"     description: {fa: x, en: y},\n"
		"     values: [{from: 1403/01/01, value: 1, reference: r}]}\n",
		"parameters:\n"
		"  - {name: c.d, unit: count, confidence: H, colour: red,\n"
		"     description: {fa: x, en: y},\n"
		"     values: [{from: 1403/01/01, value: 1, reference: r}]}\n",
	};
	struct am_rules *r;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(load_texts(&r, &ds, texts, 2), AM_ERULES_UNKNOWN_KEY);
	assert_int_equal(ds.nr, 2);
	assert_int_equal(ds.items[0].code, AM_ERULES_UNKNOWN_KEY);
	assert_string_equal(ds.items[0].file, "text1.yaml");
	assert_int_equal(ds.items[1].code, AM_ERULES_DUPLICATE);
	assert_string_equal(ds.items[1].file, "text0.yaml");
	assert_int_equal(ds.items[1].line, 5);
	assert_non_null(strstr(ds.items[1].expected, "text0.yaml:2"));
	am_diags_release(&ds);
}

/* ---- Hostile and odd input ---- */

static void test_hostile_text(void **state)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
		int err;
	} cases[] = {
		{ "parameters: [\"\\0\"]\n", 0, AM_EINVALID_UTF8 },
		{ "parameters: []\n\0parameters: x\n", 31, AM_EINVALID_UTF8 },
		{ "parameters: []\n---\nparameters: []\n", 0,
		  AM_ERULES_SYNTAX },
		{ "parameters: !!seq []\n", 0, AM_ERULES_SYNTAX },
		{ "parameters: [\n", 0, AM_ERULES_SYNTAX },
		{ "- a\n- b\n", 0, AM_ERULES_BAD_VALUE },
		{ "just text\n", 0, AM_ERULES_BAD_VALUE },
		{ "? [a, b]\n: c\n", 0, AM_ERULES_UNKNOWN_KEY },
		{ "parameters: [1, [2], {}]\n", 0, AM_ERULES_BAD_VALUE },
		/* Crashed libfyaml 0.7.12 (its issue #57): tabs are refused
		 * before the parser sees them. */
		{ "? a:\t? b:", 0, AM_ERULES_SYNTAX },
		{ "parameters:\n\t- a\n", 0, AM_ERULES_SYNTAX },
		{ "parameters: [\x7f]\n", 0, AM_ERULES_SYNTAX },
		{ "parameters: [\"a\\tb\"]\n", 0, AM_ERULES_BAD_VALUE },
		{ "\xef\xbb\xbfparameters: []\r\n", 0, 0 },
		{ "parameters: []\n", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < AM_ARRAY_SIZE_T(cases); i++) {
		size_t len = cases[i].len ? cases[i].len
					  : strlen(cases[i].text);
		struct am_rules *r;
		int err;

		assert_int_equal(am_rules_new(&r), 0);
		err = am_rules_add_text(r, "x.yaml", cases[i].text, len, NULL);
		if (err != cases[i].err)
			fail_msg("case %zu: got %s", i, am_error_id(err));
		assert_int_equal(am_rules_finish(r, NULL), cases[i].err);
		am_rules_free(r);
	}
}

static void test_deep_and_large(void **state)
{
	size_t depth = 100000, len = 2 * depth + 16;
	char *text = malloc(len);
	struct am_diags ds;
	struct am_rules *r;
	size_t n;

	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, len, "parameters: ");
	for (size_t i = 0; i < depth; i++)
		text[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		text[n++] = ']';
	am_diags_init(&ds, 0);
	assert_int_equal(am_rules_new(&r), 0);
	assert_int_not_equal(am_rules_add_text(r, "deep.yaml", text, n, &ds),
			     0);
	assert_true(ds.nr >= 1);
	am_rules_free(r);
	free(text);

	/* Past 4 MiB the text is refused before it is parsed. */
	len = ((size_t)4 << 20) + 1;
	text = calloc(1, len);
	assert_non_null(text);
	memset(text, '#', len);
	am_diags_clear(&ds);
	assert_int_equal(am_rules_new(&r), 0);
	assert_int_equal(am_rules_add_text(r, "big.yaml", text, len, &ds),
			 AM_ETOO_LONG);
	assert_int_equal(ds.nr, 1);
	assert_string_equal(ds.items[0].file, "big.yaml");
	am_rules_free(r);
	free(text);
	am_diags_release(&ds);
}

static void test_api_misuse(void **state)
{
	struct am_rules *r;
	const struct am_value *v;
	struct am_diag d;

	(void)state;
	assert_int_equal(am_rules_new(&r), 0);
	assert_int_equal(am_rules_add_text(r, NULL, "parameters: []", 14, NULL),
			 0);
	/* Nothing is found before the set is finished. */
	assert_int_equal(am_rules_count(r), 0);
	assert_null(am_rules_at(r, 0));
	assert_string_equal(am_rules_identity(r), "");
	assert_int_equal(am_rules_value(r, "a.b", 0, &v, &d),
			 AM_ERULES_UNKNOWN_PARAM);
	assert_int_equal(am_rules_finish(r, NULL), 0);
	assert_int_equal(strlen(am_rules_identity(r)), 64);
	assert_int_equal(am_rules_finish(r, NULL), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_rules_add_text(r, "x", "parameters: []", 14, NULL),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_rules_add_text(NULL, "x", "", 0, NULL),
			 AM_EINVALID_ARGUMENT);
	am_rules_free(r);
	am_rules_free(NULL);
}

static void test_dir_errors(void **state)
{
	char tmpl[] = "/tmp/amanat-rules-XXXXXX";
	char path[1024];
	struct am_rules *r = (struct am_rules *)1;
	struct am_diags ds;
	FILE *f;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(am_rules_load_dir("/nonexistent/rules/xx", &r, &ds),
			 AM_ERULES_DIR);
	assert_null(r);
	assert_int_equal(ds.nr, 1);
	assert_int_equal(ds.items[0].code, AM_ERULES_DIR);
	assert_string_equal(ds.items[0].file, "/nonexistent/rules/xx");

	/* A folder without rule files is refused too: a wrong --rules
	 * should not give an empty set that answers "no value" later. */
	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/readme.txt", tmpl);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("parameters: []\n", f);
	fclose(f);
	am_diags_clear(&ds);
	assert_int_equal(am_rules_load_dir(tmpl, &r, &ds), AM_ERULES_DIR);
	assert_int_equal(ds.nr, 1);
	assert_string_equal(ds.items[0].file, tmpl);

	/* *.yml counts; a trailing slash is fine; hidden files are not read. */
	snprintf(path, sizeof(path), "%s/.hidden.yaml", tmpl);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("broken: [\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a.yml", tmpl);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("parameters: []\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/", tmpl);
	am_diags_clear(&ds);
	assert_int_equal(am_rules_load_dir(path, &r, &ds), 0);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(am_rules_count(r), 0);
	am_rules_free(r);

	snprintf(path, sizeof(path), "%s/a.yml", tmpl);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.hidden.yaml", tmpl);
	unlink(path);
	snprintf(path, sizeof(path), "%s/readme.txt", tmpl);
	unlink(path);
	rmdir(tmpl);
	am_diags_release(&ds);
}

/* ---- Lookups in the good set ---- */

static void test_good_set(void **state)
{
	struct am_rules *r = load_good();
	const struct am_param *p;

	(void)state;
	assert_int_equal(am_rules_count(r), 15);
	/* Sorted by name. */
	for (size_t i = 1; i < am_rules_count(r); i++)
		assert_true(strcmp(am_rules_at(r, i - 1)->name,
				   am_rules_at(r, i)->name) < 0);
	assert_null(am_rules_at(r, 15));
	p = am_rules_find(r, "wage.minimum.daily");
	assert_non_null(p);
	assert_int_equal(p->unit, AM_UNIT_RIAL_PER_DAY);
	assert_string_equal(p->confidence, "H");
	assert_string_equal(p->description_en, "Daily minimum wage");
	assert_string_equal(p->description_fa, "حداقل دستمزد روزانه");
	assert_true(ends_with(p->file, "/good/wages.yaml"));
	assert_int_equal(p->line, 4);
	assert_int_equal(p->nvalues, 4);
	assert_int_equal(p->values[0].line, 11);
	assert_null(p->values[0].note);
	assert_string_equal(p->values[1].note,
			    "written with Persian digits on purpose");
	assert_null(am_rules_find(r, "wage.minimum"));
	assert_null(am_rules_find(r, ""));
	assert_null(am_rules_find(r, NULL));
	am_rules_free(r);
}

static void test_lookup_by_date(void **state)
{
	struct am_rules *r = load_good();
	const struct am_param *p = am_rules_find(r, "wage.minimum.daily");
	const struct am_value *v;
	struct am_diag d;
	am_money m;

	(void)state;
	/* A value without to ends the day before the next one starts. */
	assert_int_equal(p->values[0].to, jdate("1401/12/29"));
	assert_int_equal(p->values[1].to, jdate("1402/12/29"));
	assert_int_equal(p->values[3].to, jdate("1404/12/29"));

	assert_int_equal(
		am_rules_money(r, p->name, jdate("1401/01/01"), &m, &d), 0);
	assert_int_equal(m, 1393243);
	assert_int_equal(
		am_rules_money(r, p->name, jdate("1402/12/29"), &m, &d), 0);
	assert_int_equal(m, 1769428);
	assert_int_equal(
		am_rules_money(r, p->name, jdate("1403/12/30"), &m, &d), 0);
	assert_int_equal(m, 2388728);
	assert_int_equal(
		am_rules_money(r, p->name, jdate("1404/12/29"), &m, &d), 0);
	assert_int_equal(m, 3463656);

	/* Before the first value and after an ended last one: no value,
	 * never the nearest one carried over. */
	m = -1;
	assert_int_equal(
		am_rules_money(r, p->name, jdate("1400/12/29"), &m, &d),
		AM_ERULES_NO_VALUE);
	assert_int_equal(m, -1);
	assert_int_equal(
		am_rules_value(r, p->name, jdate("1405/01/01"), &v, &d),
		AM_ERULES_NO_VALUE);
	assert_int_equal(d.code, AM_ERULES_NO_VALUE);
	assert_string_equal(d.field, "wage.minimum.daily");
	assert_string_equal(d.value, "1405/01/01");
	assert_string_equal(d.expected, "a date in 1401/01/01..1404/12/29");
	assert_true(ends_with(d.file, "wages.yaml"));
	assert_int_equal(d.line, 4);
	assert_int_equal(
		am_rules_value(r, p->name, jdate("1405/01/01"), &v, NULL),
		AM_ERULES_NO_VALUE);

	/* Open-ended: far in the future still in force. */
	assert_int_equal(am_rules_value(r, "wagelist.format",
					jdate("2999/01/01"), &v, &d),
			 0);
	assert_string_equal(v->scalar.u.text, "dbf");
	assert_int_equal(v->to, AM_DATE_OPEN);

	assert_int_equal(
		am_rules_value(r, "no.such.param", jdate("1403/01/01"), &v, &d),
		AM_ERULES_UNKNOWN_PARAM);
	assert_string_equal(d.field, "parameter");
	assert_string_equal(d.value, "no.such.param");
	am_rules_free(r);
}

static void test_typed_lookups(void **state)
{
	struct am_rules *r = load_good();
	am_date on = jdate("1403/06/15");
	struct am_rate rate;
	enum am_round round;
	struct am_diag d;
	int64_t i;
	am_money m;
	bool b;

	(void)state;
	assert_int_equal(am_rules_rate(r, "contribution.compulsory.employer",
				       on, &rate, &d),
			 0);
	assert_int_equal(rate.num, 1);
	assert_int_equal(rate.den, 5);
	assert_int_equal(am_rules_rate(r, "contribution.compulsory.insured", on,
				       &rate, &d),
			 0);
	assert_int_equal(rate.num, 7);
	assert_int_equal(rate.den, 100);
	assert_int_equal(am_rules_rate(r, "contribution.compulsory.state", on,
				       &rate, &d),
			 0);
	assert_int_equal(rate.num, 3);
	assert_int_equal(rate.den, 100);

	assert_int_equal(am_rules_int(r, "sickness.waiting_days", on, &i, &d),
			 0);
	assert_int_equal(i, 3);
	assert_int_equal(am_rules_int(r, "pension.minimum_years", on, &i, &d),
			 0);
	assert_int_equal(i, 10);
	assert_int_equal(am_rules_int(r, "family.children.max", on, &i, &d), 0);
	assert_int_equal(i, 3);
	assert_int_equal(am_rules_int(r, "pension.average_months",
				      jdate("1401/12/29"), &i, &d),
			 0);
	assert_int_equal(i, 24);
	/* Written ۶۰ in the file. */
	assert_int_equal(am_rules_int(r, "pension.average_months", on, &i, &d),
			 0);
	assert_int_equal(i, 60);

	assert_int_equal(am_rules_rounding(r, "contribution.rounding",
					   jdate("1399/12/30"), &round, &d),
			 0);
	assert_int_equal(round, AM_ROUND_HALF_UP);
	assert_int_equal(am_rules_rounding(r, "contribution.rounding",
					   jdate("1400/01/01"), &round, &d),
			 0);
	assert_int_equal(round, AM_ROUND_DOWN);
	assert_int_equal(
		am_rules_bool(r, "pension.hard_work.early", on, &b, &d), 0);
	assert_true(b);
	assert_int_equal(am_rules_money(r, "wage.maximum.daily", on, &m, &d),
			 0);
	assert_int_equal(m, 16721096);

	/* Wrong types are refused, naming both. */
	assert_int_equal(am_rules_money(r, "contribution.compulsory.insured",
					on, &m, &d),
			 AM_ERULES_TYPE_MISMATCH);
	assert_string_equal(d.value, "rate");
	assert_string_equal(d.expected, "rial or rial/day");
	assert_int_equal(am_rules_int(r, "unemployment.duration", on, &i, &d),
			 AM_ERULES_TYPE_MISMATCH);
	assert_int_equal(am_rules_rate(r, "wage.minimum.daily", on, &rate, &d),
			 AM_ERULES_TYPE_MISMATCH);
	assert_int_equal(am_rules_bool(r, "wagelist.format", on, &b, &d),
			 AM_ERULES_TYPE_MISMATCH);
	assert_int_equal(am_rules_rounding(r, "law.social_security.approved",
					   on, &round, &d),
			 AM_ERULES_TYPE_MISMATCH);
	assert_int_equal(am_rules_money(r, "nope", on, &m, &d),
			 AM_ERULES_UNKNOWN_PARAM);
	/* No value in force comes before the type check. */
	assert_int_equal(am_rules_money(r, "wage.maximum.daily",
					jdate("1402/12/29"), &m, &d),
			 AM_ERULES_NO_VALUE);
	am_rules_free(r);
}

static void test_tables(void **state)
{
	struct am_rules *r = load_good();
	const struct am_param *p = am_rules_find(r, "unemployment.duration");
	const struct am_param *tax = am_rules_find(r, "tax.wage.brackets");
	const struct am_value *v;
	const struct am_scalar *c;

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->unit, AM_UNIT_TABLE);
	assert_int_equal(p->ncolumns, 3);
	assert_string_equal(p->columns[0].name, "record_months_min");
	assert_int_equal(p->columns[0].unit, AM_UNIT_MONTHS);
	assert_string_equal(p->columns[0].description_fa, "حداقل سابقه");
	assert_string_equal(p->columns[0].description_en, "Record from");
	assert_null(p->columns[1].description_fa);
	assert_int_equal(am_param_column(p, "married"), 2);
	assert_int_equal(am_param_column(p, "widowed"), -1);
	assert_int_equal(am_param_column(NULL, "married"), -1);

	assert_int_equal(
		am_rules_value(r, p->name, jdate("1369/06/26"), &v, NULL), 0);
	assert_int_equal(
		am_rules_value(r, p->name, jdate("1369/06/25"), &v, NULL),
		AM_ERULES_NO_VALUE);
	assert_int_equal(
		am_rules_value(r, p->name, jdate("1403/01/01"), &v, NULL), 0);
	assert_int_equal(v->nrows, 5);
	c = am_value_cell(p, v, 4, 2);
	assert_non_null(c);
	assert_int_equal(c->unit, AM_UNIT_MONTHS);
	assert_int_equal(c->u.i, 50);
	assert_int_equal(am_value_cell(p, v, 1, 0)->u.i, 25);
	assert_null(am_value_cell(p, v, 5, 0));
	assert_null(am_value_cell(p, v, 0, 3));

	/* Money and rate cells, quoted in flow rows for their commas. */
	assert_int_equal(
		am_rules_value(r, tax->name, jdate("1403/12/30"), &v, NULL), 0);
	c = am_value_cell(tax, v, 1, 0);
	assert_int_equal(c->unit, AM_UNIT_RIAL);
	assert_int_equal(c->u.money, 100000000);
	c = am_value_cell(tax, v, 4, 1);
	assert_int_equal(c->u.rate.num, 3);
	assert_int_equal(c->u.rate.den, 10);
	/* Not a table. */
	assert_null(am_value_cell(
		am_rules_find(r, "wage.minimum.daily"),
		&am_rules_find(r, "wage.minimum.daily")->values[0], 0, 0));
	am_rules_free(r);
}

static void test_persian_digits(void **state)
{
	struct am_rules *r = load_good();
	const struct am_param *p = am_rules_find(r, "wage.minimum.daily");
	am_money m;

	(void)state;
	/* from: ۱۴۰۲/۰۱/۰۱ and value: ۱٬۷۶۹٬۴۲۸ */
	assert_int_equal(p->values[1].from, jdate("1402/01/01"));
	assert_int_equal(p->values[1].scalar.u.money, 1769428);
	/* A date to look up may be written in Persian digits as well. */
	assert_int_equal(
		am_rules_money(r, p->name, jdate("۱۴۰۲/۰۶/۳۱"), &m, NULL), 0);
	assert_int_equal(m, 1769428);
	am_rules_free(r);
}

/* Each unit's scalars as written in rule files, in and out. */
static void test_each_unit(void **state)
{
	static const struct {
		const char *unit, *written, *canonical;
	} cases[] = {
		{ "rial", "2,388,728", "2388728" },
		{ "rial", "0", "0" },
		{ "rial/day", "\"۳٬۴۶۳٬۶۵۶\"", "3463656" },
		{ "rate", "7%", "7/100" },
		{ "rate", "7/100", "7/100" },
		{ "rate", "0.07", "7/100" },
		{ "rate", "1.5%", "3/200" },
		{ "rate", "۷٪", "7/100" }, /* the Persian percent sign */
		{ "rate", "-7%", "" },
		{ "days", "۳۰", "30" },
		{ "months", "0", "0" },
		{ "years", "9223372036854775807", "9223372036854775807" },
		{ "count", "9223372036854775808", "" },
		{ "count", "+3", "" },
		{ "count", "3 ", "3" }, /* YAML trims plain scalars */
		{ "date", "1403/12/30", "1403/12/30" },
		{ "date", "1404/12/30", "" },
		{ "date", "۱۳۹۹-۱۲-۳۰", "1399/12/30" },
		{ "rounding", "half_even", "half_even" },
		{ "rounding", "ceiling", "ceiling" },
		{ "bool", "false", "false" },
		{ "bool", "True", "" },
		{ "text", "spouse", "spouse" },
		{ "text", "\"همسر\"", "همسر" },
		{ "text", "\"\"", "" },
		{ "text", "~", "" },
	};

	(void)state;
	for (size_t i = 0; i < AM_ARRAY_SIZE_T(cases); i++) {
		char text[1024], out[64];
		struct am_rules *r;
		const struct am_value *v;
		int err;

		snprintf(text, sizeof(text),
			 "parameters:\n"
			 "  - name: p\n"
			 "    unit: %s\n"
			 "    confidence: H\n"
			 "    description: {fa: x, en: y}\n"
			 "    values:\n"
			 "      - from: 1403/01/01\n"
			 "        value: %s\n"
			 "        reference: test\n",
			 cases[i].unit, cases[i].written);
		err = load_text(&r, NULL, text);
		if (!*cases[i].canonical) {
			if (err == 0)
				fail_msg("case %zu (%s %s) was accepted", i,
					 cases[i].unit, cases[i].written);
			continue;
		}
		if (err)
			fail_msg("case %zu (%s %s): %s", i, cases[i].unit,
				 cases[i].written, am_error_id(err));
		assert_int_equal(
			am_rules_value(r, "p", jdate("1403/01/01"), &v, NULL),
			0);
		assert_int_equal(v->line, 7);
		am_scalar_format(&v->scalar, out, sizeof(out));
		assert_string_equal(out, cases[i].canonical);
		am_rules_free(r);
	}
}

static void test_unit_names(void **state)
{
	enum am_unit u;

	(void)state;
	for (int i = AM_UNIT_RIAL; i <= AM_UNIT_TABLE; i++) {
		assert_int_equal(
			am_unit_parse(am_unit_name((enum am_unit)i), &u), 0);
		assert_int_equal(u, i);
	}
	assert_string_equal(am_unit_name(AM_UNIT_RIAL_PER_DAY), "rial/day");
	assert_string_equal(am_unit_name((enum am_unit)0), "unknown");
	assert_string_equal(am_unit_name((enum am_unit)99), "unknown");
	assert_int_equal(am_unit_parse("Rial", &u), AM_ERULES_BAD_UNIT);
	assert_int_equal(am_unit_parse("", &u), AM_ERULES_BAD_UNIT);
}

static void test_scalar_format(void **state)
{
	struct am_scalar s = { .unit = AM_UNIT_TEXT };
	char out[8];

	(void)state;
	s.u.text = "abcdefghij";
	assert_int_equal(am_scalar_format(&s, out, sizeof(out)), 10);
	assert_string_equal(out, "abcdefg");
	/* Never half a Persian letter (2 bytes each). */
	s.u.text = "همسرِ";
	am_scalar_format(&s, out, sizeof(out));
	assert_string_equal(out, "همس");
	s.unit = AM_UNIT_RIAL;
	s.u.money = -5;
	assert_int_equal(am_scalar_format(&s, out, sizeof(out)), 2);
	assert_string_equal(out, "-5");
	s.unit = AM_UNIT_ROUNDING;
	s.u.round = AM_ROUND_FLOOR;
	assert_int_equal(am_scalar_format(&s, out, sizeof(out)), 5);
	assert_string_equal(out, "floor");
	s.unit = AM_UNIT_BOOL;
	s.u.b = true;
	assert_int_equal(am_scalar_format(&s, NULL, 0), 4);
}

/* ---- Identity ---- */

static const char ident_a[] = "# wages\n"
			      "parameters:\n"
			      "  - name: wage.minimum.daily\n"
			      "    unit: rial/day\n"
			      "    confidence: H\n"
			      "    description: {fa: حداقل, en: Minimum}\n"
			      "    values:\n"
			      "      - from: 1402/01/01\n"
			      "        value: 1,769,428\n"
			      "        reference: SLC 1402\n"
			      "      - from: 1403/01/01\n"
			      "        value: 2,388,728\n"
			      "        reference: SLC 1403\n";
static const char ident_b[] = "parameters:\n"
			      "  - name: contribution.insured\n"
			      "    unit: rate\n"
			      "    confidence: H\n"
			      "    description: {fa: سهم, en: Share}\n"
			      "    values:\n"
			      "      - {from: 1354/04/03, value: 7%, "
			      "reference: SSL Art. 28}\n";

static void identity_of(const char *const *texts, size_t n, char out[65])
{
	struct am_rules *r;

	assert_int_equal(load_texts(&r, NULL, texts, n), 0);
	assert_int_equal(strlen(am_rules_identity(r)), 64);
	snprintf(out, 65, "%s", am_rules_identity(r));
	for (size_t i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", out[i]));
	am_rules_free(r);
}

/* Replace the first `from` with `to` in base. */
static char *edit(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t n = strlen(base) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - base), base, to,
		 at + strlen(from));
	return out;
}

static void test_identity(void **state)
{
	char ab[65], ba[65], other[65];
	const char *texts[2];
	char *changed;

	(void)state;
	texts[0] = ident_a;
	texts[1] = ident_b;
	identity_of(texts, 2, ab);
	texts[0] = ident_b;
	texts[1] = ident_a;
	identity_of(texts, 2, ba);
	assert_string_equal(ab, ba);

	/* Comments, descriptions, spelling of figures: no change. */
	struct {
		const char *from, *to;
		bool same;
	} edits[] = {
		{ "# wages", "# the daily wages", true },
		{ "en: Minimum}", "en: Daily minimum wage}", true },
		{ "1,769,428", "1769428", true },
		{ "1,769,428", "۱٬۷۶۹٬۴۲۸", true },
		{ "confidence: H", "confidence: M", true },
		{ "reference: SLC 1402\n",
		  "reference: SLC 1402\n        to: 1402/12/29\n", true },
		{ "1,769,428", "1,769,429", false },
		{ "SLC 1403", "SLC 1403, Art. 41", false },
		{ "from: 1403/01/01", "from: 1403/01/02", false },
		{ "unit: rial/day", "unit: rial", false },
		{ "SLC 1403\n", "SLC 1403\n        to: 1403/12/30\n", false },
	};
	for (size_t i = 0; i < AM_ARRAY_SIZE_T(edits); i++) {
		changed = edit(ident_a, edits[i].from, edits[i].to);
		texts[0] = changed;
		texts[1] = ident_b;
		identity_of(texts, 2, other);
		if ((strcmp(other, ab) == 0) != edits[i].same)
			fail_msg("edit %zu ('%s' → '%s') %s the identity", i,
				 edits[i].from, edits[i].to,
				 edits[i].same ? "changed" : "did not change");
		free(changed);
	}
	/* A rate written another way is the same rate. */
	changed = edit(ident_b, "7%", "7/100");
	texts[0] = ident_a;
	texts[1] = changed;
	identity_of(texts, 2, other);
	assert_string_equal(other, ab);
	free(changed);
	/* One set less is another set. */
	identity_of(texts, 1, other);
	assert_string_not_equal(other, ab);
}

/* ---- Folders laid over one another ---- */

/* A base as shipped: a yearly figure ended on 1404/12/29 (line 8), a rate
 * in force without end and a table. */
static const char layer_base[] =
	"parameters:\n"
	"  - name: wage.minimum.daily\n"
	"    unit: rial/day\n"
	"    confidence: H\n"
	"    description: {fa: حداقل دستمزد روزانه, en: Daily minimum wage}\n"
	"    values:\n"
	"      - {from: 1403/01/01, value: 2388728, reference: SLC 1403}\n"
	"      - {from: 1404/01/01, to: 1404/12/29, value: 3463656,\n"
	"         reference: SLC 1404}\n"
	"  - name: contribution.insured\n"
	"    unit: rate\n"
	"    confidence: H\n"
	"    description: {fa: سهم بیمه‌شده, en: Insured share}\n"
	"    values:\n"
	"      - {from: 1354/04/03, value: 7%, reference: SSA Art. 28}\n"
	"  - name: unemployment.duration\n"
	"    unit: table\n"
	"    confidence: H\n"
	"    description: {fa: مدت, en: Duration}\n"
	"    columns:\n"
	"      - {name: record_months_min, unit: months}\n"
	"      - {name: single, unit: months}\n"
	"    values:\n"
	"      - from: 1369/06/26\n"
	"        to: 1404/12/29\n"
	"        reference: UIA Art. 7\n"
	"        rows: [[6, 6], [25, 12]]\n";

/* An operator's next year: TEST FIGURES, not a published decree. */
static const char layer_1405[] =
	"parameters:\n"
	"  - name: wage.minimum.daily\n"
	"    unit: rial/day\n"
	"    confidence: M\n"
	"    description: {fa: حداقل دستمزد روزانه, en: Daily minimum wage}\n"
	"    values:\n"
	"      - from: 1405/01/01\n"
	"        to: 1405/12/29\n"
	"        value: 4,000,000\n"
	"        reference: test figure, not a published decree\n"
	"  - name: wage.extra.daily\n"
	"    unit: rial/day\n"
	"    confidence: M\n"
	"    description: {fa: آزمون, en: A parameter of the overlay's own}\n"
	"    values:\n"
	"      - {from: 1405/01/01, value: 1, reference: test figure}\n";

/* texts[i] is read into layer layer_of[i] (named "layerN"); a set of
 * layers in order. Returns the first error (0 = finished). */
static int load_layers(struct am_rules **out, struct am_diags *ds,
		       const char *const *texts, const unsigned *layer_of,
		       size_t n)
{
	struct am_rules *r;
	unsigned layers = 0;
	int first = 0, err;

	assert_int_equal(am_rules_new(&r), 0);
	for (size_t i = 0; i < n; i++) {
		char name[64];

		while (layers <= layer_of[i]) {
			snprintf(name, sizeof(name), "layer%u", layers++);
			assert_int_equal(am_rules_add_layer(r, name), 0);
		}
		snprintf(name, sizeof(name), "layer%u/text%zu.yaml",
			 layer_of[i], i);
		err = am_rules_add_text(r, name, texts[i], strlen(texts[i]),
					ds);
		if (!first)
			first = err;
	}
	err = am_rules_finish(r, ds);
	if (!first)
		first = err;
	if (first) {
		am_rules_free(r);
		r = NULL;
	}
	*out = r;
	return first;
}

/* The year after the base's last, in a folder of its own: looked up from
 * it, the past from the base, and the identity is that of one folder
 * holding both. */
static void test_layer_adds_a_year(void **state)
{
	const char *texts[] = { layer_base, layer_1405 };
	const unsigned layer_of[] = { 0, 1 };
	const struct am_param *p;
	const struct am_value *v;
	char stacked[65], flat[65];
	struct am_rules *r;
	struct am_diags ds;
	struct am_diag d;
	am_money m;

	(void)state;
	am_diags_init(&ds, 0);
	if (load_layers(&r, &ds, texts, layer_of, 2) != 0) {
		dump(&ds);
		fail_msg("the stack was refused");
	}
	assert_int_equal(am_rules_layer_count(r), 2);
	assert_string_equal(am_rules_layer_name(r, 0), "layer0");
	assert_string_equal(am_rules_layer_name(r, 1), "layer1");
	assert_null(am_rules_layer_name(r, 2));
	assert_int_equal(am_rules_count(r), 4);
	p = am_rules_find(r, "wage.minimum.daily");
	assert_int_equal(p->nvalues, 3);
	/* The first layer's definition stays the parameter's. */
	assert_string_equal(p->file, "layer0/text0.yaml");
	assert_string_equal(p->confidence, "H");
	assert_int_equal(p->values[2].layer, 1);
	assert_string_equal(p->values[2].file, "layer1/text1.yaml");
	assert_int_equal(p->values[2].line, 7);
	assert_int_equal(p->values[1].layer, 0);

	assert_int_equal(am_rules_money(r, "wage.minimum.daily",
					jdate("1405/06/01"), &m, &d),
			 0);
	assert_int_equal(m, 4000000);
	assert_int_equal(am_rules_money(r, "wage.minimum.daily",
					jdate("1404/12/29"), &m, &d),
			 0);
	assert_int_equal(m, 3463656);
	assert_int_equal(am_rules_value(r, "wage.minimum.daily",
					jdate("1406/01/01"), &v, &d),
			 AM_ERULES_NO_VALUE);
	assert_string_equal(d.expected, "a date in 1403/01/01..1405/12/29");
	/* A parameter of the overlay's own. */
	assert_int_equal(am_rules_value(r, "wage.extra.daily",
					jdate("1405/01/01"), &v, &d),
			 0);
	assert_int_equal(v->layer, 1);
	snprintf(stacked, sizeof(stacked), "%s", am_rules_identity(r));
	am_rules_free(r);

	/* The same values in one layer, the 1405 value written into the
	 * base's own list: the same identity. */
	{
		const char *one[] = {
			layer_base,
			"parameters:\n"
			"  - name: wage.extra.daily\n"
			"    unit: rial/day\n"
			"    confidence: M\n"
			"    description: {fa: آزمون, en: other words}\n"
			"    values:\n"
			"      - {from: 1405/01/01, value: 1, reference: test figure}\n"
		};
		char *both = edit(one[0], "         reference: SLC 1404}\n",
				  "         reference: SLC 1404}\n"
				  "      - {from: 1405/01/01, to: 1405/12/29,\n"
				  "         value: 4000000, reference: \"test "
				  "figure, not a published decree\"}\n");

		one[0] = both;
		identity_of(one, 2, flat);
		free(both);
	}
	assert_string_equal(stacked, flat);
	/* The base alone keeps its own. */
	identity_of(texts, 1, flat);
	assert_string_not_equal(stacked, flat);
	assert_int_equal(load_text(&r, NULL, layer_base), 0);
	assert_int_equal(am_rules_layer_count(r), 1);
	assert_null(am_rules_layer_name(r, 0));
	assert_string_equal(am_rules_identity(r), flat);
	am_rules_free(r);
	am_diags_release(&ds);
}

/* What a later folder may not do, each named with its file, line, the
 * parameter and the dates; all of them in one run. */
static void test_layer_refusals(void **state)
{
	static const char overlay[] =
		"parameters:\n"
		/* a past value changed: 1404 again */
		"  - name: wage.minimum.daily\n"
		"    unit: rial/day\n"
		"    confidence: H\n"
		"    description: {fa: حداقل, en: Minimum}\n"
		"    values:\n"
		"      - {from: 1404/01/01, to: 1404/12/29, value: 3500000,\n"
		"         reference: test figure}\n"
		"      - {from: 1405/01/01, value: 4000000, reference: test}\n"
		/* a rate in force without end */
		"  - name: contribution.insured\n"
		"    unit: rate\n"
		"    confidence: H\n"
		"    description: {fa: سهم, en: Share}\n"
		"    values:\n"
		"      - {from: 1405/01/01, value: 8%, reference: test}\n"
		/* other columns */
		"  - name: unemployment.duration\n"
		"    unit: table\n"
		"    confidence: H\n"
		"    description: {fa: مدت, en: Duration}\n"
		"    columns:\n"
		"      - {name: record_months_min, unit: months}\n"
		"      - {name: married, unit: months}\n"
		"    values:\n"
		"      - {from: 1405/01/01, reference: test, rows: [[6, 12]]}\n";
	const char *texts[] = { layer_base, overlay };
	const unsigned layer_of[] = { 0, 1 };
	struct am_rules *r;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(load_layers(&r, &ds, texts, layer_of, 2),
			 AM_ERULES_LAYER_OPEN);
	assert_null(r);
	assert_int_equal(ds.nr, 3);
	/* In order of parameter name. */
	assert_int_equal(ds.items[0].code, AM_ERULES_LAYER_OPEN);
	assert_string_equal(ds.items[0].file, "layer1/text1.yaml");
	assert_int_equal(ds.items[0].line, 15);
	assert_string_equal(ds.items[0].field, "contribution.insured");
	assert_string_equal(ds.items[0].value, "1405/01/01");
	assert_non_null(strstr(ds.items[0].expected, "layer0/text0.yaml:15"));
	assert_non_null(strstr(ds.items[0].expected, "1354/04/03"));

	assert_int_equal(ds.items[1].code, AM_ERULES_LAYER_MISMATCH);
	assert_int_equal(ds.items[1].line, 16);
	assert_string_equal(ds.items[1].field, "unemployment.duration");
	assert_string_equal(ds.items[1].value,
			    "table (record_months_min months, married months)");
	assert_string_equal(ds.items[1].expected,
			    "table (record_months_min months, single months), "
			    "as at layer0/text0.yaml:16");

	assert_int_equal(ds.items[2].code, AM_ERULES_LAYER_OVERLAP);
	assert_string_equal(ds.items[2].file, "layer1/text1.yaml");
	assert_int_equal(ds.items[2].line, 7);
	assert_string_equal(ds.items[2].field, "wage.minimum.daily");
	assert_string_equal(ds.items[2].value, "1404/01/01");
	assert_string_equal(ds.items[2].expected,
			    "1405/01/01 or later (the day after the value at "
			    "layer0/text0.yaml:8 ends)");
	am_diags_release(&ds);
}

/* A gap after the base, a third layer checked against the two before it,
 * and duplicates within a layer still refused while across layers a name
 * is the same parameter. */
static void test_layer_gap_and_three(void **state)
{
	static const char gap[] =
		"parameters:\n"
		"  - name: wage.minimum.daily\n"
		"    unit: rial/day\n"
		"    confidence: H\n"
		"    description: {fa: حداقل, en: Minimum}\n"
		"    values:\n"
		"      - {from: 1405/02/01, value: 4000000, reference: test}\n";
	static const char next_1406[] =
		"parameters:\n"
		"  - name: wage.minimum.daily\n"
		"    unit: rial/day\n"
		"    confidence: H\n"
		"    description: {fa: حداقل, en: Minimum}\n"
		"    values:\n"
		"      - {from: 1406/01/01, value: 5000000, reference: test}\n";
	const char *texts[] = { layer_base, gap, layer_1405, next_1406,
				next_1406 };
	const unsigned gap_layers[] = { 0, 1 };
	const unsigned three[] = { 0, 1, 2 };
	const unsigned dup[] = { 0, 1, 1 };
	struct am_rules *r;
	struct am_diags ds;
	am_money m;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(load_layers(&r, &ds, texts, gap_layers, 2),
			 AM_ERULES_DATE_GAP);
	assert_int_equal(ds.nr, 1);
	assert_string_equal(ds.items[0].value, "1405/02/01");
	assert_non_null(strstr(ds.items[0].expected, "1405/01/01 "));

	texts[1] = layer_1405;
	texts[2] = next_1406;
	am_diags_clear(&ds);
	if (load_layers(&r, &ds, texts, three, 3) != 0) {
		dump(&ds);
		fail_msg("three layers refused");
	}
	assert_int_equal(am_rules_money(r, "wage.minimum.daily",
					jdate("1406/05/05"), &m, NULL),
			 0);
	assert_int_equal(m, 5000000);
	assert_int_equal(am_rules_find(r, "wage.minimum.daily")->nvalues, 4);
	am_rules_free(r);

	/* 1406 over the base directly: a gap of a year. */
	texts[1] = next_1406;
	assert_int_equal(load_layers(&r, &ds, texts, gap_layers, 2),
			 AM_ERULES_DATE_GAP);

	/* Twice in one layer is a duplicate, as in one folder. */
	texts[1] = layer_1405;
	texts[2] = layer_1405;
	am_diags_clear(&ds);
	assert_int_equal(load_layers(&r, &ds, texts, dup, 3),
			 AM_ERULES_DUPLICATE);
	assert_int_equal(ds.nr, 2);
	assert_int_equal(ds.items[0].code, AM_ERULES_DUPLICATE);
	assert_string_equal(ds.items[1].value, "wage.minimum.daily");
	assert_string_equal(ds.items[1].file, "layer1/text2.yaml");
	assert_non_null(strstr(ds.items[1].expected, "layer1/text1.yaml:2"));
	am_diags_release(&ds);
}

static void test_layer_api(void **state)
{
	struct am_rules *r;

	(void)state;
	assert_int_equal(am_rules_add_layer(NULL, "x"), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_rules_new(&r), 0);
	for (int i = 0; i < AM_RULES_LAYERS_MAX; i++)
		assert_int_equal(am_rules_add_layer(r, NULL), 0);
	assert_int_equal(am_rules_add_layer(r, "one more"), AM_ETOO_LONG);
	assert_int_equal(am_rules_layer_count(r), 0); /* not finished */
	assert_int_equal(am_rules_finish(r, NULL), 0);
	assert_int_equal(am_rules_layer_count(r), AM_RULES_LAYERS_MAX);
	assert_int_equal(am_rules_add_layer(r, "x"), AM_EINVALID_ARGUMENT);
	am_rules_free(r);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Folders: the base with an overlay, a missing overlay named and the rest
 * still checked, none and too many. */
static void test_load_dirs(void **state)
{
	char base[] = "/tmp/amanat-base-XXXXXX";
	char over[] = "/tmp/amanat-over-XXXXXX";
	const char *dirs[AM_RULES_LAYERS_MAX + 1];
	struct am_rules *r, *alone;
	struct am_diags ds;
	char cmd[256];
	am_money m;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(over));
	write_text(base, "wages.yaml", layer_base);
	write_text(over, "wages-1405.yaml", layer_1405);
	am_diags_init(&ds, 0);
	dirs[0] = base;
	dirs[1] = over;
	if (am_rules_load_dirs(dirs, 2, &r, &ds) != 0) {
		dump(&ds);
		fail_msg("refused");
	}
	assert_int_equal(am_rules_layer_count(r), 2);
	assert_string_equal(am_rules_layer_name(r, 1), over);
	assert_int_equal(am_rules_money(r, "wage.minimum.daily",
					jdate("1405/01/01"), &m, NULL),
			 0);
	assert_int_equal(m, 4000000);
	assert_true(ends_with(
		am_rules_find(r, "wage.minimum.daily")->values[2].file,
		"/wages-1405.yaml"));
	assert_int_equal(am_rules_load_dir(base, &alone, &ds), 0);
	assert_string_not_equal(am_rules_identity(alone), am_rules_identity(r));
	assert_int_equal(am_rules_layer_count(alone), 1);
	assert_string_equal(am_rules_layer_name(alone, 0), base);
	am_rules_free(alone);
	am_rules_free(r);

	/* A missing folder in the middle: named, the others still read
	 * (the bad file of the last one is reported too). */
	write_text(over, "zz-bad.yaml", "parameters: [\n");
	dirs[1] = "/nonexistent/amanat-rules";
	dirs[2] = over;
	assert_int_equal(am_rules_load_dirs(dirs, 3, &r, &ds), AM_ERULES_DIR);
	assert_null(r);
	assert_int_equal(ds.nr, 2);
	assert_int_equal(ds.items[0].code, AM_ERULES_DIR);
	assert_string_equal(ds.items[0].file, "/nonexistent/amanat-rules");
	assert_int_equal(ds.items[1].code, AM_ERULES_SYNTAX);
	assert_true(ends_with(ds.items[1].file, "/zz-bad.yaml"));

	am_diags_clear(&ds);
	assert_int_equal(am_rules_load_dirs(dirs, 0, &r, &ds), AM_ERULES_DIR);
	for (size_t i = 0; i < AM_ARRAY_SIZE_T(dirs); i++)
		dirs[i] = base;
	assert_int_equal(
		am_rules_load_dirs(dirs, AM_ARRAY_SIZE_T(dirs), &r, &ds),
		AM_ETOO_LONG);
	assert_null(r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", base, over);
	assert_int_equal(system(cmd), 0);
	am_diags_release(&ds);
}

/* ---- The Iranian rules, when they are there ---- */

static bool has_rule_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		found = de->d_name[0] != '.' &&
			((n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0) ||
			 (n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0));
	}
	closedir(d);
	return found;
}

static void test_rules_ir(void **state)
{
	const char *dir = getenv("AMANAT_RULES");
	struct am_rules *r;
	struct am_diags ds;
	int err;

	(void)state;
	if (!dir || !has_rule_files(dir)) {
		printf("    note: no rule files in %s yet; not checked\n",
		       dir ? dir : "$AMANAT_RULES");
		skip();
	}
	am_diags_init(&ds, 0);
	err = am_rules_load_dir(dir, &r, &ds);
	if (err) {
		dump(&ds);
		fail_msg("%s: %zu errors", dir, am_diags_total(&ds));
	}
	assert_true(am_rules_count(r) > 0);
	assert_int_equal(strlen(am_rules_identity(r)), 64);
	am_rules_free(r);
	am_diags_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_unknown_key_line),
		cmocka_unit_test(test_gap_and_overlap_text),
		cmocka_unit_test(test_date_edges),
		cmocka_unit_test(test_all_errors_of_all_files),
		cmocka_unit_test(test_duplicates_across_files),
		cmocka_unit_test(test_duplicates_with_errors),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_deep_and_large),
		cmocka_unit_test(test_api_misuse),
		cmocka_unit_test(test_dir_errors),
		cmocka_unit_test(test_good_set),
		cmocka_unit_test(test_lookup_by_date),
		cmocka_unit_test(test_typed_lookups),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_persian_digits),
		cmocka_unit_test(test_each_unit),
		cmocka_unit_test(test_unit_names),
		cmocka_unit_test(test_scalar_format),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_layer_adds_a_year),
		cmocka_unit_test(test_layer_refusals),
		cmocka_unit_test(test_layer_gap_and_three),
		cmocka_unit_test(test_layer_api),
		cmocka_unit_test(test_load_dirs),
		cmocka_unit_test(test_rules_ir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
