/* Golden lookups: tests/data/rules_lookup.txt, lines of PARAM DATE
 * EXPECTED, evaluated against the fixture set tests/data/rules/good/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/rules.h"

static const char *testdata(void)
{
	const char *dir = getenv("AMANAT_TESTDATA");

	return dir && *dir ? dir : "tests/data";
}

/* The value as the golden file writes it. */
static void format_value(const struct am_param *p, const struct am_value *v,
			 struct am_buf *out)
{
	char cell[256];

	if (p->unit != AM_UNIT_TABLE) {
		am_scalar_format(&v->scalar, cell, sizeof(cell));
		am_buf_adds(out, cell);
		return;
	}
	for (size_t r = 0; r < v->nrows; r++) {
		if (r)
			am_buf_addch(out, ';');
		for (size_t c = 0; c < p->ncolumns; c++) {
			if (c)
				am_buf_addch(out, ',');
			am_scalar_format(am_value_cell(p, v, r, c), cell,
					 sizeof(cell));
			am_buf_adds(out, cell);
		}
	}
}

static struct am_rules *load_good(void)
{
	struct am_rules *r = NULL;
	struct am_diags ds;
	char dir[1024];
	struct am_buf b;

	snprintf(dir, sizeof(dir), "%s/rules/good", testdata());
	am_diags_init(&ds, 0);
	if (am_rules_load_dir(dir, &r, &ds) != 0) {
		am_buf_init(&b, 0);
		for (size_t i = 0; i < ds.nr; i++) {
			am_buf_clear(&b);
			am_diag_format(&ds.items[i], AM_LANG_EN, &b);
			printf("    %s\n", b.buf);
		}
		am_buf_release(&b);
		fail_msg("cannot load %s", dir);
	}
	am_diags_release(&ds);
	return r;
}

/* One line: 0 when it holds, else 1 with the difference printed. */
static int check_line(const struct am_rules *r, unsigned lineno, char *line)
{
	char *save = NULL;
	char *name = strtok_r(line, " \t", &save);
	char *date = strtok_r(NULL, " \t", &save);
	char *want = strtok_r(NULL, " \t\r\n", &save);
	const struct am_value *v;
	struct am_buf got;
	am_date on;
	int err, bad = 0;

	if (!name || !date || !want || strtok_r(NULL, " \t\r\n", &save)) {
		printf("    line %u: not PARAM DATE EXPECTED\n", lineno);
		return 1;
	}
	if (am_jalali_parse(date, strlen(date), &on) != 0) {
		printf("    line %u: bad date '%s'\n", lineno, date);
		return 1;
	}
	am_buf_init(&got, 0);
	err = am_rules_value(r, name, on, &v, NULL);
	if (err)
		am_buf_addf(&got, "!%s", am_error_id(err));
	else
		format_value(am_rules_find(r, name), v, &got);
	if (strcmp(got.buf, want) != 0) {
		printf("    line %u: %s on %s: expected %s, got %s\n", lineno,
		       name, date, want, got.buf);
		bad = 1;
	}
	am_buf_release(&got);
	return bad;
}

static void test_golden(void **state)
{
	struct am_rules *r = load_good();
	unsigned lineno = 0, cases = 0, failed = 0, errors = 0;
	char path[1024], line[1024];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/rules_lookup.txt", testdata());
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		cases++;
		if (strstr(line, " !"))
			errors++;
		failed += (unsigned)check_line(r, lineno, line);
	}
	fclose(f);
	am_rules_free(r);
	printf("    %u golden lookups (%u errors), %u failed\n", cases, errors,
	       failed);
	assert_int_equal(failed, 0);
	/* The file must not shrink to nothing unnoticed. */
	assert_true(cases >= 30);
	assert_true(errors >= 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
