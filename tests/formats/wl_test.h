/* Helpers shared by the wage-list format tests: a sample list, a callback
 * that keeps copies of what the readers pass, and path helpers. */
#ifndef AMANAT_TESTS_WL_TEST_H
#define AMANAT_TESTS_WL_TEST_H

#include <stdlib.h>
#include <string.h>

#include "amanat/assess.h"
#include "amanat/formats.h"

/* What a reader handed to the callback, copied (the list itself is valid
 * only during the call). */
#define GOT_MAX 8
struct got_list {
	char workshop[11];
	struct am_period period;
	char list_no[13];
	size_t nlines;
	bool refused;
	bool has_totals;
	enum am_dbf_layout layout;
	enum am_codepage codepage;
	uint8_t hash[32];
	struct am_wage_line lines[4];
	char text[4][7]
		 [64]; /* per line: fname, lname, dname, ocp, nat, idplc, job */
	char head_text[4][64]; /* name, farm, adrs, disc */
	am_money t_total, t_insured, t_seniority;
	int64_t t_workers;
	char file[256];
};

struct got {
	size_t n;
	struct got_list l[GOT_MAX];
	int stop_after; /* return 1 after this many lists; 0: never */
};

static inline void got_copy(char *dst, const char *s)
{
	snprintf(dst, 64, "%s", s ? s : "(null)");
}

static inline int got_fn(struct am_wage_list *l, bool refused, void *ctx)
{
	struct got *g = ctx;
	struct got_list *o;

	if (g->n >= GOT_MAX)
		return 0;
	o = &g->l[g->n++];
	memcpy(o->workshop, l->workshop, sizeof(o->workshop));
	memcpy(o->list_no, l->list_no, sizeof(o->list_no));
	o->period = l->period;
	o->nlines = l->nlines;
	o->refused = refused;
	o->has_totals = l->has_totals;
	o->layout = l->layout;
	o->codepage = l->codepage;
	memcpy(o->hash, l->hash, 32);
	o->t_total = l->t_total;
	o->t_insured = l->t_insured;
	o->t_seniority = l->t_seniority;
	o->t_workers = l->t_workers;
	snprintf(o->file, sizeof(o->file), "%s", l->file);
	got_copy(o->head_text[0], l->workshop_name);
	got_copy(o->head_text[1], l->employer_name);
	got_copy(o->head_text[2], l->address);
	got_copy(o->head_text[3], l->description);
	for (size_t i = 0; i < l->nlines && i < 4; i++) {
		const struct am_wage_line *w = &l->lines[i];

		o->lines[i] = *w;
		got_copy(o->text[i][0], w->first_name);
		got_copy(o->text[i][1], w->last_name);
		got_copy(o->text[i][2], w->father_name);
		got_copy(o->text[i][3], w->occupation);
		got_copy(o->text[i][4], w->nationality);
		got_copy(o->text[i][5], w->id_place);
		got_copy(o->text[i][6], w->job_code);
	}
	if (g->stop_after && (int)g->n >= g->stop_after)
		return 1;
	return 0;
}

/* The sample list: two workers with Persian names, dates and amounts. */
static inline void sample_list(struct am_wage_list *l)
{
	struct am_wage_line *w;

	am_wage_list_init(l);
	l->file = "sample";
	memcpy(l->workshop, "1234567890", 11);
	l->period.year = 1403;
	l->period.month = 7;
	memcpy(l->list_no, "1", 2);
	l->workshop_name = "کارگاه نمونه";
	l->employer_name = "شرکت آزمون";
	l->address = "تهران، خیابان یک";
	l->description = "لیست مهر";
	l->has_totals = true;
	l->t_workers = 2;
	l->t_days = 37;
	l->t_daily = 5388728;
	l->t_wage = 92050568;
	l->t_benefits = 14000000;
	l->t_subject = 106050568;
	l->t_total = 113000000;
	l->t_insured = 7423540;
	l->t_employer = 21210114;
	l->t_unemployment = 3181517;
	l->rate = 23;
	l->t_seniority = 2100000;
	l->t_spouse = 5000000;
	memcpy(l->contract_row, "000", 4);
	l->nlines = 2;
	l->lines = am_arena_calloc(&l->arena, 2, sizeof(*l->lines));
	w = &l->lines[0];
	w->row = 1;
	memcpy(w->national_code, "0011223344", 11);
	memcpy(w->insurance_no, "1234567890", 11);
	w->first_name = "علی";
	w->last_name = "کریمی";
	w->father_name = "حسن";
	w->id_no = "123";
	w->id_place = "شیراز";
	am_jalali_to_date(1360, 5, 4, &w->id_date);
	am_jalali_to_date(1360, 5, 1, &w->birth_date);
	w->sex = 'M';
	w->nationality = "ایرانی";
	w->occupation = "کارگر ساده";
	w->job_code = "123456";
	am_jalali_to_date(1403, 1, 1, &w->start_date);
	w->end_date = AM_WAGE_DATE_NONE;
	w->days = 31;
	w->daily_wage = 2388728;
	w->monthly_wage = 74050568;
	w->benefits = 14000000;
	w->subject_wage = 88050568;
	w->total_pay = 95000000;
	w->insured_share = 6163540;
	w->seniority = 2100000;
	w->spouse = 5000000;
	w = &l->lines[1];
	w->row = 2;
	memcpy(w->national_code, "0499370899", 11);
	w->first_name = "فاطمه";
	w->last_name = "یگانه";
	w->father_name = "محمد";
	w->id_no = "";
	w->id_place = "";
	w->id_date = AM_WAGE_DATE_NONE;
	am_jalali_to_date(1375, 12, 30, &w->birth_date);
	w->sex = 'F';
	w->nationality = "ایرانی";
	w->occupation = "منشی";
	w->job_code = "";
	am_jalali_to_date(1403, 7, 15, &w->start_date);
	am_jalali_to_date(1403, 7, 20, &w->end_date);
	w->days = 6;
	w->daily_wage = 3000000;
	w->monthly_wage = 18000000;
	w->benefits = 0;
	w->subject_wage = 18000000;
	w->total_pay = 18000000;
	w->insured_share = 1260000;
	am_wage_list_hash(l);
}

static inline char *data_path(char *buf, size_t size, const char *name)
{
	const char *d = getenv("AMANAT_TESTDATA");

	snprintf(buf, size, "%s/wagelists/%s", d ? d : "tests/data", name);
	return buf;
}

/* Is there a diagnostic with this code (and field, and row, when given)? */
static inline bool has_diag(const struct am_diags *ds, int code,
			    const char *field, unsigned row)
{
	for (size_t i = 0; i < ds->nr; i++) {
		const struct am_diag *d = &ds->items[i];

		if (d->code == code &&
		    (!field || strcmp(d->field, field) == 0) &&
		    (!row || d->line == row))
			return true;
	}
	return false;
}

static inline void dump_diags(const struct am_diags *ds)
{
	for (size_t i = 0; i < ds->nr; i++)
		printf("# diag %s:%u %s [%s] value '%s' expected '%s'\n",
		       ds->items[i].file, ds->items[i].line,
		       am_error_id(ds->items[i].code), ds->items[i].field,
		       ds->items[i].value, ds->items[i].expected);
}

#endif
