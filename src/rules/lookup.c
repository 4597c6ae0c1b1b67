/* Lookups in a loaded rule set: parameters by name, its layers, the value
 * in force on a date (never carried forward), typed access and the text of
 * a scalar. */
#include "core/internal.h"

#include "rules/rules_int.h"

static const char *const unit_names[] = {
	[AM_UNIT_RIAL] = "rial",	 [AM_UNIT_RIAL_PER_DAY] = "rial/day",
	[AM_UNIT_RATE] = "rate",	 [AM_UNIT_DAYS] = "days",
	[AM_UNIT_MONTHS] = "months",	 [AM_UNIT_YEARS] = "years",
	[AM_UNIT_COUNT] = "count",	 [AM_UNIT_DATE] = "date",
	[AM_UNIT_ROUNDING] = "rounding", [AM_UNIT_BOOL] = "bool",
	[AM_UNIT_TEXT] = "text",	 [AM_UNIT_TABLE] = "table",
};

const char *am_unit_name(enum am_unit u)
{
	if ((unsigned)u < AM_ARRAY_SIZE(unit_names) && unit_names[u])
		return unit_names[u];
	return "unknown";
}

int am_unit_parse(const char *name, enum am_unit *out)
{
	for (size_t i = 0; i < AM_ARRAY_SIZE(unit_names); i++) {
		if (unit_names[i] && strcmp(name, unit_names[i]) == 0) {
			*out = (enum am_unit)i;
			return 0;
		}
	}
	return AM_ERULES_BAD_UNIT;
}

size_t am_rules_count(const struct am_rules *r)
{
	return r && r->finished ? r->nparams : 0;
}

const struct am_param *am_rules_at(const struct am_rules *r, size_t i)
{
	return i < am_rules_count(r) ? &r->params[i] : NULL;
}

size_t am_rules_layer_count(const struct am_rules *r)
{
	return r && r->finished ? r->nlayers : 0;
}

const char *am_rules_layer_name(const struct am_rules *r, size_t i)
{
	return i < am_rules_layer_count(r) ? r->layers[i] : NULL;
}

const struct am_param *am_rules_find(const struct am_rules *r, const char *name)
{
	size_t lo = 0, hi = am_rules_count(r);

	if (!name)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(name, r->params[mid].name);

		if (d == 0)
			return &r->params[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The value in force on a date: the last one starting on or before it, if
 * it has not ended by then. Values are sorted and do not overlap. */
static const struct am_value *value_on(const struct am_param *p, am_date on)
{
	size_t lo = 0, hi = p->nvalues;
	const struct am_value *v;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->values[mid].from <= on)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	v = &p->values[lo - 1];
	return on <= v->to ? v : NULL;
}

/* "1390/01/01..1403/12/29", or "1390/01/01.." while the last is open. */
static void span_text(const struct am_param *p, char *out, size_t size)
{
	char from[AM_DATE_FMT_MAX], to[AM_DATE_FMT_MAX] = "";
	const struct am_value *last = &p->values[p->nvalues - 1];

	am_date_format_jalali(p->values[0].from, false, from);
	if (last->to != AM_DATE_OPEN)
		am_date_format_jalali(last->to, false, to);
	snprintf(out, size, "a date in %s..%s", from, to);
}

int am_rules_value(const struct am_rules *r, const char *name, am_date on,
		   const struct am_value **out, struct am_diag *diag)
{
	const struct am_param *p = am_rules_find(r, name);
	char date[AM_DATE_FMT_MAX], span[AM_DIAG_TEXT];
	const struct am_value *v;

	if (!p) {
		if (diag)
			am_diag_set(diag, AM_ERULES_UNKNOWN_PARAM, NULL, 0,
				    "parameter", name, NULL);
		return AM_ERULES_UNKNOWN_PARAM;
	}
	v = value_on(p, on);
	if (!v) {
		if (diag) {
			am_date_format_jalali(on, false, date);
			span_text(p, span, sizeof(span));
			am_diag_set(diag, AM_ERULES_NO_VALUE, p->file, p->line,
				    p->name, date, span);
		}
		return AM_ERULES_NO_VALUE;
	}
	*out = v;
	return 0;
}

/* The value, when the parameter's unit is one of want[0..n). */
static int typed(const struct am_rules *r, const char *name, am_date on,
		 const enum am_unit *want, size_t n, const char *wanted,
		 const struct am_value **out, struct am_diag *diag)
{
	const struct am_param *p;
	int err = am_rules_value(r, name, on, out, diag);

	if (err)
		return err;
	p = am_rules_find(r, name);
	for (size_t i = 0; i < n; i++)
		if (p->unit == want[i])
			return 0;
	if (diag)
		am_diag_set(diag, AM_ERULES_TYPE_MISMATCH, p->file, p->line,
			    p->name, am_unit_name(p->unit), wanted);
	return AM_ERULES_TYPE_MISMATCH;
}

int am_rules_money(const struct am_rules *r, const char *name, am_date on,
		   am_money *out, struct am_diag *diag)
{
	static const enum am_unit want[] = { AM_UNIT_RIAL,
					     AM_UNIT_RIAL_PER_DAY };
	const struct am_value *v;
	int err = typed(r, name, on, want, AM_ARRAY_SIZE(want),
			"rial or rial/day", &v, diag);

	if (!err)
		*out = v->scalar.u.money;
	return err;
}

int am_rules_rate(const struct am_rules *r, const char *name, am_date on,
		  struct am_rate *out, struct am_diag *diag)
{
	static const enum am_unit want[] = { AM_UNIT_RATE };
	const struct am_value *v;
	int err = typed(r, name, on, want, 1, "rate", &v, diag);

	if (!err)
		*out = v->scalar.u.rate;
	return err;
}

int am_rules_int(const struct am_rules *r, const char *name, am_date on,
		 int64_t *out, struct am_diag *diag)
{
	static const enum am_unit want[] = { AM_UNIT_DAYS, AM_UNIT_MONTHS,
					     AM_UNIT_YEARS, AM_UNIT_COUNT };
	const struct am_value *v;
	int err = typed(r, name, on, want, AM_ARRAY_SIZE(want),
			"days, months, years or count", &v, diag);

	if (!err)
		*out = v->scalar.u.i;
	return err;
}

int am_rules_rounding(const struct am_rules *r, const char *name, am_date on,
		      enum am_round *out, struct am_diag *diag)
{
	static const enum am_unit want[] = { AM_UNIT_ROUNDING };
	const struct am_value *v;
	int err = typed(r, name, on, want, 1, "rounding", &v, diag);

	if (!err)
		*out = v->scalar.u.round;
	return err;
}

int am_rules_bool(const struct am_rules *r, const char *name, am_date on,
		  bool *out, struct am_diag *diag)
{
	static const enum am_unit want[] = { AM_UNIT_BOOL };
	const struct am_value *v;
	int err = typed(r, name, on, want, 1, "bool", &v, diag);

	if (!err)
		*out = v->scalar.u.b;
	return err;
}

int am_param_column(const struct am_param *p, const char *name)
{
	if (!p || !name)
		return -1;
	for (size_t i = 0; i < p->ncolumns && i < INT_MAX; i++)
		if (strcmp(p->columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct am_scalar *am_value_cell(const struct am_param *p,
				      const struct am_value *v, size_t row,
				      size_t col)
{
	if (!p || !v || p->unit != AM_UNIT_TABLE || row >= v->nrows ||
	    col >= p->ncolumns)
		return NULL;
	return &v->cells[row * p->ncolumns + col];
}

size_t am_scalar_format(const struct am_scalar *s, char *out, size_t size)
{
	char tmp[AM_MONEY_FMT_MAX > 64 ? AM_MONEY_FMT_MAX : 64];
	const char *text = tmp;

	switch (s->unit) {
	case AM_UNIT_RIAL:
	case AM_UNIT_RIAL_PER_DAY:
		am_money_format(s->u.money, false, false, tmp);
		break;
	case AM_UNIT_RATE:
		am_rate_format(s->u.rate, tmp);
		break;
	case AM_UNIT_DAYS:
	case AM_UNIT_MONTHS:
	case AM_UNIT_YEARS:
	case AM_UNIT_COUNT:
		snprintf(tmp, sizeof(tmp), "%" PRId64, s->u.i);
		break;
	case AM_UNIT_DATE:
		am_date_format_jalali(s->u.date, false, tmp);
		break;
	case AM_UNIT_ROUNDING:
		text = am_round_name(s->u.round);
		break;
	case AM_UNIT_BOOL:
		text = s->u.b ? "true" : "false";
		break;
	case AM_UNIT_TEXT:
		text = s->u.text ? s->u.text : "";
		break;
	default:
		text = "";
		break;
	}
	am__strlcpy(out, text, size); /* never cuts a UTF-8 sequence */
	return strlen(text);
}
