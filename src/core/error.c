/* Error messages and diagnostics: lookups into the generated error table,
 * and the capped list of diagnostics that batch work reports through. */
#include "core/internal.h"

#include "core/error_table.h"

static const struct am__error_entry unknown_error = { 0, 500, "unknown",
						      "خطای ناشناخته",
						      "unknown error" };
static const struct am__error_entry no_error = { 0, 200, "ok", "انجام شد",
						 "success" };

static const struct am__error_entry *find(int err)
{
	/* -(long long): -INT_MIN does not fit in an int. */
	long long code = err < 0 ? -(long long)err : err;

	if (err == 0)
		return &no_error;
	/* The table is short and in ascending code order. */
	for (unsigned i = 0; i < am__error_table_len; i++)
		if (am__error_table[i].code == code)
			return &am__error_table[i];
	return &unknown_error;
}

const char *am_strerror(int err)
{
	return find(err)->en;
}

const char *am_strerror_fa(int err)
{
	return find(err)->fa;
}

const char *am_strerror_lang(int err, enum am_lang lang)
{
	return lang == AM_LANG_FA ? find(err)->fa : find(err)->en;
}

const char *am_error_id(int err)
{
	return find(err)->id;
}

int am_error_http(int err)
{
	return find(err)->http;
}

int am_error_from_id(const char *id)
{
	for (unsigned i = 0; i < am__error_table_len; i++)
		if (strcmp(am__error_table[i].id, id) == 0)
			return -am__error_table[i].code;
	return 0;
}

size_t am__strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return 0;
	if (!src)
		src = "";
	n = strnlen(src, size - 1);
	/* Do not cut a UTF-8 sequence: while the first byte left out is a
	 * continuation byte, leave out the one before it too. (src[n] is the
	 * NUL when nothing was cut.) */
	while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

bool am__parse_uint(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

void am_diag_set(struct am_diag *d, int code, const char *file, unsigned line,
		 const char *field, const char *value, const char *expected)
{
	d->code = code;
	d->line = line;
	am__strlcpy(d->file, file, sizeof(d->file));
	am__strlcpy(d->field, field, sizeof(d->field));
	am__strlcpy(d->value, value, sizeof(d->value));
	am__strlcpy(d->expected, expected, sizeof(d->expected));
}

void am_diags_init(struct am_diags *ds, size_t cap)
{
	ds->items = NULL;
	ds->nr = ds->alloc = 0;
	ds->cap = cap ? cap : 10000;
	ds->dropped = 0;
}

void am_diags_release(struct am_diags *ds)
{
	free(ds->items);
	am_diags_init(ds, ds->cap);
}

void am_diags_clear(struct am_diags *ds)
{
	ds->nr = 0;
	ds->dropped = 0;
}

int am_diags_push(struct am_diags *ds, const struct am_diag *d)
{
	if (ds->nr >= ds->cap) {
		ds->dropped++;
		return 0;
	}
	if (ds->nr == ds->alloc) {
		size_t alloc = ds->alloc ? ds->alloc * 2 : 16;
		struct am_diag *items;

		if (alloc > ds->cap)
			alloc = ds->cap;
		items = realloc(ds->items, alloc * sizeof(*items));
		if (!items) {
			ds->dropped++;
			return AM_ENOMEM;
		}
		ds->items = items;
		ds->alloc = alloc;
	}
	ds->items[ds->nr++] = *d;
	return 0;
}

int am_diags_add(struct am_diags *ds, int code, const char *file, unsigned line,
		 const char *field, const char *value, const char *expected)
{
	struct am_diag d;

	am_diag_set(&d, code, file, line, field, value, expected);
	return am_diags_push(ds, &d);
}

/* Where: "file:row: " as tools read it; in Persian "file، سطر ۷: ". */
static int add_location(const struct am_diag *d, bool fa, struct am_buf *out)
{
	char row[16];
	int err;

	if (!d->line)
		return am_buf_addf(out, "%s: ", d->file);
	if (!fa)
		return am_buf_addf(out, "%s:%u: ", d->file, d->line);
	snprintf(row, sizeof(row), "%u", d->line);
	err = am_buf_addf(out, "%s، سطر ", d->file);
	err = err ? err : am__buf_add_persian(out, row);
	return err ? err : am_buf_adds(out, ": ");
}

int am_diag_format(const struct am_diag *d, enum am_lang lang,
		   struct am_buf *out)
{
	size_t start = out->len;
	bool fa = lang == AM_LANG_FA;
	int err = 0;

	if (d->file[0])
		err = add_location(d, fa, out);
	if (!err)
		err = am_buf_adds(out, am_strerror_lang(d->code, lang));
	if (!err && d->field[0])
		err = fa ? am_buf_addf(out, ": فیلد «%s»", d->field)
			 : am_buf_addf(out, ": field '%s'", d->field);
	if (!err && d->value[0])
		err = fa ? am_buf_addf(out, "%s مقدار «%s»",
				       d->field[0] ? "،" : ":", d->value)
			 : am_buf_addf(out, "%s found '%s'",
				       d->field[0] ? "," : ":", d->value);
	if (!err && d->expected[0])
		err = fa ? am_buf_addf(out, "، مورد انتظار «%s»", d->expected)
			 : am_buf_addf(out, ", expected '%s'", d->expected);
	if (!err)
		err = am_buf_addf(out, " [%s]", am_error_id(d->code));
	if (err)
		am_buf_truncate(out, start);
	return err;
}

static int json_member(struct am_buf *out, const char *key, const char *val,
		       bool comma)
{
	int err = am_buf_addf(out, "%s\"%s\":", comma ? "," : "", key);

	if (!err)
		err = am_buf_add_json_str(out, val, strlen(val));
	return err;
}

int am_diag_json(const struct am_diag *d, struct am_buf *out)
{
	size_t start = out->len;
	int err = am_buf_addch(out, '{');

	if (!err)
		err = json_member(out, "file", d->file, false);
	if (!err)
		err = am_buf_addf(out, ",\"row\":%u", d->line);
	if (!err)
		err = json_member(out, "field", d->field, true);
	if (!err)
		err = json_member(out, "value", d->value, true);
	if (!err)
		err = json_member(out, "expected", d->expected, true);
	if (!err)
		err = json_member(out, "code", am_error_id(d->code), true);
	if (!err)
		err = json_member(out, "message_fa", am_strerror_fa(d->code),
				  true);
	if (!err)
		err = json_member(out, "message_en", am_strerror(d->code),
				  true);
	if (!err)
		err = am_buf_addch(out, '}');
	if (err)
		am_buf_truncate(out, start);
	return err;
}
