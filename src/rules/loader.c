/* The strict loader of rule files: libfyaml's event parser builds a small
 * tree that keeps each node's line, and the tree is checked key by key. */
#include "core/internal.h"

#include <dirent.h>
#include <libfyaml.h>

#include "rules/rules_int.h"

/* A rule file nests five levels deep; far deeper is hostile input. */
#define YAML_DEPTH_MAX 32
/* Nodes of one file: far above a real file (a few thousand), low enough
 * that the tree of a hostile 4 MiB file stays a few tens of MiB. */
#define YAML_NODES_MAX 500000
/* Longest parameter or column name. */
#define NAME_MAX_LEN 128
/* Most columns of a table: a legal table has a handful. */
#define COLUMNS_MAX 64

enum ykind { Y_SCALAR, Y_MAP, Y_SEQ };

/* A node of the YAML tree. A mapping's children alternate key, value. */
struct ynode {
	enum ykind kind;
	unsigned line;	   /* 1-based */
	unsigned key_line; /* values in a mapping: the line of their key */
	bool null;	   /* empty plain scalar, "~" or "null" */
	const char *text;  /* scalars: NUL-terminated */
	size_t len;
	size_t n; /* children */
	struct ynode *parent, *first, *last, *next;
};

/* What one am_rules_add_text() call works with. */
struct ctx {
	struct am_rules *r;
	struct am_diags *diags;
	const char *file;    /* in r->arena */
	struct am_arena tmp; /* the tree; freed when the text is done */
	int err;	     /* first error of this text, by line */
	unsigned err_line;
	size_t nerr; /* errors of this text so far */
	bool nomem;
};

/* The tree under construction. */
struct tree {
	struct ynode *root, *cur;
	unsigned last_line;
	size_t nodes;
	size_t end; /* where the stream ended */
	const char *input;
	size_t input_len;
	int depth, docs;
	bool stop;
};

static void report(struct ctx *c, int code, unsigned line, const char *field,
		   const char *value, const char *expected)
{
	/* The error returned is the first one down the file, as listed. */
	if (!c->err || line < c->err_line) {
		c->err = code;
		c->err_line = line;
	}
	c->nerr++;
	if (c->diags)
		am_diags_add(c->diags, code, c->file, line, field, value,
			     expected);
}

/* Out of memory: reported once, and the text's reading stops. */
static void no_memory(struct ctx *c)
{
	if (!c->nomem) {
		c->nomem = true;
		report(c, AM_ENOMEM, 0, NULL, NULL, NULL);
	}
}

static void *alloc(struct ctx *c, struct am_arena *a, size_t count, size_t size)
{
	void *p = am_arena_calloc(a, count ? count : 1, size);

	if (!p)
		no_memory(c);
	return p;
}

static char *dup_text(struct ctx *c, const char *s)
{
	char *p = am_arena_strdup(&c->r->arena, s);

	if (!p)
		no_memory(c);
	return p;
}

/* What a node holds, for the "found" part of a diagnostic. */
static const char *shown(const struct ynode *n)
{
	if (!n)
		return "";
	if (n->kind == Y_MAP)
		return "(a mapping)";
	if (n->kind == Y_SEQ)
		return "(a list)";
	return n->text;
}

/* "values[2]" + "from" → "values[2].from"; an empty path gives the key. */
static const char *join(char *buf, size_t size, const char *path,
			const char *key)
{
	snprintf(buf, size, "%s%s%s", path, *path ? "." : "", key);
	return buf;
}

/* ---- YAML events to a tree ---- */

static void quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

static bool is_null(const char *s, size_t len, bool plain)
{
	if (!plain)
		return false;
	return len == 0 || (len == 1 && s[0] == '~') ||
	       (len == 4 &&
		(memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
		 memcmp(s, "NULL", 4) == 0));
}

static bool valid_utf8(const char *s, size_t len)
{
	while (len) {
		size_t used;

		if (am__utf8_decode(s, len, &used) <= 0)
			return false; /* invalid, or a NUL from a "\0" escape */
		s += used;
		len -= used;
	}
	return true;
}

/* libfyaml 0.7.12 ends the stream without an error at a NUL byte or at
 * some invalid UTF-8, which would drop the rest of the file in silence, and
 * crashes on some misplaced tabs (libfyaml issue #57); so the whole text is
 * checked before it is parsed. Rule files need no control characters: they
 * indent with spaces and write a tab inside double quotes as \t. */
static bool check_bytes(struct ctx *c, const char *s, size_t len)
{
	unsigned line = 1;
	char found[32];

	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)s[i];
		size_t used;

		if (am__utf8_decode(s + i, len - i, &used) <= 0) {
			snprintf(found, sizeof(found), "byte 0x%02X", ch);
			report(c, AM_EINVALID_UTF8, line, NULL, found,
			       "UTF-8 text without NUL characters");
			return false;
		}
		if ((ch < 0x20 && ch != '\n' && ch != '\r') || ch == 0x7F) {
			snprintf(found, sizeof(found),
				 "control character 0x%02X", ch);
			report(c, AM_ERULES_SYNTAX, line, NULL, found,
			       ch == '\t' ? "spaces, not tabs"
					  : "text without control characters");
			return false;
		}
		if (ch == '\n')
			line++;
		i += used;
	}
	return true;
}

static void tree_refuse(struct ctx *c, struct tree *t, int code,
			const char *value, const char *expected)
{
	report(c, code, t->last_line, NULL, value, expected);
	t->stop = true;
}

static struct ynode *tree_add(struct ctx *c, struct tree *t, enum ykind kind)
{
	struct ynode *n;

	if (++t->nodes > YAML_NODES_MAX) {
		tree_refuse(c, t, AM_ETOO_LONG, "too many YAML nodes",
			    "at most 500000");
		return NULL;
	}
	n = alloc(c, &c->tmp, 1, sizeof(*n));
	if (!n) {
		t->stop = true;
		return NULL;
	}
	n->kind = kind;
	n->line = n->key_line = t->last_line;
	n->parent = t->cur;
	if (!t->cur) {
		t->root = n;
	} else {
		if (t->cur->kind == Y_MAP && t->cur->n % 2 == 1)
			n->key_line = t->cur->last->line;
		if (t->cur->last)
			t->cur->last->next = n;
		else
			t->cur->first = n;
		t->cur->last = n;
		t->cur->n++;
	}
	return n;
}

static bool is_break(char ch)
{
	return ch == '\n' || ch == '\r';
}

/* The value of a single-quoted scalar from its raw content (between the
 * quotes): '' is one quote, and line breaks fold as YAML says: trailing
 * and leading blanks go, one break is a space, n breaks are n - 1 newlines.
 * Never longer than the raw text; returns the length written to out. */
static size_t unquote_single(const char *s, size_t len, char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		size_t j = i, breaks = 0;

		if (s[i] == '\'') { /* the scanner only lets '' through */
			out[o++] = '\'';
			i += i + 1 < len && s[i + 1] == '\'' ? 2 : 1;
			continue;
		}
		if (s[i] != ' ' && s[i] != '\t' && !is_break(s[i])) {
			out[o++] = s[i++];
			continue;
		}
		while (j < len && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j == len || !is_break(s[j])) {
			/* Blanks inside a line stay. */
			memcpy(out + o, s + i, j - i);
			o += j - i;
			i = j;
			continue;
		}
		while (j < len &&
		       (is_break(s[j]) || s[j] == ' ' || s[j] == '\t')) {
			if (s[j] == '\n' ||
			    (s[j] == '\r' &&
			     (j + 1 == len || s[j + 1] != '\n')))
				breaks++;
			j++;
		}
		if (breaks == 1)
			out[o++] = ' ';
		for (size_t k = 1; k < breaks; k++)
			out[o++] = '\n';
		i = j;
	}
	return o;
}

/* The text of a scalar token, in c->tmp. libfyaml 0.7.12 gets single-quoted
 * scalars with runs of '' wrong (and leaks memory on them), so those are
 * read from the input here; the other styles come from libfyaml. */
static const char *scalar_text(struct ctx *c, const struct tree *t,
			       struct fy_token *tok, size_t *len)
{
	const struct fy_mark *start, *end;
	const char *s;
	char *out;

	*len = 0;
	if (!tok)
		return "";
	if (fy_token_scalar_style(tok) != FYSS_SINGLE_QUOTED) {
		s = fy_token_get_text(tok, len);
		if (!s)
			*len = 0;
		return s ? s : "";
	}
	start = fy_token_start_mark(tok);
	end = fy_token_end_mark(tok);
	if (!start || !end || start->input_pos > end->input_pos ||
	    end->input_pos > t->input_len)
		return NULL;
	out = am_arena_alloc(&c->tmp, end->input_pos - start->input_pos + 1);
	if (!out) {
		no_memory(c);
		return NULL;
	}
	*len = unquote_single(t->input + start->input_pos,
			      end->input_pos - start->input_pos, out);
	return out;
}

static void tree_scalar(struct ctx *c, struct tree *t, struct fy_token *tok)
{
	const char *s;
	size_t len = 0;
	struct ynode *n;

	s = scalar_text(c, t, tok, &len);
	if (!s) {
		if (!c->nomem)
			tree_refuse(c, t, AM_ERULES_SYNTAX, "a quoted text",
				    "a single-quoted text within the file");
		t->stop = true;
		return;
	}
	if (!valid_utf8(s, len)) {
		tree_refuse(c, t, AM_EINVALID_UTF8, NULL,
			    "UTF-8 text without NUL characters");
		return;
	}
	n = tree_add(c, t, Y_SCALAR);
	if (!n)
		return;
	n->text = am_arena_strndup(&c->tmp, s, len);
	if (!n->text) {
		no_memory(c);
		t->stop = true;
		return;
	}
	n->len = len;
	n->null = is_null(n->text, len,
			  !tok || fy_token_scalar_style(tok) == FYSS_PLAIN);
}

static void tree_open(struct ctx *c, struct tree *t, enum ykind kind)
{
	struct ynode *n;

	if (t->depth >= YAML_DEPTH_MAX) {
		tree_refuse(c, t, AM_ERULES_SYNTAX, "nesting too deep",
			    "at most 32 levels");
		return;
	}
	n = tree_add(c, t, kind);
	if (!n)
		return;
	t->cur = n;
	t->depth++;
}

static bool has_decoration(const struct fy_event *e)
{
	switch (e->type) {
	case FYET_SCALAR:
		return e->scalar.anchor || e->scalar.tag;
	case FYET_MAPPING_START:
		return e->mapping_start.anchor || e->mapping_start.tag;
	case FYET_SEQUENCE_START:
		return e->sequence_start.anchor || e->sequence_start.tag;
	default:
		return false;
	}
}

static void tree_event(struct ctx *c, struct tree *t, struct fy_event *e)
{
	const struct fy_mark *m = fy_event_start_mark(e);

	if (m && m->line >= 0 && m->line < INT_MAX)
		t->last_line = (unsigned)m->line + 1;
	/* Anchors, aliases and tags are refused: a rule file is plain data,
	 * and aliases would let a small file expand without bound. */
	if (e->type == FYET_ALIAS || has_decoration(e)) {
		tree_refuse(c, t, AM_ERULES_SYNTAX, "anchor, alias or tag",
			    "plain YAML without &, * or !");
		return;
	}
	switch (e->type) {
	case FYET_DOCUMENT_START:
		if (++t->docs > 1)
			tree_refuse(c, t, AM_ERULES_SYNTAX, "a second document",
				    "one YAML document per file");
		break;
	case FYET_MAPPING_START:
		tree_open(c, t, Y_MAP);
		break;
	case FYET_SEQUENCE_START:
		tree_open(c, t, Y_SEQ);
		break;
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		if (t->cur) {
			t->cur = t->cur->parent;
			t->depth--;
		}
		break;
	case FYET_SCALAR:
		tree_scalar(c, t, e->scalar.value);
		break;
	case FYET_STREAM_END:
		t->end = m ? m->input_pos : 0;
		break;
	default:
		break;
	}
}

/* libfyaml's first collected error, with its (1-based) line. */
static void report_yaml_error(struct ctx *c, struct fy_diag *diag,
			      unsigned fallback_line)
{
	void *iter = NULL;
	struct fy_diag_error *de = fy_diag_errors_iterate(diag, &iter);
	unsigned line = fallback_line;

	if (de && de->line > 0)
		line = (unsigned)de->line;
	report(c, AM_ERULES_SYNTAX, line, NULL,
	       de && de->msg ? de->msg : "invalid YAML", NULL);
}

/* Parse text into a tree in c->tmp. NULL with errors reported, or NULL
 * for an empty document (no error), or the root. */
static struct ynode *parse_tree(struct ctx *c, const char *text, size_t len)
{
	struct fy_parse_cfg pcfg = { 0 };
	struct fy_diag_cfg dcfg;
	struct tree t = { 0 };
	struct fy_diag *diag;
	struct fy_parser *fyp;
	struct fy_event *e;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = quiet;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		goto fail;
	fy_diag_set_collect_errors(diag, true);
	pcfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	pcfg.diag = diag;
	fyp = fy_parser_create(&pcfg);
	if (!fyp)
		goto out_diag;
	if (fy_parser_set_string(fyp, text, len) != 0)
		goto out_parser;
	t.last_line = 1;
	t.input = text;
	t.input_len = len;
	while (!t.stop && (e = fy_parser_parse(fyp)) != NULL) {
		tree_event(c, &t, e);
		fy_parser_event_free(fyp, e);
	}
	if (!t.stop && fy_parser_get_stream_error(fyp))
		report_yaml_error(c, diag, t.last_line);
	else if (!t.stop && t.end != len)
		/* A parser that stops early must not drop the rest unseen. */
		report(c, AM_ERULES_SYNTAX, t.last_line, NULL,
		       "the parser stopped before the end of the file", NULL);
	fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	return c->err ? NULL : t.root;

out_parser:
	fy_parser_destroy(fyp);
out_diag:
	fy_diag_destroy(diag);
fail:
	no_memory(c);
	return NULL;
}

/* ---- Checking the tree ---- */

/* Match the keys of a mapping against names[]: vals[i] is the value of
 * names[i], or NULL when absent. Unknown and repeated keys are reported.
 * False (reported) when n is not a mapping. */
static bool read_map(struct ctx *c, const struct ynode *n, const char *path,
		     const char *const *names, size_t count,
		     struct ynode **vals)
{
	char field[AM_DIAG_TEXT], allowed[AM_DIAG_TEXT] = "";

	for (size_t i = 0; i < count; i++)
		vals[i] = NULL;
	if (n->kind != Y_MAP) {
		report(c, AM_ERULES_BAD_VALUE, n->line, *path ? path : NULL,
		       shown(n), "a mapping of keys");
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		size_t used = strlen(allowed);

		snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
			 i ? ", " : "", names[i]);
	}
	for (struct ynode *k = n->first; k && k->next; k = k->next->next) {
		size_t i = 0;

		while (i < count &&
		       (k->kind != Y_SCALAR || strcmp(k->text, names[i]) != 0))
			i++;
		if (i == count) {
			report(c, AM_ERULES_UNKNOWN_KEY, k->line,
			       join(field, sizeof(field), path, shown(k)),
			       shown(k), allowed);
		} else if (vals[i]) {
			report(c, AM_ERULES_SYNTAX, k->line,
			       join(field, sizeof(field), path, names[i]),
			       "a repeated key", "each key once");
		} else {
			vals[i] = k->next;
		}
	}
	return true;
}

/* A required key: reported missing when absent or empty. */
static bool need(struct ctx *c, const struct ynode *map,
		 const struct ynode *val, const char *path, const char *key)
{
	char field[AM_DIAG_TEXT];

	if (val && !val->null)
		return true;
	report(c, AM_ERULES_MISSING_KEY, val ? val->key_line : map->line,
	       join(field, sizeof(field), path, key), NULL, NULL);
	return false;
}

/* A key that this kind of parameter must not have. */
static void forbid(struct ctx *c, const struct ynode *val, const char *path,
		   const char *key, const char *expected)
{
	char field[AM_DIAG_TEXT];

	if (val)
		report(c, AM_ERULES_UNKNOWN_KEY, val->key_line,
		       join(field, sizeof(field), path, key), key, expected);
}

/* The text of a scalar node, copied into the rule set; NULL (reported)
 * when it is not a scalar or is empty. */
static const char *read_text(struct ctx *c, const struct ynode *n,
			     const char *field)
{
	if (n->kind != Y_SCALAR || n->null || n->len == 0) {
		report(c, AM_ERULES_BAD_VALUE, n->line, field, shown(n),
		       "non-empty text");
		return NULL;
	}
	return dup_text(c, n->text);
}

/* Segments of [a-z0-9_] joined by '.' (only when dotted). */
static bool valid_name(const char *s, bool dotted)
{
	size_t seg = 0, len = strlen(s);

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_') {
			seg++;
		} else if (*s == '.' && dotted && seg > 0) {
			seg = 0;
		} else {
			return false;
		}
	}
	return seg > 0;
}

/* A whole number ≥ 0 of digits in any script. Negative durations and
 * counts have no meaning in law, so '-' is refused. */
static bool parse_count(const char *s, size_t len, int64_t *out)
{
	char digits[24];
	size_t n = 0;
	uint64_t v;

	while (len) {
		size_t used;
		int d = am__digit_at(s, len, &used);

		if (d < 0 || n == sizeof(digits) - 1)
			return false;
		digits[n++] = (char)('0' + d);
		s += used;
		len -= used;
	}
	if (!am__parse_uint(digits, n, &v) || v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

static const char *unit_expected(enum am_unit unit)
{
	switch (unit) {
	case AM_UNIT_RIAL:
	case AM_UNIT_RIAL_PER_DAY:
		return "whole rials, 0 or more, such as 2,388,728";
	case AM_UNIT_RATE:
		return "a rate, 0 or more, such as 7%, 7/100 or 0.07";
	case AM_UNIT_DAYS:
	case AM_UNIT_MONTHS:
	case AM_UNIT_YEARS:
	case AM_UNIT_COUNT:
		return "a whole number, 0 or more";
	case AM_UNIT_DATE:
		return "a Jalali date such as 1403/12/30";
	case AM_UNIT_ROUNDING:
		return "half_up, half_even, down, up, floor or ceiling";
	case AM_UNIT_BOOL:
		return "true or false";
	case AM_UNIT_TEXT:
		return "non-empty text";
	default:
		return "a value";
	}
}

/* Rule figures are never negative: a minus sign is a typing mistake. */
static bool parse_scalar(struct ctx *c, enum am_unit unit, const char *s,
			 size_t len, struct am_scalar *out)
{
	out->unit = unit;
	switch (unit) {
	case AM_UNIT_RIAL:
	case AM_UNIT_RIAL_PER_DAY:
		return am_money_parse(s, len, &out->u.money) == 0 &&
		       out->u.money >= 0;
	case AM_UNIT_RATE:
		return am_rate_parse(s, len, &out->u.rate) == 0 &&
		       out->u.rate.num >= 0;
	case AM_UNIT_DAYS:
	case AM_UNIT_MONTHS:
	case AM_UNIT_YEARS:
	case AM_UNIT_COUNT:
		return parse_count(s, len, &out->u.i);
	case AM_UNIT_DATE:
		return am_jalali_parse(s, len, &out->u.date) == 0;
	case AM_UNIT_ROUNDING:
		return am_round_parse(s, &out->u.round) == 0;
	case AM_UNIT_BOOL:
		out->u.b = strcmp(s, "true") == 0;
		return out->u.b || strcmp(s, "false") == 0;
	case AM_UNIT_TEXT:
		out->u.text = dup_text(c, s);
		return out->u.text != NULL;
	default:
		return false;
	}
}

static bool read_scalar(struct ctx *c, enum am_unit unit, const struct ynode *n,
			const char *field, struct am_scalar *out)
{
	if (n->kind == Y_SCALAR && !n->null && n->len > 0 &&
	    parse_scalar(c, unit, n->text, n->len, out))
		return true;
	if (!c->nomem)
		report(c, AM_ERULES_BAD_VALUE, n->line, field, shown(n),
		       unit_expected(unit));
	return false;
}

static bool read_unit(struct ctx *c, const struct ynode *n, const char *field,
		      bool in_table, enum am_unit *out)
{
	if (n->kind == Y_SCALAR && am_unit_parse(n->text, out) == 0 &&
	    !(in_table && *out == AM_UNIT_TABLE))
		return true;
	report(c, AM_ERULES_BAD_UNIT, n->line, field, shown(n),
	       in_table ? "rial, rial/day, rate, days, months, years, count, "
			  "date, rounding, bool or text"
			: "rial, rial/day, rate, days, months, years, count, "
			  "date, rounding, bool, text or table");
	return false;
}

/* description: {fa: …, en: …}, both required. */
static void read_description(struct ctx *c, const struct ynode *n,
			     struct am_param *p)
{
	static const char *const keys[] = { "fa", "en" };
	struct ynode *v[2];

	if (!read_map(c, n, "description", keys, 2, v))
		return;
	if (need(c, n, v[0], "description", "fa"))
		p->description_fa = read_text(c, v[0], "description.fa");
	if (need(c, n, v[1], "description", "en"))
		p->description_en = read_text(c, v[1], "description.en");
}

static void read_column(struct ctx *c, const struct ynode *n, size_t i,
			struct am_column *col)
{
	static const char *const keys[] = { "name", "unit", "fa", "en" };
	char path[48], field[AM_DIAG_TEXT];
	struct ynode *v[4];

	snprintf(path, sizeof(path), "columns[%zu]", i);
	if (!read_map(c, n, path, keys, 4, v))
		return;
	if (need(c, n, v[0], path, "name")) {
		join(field, sizeof(field), path, "name");
		if (v[0]->kind == Y_SCALAR && valid_name(v[0]->text, false))
			col->name = dup_text(c, v[0]->text);
		else
			report(c, AM_ERULES_BAD_VALUE, v[0]->line, field,
			       shown(v[0]), "a name of a-z, 0-9 and _");
	}
	if (need(c, n, v[1], path, "unit"))
		read_unit(c, v[1], join(field, sizeof(field), path, "unit"),
			  true, &col->unit);
	if (v[2] && !v[2]->null)
		col->description_fa = read_text(
			c, v[2], join(field, sizeof(field), path, "fa"));
	if (v[3] && !v[3]->null)
		col->description_en = read_text(
			c, v[3], join(field, sizeof(field), path, "en"));
}

/* columns: a non-empty list of {name, unit, fa?, en?}, names unique. True
 * when every column is good, so rows can be checked against them. */
static bool read_columns(struct ctx *c, const struct ynode *n,
			 struct am_param *p)
{
	size_t before = c->nerr, i = 0;
	struct am_column *cols;

	if (n->kind != Y_SEQ || n->n == 0 || n->n > COLUMNS_MAX) {
		report(c, AM_ERULES_BAD_TABLE, n->line, "columns", shown(n),
		       "a list of 1 to 64 columns");
		return false;
	}
	cols = alloc(c, &c->r->arena, n->n, sizeof(*cols));
	if (!cols)
		return false;
	for (const struct ynode *k = n->first; k; k = k->next, i++) {
		read_column(c, k, i, &cols[i]);
		for (size_t j = 0; cols[i].name && j < i; j++) {
			char field[48];

			if (!cols[j].name ||
			    strcmp(cols[i].name, cols[j].name) != 0)
				continue;
			snprintf(field, sizeof(field), "columns[%zu].name", i);
			report(c, AM_ERULES_BAD_TABLE, k->line, field,
			       cols[i].name, "a name no other column has");
		}
	}
	p->columns = cols;
	p->ncolumns = n->n;
	return c->nerr == before;
}

/* rows: a non-empty list of lists, each as long as the columns. */
static void read_rows(struct ctx *c, const struct ynode *n, const char *path,
		      const struct am_param *p, struct am_value *v)
{
	char field[AM_DIAG_TEXT], found[32], want[32];
	struct am_scalar *cells;
	size_t r = 0;

	join(field, sizeof(field), path, "rows");
	if (n->kind != Y_SEQ || n->n == 0) {
		report(c, AM_ERULES_BAD_TABLE, n->line, field, shown(n),
		       "a list of one or more rows");
		return;
	}
	if (n->n > SIZE_MAX / p->ncolumns)
		return;
	cells = alloc(c, &c->r->arena, n->n * p->ncolumns, sizeof(*cells));
	if (!cells)
		return;
	for (const struct ynode *row = n->first; row; row = row->next, r++) {
		size_t col = 0;

		snprintf(field, sizeof(field), "%s.rows[%zu]", path, r);
		if (row->kind != Y_SEQ || row->n != p->ncolumns) {
			snprintf(found, sizeof(found), "%zu cells", row->n);
			snprintf(want, sizeof(want), "%zu cells", p->ncolumns);
			report(c, AM_ERULES_BAD_TABLE, row->line, field,
			       row->kind == Y_SEQ ? found : shown(row), want);
			continue;
		}
		for (const struct ynode *x = row->first; x;
		     x = x->next, col++) {
			snprintf(field, sizeof(field), "%s.rows[%zu][%zu]",
				 path, r, col);
			read_scalar(c, p->columns[col].unit, x, field,
				    &cells[r * p->ncolumns + col]);
		}
	}
	v->cells = cells;
	v->nrows = n->n;
}

/* Where a value's dates were written, and whether they could be read. */
struct span {
	unsigned from_line, to_line;
	bool from_ok, to_ok;
};

/* What the values of a parameter must hold: unknown when its unit is bad
 * (their figures are then not checked), a scalar, a table whose rows can be
 * checked, or a table with bad columns (rows are not checked). */
enum shape { SHAPE_UNKNOWN, SHAPE_SCALAR, SHAPE_TABLE, SHAPE_BAD_TABLE };

static void read_value(struct ctx *c, const struct ynode *n, size_t i,
		       const struct am_param *p, enum shape shape,
		       struct am_value *v, struct span *sp)
{
	static const char *const keys[] = { "from", "to",	 "value",
					    "rows", "reference", "note" };
	enum { K_FROM, K_TO, K_VALUE, K_ROWS, K_REF, K_NOTE };
	char path[32], field[AM_DIAG_TEXT];
	struct ynode *k[6];

	snprintf(path, sizeof(path), "values[%zu]", i);
	v->line = n->line;
	v->file = c->file;
	v->layer = (unsigned)(c->r->nlayers - 1);
	v->to = AM_DATE_OPEN;
	if (!read_map(c, n, path, keys, 6, k))
		return;
	if (need(c, n, k[K_FROM], path, "from")) {
		struct am_scalar s;

		sp->from_line = k[K_FROM]->line;
		sp->from_ok = read_scalar(
			c, AM_UNIT_DATE, k[K_FROM],
			join(field, sizeof(field), path, "from"), &s);
		if (sp->from_ok)
			v->from = s.u.date;
	}
	/* An empty to: or note: is as if it were not written. */
	if (k[K_TO] && !k[K_TO]->null) {
		struct am_scalar s;

		sp->to_line = k[K_TO]->line;
		sp->to_ok = read_scalar(c, AM_UNIT_DATE, k[K_TO],
					join(field, sizeof(field), path, "to"),
					&s);
		if (sp->to_ok)
			v->to = s.u.date;
	}
	if (shape == SHAPE_SCALAR) {
		forbid(c, k[K_ROWS], path, "rows", "rows only in tables");
		if (need(c, n, k[K_VALUE], path, "value"))
			read_scalar(c, p->unit, k[K_VALUE],
				    join(field, sizeof(field), path, "value"),
				    &v->scalar);
	} else if (shape != SHAPE_UNKNOWN) {
		forbid(c, k[K_VALUE], path, "value",
		       "rows, not value, in a table");
		v->scalar.unit = AM_UNIT_TABLE;
		if (need(c, n, k[K_ROWS], path, "rows") && shape == SHAPE_TABLE)
			read_rows(c, k[K_ROWS], path, p, v);
	}
	if (!k[K_REF] || k[K_REF]->kind != Y_SCALAR || k[K_REF]->null ||
	    k[K_REF]->len == 0 ||
	    strspn(k[K_REF]->text, " \t") == k[K_REF]->len)
		report(c, AM_ERULES_MISSING_REFERENCE,
		       k[K_REF] ? k[K_REF]->key_line : n->line,
		       join(field, sizeof(field), path, "reference"),
		       k[K_REF] ? shown(k[K_REF]) : NULL,
		       "the law, article or circular the value comes from");
	else
		v->reference = dup_text(c, k[K_REF]->text);
	if (k[K_NOTE] && !k[K_NOTE]->null)
		v->note = read_text(c, k[K_NOTE],
				    join(field, sizeof(field), path, "note"));
}

/* The date found, and the one expected with words around it. */
static void date_report(struct ctx *c, int code, unsigned line,
			const char *field, am_date found, const char *before,
			am_date want, const char *after)
{
	char f[AM_DATE_FMT_MAX], w[AM_DATE_FMT_MAX], expected[AM_DIAG_TEXT];

	am_date_format_jalali(found, false, f);
	am_date_format_jalali(want, false, w);
	snprintf(expected, sizeof(expected), "%s%s%s", before, w, after);
	report(c, code, line, field, f, expected);
}

/* Values in ascending order of from, without gap or overlap; a value with
 * no to runs until the day before the next one starts. */
static void check_dates(struct ctx *c, struct am_value *vals,
			const struct span *sp, size_t n)
{
	struct am_value *prev = NULL;
	char field[48];

	for (size_t i = 0; i < n; i++) {
		struct am_value *v = &vals[i];

		if (sp[i].from_ok && sp[i].to_ok && v->to < v->from) {
			snprintf(field, sizeof(field), "values[%zu].to", i);
			date_report(c, AM_ERULES_DATE_OVERLAP, sp[i].to_line,
				    field, v->to, "", v->from,
				    " or later (its from)");
			prev = NULL;
			continue;
		}
		if (!sp[i].from_ok) {
			prev = NULL; /* do not compare across it */
			continue;
		}
		snprintf(field, sizeof(field), "values[%zu].from", i);
		if (prev && v->from <= prev->from)
			date_report(c, AM_ERULES_DATE_OVERLAP, sp[i].from_line,
				    field, v->from, "after ", prev->from,
				    " (the from before)");
		else if (prev && prev->to == AM_DATE_OPEN)
			prev->to = v->from - 1;
		else if (prev && v->from > prev->to + 1)
			date_report(c, AM_ERULES_DATE_GAP, sp[i].from_line,
				    field, v->from, "", prev->to + 1,
				    " (the day after the value before ends)");
		else if (prev && v->from <= prev->to)
			date_report(c, AM_ERULES_DATE_OVERLAP, sp[i].from_line,
				    field, v->from, "", prev->to + 1,
				    " (the day after the value before ends)");
		prev = v;
	}
}

/* values: a non-empty list. */
static void read_values(struct ctx *c, const struct ynode *n,
			struct am_param *p, enum shape shape)
{
	struct am_value *vals;
	struct span *sp;
	size_t i = 0;

	if (n->kind != Y_SEQ || n->n == 0) {
		report(c, AM_ERULES_BAD_VALUE, n->line, "values", shown(n),
		       "a list of one or more dated values");
		return;
	}
	vals = alloc(c, &c->r->arena, n->n, sizeof(*vals));
	sp = alloc(c, &c->tmp, n->n, sizeof(*sp));
	if (!vals || !sp)
		return;
	for (const struct ynode *k = n->first; k && !c->nomem; k = k->next, i++)
		read_value(c, k, i, p, shape, &vals[i], &sp[i]);
	check_dates(c, vals, sp, n->n);
	p->values = vals;
	p->nvalues = n->n;
}

static void keep(struct ctx *c, const struct am_param *p)
{
	struct am_rules *r = c->r;
	struct am__pending *pd = alloc(c, &r->arena, 1, sizeof(*pd));

	if (!pd)
		return;
	pd->param = *p;
	pd->seq = r->npending++;
	pd->layer = (unsigned)(r->nlayers - 1);
	*r->pending_tail = pd;
	r->pending_tail = &pd->next;
}

static void read_param(struct ctx *c, const struct ynode *n, size_t idx)
{
	static const char *const keys[] = { "name",	  "unit",
					    "confidence", "description",
					    "columns",	  "values" };
	enum { K_NAME, K_UNIT, K_CONF, K_DESC, K_COLS, K_VALUES };
	struct am_param p = { 0 };
	enum shape shape = SHAPE_UNKNOWN;
	size_t before = c->nerr;
	char path[32];
	struct ynode *k[6];

	snprintf(path, sizeof(path), "parameters[%zu]", idx);
	if (n->kind != Y_MAP) {
		report(c, AM_ERULES_BAD_VALUE, n->line, path, shown(n),
		       "a parameter: a mapping with name, unit, …");
		return;
	}
	read_map(c, n, "", keys, 6, k);
	p.file = c->file;
	p.line = n->line;
	if (need(c, n, k[K_NAME], "", "name")) {
		if (k[K_NAME]->kind == Y_SCALAR &&
		    valid_name(k[K_NAME]->text, true))
			p.name = dup_text(c, k[K_NAME]->text);
		else
			report(c, AM_ERULES_BAD_VALUE, k[K_NAME]->line, "name",
			       shown(k[K_NAME]),
			       "segments of a-z, 0-9 and _ joined by '.'");
	}
	if (need(c, n, k[K_UNIT], "", "unit") &&
	    read_unit(c, k[K_UNIT], "unit", false, &p.unit))
		shape = p.unit == AM_UNIT_TABLE ? SHAPE_TABLE : SHAPE_SCALAR;
	if (need(c, n, k[K_CONF], "", "confidence")) {
		const struct ynode *v = k[K_CONF];

		if (v->kind == Y_SCALAR && v->len == 1 &&
		    strchr("HMLUD", v->text[0]))
			p.confidence = dup_text(c, v->text);
		else
			report(c, AM_ERULES_BAD_VALUE, v->line, "confidence",
			       shown(v), "H, M, L, U or D");
	}
	if (need(c, n, k[K_DESC], "", "description"))
		read_description(c, k[K_DESC], &p);
	if (shape == SHAPE_SCALAR)
		forbid(c, k[K_COLS], "", "columns",
		       "columns only when the unit is table");
	if (shape == SHAPE_TABLE && (!need(c, n, k[K_COLS], "", "columns") ||
				     !read_columns(c, k[K_COLS], &p)))
		shape = SHAPE_BAD_TABLE;
	if (need(c, n, k[K_VALUES], "", "values"))
		read_values(c, k[K_VALUES], &p, shape);
	if (c->nerr == before && !c->nomem)
		keep(c, &p);
}

static void read_root(struct ctx *c, const struct ynode *root)
{
	static const char *const keys[] = { "parameters" };
	struct ynode *v;
	size_t i = 0;

	if (!root) {
		report(c, AM_ERULES_MISSING_KEY, 1, "parameters", NULL, NULL);
		return;
	}
	if (!read_map(c, root, "", keys, 1, &v) ||
	    !need(c, root, v, "", "parameters"))
		return;
	if (v->kind != Y_SEQ) {
		report(c, AM_ERULES_BAD_VALUE, v->line, "parameters", shown(v),
		       "a list of parameters");
		return;
	}
	for (const struct ynode *k = v->first; k && !c->nomem; k = k->next, i++)
		read_param(c, k, i);
}

/* ---- The rule set ---- */

struct keyed {
	unsigned line;
	size_t idx;
};

static int by_line(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Put the diagnostics of one text, items[from..nr), in order of line (and
 * of finding, within a line), so they read down the file. Left as they are
 * when there is no memory to sort them. */
static void sort_by_line(struct am_diags *ds, size_t from)
{
	size_t n = ds->nr - from;
	struct am_diag *copy;
	struct keyed *keys;

	if (n < 2)
		return;
	keys = malloc(n * sizeof(*keys));
	copy = malloc(n * sizeof(*copy));
	if (keys && copy) {
		for (size_t i = 0; i < n; i++) {
			keys[i].line = ds->items[from + i].line;
			keys[i].idx = i;
			copy[i] = ds->items[from + i];
		}
		qsort(keys, n, sizeof(*keys), by_line);
		for (size_t i = 0; i < n; i++)
			ds->items[from + i] = copy[keys[i].idx];
	}
	free(copy);
	free(keys);
}

int am_rules_new(struct am_rules **out)
{
	struct am_rules *r = calloc(1, sizeof(*r));

	if (!r)
		return AM_ENOMEM;
	am_arena_init(&r->arena, 0);
	r->pending_tail = &r->pending;
	*out = r;
	return 0;
}

void am_rules_free(struct am_rules *r)
{
	if (!r)
		return;
	am_arena_release(&r->arena);
	free(r);
}

int am_rules_add_text(struct am_rules *r, const char *name, const char *text,
		      size_t len, struct am_diags *diags)
{
	struct ctx c = { .r = r, .diags = diags };
	size_t first_diag = diags ? diags->nr : 0;
	char size[32];
	char *copy;

	if (!r || r->closed || (!text && len))
		return AM_EINVALID_ARGUMENT;
	if (r->nlayers == 0)
		r->nlayers = 1; /* the first layer, unnamed */
	c.file = am_arena_strdup(&r->arena, name ? name : "(text)");
	if (!c.file)
		return r->err = r->err ? r->err : AM_ENOMEM;
	am_arena_init(&c.tmp, 0);
	if (len > AM_RULES_FILE_MAX) {
		snprintf(size, sizeof(size), "%zu bytes", len);
		report(&c, AM_ETOO_LONG, 0, NULL, size, "at most 4 MiB");
		goto out;
	}
	/* libfyaml gets a NUL-terminated copy, whatever the caller had. */
	copy = am_arena_strndup(&c.tmp, text ? text : "", len);
	if (!copy) {
		no_memory(&c);
		goto out;
	}
	if (check_bytes(&c, copy, len)) {
		const struct ynode *root = parse_tree(&c, copy, len);

		if (!c.err)
			read_root(&c, root);
	}
out:
	am_arena_release(&c.tmp);
	if (diags)
		sort_by_line(diags, first_diag);
	if (c.err && !r->err)
		r->err = c.err;
	return c.err;
}

int am_rules_add_layer(struct am_rules *r, const char *name)
{
	const char *copy = NULL;

	if (!r || r->closed)
		return AM_EINVALID_ARGUMENT;
	if (r->nlayers == AM_RULES_LAYERS_MAX)
		return AM_ETOO_LONG;
	if (name) {
		copy = am_arena_strdup(&r->arena, name);
		if (!copy)
			return AM_ENOMEM;
	}
	r->layers[r->nlayers++] = copy;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct am__pending *x = a, *y = b;
	int d = strcmp(x->param.name, y->param.name);

	if (d)
		return d;
	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool same_name(const struct am__pending *a, const struct am__pending *b)
{
	return strcmp(a->param.name, b->param.name) == 0;
}

/* Report every parameter whose name an earlier one of its layer already
 * has, naming where the first one is. sorted[] is in order of name, then
 * layer, then reading. */
static int report_duplicates(const struct am__pending *sorted, size_t n,
			     struct am_diags *diags)
{
	int err = 0;

	for (size_t i = 1, first = 0; i < n; i++) {
		const struct am_param *p = &sorted[i].param;
		const struct am_param *f;
		char expected[AM_DIAG_TEXT];

		if (!same_name(&sorted[i], &sorted[first]) ||
		    sorted[i].layer != sorted[first].layer) {
			first = i;
			continue;
		}
		f = &sorted[first].param;
		snprintf(expected, sizeof(expected),
			 "one definition; the first is at %s:%u", f->file,
			 f->line);
		err = AM_ERULES_DUPLICATE;
		if (diags)
			am_diags_add(diags, err, p->file, p->line, "name",
				     p->name, expected);
	}
	return err;
}

/* The parameters of sorted[] (in order of name, layer and reading) laid
 * layer over layer into r->params, one per name. Returns the first problem
 * of the layering (every one added to diags). */
static int merge_layers(struct am_rules *r, const struct am__pending *sorted,
			size_t n, struct am_diags *diags)
{
	const struct am__pending *group[AM_RULES_LAYERS_MAX];
	int first = 0;

	for (size_t i = 0, j; i < n; i = j) {
		size_t ng = 0;
		int err;

		/* One entry per layer: a layer's duplicates are reported. */
		for (j = i; j < n && same_name(&sorted[j], &sorted[i]); j++)
			if (ng == 0 || sorted[j].layer != group[ng - 1]->layer)
				group[ng++] = &sorted[j];
		err = am__rules_merge(r, group, ng, &r->params[r->nparams++],
				      diags);
		if (!first)
			first = err;
	}
	return first;
}

int am_rules_finish(struct am_rules *r, struct am_diags *diags)
{
	struct am__pending *sorted;
	size_t i = 0;
	int err, merged = 0;

	if (!r || r->closed)
		return AM_EINVALID_ARGUMENT;
	r->closed = true;
	sorted = calloc(r->npending ? r->npending : 1, sizeof(*sorted));
	if (!sorted)
		return r->err = r->err ? r->err : AM_ENOMEM;
	for (struct am__pending *pd = r->pending; pd; pd = pd->next)
		sorted[i++] = *pd;
	qsort(sorted, r->npending, sizeof(*sorted), by_name);
	err = report_duplicates(sorted, r->npending, diags);
	if (r->err)
		err = r->err;
	/* The layers are laid even after errors elsewhere, so that one run
	 * names every problem. */
	if (r->npending) {
		r->params = am_arena_alloc(&r->arena,
					   r->npending * sizeof(*r->params));
		merged = r->params ? merge_layers(r, sorted, r->npending, diags)
				   : AM_ENOMEM;
	}
	if (!err)
		err = merged;
	free(sorted);
	if (!err)
		err = am__rules_compute_identity(r);
	if (err)
		r->nparams = 0;
	r->err = err;
	r->finished = err == 0;
	return err;
}

/* ---- Folders ---- */

static bool is_rule_file(const char *name)
{
	size_t len = strlen(name);

	if (name[0] == '.')
		return false;
	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(name + len - 4, ".yml") == 0);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n, alloc;
};

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static int names_add(struct names *ns, const char *s)
{
	char *copy;

	if (ns->n == ns->alloc) {
		size_t alloc = ns->alloc ? 2 * ns->alloc : 16;
		char **v = realloc(ns->v, alloc * sizeof(*v));

		if (!v)
			return AM_ENOMEM;
		ns->v = v;
		ns->alloc = alloc;
	}
	copy = strdup(s);
	if (!copy)
		return AM_ENOMEM;
	ns->v[ns->n++] = copy;
	return 0;
}

/* The names of the rule files directly in dir, sorted. */
static int list_dir(const char *dir, struct names *ns)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return AM_ERULES_DIR;
	errno = 0;
	while (!err && (de = readdir(d)) != NULL)
		if (is_rule_file(de->d_name))
			err = names_add(ns, de->d_name);
	if (!err && errno)
		err = AM_ERULES_DIR;
	closedir(d);
	if (!err && ns->n > 1)
		qsort(ns->v, ns->n, sizeof(*ns->v), by_string);
	return err;
}

/* The whole of a regular file of at most AM_RULES_FILE_MAX bytes. */
static int read_whole(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	size_t n, size;
	char *buf;
	int err = AM_EIO;

	if (!f)
		return AM_EIO;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out_file;
	err = AM_ETOO_LONG;
	if (st.st_size < 0 || (uintmax_t)st.st_size > AM_RULES_FILE_MAX)
		goto out_file;
	size = (size_t)st.st_size;
	err = AM_ENOMEM;
	buf = malloc(size + 1);
	if (!buf)
		goto out_file;
	/* One byte more than the size: a file that grew is not read half. */
	n = fread(buf, 1, size + 1, f);
	if (ferror(f) || n != size) {
		err = AM_EIO;
		free(buf);
		goto out_file;
	}
	*out = buf;
	*len = n;
	err = 0;
out_file:
	fclose(f);
	return err;
}

static void diag_add(struct am_diags *diags, int code, const char *file,
		     const char *value, const char *expected)
{
	if (diags)
		am_diags_add(diags, code, file, 0, NULL, value, expected);
}

static int load_files(struct am_rules *r, const char *dir,
		      const struct names *ns, struct am_diags *diags)
{
	struct am_buf path;
	int first = 0;

	am_buf_init(&path, 0);
	for (size_t i = 0; i < ns->n; i++) {
		char *text = NULL;
		size_t len = 0;
		int err;

		am_buf_clear(&path);
		err = am_buf_addf(&path, "%s%s%s", dir,
				  dir[strlen(dir) - 1] == '/' ? "" : "/",
				  ns->v[i]);
		if (!err)
			err = read_whole(path.buf, &text, &len);
		if (err) {
			diag_add(diags, err, path.buf, NULL,
				 err == AM_ETOO_LONG ? "at most 4 MiB"
						     : "a readable file");
		} else {
			err = am_rules_add_text(r, path.buf, text, len, diags);
			free(text);
		}
		if (!first)
			first = err;
	}
	am_buf_release(&path);
	return first;
}

/* The rule files of one folder, as the set's next layer. */
static int load_folder(struct am_rules *r, const char *dir,
		       struct am_diags *diags)
{
	struct names ns = { 0 };
	int err;

	if (!dir || !*dir) {
		diag_add(diags, AM_ERULES_DIR, NULL, "", "a folder");
		return AM_ERULES_DIR;
	}
	err = am_rules_add_layer(r, dir);
	if (err)
		return err;
	err = list_dir(dir, &ns);
	if (!err && ns.n == 0)
		err = AM_ERULES_DIR;
	if (err)
		diag_add(diags, err, dir, dir,
			 "a readable folder of *.yaml files");
	else
		err = load_files(r, dir, &ns, diags);
	names_release(&ns);
	return err;
}

int am_rules_load_dirs(const char *const *dirs, size_t ndirs,
		       struct am_rules **out, struct am_diags *diags)
{
	struct am_rules *r = NULL;
	char count[48];
	int err, fin;

	*out = NULL;
	if (!dirs || ndirs == 0) {
		diag_add(diags, AM_ERULES_DIR, NULL, "", "a folder");
		return AM_ERULES_DIR;
	}
	if (ndirs > AM_RULES_LAYERS_MAX) {
		snprintf(count, sizeof(count), "%zu folders", ndirs);
		diag_add(diags, AM_ETOO_LONG, NULL, count,
			 "at most 16 folders");
		return AM_ETOO_LONG;
	}
	err = am_rules_new(&r);
	if (err)
		return err;
	/* Every folder is read, so that one run names every problem. */
	for (size_t i = 0; i < ndirs; i++) {
		int e = load_folder(r, dirs[i], diags);

		if (!err)
			err = e;
	}
	fin = am_rules_finish(r, diags);
	if (!err)
		err = fin;
	if (err) {
		am_rules_free(r);
		r = NULL;
	}
	*out = r;
	return err;
}

int am_rules_load_dir(const char *dir, struct am_rules **out,
		      struct am_diags *diags)
{
	return am_rules_load_dirs(&dir, 1, out, diags);
}
