/* Rule folders laid over one another: a later folder (an operator's next
 * year) only adds values from the day after the earlier ones end. */
#include "core/internal.h"

#include "rules/rules_int.h"

/*
 * Why so strict: a decision records the identity of the rules it was made
 * by, and a list of 1404 assessed last month must assess the same today.
 * So a later folder may not touch what an earlier one says of a day, not
 * even to repeat it, nor end a value the earlier folder left without end
 * (a rate in force "until changed" is changed by a release, which can say
 * from when); it may only continue a parameter where its values stop, or
 * bring a parameter of its own.
 */

/* "rate", or "table (record_months_min months, single months)". */
static void shape_text(const struct am_param *p, char *out, size_t size)
{
	size_t used;

	snprintf(out, size, "%s", am_unit_name(p->unit));
	for (size_t c = 0; c < p->ncolumns; c++) {
		used = strlen(out);
		snprintf(out + used, size - used, "%s%s %s", c ? ", " : " (",
			 p->columns[c].name, am_unit_name(p->columns[c].unit));
	}
	used = strlen(out);
	if (p->ncolumns)
		snprintf(out + used, size - used, ")");
}

static bool same_shape(const struct am_param *a, const struct am_param *b)
{
	if (a->unit != b->unit || a->ncolumns != b->ncolumns)
		return false;
	for (size_t c = 0; c < a->ncolumns; c++)
		if (a->columns[c].unit != b->columns[c].unit ||
		    strcmp(a->columns[c].name, b->columns[c].name) != 0)
			return false;
	return true;
}

static void add(struct am_diags *diags, int code, const struct am_param *q,
		unsigned line, const char *found, const char *expected)
{
	if (diags)
		am_diags_add(diags, code, q->file, line, q->name, found,
			     expected);
}

/* Whether q, of a later layer, may continue acc (what the layers before
 * it give): 0, or the problem, added to diags. The diagnostic names the
 * later file and line, the parameter, the date its values start and where
 * the earlier ones end. */
static int check_layer(const struct am_param *acc, const struct am_param *q,
		       struct am_diags *diags)
{
	const struct am_value *last = &acc->values[acc->nvalues - 1];
	const struct am_value *v = &q->values[0];
	char found[AM_DIAG_TEXT], expected[AM_DIAG_TEXT];
	char from[AM_DATE_FMT_MAX], day[AM_DATE_FMT_MAX];

	if (!same_shape(acc, q)) {
		char shape[AM_DIAG_TEXT / 2];

		shape_text(q, found, sizeof(found));
		shape_text(acc, shape, sizeof(shape));
		snprintf(expected, sizeof(expected), "%s, as at %s:%u", shape,
			 acc->file, acc->line);
		add(diags, AM_ERULES_LAYER_MISMATCH, q, q->line, found,
		    expected);
		return AM_ERULES_LAYER_MISMATCH;
	}
	am_date_format_jalali(v->from, false, from);
	if (last->to == AM_DATE_OPEN) {
		am_date_format_jalali(last->from, false, day);
		snprintf(expected, sizeof(expected),
			 "no later value: the value at %s:%u is in force "
			 "from %s without end",
			 last->file, last->line, day);
		add(diags, AM_ERULES_LAYER_OPEN, q, v->line, from, expected);
		return AM_ERULES_LAYER_OPEN;
	}
	am_date_format_jalali(last->to + 1, false, day);
	if (v->from <= last->to) {
		snprintf(expected, sizeof(expected),
			 "%s or later (the day after the value at %s:%u ends)",
			 day, last->file, last->line);
		add(diags, AM_ERULES_LAYER_OVERLAP, q, v->line, from, expected);
		return AM_ERULES_LAYER_OVERLAP;
	}
	if (v->from > last->to + 1) {
		snprintf(expected, sizeof(expected),
			 "%s (the day after the value at %s:%u ends)", day,
			 last->file, last->line);
		add(diags, AM_ERULES_DATE_GAP, q, v->line, from, expected);
		return AM_ERULES_DATE_GAP;
	}
	return 0;
}

/* acc's values followed by q's, in r's arena. */
static int append(struct am_rules *r, struct am_param *acc,
		  const struct am_param *q)
{
	size_t n = acc->nvalues + q->nvalues;
	struct am_value *vals = am_arena_alloc(&r->arena, n * sizeof(*vals));

	if (!vals)
		return AM_ENOMEM;
	memcpy(vals, acc->values, acc->nvalues * sizeof(*vals));
	memcpy(vals + acc->nvalues, q->values, q->nvalues * sizeof(*vals));
	acc->values = vals;
	acc->nvalues = n;
	return 0;
}

int am__rules_merge(struct am_rules *r, const struct am__pending *const *group,
		    size_t n, struct am_param *out, struct am_diags *diags)
{
	int first = 0;

	assert(n > 0 && group[0]->param.nvalues > 0);
	*out = group[0]->param;
	/* Each later layer against what the ones before it give; one that
	 * does not fit is left out, and the next checked all the same. */
	for (size_t i = 1; i < n; i++) {
		const struct am_param *q = &group[i]->param;
		int err = check_layer(out, q, diags);

		if (!err)
			err = append(r, out, q);
		if (!first)
			first = err;
	}
	return first;
}
