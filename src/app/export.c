/* amanat export dskwin: a posted list written back as the official
 * ListDisk files, which import back to the same list. */
#include "core/internal.h"

#include "amanat/app.h"
#include "amanat/ident.h"
#include "amanat/assess.h"
#include "amanat/formats.h"
#include "amanat/views.h"

/* The registry keeps nationality as ISO 3166 alpha-3; ListDisk files carry
 * the Persian word (an unknown code is written as it is). */
static const char *nationality_word(const char *iso)
{
	const char *word = am_nationality_word(iso ? iso : "IRN");

	return word ? word : iso;
}

/* Header totals as the sums of the lines, and the rate the employer pays. */
static int fill_header(const struct am_rules *rules, struct am_wage_list *l,
		       struct am_diag *diag)
{
	struct am_assess_params p;
	int err = am_assess_params_load(rules, l->period, &p, diag);

	if (err)
		return err;
	l->has_totals = true;
	l->kind = p.kind;
	l->t_workers = (int64_t)l->nlines;
	for (size_t i = 0; i < l->nlines && !err; i++) {
		struct am_wage_line *ln = &l->lines[i];

		ln->nationality = nationality_word(ln->nationality);
		l->t_days += ln->days;
		err = am_money_add(l->t_daily, ln->daily_wage, &l->t_daily);
		err = err ? err
			  : am_money_add(l->t_wage, ln->monthly_wage,
					 &l->t_wage);
		err = err ? err
			  : am_money_add(l->t_benefits, ln->benefits,
					 &l->t_benefits);
		err = err ? err
			  : am_money_add(l->t_subject, ln->subject_wage,
					 &l->t_subject);
		err = err ? err
			  : am_money_add(l->t_total, ln->total_pay,
					 &l->t_total);
		err = err ? err
			  : am_money_add(l->t_insured, ln->insured_share,
					 &l->t_insured);
	}
	l->rate = am_assess_dsk_rate(&p);
	return err;
}

int am_export_dskwin(struct am_store *s, const struct am_rules *rules,
		     const char *workshop, struct am_period period,
		     const char *list_no, const char *dir,
		     enum am_dbf_layout layout, enum am_codepage cp,
		     struct am_diag *diag)
{
	struct am_wage_list l;
	int err;

	am_wage_list_init(&l);
	memset(diag, 0, sizeof(*diag));
	err = am_list_read(s, workshop, period, list_no, &l);
	if (err) {
		am_diag_set(diag, err, NULL, 0, "WORKSHOP", workshop,
			    am_store_errmsg(s));
		goto out;
	}
	l.file = dir;
	err = fill_header(rules, &l, diag);
	if (!err && mkdir(dir, 0777) != 0 && errno != EEXIST) {
		err = AM_EIO;
		am_diag_set(diag, err, dir, 0, NULL, strerror(errno), NULL);
	}
	if (!err)
		err = am_dbf_write_diag(&l, dir, layout, cp, diag);
out:
	am_wage_list_release(&l);
	return err;
}
