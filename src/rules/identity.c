/* The identity of a rule set: BLAKE2b-256 over a canonical form of its
 * parameters, so a decision can name exactly the figures it was made by. */
#include "core/internal.h"

#include <sodium.h>

#include "rules/rules_int.h"

/* The canonical form, version 1. Parameters in order of name; for each,
 * what decides a result: name, unit, columns, and each value's dates (the
 * end as in force, so an implied end equals the same end written out),
 * reference, and figures as am_scalar_format writes them. Descriptions,
 * confidence, notes, files, lines and comments are left out: they do not
 * change a decision. Every item ends in NUL, which no item contains, and
 * every list is preceded by its length, so two sets never share a form. */
#define CANON_VERSION "amanat-rules-canonical-1"

static void put(crypto_generichash_state *st, const char *s)
{
	crypto_generichash_update(st, (const unsigned char *)s, strlen(s) + 1);
}

static void put_size(crypto_generichash_state *st, size_t n)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%zu", n);
	put(st, tmp);
}

static void put_date(crypto_generichash_state *st, am_date d)
{
	char tmp[AM_DATE_FMT_MAX];

	if (d == AM_DATE_OPEN) {
		put(st, "open");
		return;
	}
	am_date_format_jalali(d, false, tmp);
	put(st, tmp);
}

static void put_scalar(crypto_generichash_state *st, const struct am_scalar *s)
{
	char tmp[64];

	if (s->unit == AM_UNIT_TEXT) {
		put(st, s->u.text);
		return;
	}
	am_scalar_format(s, tmp, sizeof(tmp));
	put(st, tmp);
}

static void put_param(crypto_generichash_state *st, const struct am_param *p)
{
	put(st, "parameter");
	put(st, p->name);
	put(st, am_unit_name(p->unit));
	put_size(st, p->ncolumns);
	for (size_t c = 0; c < p->ncolumns; c++) {
		put(st, p->columns[c].name);
		put(st, am_unit_name(p->columns[c].unit));
	}
	put_size(st, p->nvalues);
	for (size_t i = 0; i < p->nvalues; i++) {
		const struct am_value *v = &p->values[i];

		put_date(st, v->from);
		put_date(st, v->to);
		put(st, v->reference);
		if (p->unit != AM_UNIT_TABLE) {
			put_scalar(st, &v->scalar);
			continue;
		}
		put_size(st, v->nrows);
		for (size_t c = 0; c < v->nrows * p->ncolumns; c++)
			put_scalar(st, &v->cells[c]);
	}
}

int am__rules_compute_identity(struct am_rules *r)
{
	unsigned char hash[crypto_generichash_BYTES];
	crypto_generichash_state st;

	if (sodium_init() < 0)
		return AM_EINTERNAL;
	if (crypto_generichash_init(&st, NULL, 0, sizeof(hash)) != 0)
		return AM_EINTERNAL;
	put(&st, CANON_VERSION);
	put_size(&st, r->nparams);
	for (size_t i = 0; i < r->nparams; i++)
		put_param(&st, &r->params[i]);
	crypto_generichash_final(&st, hash, sizeof(hash));
	sodium_bin2hex(r->identity, sizeof(r->identity), hash, sizeof(hash));
	return 0;
}

const char *am_rules_identity(const struct am_rules *r)
{
	return r && r->finished ? r->identity : "";
}
