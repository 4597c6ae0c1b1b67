/* Fuzz target for the rules loader: arbitrary bytes as one rule file, or
 * as two folders laid one over the other when a line "#layer" splits them.
 * A refusal must come with diagnostics; a set that loads must answer every
 * lookup without crashing, and its values must keep their invariants. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/error.h"
#include "amanat/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() rather than assert(), so the check holds in release builds. */
static void expect(bool ok)
{
	if (!ok)
		abort();
}

static void check_value(const struct am_param *p, const struct am_value *v)
{
	char text[64];

	expect(v->from <= v->to);
	expect(v->reference && v->reference[0]);
	if (p->unit != AM_UNIT_TABLE) {
		expect(v->scalar.unit == p->unit);
		expect(am_scalar_format(&v->scalar, text, sizeof(text)) > 0);
		return;
	}
	expect(v->nrows > 0);
	for (size_t r = 0; r < v->nrows; r++)
		for (size_t c = 0; c < p->ncolumns; c++)
			expect(am_value_cell(p, v, r, c)->unit ==
			       p->columns[c].unit);
	expect(am_value_cell(p, v, v->nrows, 0) == NULL);
}

/* Every value is found on its first and last day, and nothing is found
 * the day before the first or after an ended last one. */
static void check_param(const struct am_rules *r, const struct am_param *p)
{
	const struct am_value *v, *first = &p->values[0];
	const struct am_value *last = &p->values[p->nvalues - 1];
	struct am_diag d;

	expect(am_rules_find(r, p->name) == p);
	for (size_t i = 0; i < p->nvalues; i++) {
		check_value(p, &p->values[i]);
		expect(p->values[i].layer < am_rules_layer_count(r));
		if (i)
			expect(p->values[i].from == p->values[i - 1].to + 1 &&
			       p->values[i].layer >= p->values[i - 1].layer);
		expect(am_rules_value(r, p->name, p->values[i].from, &v,
				      NULL) == 0 &&
		       v == &p->values[i]);
		expect(am_rules_value(r, p->name, p->values[i].to, &v, &d) ==
			       0 &&
		       v == &p->values[i]);
	}
	expect(am_rules_value(r, p->name, first->from - 1, &v, &d) ==
	       AM_ERULES_NO_VALUE);
	if (last->to != AM_DATE_OPEN)
		expect(am_rules_value(r, p->name, last->to + 1, &v, &d) ==
		       AM_ERULES_NO_VALUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct am_value *v;
	struct am_rules *r;
	struct am_diags ds;
	am_money m;
	int err, fin;

	static const char mark[] = "\n#layer\n";
	const char *text = (const char *)data;
	const char *cut = memmem(data, size, mark, sizeof(mark) - 1);
	size_t first = cut ? (size_t)(cut - text) + 1 : size;

	am_diags_init(&ds, 100);
	if (am_rules_new(&r) != 0)
		return 0;
	err = am_rules_add_text(r, "base.yaml", text, first, &ds);
	if (cut) {
		int err2;

		expect(am_rules_add_layer(r, "over") == 0);
		err2 = am_rules_add_text(r, "over.yaml", text + first,
					 size - first, &ds);
		if (!err)
			err = err2;
	}
	fin = am_rules_finish(r, &ds);
	/* A text's error stays the set's error; else only duplicates, or
	 * a later folder that does not continue the one below. */
	expect(err ? fin == err
		   : fin == 0 || fin == AM_ERULES_DUPLICATE ||
			       (cut && (fin == AM_ERULES_LAYER_OVERLAP ||
					fin == AM_ERULES_LAYER_OPEN ||
					fin == AM_ERULES_LAYER_MISMATCH ||
					fin == AM_ERULES_DATE_GAP)));
	if (fin) {
		expect(am_diags_total(&ds) > 0);
		expect(am_rules_count(r) == 0);
		goto out;
	}
	expect(strlen(am_rules_identity(r)) == 64);
	for (size_t i = 0; i < am_rules_count(r); i++)
		check_param(r, am_rules_at(r, i));
	if (am_rules_count(r) > 0)
		am_rules_money(r, am_rules_at(r, 0)->name, 20000, &m, NULL);
	expect(am_rules_value(r, "no.such.name", 0, &v, NULL) ==
	       AM_ERULES_UNKNOWN_PARAM);
out:
	am_rules_free(r);
	am_diags_release(&ds);
	return 0;
}
