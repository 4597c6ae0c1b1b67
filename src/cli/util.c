/* Output helpers shared by the commands: text in the user's language (in
 * Persian with Persian digits), errors in Persian or English as text or
 * JSON, and the loading of rules and the database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"

static bool persian(const struct cli *cli)
{
	return cli->lang == AM_LANG_FA && !cli->json;
}

/* Append a conversion's text s[0..len) to out; when fa, its digits
 * Persian and, in a fraction, the Persian decimal separator '٫' for the
 * point (۱٫۵). */
static int add_number(struct am_buf *out, const char *s, size_t len, bool fa,
		      bool fraction)
{
	size_t start = out->len;
	int err = 0;

	if (!fa)
		return am_buf_add(out, s, len);
	for (size_t i = 0; i < len && !err; i++) {
		if (fraction && s[i] == '.')
			err = am_buf_adds(out, "٫");
		else
			err = am_text_digits_to_persian(s + i, 1, out);
	}
	if (err)
		am_buf_truncate(out, start);
	return err;
}

/* The columns UTF-8 s[0..n) takes on a terminal: a column a character
 * but ZWNJ (E2 80 8C), which joins none and takes none. */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 &&
		    !(i + 2 < n && !memcmp(s + i, "\xE2\x80\x8C", 3)))
			c++;
	return c;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* A %s in Persian text, padded to its width in characters as a terminal
 * shows them (printf counts bytes: two a Persian letter or digit). f is
 * the spec with any '*' written out. */
static int add_text_padded(struct am_buf *out, const char *f, const char *s)
{
	size_t flags = 1 + strspn(f + 1, "-+ #0'"), k = flags, w = 0, n;
	bool left = memchr(f + 1, '-', flags - 1) != NULL;
	struct am_buf t;
	char g[64];
	int err;

	for (; f[k] >= '0' && f[k] <= '9'; k++)
		w = w * 10 + (size_t)(f[k] - '0');
	snprintf(g, sizeof(g), "%%%s", f + k); /* the precision and the 's' */
	am_buf_init(&t, 0);
	err = am_buf_addf(&t, g, s);
	n = chars(t.buf, t.len);
	for (; !err && !left && n < w; n++)
		err = am_buf_addch(out, ' ');
	err = err ? err : am_buf_add(out, t.buf, t.len);
	for (; !err && left && n < w; n++)
		err = am_buf_addch(out, ' ');
	am_buf_release(&t);
	return err;
}

/*
 * One conversion of a printf format, spec[0..n) ("%-12s", "%*d", "%.1f"),
 * its argument taken from ap and formatted alone into out. A '*' width or
 * precision is read and written into the spec as digits, so each
 * conversion is a call with one argument. The format was checked against
 * the arguments by the compiler (cli_fprintf's format attribute); this
 * repeats what printf would do with it.
 */
static int add_conversion(struct am_buf *out, const char *spec, size_t n,
			  va_list *ap, bool fa, bool *verbatim, bool *fraction)
{
	char f[64], conv = spec[n - 1];
	size_t k = 0;
	char len[3] = "";

	for (size_t i = 0; i < n && k < sizeof(f) - 16; i++) {
		if (spec[i] == '*') {
			int v = va_arg(*ap, int);
			bool prec = i && spec[i - 1] == '.';

			if (prec && v < 0) { /* as if not given */
				k--;
				continue;
			}
			k += (size_t)snprintf(f + k, sizeof(f) - k, "%d", v);
			continue;
		}
		if (strchr("hljztL", spec[i]) && strlen(len) < 2)
			len[strlen(len)] = spec[i];
		f[k++] = spec[i];
	}
	f[k] = '\0';
	*verbatim = conv == 's' || conv == 'c' || conv == 'p';
	*fraction = strchr("fFeEgGaA", conv) != NULL;
	switch (conv) {
	case 'd':
	case 'i':
		if (!strcmp(len, "ll"))
			return am_buf_addf(out, f, va_arg(*ap, long long));
		if (!strcmp(len, "l"))
			return am_buf_addf(out, f, va_arg(*ap, long));
		if (!strcmp(len, "z"))
			return am_buf_addf(out, f, va_arg(*ap, ssize_t));
		if (!strcmp(len, "j"))
			return am_buf_addf(out, f, va_arg(*ap, intmax_t));
		if (!strcmp(len, "t"))
			return am_buf_addf(out, f, va_arg(*ap, ptrdiff_t));
		return am_buf_addf(out, f, va_arg(*ap, int));
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		if (!strcmp(len, "ll"))
			return am_buf_addf(out, f,
					   va_arg(*ap, unsigned long long));
		if (!strcmp(len, "l"))
			return am_buf_addf(out, f, va_arg(*ap, unsigned long));
		if (!strcmp(len, "z"))
			return am_buf_addf(out, f, va_arg(*ap, size_t));
		if (!strcmp(len, "j"))
			return am_buf_addf(out, f, va_arg(*ap, uintmax_t));
		if (!strcmp(len, "t"))
			return am_buf_addf(out, f, va_arg(*ap, ptrdiff_t));
		return am_buf_addf(out, f, va_arg(*ap, unsigned));
	case 'f':
	case 'F':
	case 'e':
	case 'E':
	case 'g':
	case 'G':
	case 'a':
	case 'A':
		if (!strcmp(len, "L"))
			return am_buf_addf(out, f, va_arg(*ap, long double));
		return am_buf_addf(out, f, va_arg(*ap, double));
	case 'c':
		return am_buf_addf(out, f, va_arg(*ap, int));
	case 's':
		if (fa)
			return add_text_padded(out, f,
					       va_arg(*ap, const char *));
		return am_buf_addf(out, f, va_arg(*ap, const char *));
	case 'p':
		return am_buf_addf(out, f, va_arg(*ap, void *));
	case '%':
		return am_buf_addch(out, '%');
	default: /* %n and the like: never in our formats */
		return AM_EINVALID_ARGUMENT;
	}
}

#pragma GCC diagnostic pop

int cli_vformat(const struct cli *cli, struct am_buf *out, const char *fmt,
		va_list ap)
{
	bool fa = persian(cli);
	size_t start = out->len;
	va_list aq;
	int err = 0;

	va_copy(aq, ap);
	while (*fmt && !err) {
		const char *pct = strchr(fmt, '%'), *end;
		struct am_buf one;
		bool verbatim, fraction;

		/* The format's own text as it is: a Persian one writes
		 * its digits Persian, an ASCII digit there is a name's
		 * (DSKKAR00.DBF, BLAKE2b). */
		if (!pct) {
			err = am_buf_adds(out, fmt);
			break;
		}
		err = am_buf_add(out, fmt, (size_t)(pct - fmt));
		end = pct + 1 + strspn(pct + 1, "-+ #0'123456789.*hljztL");
		if (err || !*end) {
			err = err ? err : AM_EINVALID_ARGUMENT;
			break;
		}
		am_buf_init(&one, 0);
		err = add_conversion(&one, pct, (size_t)(end + 1 - pct), &aq,
				     fa, &verbatim, &fraction);
		if (!err)
			err = add_number(out, one.buf, one.len, fa && !verbatim,
					 fraction);
		am_buf_release(&one);
		fmt = end + 1;
	}
	va_end(aq);
	if (err)
		am_buf_truncate(out, start);
	return err;
}

int cli_fprintf(const struct cli *cli, FILE *f, const char *fmt, ...)
{
	struct am_buf b;
	va_list ap;
	int err;

	am_buf_init(&b, 0);
	va_start(ap, fmt);
	err = cli_vformat(cli, &b, fmt, ap);
	va_end(ap);
	if (!err && fwrite(b.buf, 1, b.len, f) != b.len)
		err = AM_EIO;
	am_buf_release(&b);
	return err;
}

const char *cli_digits(struct cli *cli, const char *s)
{
	struct am_buf b;
	const char *r = s;

	if (!s || !persian(cli))
		return s;
	am_buf_init(&b, 0);
	if (am_text_digits_to_persian(s, strlen(s), &b) == 0)
		r = am_arena_strndup(&cli->arena, b.buf, b.len);
	am_buf_release(&b);
	return r ? r : s;
}

int cli_status(int err)
{
	int http;

	if (err == 0)
		return CLI_OK;
	if (err == AM_EUSAGE)
		return CLI_USAGE;
	http = am_error_http(err);
	/* 4xx: the input was refused; 5xx: the system failed (3). */
	return http >= 400 && http < 500 ? CLI_REFUSED : 3;
}

void cli_emit(const struct am_buf *b)
{
	fwrite(b->buf, 1, b->len, stdout);
	fputc('\n', stdout);
}

int cli_json_str(struct am_buf *b, const char *key, const char *val, bool first)
{
	int err = am_buf_addf(b, "%s\"%s\":", first ? "" : ",", key);

	if (!err)
		err = am_buf_add_json_str(b, val ? val : "",
					  val ? strlen(val) : 0);
	return err;
}

const char *cli_read_uri(const struct cli *cli)
{
	return cli->read_db ? cli->read_db : cli->db_path;
}

int cli_fail(struct cli *cli, int err, const char *what)
{
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_adds(&b, "{\"error\":{");
		cli_json_str(&b, "code", am_error_id(err), true);
		cli_json_str(&b, "message_fa", am_strerror_fa(err), false);
		cli_json_str(&b, "message_en", am_strerror(err), false);
		if (what)
			cli_json_str(&b, "detail", what, false);
		am_buf_adds(&b, "}}");
		cli_emit(&b);
		am_buf_release(&b);
	} else if (what && *what) {
		fprintf(stderr, "amanat: %s: %s [%s]\n", what,
			am_strerror_lang(err, cli->lang), am_error_id(err));
	} else {
		fprintf(stderr, "amanat: %s [%s]\n",
			am_strerror_lang(err, cli->lang), am_error_id(err));
	}
	return cli_status(err);
}

int cli_fail_diag(struct cli *cli, const struct am_diag *d)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	if (cli->json) {
		am_buf_adds(&b, "{\"error\":");
		am_diag_json(d, &b);
		am_buf_adds(&b, "}");
		cli_emit(&b);
	} else {
		am_diag_format(d, cli->lang, &b);
		fprintf(stderr, "amanat: %s\n", b.buf);
	}
	am_buf_release(&b);
	return cli_status(d->code);
}

int cli_load_rules(struct cli *cli, struct am_rules **out)
{
	struct am_diags ds;
	int err;

	am_diags_init(&ds, 0);
	err = am_rules_load_dirs(cli->rules_dirs, cli->nrules_dirs, out, &ds);
	if (err) {
		/* Name the first problem; 'amanat rules check' lists them all
		 * (it reads the same folders). */
		if (ds.nr)
			cli_fail_diag(cli, &ds.items[0]);
		else
			cli_fail(cli, err, cli->rules_dir);
		if (!cli->json && am_diags_total(&ds) > 1)
			cli_fprintf(
				cli, stderr,
				cli->lang == AM_LANG_FA
					? "amanat: و %zu خطای دیگر؛ 'amanat "
					  "rules check' با همین پوشه‌های قواعد "
					  "همه را فهرست می‌کند\n"
					: "amanat: %zu more; 'amanat rules "
					  "check' with the same rules folders "
					  "lists them all\n",
				am_diags_total(&ds) - 1);
	}
	am_diags_release(&ds);
	return err;
}
