/* The views' JSON (amanat/views.h): one encoding for every face. */
#include "core/internal.h"

#include "amanat/views.h"

/* "key":"value" after a ',' unless first; NULL is "" (as it always was). */
static int str(struct am_buf *b, const char *key, const char *val, bool first)
{
	int err = am_buf_addf(b, "%s\"%s\":", first ? "" : ",", key);

	return err ? err
		   : am_buf_add_json_str(b, val ? val : "",
					 val ? strlen(val) : 0);
}

void am_view_period_text(struct am_period p, char out[AM_DATE_FMT_MAX])
{
	if (p.year)
		am_period_format(p, out);
	else
		out[0] = '\0';
}

void am_view_date_text(am_date d, char out[AM_DATE_FMT_MAX])
{
	if (d == AM_DATE_NONE)
		out[0] = '\0';
	else
		am_date_format_jalali(d, false, out);
}

static int history_month(const struct am_history_month *m, bool first,
			 struct am_buf *b)
{
	char per[AM_DATE_FMT_MAX];
	int err;

	am_view_period_text(m->period, per);
	err = am_buf_adds(b, first ? "{" : ",{");
	err = err ? err : str(b, "period", per, true);
	err = err ? err : str(b, "workshop", m->workshop, false);
	err = err ? err : str(b, "list_no", m->list_no, false);
	return err ? err
		   : am_buf_addf(b,
				 ",\"days\":%d,\"subject_wage\":%" PRId64
				 ",\"base\":%" PRId64
				 ",\"insured_share\":%" PRId64
				 ",\"employer_share\":%" PRId64
				 ",\"state_share\":%" PRId64
				 ",\"unemployment\":%" PRId64
				 ",\"hard_harmful\":%" PRId64
				 ",\"hard_harmful_days\":%d,\"migrated\":%s}",
				 m->days, m->subject_wage, m->base, m->insured,
				 m->employer, m->state, m->unemployment,
				 m->hard_harmful, m->hard_harmful_days,
				 m->migrated ? "true" : "false");
}

int am_history_json(const char *national_code, const struct am_history *h,
		    struct am_buf *b)
{
	int err = am_buf_addch(b, '{');

	err = err ? err : str(b, "national_code", national_code, true);
	err = err ? err
		  : am_buf_addf(b,
				",\"credited_days\":%" PRId64
				",\"credited_months\":%" PRId64 ",\"months\":[",
				h->credited_days, h->credited_months);
	for (size_t i = 0; !err && i < h->nmonths; i++)
		err = history_month(&h->months[i], i == 0, b);
	return err ? err : am_buf_adds(b, "]}");
}

/* "key":{"first_name","last_name","father_name"}, or null. */
static int names(struct am_buf *b, const char *key, const struct am_names *n,
		 bool given)
{
	int err = am_buf_addf(b, ",\"%s\":", key);

	if (!given)
		return err ? err : am_buf_adds(b, "null");
	err = err ? err : am_buf_addch(b, '{');
	err = err ? err : str(b, "first_name", n->first_name, true);
	err = err ? err : str(b, "last_name", n->last_name, false);
	err = err ? err : str(b, "father_name", n->father_name, false);
	return err ? err : am_buf_addch(b, '}');
}

/* "name_differs":["last_name", ...], in the order of the names. */
static int differs(struct am_buf *b, unsigned bits)
{
	int err = am_buf_adds(b, ",\"name_differs\":[");
	bool first = true;

	for (unsigned bit = AM_NAME_FIRST; !err && bit <= AM_NAME_FATHER;
	     bit <<= 1) {
		if (!(bits & bit))
			continue;
		err = am_buf_addf(b, "%s\"%s\"", first ? "" : ",",
				  am_name_key(bit));
		first = false;
	}
	return err ? err : am_buf_addch(b, ']');
}

static int worker_report(const struct am_worker_report *r, bool first,
			 struct am_buf *b)
{
	char sd[AM_DATE_FMT_MAX], ed[AM_DATE_FMT_MAX];
	int err;

	am_view_date_text(r->start_date, sd);
	am_view_date_text(r->end_date, ed);
	err = am_buf_adds(b, first ? "{" : ",{");
	err = err ? err : str(b, "workshop", r->workshop, true);
	err = err ? err : str(b, "list_no", r->list_no, false);
	err = err ? err
		  : am_buf_addf(b,
				",\"days\":%d,\"daily_wage\":%" PRId64
				",\"monthly_wage\":%" PRId64
				",\"benefits\":%" PRId64
				",\"subject_wage\":%" PRId64
				",\"total_pay\":%" PRId64,
				r->days, r->daily_wage, r->monthly_wage,
				r->benefits, r->subject_wage, r->total_pay);
	err = err ? err : str(b, "job_code", r->job_code, false);
	err = err ? err : str(b, "occupation", r->occupation, false);
	err = err ? err : str(b, "start_date", sd, false);
	err = err ? err : str(b, "end_date", ed, false);
	err = err ? err
		  : am_buf_addf(b, ",\"migrated\":%s",
				r->migrated ? "true" : "false");
	err = err ? err : names(b, "reported", &r->reported, r->names_kept);
	err = err ? err : differs(b, r->name_differs);
	return err ? err : am_buf_addch(b, '}');
}

int am_worker_statement_json(const char *national_code, struct am_period period,
			     const struct am_worker_report *r, size_t n,
			     struct am_buf *b)
{
	char per[AM_DATE_FMT_MAX];
	int err = am_buf_addch(b, '{');

	am_view_period_text(period, per);
	err = err ? err : str(b, "national_code", national_code, true);
	err = err ? err : str(b, "period", per, false);
	/* The registry's names are the person's, on every report alike. */
	err = err ? err
		  : names(b, "registry", n ? &r[0].registry : NULL,
			  n && (r[0].registry.first_name ||
				r[0].registry.last_name));
	err = err ? err : am_buf_adds(b, ",\"reports\":[");
	for (size_t i = 0; !err && i < n; i++)
		err = worker_report(&r[i], i == 0, b);
	return err ? err : am_buf_adds(b, "]}");
}

static int ledger_entry(const struct am_ledger_entry *e, bool first,
			struct am_buf *b)
{
	char per[AM_DATE_FMT_MAX], vd[AM_DATE_FMT_MAX], dd[AM_DATE_FMT_MAX];
	int err;

	am_view_period_text(e->period, per);
	am_view_date_text(e->value_date, vd);
	am_view_date_text(e->due_date, dd);
	err = am_buf_addf(b, "%s{\"id\":%" PRId64 ",\"txn\":%" PRId64,
			  first ? "" : ",", e->id, e->txn);
	err = err ? err : str(b, "kind", e->kind, false);
	err = err ? err : str(b, "period", per, false);
	err = err ? err
		  : am_buf_addf(b, ",\"debit\":%" PRId64 ",\"credit\":%" PRId64,
				e->debit, e->credit);
	err = err ? err : str(b, "date", vd, false);
	err = err ? err : str(b, "due_date", dd, false);
	err = err ? err : str(b, "reference", e->reference, false);
	return err ? err : am_buf_addch(b, '}');
}

int am_employer_statement_json(const char *workshop,
			       const struct am_employer_statement *st,
			       struct am_buf *b)
{
	int err = am_buf_addch(b, '{');

	err = err ? err : str(b, "workshop", workshop, true);
	err = err ? err
		  : am_buf_addf(b,
				",\"assessed\":%" PRId64 ",\"paid\":%" PRId64
				",\"penalties\":%" PRId64 ",\"due\":%" PRId64
				",\"balance\":%" PRId64 ",\"debit\":%" PRId64
				",\"credit\":%" PRId64 ",\"entries\":[",
				st->assessed, st->paid, st->penalties,
				st->balance, st->balance, st->debit,
				st->credit);
	for (size_t i = 0; !err && i < st->nentries; i++)
		err = ledger_entry(&st->entries[i], i == 0, b);
	return err ? err : am_buf_adds(b, "]}");
}
