/* Assessment of wage-list lines: the rule figures of a period looked up once,
 * and each line's contribution shares on its floored and capped subject wage. */
#include "core/internal.h"

#include "amanat/assess.h"

#include "domain/wagelist_int.h"

/* The period's first and last days and length, or a diagnostic naming the
 * header field that is wrong. */
static int period_days(struct am_period p, struct am_assess_params *out,
		       struct am_diag *diag)
{
	char v[32];
	int err;

	if (p.month < 1 || p.month > 12) {
		snprintf(v, sizeof(v), "%d", p.month);
		if (diag)
			am_diag_set(diag, AM_EWAGE_PERIOD_RANGE, NULL, 0,
				    "DSK_MM", v, "1..12");
		return AM_EWAGE_PERIOD_RANGE;
	}
	err = am_period_first_day(p, &out->first_day);
	if (!err)
		err = am_period_last_day(p, &out->last_day);
	if (err) {
		snprintf(v, sizeof(v), "%d", p.year);
		if (diag)
			am_diag_set(diag, err, NULL, 0, "DSK_YY", v,
				    "a year the calendar covers");
		return err;
	}
	out->period = p;
	out->month_days = am_jalali_month_length(p.year, p.month);
	return 0;
}

/* An int parameter that must fit in an int and be >= 0. */
static int lookup_small_int(const struct am_rules *r, const char *name,
			    am_date on, int *out, struct am_diag *diag)
{
	int64_t v;
	int err = am_rules_int(r, name, on, &v, diag);

	if (err)
		return err;
	if (v < 0 || v > INT_MAX) {
		if (diag)
			am_diag_set(diag, AM_ERULES_BAD_VALUE, NULL, 0, name,
				    NULL, "0..2147483647");
		return AM_ERULES_BAD_VALUE;
	}
	*out = (int)v;
	return 0;
}

/* RULE ir.contribution.small_exempt: who pays the exempt employer's share,
 * as a code word; only "state" and "employer" can be applied to a line. */
static int lookup_exempt_payer(const struct am_rules *r, am_date on,
			       bool *state_pays, struct am_diag *diag)
{
	static const char name[] =
		"contribution.small_exempt.employer_share_payer";
	const struct am_value *v;
	int err = am_rules_value(r, name, on, &v, diag);

	if (err)
		return err;
	if (v->scalar.unit == AM_UNIT_TEXT &&
	    strcmp(v->scalar.u.text, "state") == 0) {
		*state_pays = true;
		return 0;
	}
	if (v->scalar.unit == AM_UNIT_TEXT &&
	    strcmp(v->scalar.u.text, "employer") == 0) {
		*state_pays = false;
		return 0;
	}
	if (diag)
		am_diag_set(diag, AM_ERULES_BAD_VALUE, NULL, v->line, name,
			    v->scalar.unit == AM_UNIT_TEXT ? v->scalar.u.text
							   : NULL,
			    "state or employer");
	return AM_ERULES_BAD_VALUE;
}

/* The lookups of a period: the first error and its diagnostic, and each
 * parameter with no value in force, noted in missing (when not NULL). */
struct lookups {
	int err;
	struct am_diag *diag; /* the first error's; may be NULL */
	struct am_diags *missing;
	struct am_diag d; /* the last lookup's */
};

/* One lookup's result. The lookups go on after an error, so that every
 * parameter without a value is named, not only the first. */
static void note(struct lookups *lk, int err)
{
	if (!err)
		return;
	if (err == AM_ERULES_NO_VALUE && lk->missing)
		am_diags_push(lk->missing, &lk->d);
	if (!lk->err) {
		lk->err = err;
		if (lk->diag)
			*lk->diag = lk->d;
	}
}

static int load(const struct am_rules *r, struct am_period p,
		struct am_assess_params *out, struct am_diag *diag,
		struct am_diags *missing)
{
	struct lookups lk = { .diag = diag, .missing = missing };
	struct am_assess_params a;
	am_date on;
	int err;

	memset(&a, 0, sizeof(a));
	err = period_days(p, &a, diag);
	if (err)
		return err;
	on = a.first_day;
	/* RULE ir.contribution.art28: 7% insured, 20% employer, 3% state */
	note(&lk, am_rules_rate(r, "contribution.compulsory.insured", on,
				&a.insured, &lk.d));
	note(&lk, am_rules_rate(r, "contribution.compulsory.employer", on,
				&a.employer, &lk.d));
	note(&lk, am_rules_rate(r, "contribution.compulsory.state", on,
				&a.state, &lk.d));
	/* RULE ir.contribution.uia: 3% unemployment, on top of the 20% */
	note(&lk, am_rules_rate(r, "contribution.unemployment.employer", on,
				&a.unemployment, &lk.d));
	/* RULE ir.contribution.art76: 4% for hard and harmful jobs */
	note(&lk, am_rules_rate(r, "contribution.hard_harmful.employer", on,
				&a.hard_harmful, &lk.d));
	note(&lk,
	     lookup_exempt_payer(r, on, &a.exempt_state_pays_employer, &lk.d));
	note(&lk,
	     am_rules_bool(
		     r,
		     "contribution.small_exempt.unemployment_paid_by_employer",
		     on, &a.exempt_pays_unemployment, &lk.d));
	note(&lk,
	     am_rules_money(r, "wage.minimum.daily", on, &a.min_daily, &lk.d));
	note(&lk, am_rules_money(r, "wage.ceiling.daily", on, &a.ceiling_daily,
				 &lk.d));
	note(&lk, am_rules_rounding(r, "contribution.rounding", on, &a.rounding,
				    &lk.d));
	note(&lk, am_rules_money(r, "wagelist.bime_tolerance", on,
				 &a.bime_tolerance, &lk.d));
	note(&lk,
	     lookup_small_int(r, "wagelist.max_days", on, &a.max_days, &lk.d));
	note(&lk, lookup_small_int(r, "wagelist.kind", on, &a.kind, &lk.d));
	if (lk.err)
		return lk.err;
	am__strlcpy(a.rules_identity, am_rules_identity(r),
		    sizeof(a.rules_identity));
	*out = a;
	return 0;
}

int am_assess_params_load(const struct am_rules *r, struct am_period p,
			  struct am_assess_params *out, struct am_diag *diag)
{
	return load(r, p, out, diag, NULL);
}

size_t am_assess_params_missing(const struct am_rules *r, struct am_period p,
				struct am_diags *missing)
{
	size_t before = am_diags_total(missing);
	struct am_assess_params a;

	load(r, p, &a, NULL, missing);
	return am_diags_total(missing) - before;
}

int am__wage_line_base(const struct am_assess_params *p,
		       const struct am_wage_line *line, am_money *out)
{
	am_money floor, cap, base = line->subject_wage;
	int err;

	am_testcase(line->days == 0);
	if (line->days <= 0) {
		*out = 0;
		return 0;
	}
	/* RULE ir.wage.minimum: never assessed on less than the minimum
	 * wage for the days worked. */
	err = am_money_mul_int(p->min_daily, line->days, &floor);
	/* RULE ir.wage.ceiling: nor on more than the ceiling for them. */
	if (!err)
		err = am_money_mul_int(p->ceiling_daily, line->days, &cap);
	if (err)
		return err;
	if (base < floor)
		base = floor;
	if (base > cap)
		base = cap;
	*out = base;
	return 0;
}

/* The line's hard-and-harmful days: its own when given, else all its days
 * in a hard-and-harmful workshop; never more than the days worked. */
static int hard_harmful_days(const struct am_workshop_terms *t,
			     const struct am_wage_line *line)
{
	int hh;

	if (line->days <= 0)
		return 0;
	if (line->hard_harmful_days > 0)
		hh = line->hard_harmful_days;
	else if (t->hard_harmful)
		hh = line->days;
	else
		hh = 0;
	return hh > line->days ? line->days : hh;
}

/* RULE ir.contribution.art76: 4% × hh / days of the base, as one exact
 * rate {num × hh, den × days} rounded once. */
static int hard_harmful_share(const struct am_assess_params *p, am_money base,
			      int hh, int days, am_money *out)
{
	struct am_rate r;

	if (hh == 0) {
		*out = 0;
		return 0;
	}
	if (__builtin_mul_overflow(p->hard_harmful.num, (int64_t)hh, &r.num) ||
	    __builtin_mul_overflow(p->hard_harmful.den, (int64_t)days, &r.den))
		return AM_EMONEY_OVERFLOW;
	return am_money_mul_rate(base, r, p->rounding, out);
}

int am_wage_line_assess(const struct am_assess_params *p,
			const struct am_workshop_terms *t,
			const struct am_wage_line *line,
			struct am_line_assessment *out)
{
	struct am_line_assessment a = { 0 };
	bool exempt = t->small_exempt && p->exempt_state_pays_employer;
	am_money employer;
	int err;

	err = am__wage_line_base(p, line, &a.base);
	/* RULE ir.contribution.art28 */
	if (!err)
		err = am_money_mul_rate(a.base, p->insured, p->rounding,
					&a.insured);
	if (!err)
		err = am_money_mul_rate(a.base, p->employer, p->rounding,
					&employer);
	if (!err)
		err = am_money_mul_rate(a.base, p->state, p->rounding,
					&a.state);
	/* RULE ir.contribution.uia */
	if (!err)
		err = am_money_mul_rate(a.base, p->unemployment, p->rounding,
					&a.unemployment);
	a.hard_harmful_days = hard_harmful_days(t, line);
	if (!err)
		err = hard_harmful_share(p, a.base, a.hard_harmful_days,
					 line->days, &a.hard_harmful);
	if (err)
		return err;
	/* RULE ir.contribution.small_exempt: the state takes over the
	 * employer's share, each amount rounded on its own. */
	if (exempt) {
		err = am_money_add(a.state, employer, &a.state);
		if (err)
			return err;
		employer = 0;
	}
	a.employer = employer;
	/* RULE ir.contribution.small_exempt.unemployment (confidence U) */
	a.unemployment_by_state = t->small_exempt &&
				  !p->exempt_pays_unemployment;
	*out = a;
	return 0;
}

int am_wage_line_fill(const struct am_assess_params *p,
		      struct am_wage_line *line)
{
	struct am_wage_line l = *line;
	am_money sum, cap;
	int err;

	err = am_money_mul_int(l.daily_wage, l.days < 0 ? 0 : l.days,
			       &l.monthly_wage);
	if (!err)
		err = am_money_add(l.monthly_wage, l.benefits, &sum);
	if (!err)
		err = am_money_mul_int(p->ceiling_daily,
				       l.days < 0 ? 0 : l.days, &cap);
	if (err)
		return err;
	l.subject_wage = sum < cap ? sum : cap;
	err = am__wage_line_insured(p, &l, &l.insured_share);
	if (err)
		return err;
	*line = l;
	return 0;
}

int am__wage_line_insured(const struct am_assess_params *p,
			  const struct am_wage_line *line, am_money *out)
{
	am_money base;
	int err = am__wage_line_base(p, line, &base);

	if (err)
		return err;
	/* RULE ir.contribution.art28: the insured's 7% */
	return am_money_mul_rate(base, p->insured, p->rounding, out);
}

int am_assess_dsk_rate(const struct am_assess_params *p)
{
	int64_t employer = p->employer.den
				   ? p->employer.num * 100 / p->employer.den
				   : 0;
	int64_t unemployment = p->unemployment.den ? p->unemployment.num * 100 /
							     p->unemployment.den
						   : 0;

	return (int)(employer + unemployment);
}
