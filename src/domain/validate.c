/* Validation of a whole wage list before anything is posted: every problem
 * of every line and of the header becomes a diagnostic pointing at it. */
#include "core/internal.h"

#include "amanat/ident.h"
#include "amanat/assess.h"

#include "domain/wagelist_int.h"

/* Lists up to this many lines find duplicates in a table on the stack;
 * larger ones allocate one table per list (never per line). */
#define DUP_STACK_SLOTS 2048

struct vctx {
	const struct am_assess_params *p; /* NULL: no rule figures */
	const struct am_wage_list *l;
	struct am_diags *ds;
	size_t n;
};

/* Sums of the lines, compared with the header's totals. */
struct sums {
	int64_t days;
	am_money daily, wage, benefits, subject, total, insured;
	bool overflow;
};

static void report(struct vctx *c, int code, unsigned row, const char *field,
		   const char *value, const char *expected)
{
	c->n++;
	if (c->ds)
		am_diags_add(c->ds, code, c->l->file, row, field, value,
			     expected);
}

static const char *money_text(am_money a, char buf[AM_MONEY_FMT_MAX])
{
	am_money_format(a, false, false, buf);
	return buf;
}

static const char *date_text(am_date d, char buf[AM_DATE_FMT_MAX])
{
	am_date_format_jalali(d, false, buf);
	return buf;
}

static void report_money(struct vctx *c, int code, unsigned row,
			 const char *field, am_money found, am_money want)
{
	char v[AM_MONEY_FMT_MAX], e[AM_MONEY_FMT_MAX];

	report(c, code, row, field, money_text(found, v), money_text(want, e));
}

static void check_natcode(struct vctx *c, const struct am_wage_line *w)
{
	size_t len = strnlen(w->national_code, sizeof(w->national_code));
	char out[11];
	int err = am_national_code_check(w->national_code, len, out);
	char v[sizeof(w->national_code)];

	if (!err)
		return;
	/* The expected text says why: the identifier check's own id. */
	memcpy(v, w->national_code, len);
	v[len] = '\0';
	report(c, AM_EWAGE_NATCODE, w->row, "PER_NATCOD", v, am_error_id(err));
}

static void check_insurance_no(struct vctx *c, const struct am_wage_line *w)
{
	size_t len = strnlen(w->insurance_no, sizeof(w->insurance_no));
	char out[11], v[sizeof(w->insurance_no)];

	if (len == 0 || am_insurance_no_check(w->insurance_no, len, out) == 0)
		return;
	memcpy(v, w->insurance_no, len);
	v[len] = '\0';
	report(c, AM_EWAGE_INSURANCE_NO, w->row, "DSW_ID1", v,
	       "8 or 10 digits");
}

/* Amounts are never negative; the checks of sums and products below assume
 * it and would otherwise report a confusing second problem. */
static void check_signs(struct vctx *c, const struct am_wage_line *w)
{
	static const struct {
		const char *field;
		size_t offset;
	} amounts[] = {
		{ "DSW_ROOZ", offsetof(struct am_wage_line, daily_wage) },
		{ "DSW_MAH", offsetof(struct am_wage_line, monthly_wage) },
		{ "DSW_MAZ", offsetof(struct am_wage_line, benefits) },
		{ "DSW_MASH", offsetof(struct am_wage_line, subject_wage) },
		{ "DSW_TOTL", offsetof(struct am_wage_line, total_pay) },
		{ "DSW_BIME", offsetof(struct am_wage_line, insured_share) },
	};
	char v[32];

	for (size_t i = 0; i < AM_ARRAY_SIZE(amounts); i++) {
		am_money a;

		memcpy(&a, (const char *)w + amounts[i].offset, sizeof(a));
		if (a < 0)
			report_money(c, AM_EWAGE_NEGATIVE_AMOUNT, w->row,
				     amounts[i].field, a, 0);
	}
	if (w->hard_harmful_days < 0) {
		snprintf(v, sizeof(v), "%d", w->hard_harmful_days);
		report(c, AM_EWAGE_NEGATIVE_AMOUNT, w->row, "hard_harmful_days",
		       v, "0 or more");
	}
}

/* RULE ir.wagelist.days: 0..the month's length (Esfand by the leap rule),
 * and never more than wagelist.max_days. */
static bool check_days(struct vctx *c, const struct am_wage_line *w)
{
	int most = c->p->month_days < c->p->max_days ? c->p->month_days
						     : c->p->max_days;
	char v[32], e[32];

	if (w->days >= 0 && w->days <= most)
		return true;
	snprintf(v, sizeof(v), "%d", w->days);
	snprintf(e, sizeof(e), "0..%d", most);
	report(c, AM_EWAGE_DAYS_RANGE, w->row, "DSW_DD", v, e);
	return false;
}

/* RULE ir.wagelist.dates: started by the period's end, not left before its
 * start nor before starting, and no more days than were spent employed in
 * the period. */
static void check_dates(struct vctx *c, const struct am_wage_line *w,
			bool days_ok)
{
	const struct am_assess_params *p = c->p;
	char v[AM_DATE_FMT_MAX], d[AM_DATE_FMT_MAX], e[AM_DATE_FMT_MAX + 32];
	bool have_start = w->start_date != AM_WAGE_DATE_NONE;
	bool have_end = w->end_date != AM_WAGE_DATE_NONE;
	am_date from = p->first_day, to = p->last_day;
	bool ok = true;

	if (have_start && w->start_date > p->last_day) {
		snprintf(e, sizeof(e), "on or before %s",
			 date_text(p->last_day, d));
		report(c, AM_EWAGE_START_DATE, w->row, "DSW_SDATE",
		       date_text(w->start_date, v), e);
		ok = false;
	}
	if (have_end && w->end_date < p->first_day) {
		snprintf(e, sizeof(e), "on or after %s",
			 date_text(p->first_day, d));
		report(c, AM_EWAGE_END_DATE, w->row, "DSW_EDATE",
		       date_text(w->end_date, v), e);
		ok = false;
	} else if (have_end && have_start && w->end_date < w->start_date) {
		snprintf(e, sizeof(e), "on or after %s",
			 date_text(w->start_date, d));
		report(c, AM_EWAGE_END_DATE, w->row, "DSW_EDATE",
		       date_text(w->end_date, v), e);
		ok = false;
	}
	if (!ok || !days_ok)
		return;
	if (have_start && w->start_date > from)
		from = w->start_date;
	if (have_end && w->end_date < to)
		to = w->end_date;
	am_testcase(to - from + 1 == w->days);
	if (w->days > to - from + 1) {
		snprintf(v, sizeof(v), "%d", w->days);
		snprintf(e, sizeof(e), "0..%d", (int)(to - from + 1));
		report(c, AM_EWAGE_DAYS_EMPLOYED, w->row, "DSW_DD", v, e);
	}
}

/* The amounts a correct line carries: RULE ir.wage.minimum, the products
 * and sums of the ListDisk specification, and the insured's share. */
static void check_amounts(struct vctx *c, const struct am_wage_line *w)
{
	const struct am_assess_params *p = c->p;
	am_money want, cap, sum, insured;
	char v[AM_MONEY_FMT_MAX], e[2 * AM_MONEY_FMT_MAX + 4];
	char lo[AM_MONEY_FMT_MAX], hi[AM_MONEY_FMT_MAX];
	int days = w->days < 0 ? 0 : w->days;

	if (days > 0 && w->daily_wage < p->min_daily) {
		snprintf(e, sizeof(e), "%s or more",
			 money_text(p->min_daily, lo));
		report(c, AM_EWAGE_BELOW_MINIMUM, w->row, "DSW_ROOZ",
		       money_text(w->daily_wage, v), e);
	}
	if (am_money_mul_int(w->daily_wage, days, &want) == 0) {
		if (w->monthly_wage != want)
			report_money(c, AM_EWAGE_MONTHLY_MISMATCH, w->row,
				     "DSW_MAH", w->monthly_wage, want);
	} else {
		report(c, AM_EWAGE_MONTHLY_MISMATCH, w->row, "DSW_MAH",
		       money_text(w->monthly_wage, v), "DSW_ROOZ × DSW_DD");
	}
	/* RULE ir.wage.ceiling: wage and benefits capped for the days. */
	if (am_money_add(w->monthly_wage, w->benefits, &sum) == 0 &&
	    am_money_mul_int(p->ceiling_daily, days, &cap) == 0) {
		want = sum < cap ? sum : cap;
		am_testcase(sum == cap);
		if (w->subject_wage != want)
			report_money(c, AM_EWAGE_SUBJECT_MISMATCH, w->row,
				     "DSW_MASH", w->subject_wage, want);
	} else {
		report(c, AM_EWAGE_SUBJECT_MISMATCH, w->row, "DSW_MASH",
		       money_text(w->subject_wage, v),
		       "min(DSW_MAH + DSW_MAZ, ceiling × DSW_DD)");
	}
	if (w->total_pay < w->subject_wage) {
		snprintf(e, sizeof(e), "%s or more",
			 money_text(w->subject_wage, lo));
		report(c, AM_EWAGE_TOTAL_BELOW_SUBJECT, w->row, "DSW_TOTL",
		       money_text(w->total_pay, v), e);
	}
	/* RULE ir.wagelist.bime_tolerance */
	if (am__wage_line_insured(p, w, &insured) != 0) {
		report(c, AM_EWAGE_INSURED_SHARE, w->row, "DSW_BIME",
		       money_text(w->insured_share, v), "an amount in range");
		return;
	}
	if (w->insured_share >= insured - p->bime_tolerance &&
	    w->insured_share <= insured + p->bime_tolerance)
		return;
	/* The range accepted, never below 0: amounts are not negative. */
	if (p->bime_tolerance == 0)
		money_text(insured, e);
	else
		snprintf(e, sizeof(e), "%s..%s",
			 money_text(insured > p->bime_tolerance
					    ? insured - p->bime_tolerance
					    : 0,
				    lo),
			 money_text(insured + p->bime_tolerance, hi));
	report(c, AM_EWAGE_INSURED_SHARE, w->row, "DSW_BIME",
	       money_text(w->insured_share, v), e);
}

static void check_hard_harmful_days(struct vctx *c,
				    const struct am_wage_line *w)
{
	char v[32], e[32];

	if (w->hard_harmful_days <= w->days || w->hard_harmful_days <= 0)
		return;
	snprintf(v, sizeof(v), "%d", w->hard_harmful_days);
	snprintf(e, sizeof(e), "0..%d", w->days < 0 ? 0 : w->days);
	report(c, AM_EWAGE_HARD_HARMFUL_DAYS, w->row, "hard_harmful_days", v,
	       e);
}

static void add_sum(am_money *acc, am_money v, bool *overflow)
{
	if (am_money_add(*acc, v, acc) != 0)
		*overflow = true;
}

static void sum_line(struct sums *s, const struct am_wage_line *w)
{
	add_sum(&s->days, w->days, &s->overflow);
	add_sum(&s->daily, w->daily_wage, &s->overflow);
	add_sum(&s->wage, w->monthly_wage, &s->overflow);
	add_sum(&s->benefits, w->benefits, &s->overflow);
	add_sum(&s->subject, w->subject_wage, &s->overflow);
	add_sum(&s->total, w->total_pay, &s->overflow);
	add_sum(&s->insured, w->insured_share, &s->overflow);
}

static void check_line(struct vctx *c, const struct am_wage_line *w)
{
	check_natcode(c, w);
	check_insurance_no(c, w);
	check_signs(c, w);
	check_hard_harmful_days(c, w);
	if (c->p) {
		bool days_ok = check_days(c, w);

		check_dates(c, w, days_ok);
		check_amounts(c, w);
	}
}

/* A national code as compared for duplicates: without its leading zeros,
 * which spreadsheets drop, so that 0012345679 and 12345679 are one person. */
static const char *code_key(const char code[11], size_t *len)
{
	size_t n = strnlen(code, 11), i = 0;

	while (i < n && code[i] == '0')
		i++;
	*len = n - i;
	return code + i;
}

static bool same_person(const char a[11], const char b[11])
{
	size_t na, nb;
	const char *ka = code_key(a, &na), *kb = code_key(b, &nb);

	return na == nb && memcmp(ka, kb, na) == 0;
}

/* FNV-1a over the code's key. */
static uint32_t code_hash(const char code[11])
{
	size_t n;
	const char *s = code_key(code, &n);
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void report_duplicate(struct vctx *c, const struct am_wage_line *w,
			     const struct am_wage_line *first)
{
	char v[sizeof(w->national_code) + 1], e[64];

	am__strlcpy(v, w->national_code, sizeof(v));
	snprintf(e, sizeof(e), "once in the list (also on row %u)", first->row);
	report(c, AM_EWAGE_DUPLICATE_PERSON, w->row, "PER_NATCOD", v, e);
}

/* Open addressing over line indices + 1 (0 = empty); slots is a power of
 * two at least twice the lines. */
static void find_duplicates_hashed(struct vctx *c, uint32_t *tab, size_t slots)
{
	const struct am_wage_line *lines = c->l->lines;

	memset(tab, 0, slots * sizeof(*tab));
	for (size_t i = 0; i < c->l->nlines; i++) {
		const struct am_wage_line *w = &lines[i];
		size_t k;

		if (w->national_code[0] == '\0')
			continue;
		k = code_hash(w->national_code) & (slots - 1);
		while (tab[k]) {
			const struct am_wage_line *o = &lines[tab[k] - 1];

			if (same_person(o->national_code, w->national_code)) {
				report_duplicate(c, w, o);
				break;
			}
			k = (k + 1) & (slots - 1);
		}
		if (!tab[k])
			tab[k] = (uint32_t)(i + 1);
	}
}

/* Without memory for a table: compare every pair, slowly but right. */
static void find_duplicates_quadratic(struct vctx *c)
{
	const struct am_wage_line *lines = c->l->lines;

	for (size_t i = 1; i < c->l->nlines; i++) {
		if (lines[i].national_code[0] == '\0')
			continue;
		for (size_t j = 0; j < i; j++) {
			if (same_person(lines[j].national_code,
					lines[i].national_code)) {
				report_duplicate(c, &lines[i], &lines[j]);
				break;
			}
		}
	}
}

/* RULE ir.wagelist.one_row_per_person: each later row of a person is
 * reported, naming the first. */
static void check_duplicates(struct vctx *c)
{
	uint32_t stack[DUP_STACK_SLOTS];
	size_t slots = 16;
	uint32_t *tab;

	if (c->l->nlines < 2)
		return;
	if (c->l->nlines >= UINT32_MAX / 4) {
		find_duplicates_quadratic(c);
		return;
	}
	while (slots < 2 * c->l->nlines)
		slots *= 2;
	if (slots <= DUP_STACK_SLOTS) {
		find_duplicates_hashed(c, stack, slots);
		return;
	}
	tab = malloc(slots * sizeof(*tab));
	if (!tab) {
		find_duplicates_quadratic(c);
		return;
	}
	find_duplicates_hashed(c, tab, slots);
	free(tab);
}

static bool list_no_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	/* The ListDisk specification forbids these in character fields. */
	return strcspn(s, "\"'<>&") == n;
}

static void check_header_ids(struct vctx *c)
{
	const struct am_wage_list *l = c->l;
	size_t n = strnlen(l->workshop, sizeof(l->workshop));
	char out[11], v[sizeof(l->list_no) + 1];

	if (am_workshop_code_check(l->workshop, n, out) != 0) {
		am__strlcpy(v, l->workshop, sizeof(v));
		report(c, AM_EWAGE_WORKSHOP_CODE, l->header_row, "DSK_ID", v,
		       "10 digits");
	}
	n = strnlen(l->list_no, sizeof(l->list_no));
	if (!list_no_ok(l->list_no, n)) {
		am__strlcpy(v, l->list_no, sizeof(v));
		report(c, AM_EWAGE_LIST_NO, l->header_row, "DSK_LISTNO", v,
		       "1 to 12 characters, none of \" ' < > &");
	}
	if (c->p && l->kind != c->p->kind) {
		char k[32], e[32];

		snprintf(k, sizeof(k), "%d", l->kind);
		snprintf(e, sizeof(e), "%d", c->p->kind);
		report(c, AM_EWAGE_KIND, l->header_row, "DSK_KIND", k, e);
	}
}

/* RULE ir.wagelist.period: a year of the calendar, a month 1..12, not after
 * today's month. */
static void check_period(struct vctx *c, am_date today)
{
	const struct am_wage_list *l = c->l;
	char v[AM_DATE_FMT_MAX], e[AM_DATE_FMT_MAX + 16];
	struct am_period now;
	struct am_ymd ymd;

	if (l->period.year < AM_JALALI_YEAR_MIN ||
	    l->period.year > AM_JALALI_YEAR_MAX) {
		snprintf(v, sizeof(v), "%d", l->period.year);
		snprintf(e, sizeof(e), "%d..%d", AM_JALALI_YEAR_MIN,
			 AM_JALALI_YEAR_MAX);
		report(c, AM_EWAGE_PERIOD_RANGE, l->header_row, "DSK_YY", v, e);
		return;
	}
	if (l->period.month < 1 || l->period.month > 12) {
		snprintf(v, sizeof(v), "%d", l->period.month);
		report(c, AM_EWAGE_PERIOD_RANGE, l->header_row, "DSK_MM", v,
		       "1..12");
		return;
	}
	am_date_to_jalali(today, &ymd);
	now.year = ymd.year;
	now.month = ymd.month;
	if (l->period.year > now.year ||
	    (l->period.year == now.year && l->period.month > now.month)) {
		am_period_format(l->period, v);
		am_period_format(now, e);
		am__strlcpy(e + strlen(e), " or earlier",
			    sizeof(e) - strlen(e));
		report(c, AM_EWAGE_FUTURE_PERIOD, l->header_row, "DSK_MM", v,
		       e);
	}
	if (c->p && (c->p->period.year != l->period.year ||
		     c->p->period.month != l->period.month)) {
		am_period_format(l->period, v);
		am_period_format(c->p->period, e);
		report(c, AM_EWAGE_RULES_PERIOD, l->header_row, "DSK_MM", v, e);
	}
}

static void check_total(struct vctx *c, const char *field, am_money header,
			am_money sum)
{
	if (header != sum)
		report_money(c, AM_EWAGE_HEADER_TOTAL, c->l->header_row, field,
			     header, sum);
}

/* The header's totals against the lines. DSK_TKOSO (employer's share),
 * DSK_BIC (unemployment) and DSK_BIMH are not checked: the sources do not
 * say whether they are rounded per row or on the total, whether an exempt
 * workshop's list carries its 20%, nor whether DSK_BIMH is a rate or an
 * amount (docs/assessment.md). The shares are recomputed by assessment
 * instead, and the employer's account uses those. */
static void check_totals(struct vctx *c, const struct sums *s)
{
	const struct am_wage_list *l = c->l;

	if (!l->has_totals)
		return;
	if (s->overflow) {
		report(c, AM_EWAGE_HEADER_TOTAL, l->header_row, "DSK_TMASH",
		       NULL, "sums of the rows that fit in 64 bits");
		return;
	}
	check_total(c, "DSK_NUM", l->t_workers, (am_money)l->nlines);
	check_total(c, "DSK_TDD", l->t_days, s->days);
	check_total(c, "DSK_TROOZ", l->t_daily, s->daily);
	check_total(c, "DSK_TMAH", l->t_wage, s->wage);
	check_total(c, "DSK_TMAZ", l->t_benefits, s->benefits);
	check_total(c, "DSK_TMASH", l->t_subject, s->subject);
	check_total(c, "DSK_TTOTL", l->t_total, s->total);
	check_total(c, "DSK_TBIME", l->t_insured, s->insured);
}

size_t am_wage_list_validate(const struct am_assess_params *p,
			     const struct am_workshop_terms *t,
			     const struct am_wage_list *l, am_date today,
			     struct am_diags *diags)
{
	struct vctx c = { .p = p, .l = l, .ds = diags, .n = 0 };
	struct sums s = { 0 };

	(void)t; /* the terms change who pays, never what a list must say */
	check_header_ids(&c);
	check_period(&c, today);
	for (size_t i = 0; i < l->nlines; i++) {
		check_line(&c, &l->lines[i]);
		sum_line(&s, &l->lines[i]);
	}
	check_duplicates(&c);
	check_totals(&c, &s);
	return c.n;
}
