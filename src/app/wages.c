/* amanat import wages: read lists from ListDisk folders, CSV and JSON files,
 * check them against the registry, validate and assess them with the rules
 * of their period, and post the accepted ones many to a transaction. */
#include "core/internal.h"

#include <dirent.h>
#include <strings.h>

#include "amanat/app.h"
#include "amanat/ident.h"
#include "amanat/progress.h"
#include "amanat/wagelist.h"

/* What the import knows of a workshop, looked up once per run. */
struct ws_entry {
	char code[11];
	bool used;
	bool exists;
	struct am_workshop_terms terms;
};

/* The rules of one period, looked up once per run. */
struct period_entry {
	struct am_period period;
	int err; /* 0, or why the rules do not cover it */
	struct am_diag diag;
	struct am_assess_params params;
	am_date due, due_exempt;
};

struct import {
	struct am_store *s;
	const struct am_rules *rules;
	const struct am_wage_import_opts *o;
	struct am_wage_import_stats *st;
	struct am_diags *diags;
	am_date today;
	size_t batch_lines, in_batch;

	struct ws_entry *ws; /* open addressing, power-of-two size */
	size_t ws_size, ws_used;
	struct period_entry periods[64];
	size_t nperiods;
	struct am_line_assessment *assess; /* one per line of a list */
	size_t assess_alloc;
	struct am_progress progress;
	int fatal; /* a store error that stops the run */
};

static uint64_t hash_code(const char *code)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */

	for (; *code; code++)
		h = (h ^ (unsigned char)*code) * 1099511628211u;
	return h;
}

static struct ws_entry *ws_slot(struct import *im, const char *code)
{
	size_t mask, i;

	if (im->ws_used * 2 >= im->ws_size) {
		size_t size = im->ws_size ? im->ws_size * 2 : 1024;
		struct ws_entry *ws = calloc(size, sizeof(*ws));

		if (!ws)
			return NULL;
		for (size_t j = 0; j < im->ws_size; j++) {
			struct ws_entry *e = &im->ws[j];

			if (!e->used)
				continue;
			for (i = hash_code(e->code) & (size - 1); ws[i].used;
			     i = (i + 1) & (size - 1))
				;
			ws[i] = *e;
		}
		free(im->ws);
		im->ws = ws;
		im->ws_size = size;
	}
	mask = im->ws_size - 1;
	for (i = hash_code(code) & mask; im->ws[i].used; i = (i + 1) & mask)
		if (!strcmp(im->ws[i].code, code))
			return &im->ws[i];
	return &im->ws[i];
}

/* The workshop's terms, from the cache or the registry; *exists false when
 * it is not registered. */
static int workshop_terms(struct import *im, const char *code,
			  struct ws_entry **out)
{
	struct ws_entry *e = ws_slot(im, code);
	struct am_workshop w;
	struct am_arena a;
	int err;

	if (!e)
		return AM_ENOMEM;
	*out = e;
	if (e->used)
		return 0;
	am_arena_init(&a, 1024);
	err = am_store_workshop_get(im->s, code, &a, &w);
	if (err && err != AM_ENOT_FOUND) {
		am_arena_release(&a);
		return err;
	}
	am__strlcpy(e->code, code, sizeof(e->code));
	e->used = true;
	e->exists = err == 0;
	e->terms.hard_harmful = e->exists && w.hard_harmful;
	e->terms.small_exempt = e->exists && w.small_exempt;
	im->ws_used++;
	am_arena_release(&a);
	return 0;
}

/* Last day of the month `months` after period p. */
static am_date month_end_after(struct am_period p, int64_t months)
{
	struct am_period q;
	int64_t m = (int64_t)p.year * 12 + (p.month - 1) + months;
	am_date d = 0;

	q.year = (int)(m / 12);
	q.month = (int)(m % 12) + 1;
	if (am_period_last_day(q, &d) != 0)
		return 0;
	return d;
}

static struct period_entry *period_params(struct import *im, struct am_period p)
{
	struct period_entry *e;
	int64_t months = 1, months_exempt = 2;
	am_date first;

	for (size_t i = 0; i < im->nperiods; i++)
		if (im->periods[i].period.year == p.year &&
		    im->periods[i].period.month == p.month)
			return &im->periods[i];
	if (im->nperiods == AM_ARRAY_SIZE(im->periods))
		im->nperiods = 0; /* a plain cache: start again */
	e = &im->periods[im->nperiods++];
	memset(e, 0, sizeof(*e));
	e->period = p;
	e->err = am_assess_params_load(im->rules, p, &e->params, &e->diag);
	if (e->err)
		return e;
	/* RULE ir.deadline.art39: due by the end of the following month; two
	 * months for exempt small workshops. */
	first = e->params.first_day;
	if (!e->err)
		e->err = am_rules_int(im->rules,
				      "deadline.payment.months_after", first,
				      &months, &e->diag);
	if (!e->err)
		e->err = am_rules_int(im->rules,
				      "deadline.small_exempt.months_after",
				      first, &months_exempt, &e->diag);
	e->due = month_end_after(p, months);
	e->due_exempt = month_end_after(p, months_exempt);
	return e;
}

static void refuse(struct import *im, const struct am_wage_list *l, int code,
		   const char *field, const char *value, const char *expected)
{
	am_diags_add(im->diags, code, l->file, l->header_row, field, value,
		     expected);
}

/* Register the workshop of a list from its header (--register-workshops):
 * its employer is not known from a list, so it is left unset. */
static int register_workshop(struct import *im, const struct am_wage_list *l,
			     struct ws_entry *e)
{
	struct am_workshop w;
	int err;

	memset(&w, 0, sizeof(w));
	w.code = l->workshop;
	w.name = l->workshop_name && *l->workshop_name ? l->workshop_name
						       : l->workshop;
	w.address = l->address;
	err = am_store_workshop_put(im->s, &w);
	if (err)
		return err;
	e->exists = true;
	im->st->workshops_registered++;
	return 0;
}

static int begin_batch(struct import *im)
{
	if (am_store_in_transaction(im->s))
		return 0;
	im->in_batch = 0;
	return am_store_begin(im->s);
}

static int end_batch(struct import *im)
{
	if (!am_store_in_transaction(im->s))
		return 0;
	im->in_batch = 0;
	return am_store_commit(im->s);
}

static int post(struct import *im, struct am_wage_list *l,
		const struct period_entry *pe, const struct ws_entry *ws)
{
	int outcome = 0, err;

	/* The store registers persons met for the first time, from their
	 * line, at the batch's commit. */
	err = begin_batch(im);
	if (!err)
		err = am_store_post_list(
			im->s, l, im->assess,
			ws->terms.small_exempt ? pe->due_exempt : pe->due,
			ws->terms.small_exempt, pe->params.rules_identity,
			im->o->amend, &outcome);
	if (err)
		return err;
	switch (outcome) {
	case AM_POST_POSTED:
		im->st->lists_posted++;
		im->st->lines_posted += l->nlines;
		break;
	case AM_POST_AMENDED:
		im->st->lists_amended++;
		im->st->lines_posted += l->nlines;
		break;
	case AM_POST_UNCHANGED:
		im->st->lists_unchanged++;
		break;
	default:
		im->st->lists_refused++;
		refuse(im, l, AM_EWAGE_LIST_CONFLICT, "DSK_LISTNO", l->list_no,
		       NULL);
		return 0;
	}
	im->st->lists_accepted++;
	im->in_batch += l->nlines;
	if (im->in_batch >= im->batch_lines)
		err = end_batch(im);
	return err;
}

/* One list from a reader: check, validate, assess, post. */
static int on_list(struct am_wage_list *l, bool refused, void *ctx)
{
	struct import *im = ctx;
	struct period_entry *pe;
	struct ws_entry *ws;
	size_t before = am_diags_total(im->diags);
	int err;

	im->st->lists_read++;
	im->st->lines += l->nlines;
	am_progress_update(&im->progress, im->st->lines);
	if (refused) {
		im->st->lists_refused++;
		return 0;
	}
	err = workshop_terms(im, l->workshop, &ws);
	if (err)
		goto fatal;
	if (!ws->exists && im->o->register_workshops) {
		err = begin_batch(im);
		if (!err)
			err = register_workshop(im, l, ws);
		if (err)
			goto fatal;
	}
	if (!ws->exists) {
		refuse(im, l, AM_EWAGE_UNKNOWN_WORKSHOP, "DSK_ID", l->workshop,
		       NULL);
		im->st->lists_refused++;
		return 0;
	}
	pe = period_params(im, l->period);
	if (pe->err) {
		struct am_diag d = pe->diag;

		am__strlcpy(d.file, l->file, sizeof(d.file));
		d.line = l->header_row;
		am_diags_push(im->diags, &d);
		im->st->lists_refused++;
		return 0;
	}
	am_wage_list_validate(&pe->params, &ws->terms, l, im->today, im->diags);
	if (am_diags_total(im->diags) != before) {
		im->st->lists_refused++;
		return 0;
	}
	if (l->nlines > im->assess_alloc) {
		size_t n = l->nlines < 64 ? 64 : l->nlines;
		struct am_line_assessment *a = realloc(im->assess,
						       n * sizeof(*a));

		if (!a) {
			err = AM_ENOMEM;
			goto fatal;
		}
		im->assess = a;
		im->assess_alloc = n;
	}
	for (size_t i = 0; i < l->nlines; i++) {
		err = am_wage_line_assess(&pe->params, &ws->terms, &l->lines[i],
					  &im->assess[i]);
		if (err) {
			am_diags_add(im->diags, err, l->file, l->lines[i].row,
				     "DSW_MASH", NULL, NULL);
			im->st->lists_refused++;
			return 0;
		}
	}
	am_wage_list_hash(l);
	err = post(im, l, pe, ws);
	if (!err)
		return 0;
fatal:
	im->fatal = err;
	return err;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcasecmp(s + n - m, suffix);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is dir a ListDisk folder (both files present, any letter case)? */
static bool is_listdisk(const char *dir)
{
	bool kar = false, wor = false;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while ((de = readdir(d)) != NULL) {
		kar |= !strcasecmp(de->d_name, "DSKKAR00.DBF");
		wor |= !strcasecmp(de->d_name, "DSKWOR00.DBF");
	}
	closedir(d);
	return kar && wor;
}

static int import_path(struct import *im, const char *path, int depth);

/* A tree of ListDisk folders (and CSV or JSON lists), in name order. */
static int import_tree(struct import *im, const char *dir, int depth)
{
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (depth > 16)
		return 0;
	d = opendir(dir);
	if (!d) {
		am_diags_add(im->diags, AM_EIO, dir, 0, NULL, strerror(errno),
			     NULL);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			char **p = realloc(names, na * sizeof(*p));

			if (!p) {
				err = AM_ENOMEM;
				break;
			}
			names = p;
			alloc = na;
		}
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (!names[n]) {
			err = AM_ENOMEM;
			break;
		}
		snprintf(names[n], strlen(dir) + strlen(de->d_name) + 2,
			 "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (!err && n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && !err; i++) {
		struct stat sb;

		/* Sub-folders, and the CSV and JSON lists among them. */
		if (stat(names[i], &sb) == 0 &&
		    (S_ISDIR(sb.st_mode) || has_suffix(names[i], ".csv") ||
		     has_suffix(names[i], ".json")))
			err = import_path(im, names[i], depth + 1);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

static int import_path(struct import *im, const char *path, int depth)
{
	struct am_read_opts ro = { im->o->codepage };
	struct stat sb;

	if (stat(path, &sb) != 0) {
		am_diags_add(im->diags, AM_EIO, path, 0, NULL, strerror(errno),
			     NULL);
		return 0;
	}
	if (S_ISDIR(sb.st_mode)) {
		if (!is_listdisk(path))
			return import_tree(im, path, depth);
		im->st->files++;
		return am_dbf_read(path, &ro, on_list, im, im->diags);
	}
	im->st->files++;
	if (has_suffix(path, ".csv"))
		return am_csv_read(path, &ro, on_list, im, im->diags);
	if (has_suffix(path, ".json"))
		return am_json_read(path, &ro, on_list, im, im->diags);
	am_diags_add(im->diags, AM_EWAGE_PATH, path, 0, NULL, NULL,
		     "DSKKAR00.DBF + DSKWOR00.DBF, .csv, .json");
	return 0;
}

int am_import_wages(struct am_store *s, const struct am_rules *rules,
		    char *const *paths, size_t npaths,
		    const struct am_wage_import_opts *o,
		    struct am_wage_import_stats *st, struct am_diags *diags)
{
	struct import *im = calloc(1, sizeof(*im));
	int64_t registered_before = am_store_persons_registered(s);
	int err = 0;

	if (!im)
		return AM_ENOMEM;
	im->s = s;
	im->rules = rules;
	im->o = o;
	im->st = st;
	im->diags = diags;
	im->today = o->today ? o->today : am_date_today();
	im->batch_lines = o->batch_lines ? o->batch_lines : 50000;
	if (o->progress)
		am_progress_start(&im->progress, "import", 0);
	for (size_t i = 0; i < npaths && !err; i++) {
		err = import_path(im, paths[i], 0);
		if (im->fatal)
			err = im->fatal;
	}
	if (!err)
		err = end_batch(im);
	else if (am_store_in_transaction(s))
		am_store_rollback(s);
	st->persons_registered = (size_t)(am_store_persons_registered(s) -
					  registered_before);
	/* Copy the new lines into the by-person table, in key order; always,
	 * since a run killed before its compaction leaves lines behind. */
	if (!err)
		err = am_store_compact(s, NULL);
	if (o->progress)
		am_progress_finish(&im->progress);
	free(im->ws);
	free(im->assess);
	free(im);
	return err;
}
