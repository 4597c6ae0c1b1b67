/* JSON wage lists: one list object, or an array of them, with the ListDisk
 * field names as keys and the lines in a "lines" array. */
#include "core/internal.h"

#include "amanat/assess.h"
#include "amanat/formats.h"
#include "formats/formats_int.h"

#include <jansson.h>

/* A JSON file is read whole; one this large is not a month's list. */
#define JSON_MAX_FILE ((long long)256 << 20)
#define JSON_MAX_LINES 1000000

struct jctx {
	struct am_wage_list *l;
	struct am__fctx *c;
	char prefix[96];   /* "lists[2]." or "" */
	char lprefix[128]; /* prefix + "lines[5]." */
};

/* The text of a scalar: a string as it is, an integer in decimal, null as
 * empty. false (and a diagnostic) for any other type. */
static bool value_text(struct am__fctx *c, const char *field, json_t *v,
		       char num[32], const char **s, size_t *len)
{
	if (json_is_string(v)) {
		*s = json_string_value(v);
		*len = json_string_length(v);
		return true;
	}
	if (json_is_integer(v)) {
		snprintf(num, 32, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		*s = num;
		*len = strlen(num);
		return true;
	}
	if (json_is_null(v)) {
		*s = "";
		*len = 0;
		return true;
	}
	if (json_is_real(v)) {
		snprintf(num, 32, "%.17g", json_real_value(v));
		am__fctx_diag(c, AM_ENUMBER_SYNTAX, field, num, strlen(num),
			      "a whole number");
		return false;
	}
	am__fctx_diag(c, AM_EWAGE_JSON_TYPE, field, NULL, 0,
		      "a string or a number");
	return false;
}

static void line_header_num(struct am__fctx *c, const char *field, int v,
			    int want)
{
	char vs[24], ws[24];

	snprintf(vs, sizeof(vs), "%d", v);
	snprintf(ws, sizeof(ws), "%d", want);
	am__fctx_diag(c, AM_EWAGE_LINE_HEADER, field, vs, strlen(vs), ws);
}

static int read_line(struct jctx *j, json_t *obj, struct am_wage_line *w,
		     const struct am__wkey *key)
{
	struct am__fctx *c = j->c;
	bool have[AM_WF_COUNT] = { false };
	struct am__wkey k;
	const char *name;
	json_t *v;
	int err;

	c->prefix = j->lprefix;
	memset(&k, 0, sizeof(k));
	if (!json_is_object(obj)) {
		am__fctx_diag(c, AM_EWAGE_JSON_TYPE, NULL, NULL, 0,
			      "an object");
		return 0;
	}
	json_object_foreach(obj, name, v)
	{
		int f = am__wf_lookup(name, strlen(name));
		const char *s;
		size_t len;
		char num[32];

		if (f < 0 || f >= AM_WF_KOSO) {
			am__fctx_diag(c, AM_EWAGE_UNKNOWN_FIELD, name, NULL, 0,
				      NULL);
			continue;
		}
		have[f] = true;
		if (!value_text(c, name, v, num, &s, &len))
			continue;
		err = am__wline_set(c, w, &k, f, s, len);
		if (err)
			return err;
	}
	for (int f = 0; f < AM_WF_COUNT; f++) {
		bool keyf = f == AM_WF_ID || f == AM_WF_YY || f == AM_WF_MM ||
			    f == AM_WF_LISTNO;

		if (am__wf_required(f) && !keyf && !have[f])
			am__fctx_diag(c, AM_EWAGE_MISSING_FIELD,
				      am__wf_names[f], NULL, 0, NULL);
	}
	/* A line may repeat its list's identity; it must then agree. */
	if (have[AM_WF_ID] && strcmp(k.id, key->id) != 0)
		am__fctx_diag(c, AM_EWAGE_LINE_HEADER, "DSW_ID", k.id,
			      strlen(k.id), key->id);
	if (have[AM_WF_YY] && k.period.year != key->period.year)
		line_header_num(c, "DSW_YY", k.period.year, key->period.year);
	if (have[AM_WF_MM] && k.period.month != key->period.month)
		line_header_num(c, "DSW_MM", k.period.month, key->period.month);
	if (have[AM_WF_LISTNO] && strcmp(k.list_no, key->list_no) != 0)
		am__fctx_diag(c, AM_EWAGE_LINE_HEADER, "DSW_LISTNO", k.list_no,
			      strlen(k.list_no), key->list_no);
	return 0;
}

/* The list-level keys: the DSKKAR00 names, or the DSW_ key names. */
static int read_head(struct jctx *j, json_t *obj, struct am__wkey *key)
{
	struct am__fctx *c = j->c;
	bool have_key[4] = { false };
	static const int wkeys[4] = { AM_WF_ID, AM_WF_YY, AM_WF_MM,
				      AM_WF_LISTNO };
	static const int hkeys[4] = { AM_HF_ID, AM_HF_YY, AM_HF_MM,
				      AM_HF_LISTNO };
	const char *name;
	json_t *v;
	int err;

	json_object_foreach(obj, name, v)
	{
		int hf = am__hf_lookup(name, strlen(name));
		int wf = am__wf_lookup(name, strlen(name));
		const char *s;
		size_t len;
		char num[32];
		struct am__wkey k2;

		if (strcmp(name, "lines") == 0)
			continue;
		for (int i = 0; i < 4; i++)
			if (wf == wkeys[i])
				hf = hkeys[i];
		if (hf < 0 || hf == AM_HF_TBIM20) {
			am__fctx_diag(c, AM_EWAGE_UNKNOWN_FIELD, name, NULL, 0,
				      NULL);
			continue;
		}
		if (!value_text(c, name, v, num, &s, &len))
			continue;
		if (hf >= AM_HF_NUM && hf != AM_HF_PYM && hf != AM_HF_RATE &&
		    hf != AM_HF_PRATE)
			j->l->has_totals = true;
		for (int i = 0; i < 4; i++) {
			if (hf != hkeys[i])
				continue;
			if (have_key[i]) {
				/* DSK_ID and DSW_ID both given: they must
				 * agree. */
				k2 = *key;
				err = am__whead_set(c, &k2, hf, s, len);
				if (!err && !am__wkey_equal(&k2, key))
					am__fctx_diag(c, AM_EWAGE_LINE_HEADER,
						      name, s, len, NULL);
				hf = -1;
				break;
			}
			have_key[i] = true;
		}
		if (hf < 0)
			continue;
		err = am__whead_set(c, key, hf, s, len);
		if (err)
			return err;
	}
	for (int i = 0; i < 4; i++)
		if (!have_key[i])
			am__fctx_diag(c, AM_EWAGE_MISSING_FIELD,
				      am__hf_names[hkeys[i]], NULL, 0, NULL);
	return 0;
}

static int read_list(struct jctx *j, json_t *obj, am_wage_list_fn fn, void *ctx)
{
	struct am_wage_list *l = j->l;
	struct am__fctx *c = j->c;
	struct am__wkey key;
	json_t *lines, *v;
	size_t i, n;
	int err;

	memset(&key, 0, sizeof(key));
	c->prefix = j->prefix;
	c->row = 0;
	if (!json_is_object(obj)) {
		am__fctx_diag(c, AM_EWAGE_JSON_TYPE, NULL, NULL, 0,
			      "an object");
		goto deliver;
	}
	err = read_head(j, obj, &key);
	if (err)
		return err;
	am__wkey_apply(l, &key);
	lines = json_object_get(obj, "lines");
	if (!json_is_array(lines)) {
		am__fctx_diag(
			c, lines ? AM_EWAGE_JSON_TYPE : AM_EWAGE_MISSING_FIELD,
			"lines", NULL, 0, "an array");
		goto deliver;
	}
	n = json_array_size(lines);
	if (n > JSON_MAX_LINES) {
		am__fctx_diag(c, AM_ETOO_LONG, "lines", NULL, 0,
			      "<= 1000000 lines");
		goto deliver;
	}
	if (n) {
		l->lines = am_arena_calloc(&l->arena, n, sizeof(*l->lines));
		if (!l->lines)
			return AM_ENOMEM;
	}
	json_array_foreach(lines, i, v)
	{
		snprintf(j->lprefix, sizeof(j->lprefix), "%slines[%zu].",
			 j->prefix, i);
		c->row = (unsigned)i + 1;
		am__wline_reset(&l->lines[i], c->row);
		err = read_line(j, v, &l->lines[i], &key);
		if (err)
			return err;
		l->nlines++;
	}
deliver:
	am_wage_list_hash(l);
	err = fn(l, c->nbad > 0, ctx);
	am__fctx_list_done(c);
	return err;
}

static int load(const char *path, struct am__fctx *c, json_t **root)
{
	struct stat st;
	json_error_t e;

	if (stat(path, &st) != 0) {
		am__fctx_diag(c, AM_EIO, NULL, strerror(errno),
			      strlen(strerror(errno)), NULL);
		return AM_EIO;
	}
	if ((long long)st.st_size > JSON_MAX_FILE) {
		am__fctx_diag(c, AM_ETOO_LONG, NULL, NULL, 0, "<= 256 MiB");
		return AM_ETOO_LONG;
	}
	*root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (!*root) {
		c->row = e.line > 0 ? (unsigned)e.line : 0;
		am__fctx_diag(c, AM_EJSON_SYNTAX, NULL, e.text, strlen(e.text),
			      NULL);
		return AM_EJSON_SYNTAX;
	}
	return 0;
}

int am_json_read(const char *path, const struct am_read_opts *opts,
		 am_wage_list_fn fn, void *ctx, struct am_diags *diags)
{
	struct am_wage_list l;
	struct am__fctx c;
	struct jctx j = { .l = &l, .c = &c };
	json_t *root = NULL, *v;
	size_t i;
	int err;

	(void)opts; /* JSON is always UTF-8 */
	am_wage_list_init(&l);
	l.file = path;
	am__fctx_init(&c, &l, diags, path);
	c.keep_texts = true;
	err = load(path, &c, &root);
	if (err)
		goto release;
	if (!json_is_array(root)) {
		err = read_list(&j, root, fn, ctx);
		goto release;
	}
	json_array_foreach(root, i, v)
	{
		snprintf(j.prefix, sizeof(j.prefix), "lists[%zu].", i);
		err = read_list(&j, v, fn, ctx);
		if (err)
			break;
		/* The next list starts empty. */
		am_arena_clear(&l.arena);
		{
			struct am_arena a = l.arena;

			memset(&l, 0, sizeof(l));
			l.arena = a;
			l.file = path;
		}
		c.nbad = 0;
	}
release:
	json_decref(root);
	am__fctx_release(&c);
	am_wage_list_release(&l);
	return err;
}
