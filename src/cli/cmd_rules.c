/* amanat rules show / rules check: the parameters in force on a date, and
 * the validation of a rules folder, or of a base and the folders laid over
 * it, with every error's file and line and what each folder adds. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A scalar for people: rates as percentages when exact, money grouped.
 * In ASCII digits but money; persian: money in Persian digits and group
 * separators, the Persian decimal separator and percent sign
 * (pretty_scalar() then makes every digit Persian). */
static void pretty_scalar_ascii(const struct am_scalar *s, bool persian,
				struct am_buf *out)
{
	char tmp[AM_MONEY_FMT_MAX > 64 ? AM_MONEY_FMT_MAX : 64];

	switch (s->unit) {
	case AM_UNIT_RIAL:
	case AM_UNIT_RIAL_PER_DAY:
		am_money_format(s->u.money, true, persian, tmp);
		am_buf_adds(out, tmp);
		return;
	case AM_UNIT_RATE:
		if (s->u.rate.den > 0 && 100 % s->u.rate.den == 0) {
			am_buf_addf(out, "%lld%s",
				    (long long)s->u.rate.num *
					    (100 / s->u.rate.den),
				    persian ? "٪" : "%");
			return;
		}
		if (s->u.rate.den > 0 && 10000 % s->u.rate.den == 0) {
			long long bp = (long long)s->u.rate.num *
				       (10000 / s->u.rate.den);
			am_buf_addf(out, "%lld%s%02lld%s", bp / 100,
				    persian ? "٫" : ".",
				    (bp < 0 ? -bp : bp) % 100,
				    persian ? "٪" : "%");
			return;
		}
		break;
	default:
		break;
	}
	if (s->unit == AM_UNIT_TEXT) {
		am_buf_adds(out, s->u.text);
		return;
	}
	am_scalar_format(s, tmp, sizeof(tmp));
	am_buf_adds(out, tmp);
}

/* The same for people in the user's language: when persian, in Persian
 * digits (۷٪, ۱۲٫۵۰٪, ۱٬۷۶۹٬۴۲۸); a text as it is. */
static void pretty_scalar(const struct am_scalar *s, bool persian,
			  struct am_buf *out)
{
	struct am_buf t;

	if (!persian || s->unit == AM_UNIT_TEXT) {
		pretty_scalar_ascii(s, false, out);
		return;
	}
	am_buf_init(&t, 0);
	pretty_scalar_ascii(s, true, &t);
	if (am_text_digits_to_persian(t.buf, t.len, out))
		am_buf_add(out, t.buf, t.len);
	am_buf_release(&t);
}

/* A scalar as a JSON value: numbers for amounts and counts. */
static void json_scalar(const struct am_scalar *s, struct am_buf *out)
{
	char tmp[64];

	switch (s->unit) {
	case AM_UNIT_RIAL:
	case AM_UNIT_RIAL_PER_DAY:
		am_buf_addf(out, "%lld", (long long)s->u.money);
		return;
	case AM_UNIT_DAYS:
	case AM_UNIT_MONTHS:
	case AM_UNIT_YEARS:
	case AM_UNIT_COUNT:
		am_buf_addf(out, "%lld", (long long)s->u.i);
		return;
	case AM_UNIT_BOOL:
		am_buf_adds(out, s->u.b ? "true" : "false");
		return;
	case AM_UNIT_TEXT:
		am_buf_add_json_str(out, s->u.text, strlen(s->u.text));
		return;
	default:
		am_scalar_format(s, tmp, sizeof(tmp));
		am_buf_add_json_str(out, tmp, strlen(tmp));
	}
}

static void format_span(const struct am_value *v, bool persian, char *out,
			size_t size)
{
	char from[AM_DATE_FMT_MAX], to[AM_DATE_FMT_MAX];

	am_date_format_jalali(v->from, persian, from);
	if (v->to == AM_DATE_OPEN)
		snprintf(to, sizeof(to), "%s", persian ? "…" : "...");
	else
		am_date_format_jalali(v->to, persian, to);
	snprintf(out, size, "%s – %s", from, to);
}

static void json_param(const struct am_param *p, const struct am_value *v,
		       struct am_buf *b)
{
	char date[AM_DATE_FMT_MAX];

	am_buf_addch(b, '{');
	cli_json_str(b, "name", p->name, true);
	cli_json_str(b, "unit", am_unit_name(p->unit), false);
	cli_json_str(b, "confidence", p->confidence, false);
	cli_json_str(b, "description_fa", p->description_fa, false);
	cli_json_str(b, "description_en", p->description_en, false);
	am_date_format_jalali(v->from, false, date);
	cli_json_str(b, "from", date, false);
	if (v->to == AM_DATE_OPEN) {
		am_buf_adds(b, ",\"to\":null");
	} else {
		am_date_format_jalali(v->to, false, date);
		cli_json_str(b, "to", date, false);
	}
	cli_json_str(b, "reference", v->reference, false);
	if (v->note)
		cli_json_str(b, "note", v->note, false);
	if (p->unit != AM_UNIT_TABLE) {
		am_buf_adds(b, ",\"value\":");
		json_scalar(&v->scalar, b);
	} else {
		am_buf_adds(b, ",\"columns\":[");
		for (size_t c = 0; c < p->ncolumns; c++) {
			am_buf_addf(b, "%s{", c ? "," : "");
			cli_json_str(b, "name", p->columns[c].name, true);
			cli_json_str(b, "unit",
				     am_unit_name(p->columns[c].unit), false);
			am_buf_addch(b, '}');
		}
		am_buf_adds(b, "],\"rows\":[");
		for (size_t r = 0; r < v->nrows; r++) {
			am_buf_adds(b, r ? ",[" : "[");
			for (size_t c = 0; c < p->ncolumns; c++) {
				if (c)
					am_buf_addch(b, ',');
				json_scalar(am_value_cell(p, v, r, c), b);
			}
			am_buf_addch(b, ']');
		}
		am_buf_addch(b, ']');
	}
	am_buf_addch(b, '}');
}

/* The unit as a person reads it after a value; "" where the value says
 * it all (rates as percentages, counts, words). */
static const char *unit_label(enum am_unit u, bool fa)
{
	switch (u) {
	case AM_UNIT_RIAL:
		return fa ? " ریال" : " rial";
	case AM_UNIT_RIAL_PER_DAY:
		return fa ? " ریال در روز" : " rial/day";
	case AM_UNIT_DAYS:
		return fa ? " روز" : " days";
	case AM_UNIT_MONTHS:
		return fa ? " ماه" : " months";
	case AM_UNIT_YEARS:
		return fa ? " سال" : " years";
	default:
		return "";
	}
}

/* How sure the source is (docs/rules.md), as a clerk reads it. */
static const char *confidence_label(const struct cli *cli, const char *c)
{
	static const struct {
		const char *code, *fa;
	} labels[] = {
		{ "H", "اطمینان زیاد" }, { "M", "اطمینان متوسط" },
		{ "L", "اطمینان کم" },	 { "U", "تأییدنشده" },
		{ "D", "محل اختلاف" },
	};

	if (cli->lang != AM_LANG_FA || !c)
		return c;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(c, labels[i].code))
			return labels[i].fa;
	return c;
}

static void text_param(struct cli *cli, const struct am_param *p,
		       const struct am_value *v)
{
	bool fa = cli->lang == AM_LANG_FA;
	char span[2 * AM_DATE_FMT_MAX + 8];
	struct am_buf b;

	am_buf_init(&b, 0);
	format_span(v, fa, span, sizeof(span));
	if (p->unit != AM_UNIT_TABLE) {
		pretty_scalar(&v->scalar, fa, &b);
		cli_printf(cli,
			   fa ? "%s = %s%s  (%s، %s)\n"
			      : "%s = %s%s  (%s, %s)\n",
			   p->name, b.buf, unit_label(p->unit, fa), span,
			   confidence_label(cli, p->confidence));
	} else {
		cli_printf(cli, fa ? "%s: %s (%s، %s)\n" : "%s: %s (%s, %s)\n",
			   p->name, fa ? "جدول" : "table", span,
			   confidence_label(cli, p->confidence));
	}
	cli_printf(cli, "    %s\n", fa ? p->description_fa : p->description_en);
	if (p->unit == AM_UNIT_TABLE) {
		/* A column by its Persian name where the rules give one. */
		cli_printf(cli, "    |");
		for (size_t c = 0; c < p->ncolumns; c++)
			cli_printf(cli, " %s |",
				   fa && p->columns[c].description_fa
					   ? p->columns[c].description_fa
					   : p->columns[c].name);
		cli_printf(cli, "\n");
		for (size_t r = 0; r < v->nrows; r++) {
			cli_printf(cli, "    |");
			for (size_t c = 0; c < p->ncolumns; c++) {
				am_buf_clear(&b);
				pretty_scalar(am_value_cell(p, v, r, c), fa,
					      &b);
				cli_printf(cli, " %s |", b.buf);
			}
			cli_printf(cli, "\n");
		}
	}
	cli_printf(cli, "    %s: %s\n", fa ? "مرجع" : "ref", v->reference);
	am_buf_release(&b);
}

static int parse_on(struct cli *cli, int *argc, char **argv, am_date *on)
{
	int out = 0;

	*on = am_date_today();
	for (int i = 0; i < *argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "--on") == 0) {
			if (i + 1 >= *argc)
				return cli_usage(
					cli, "rules show",
					CLI_TR(cli, "--on needs a date",
					       "--on تاریخ می‌خواهد"));
			v = argv[++i];
		} else if (strncmp(argv[i], "--on=", 5) == 0) {
			v = argv[i] + 5;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (am_date_parse_any(v, strlen(v), on, NULL) != 0) {
			struct am_diag d;

			am_diag_set(&d, AM_EDATE_SYNTAX, NULL, 0, "--on", v,
				    "1404/07/01");
			cli_fail_diag(cli, &d);
			return CLI_USAGE;
		}
	}
	*argc = out;
	return 0;
}

int cmd_rules_show(struct cli *cli, int argc, char **argv)
{
	struct am_rules *rules = NULL;
	const char *name = NULL;
	char on_text[AM_DATE_FMT_MAX];
	struct am_buf b, missing;
	size_t nmissing = 0;
	am_date on;
	int err;

	err = parse_on(cli, &argc, argv, &on);
	if (err)
		return err;
	if (argc > 1)
		return cli_usage(cli, "rules show",
				 CLI_TR(cli, "at most one NAME",
					"دست بالا یک نام پارامتر"));
	if (argc == 1)
		name = argv[0];
	if (cli_load_rules(cli, &rules))
		return CLI_REFUSED;
	am_date_format_jalali(on, cli->lang == AM_LANG_FA, on_text);

	if (name) {
		const struct am_value *v;
		struct am_diag d;

		err = am_rules_value(rules, name, on, &v, &d);
		if (err) {
			err = cli_fail_diag(cli, &d);
			am_rules_free(rules);
			return err;
		}
		am_buf_init(&b, 0);
		if (cli->json) {
			json_param(am_rules_find(rules, name), v, &b);
			cli_emit(&b);
		} else {
			text_param(cli, am_rules_find(rules, name), v);
		}
		am_buf_release(&b);
		am_rules_free(rules);
		return CLI_OK;
	}

	am_buf_init(&b, 0);
	am_buf_init(&missing, 0);
	if (cli->json) {
		am_date_format_jalali(on, false, on_text);
		am_buf_addch(&b, '{');
		cli_json_str(&b, "on", on_text, true);
		cli_json_str(&b, "identity", am_rules_identity(rules), false);
		am_buf_adds(&b, ",\"parameters\":[");
	} else {
		cli_printf(
			cli,
			cli->lang == AM_LANG_FA
				? "قواعد معتبر در %s (شناسهٔ مجموعه %.16s…)\n\n"
				: "rules in force on %s (rule set %.16s…)\n\n",
			on_text, am_rules_identity(rules));
	}
	for (size_t i = 0, shown = 0; i < am_rules_count(rules); i++) {
		const struct am_param *p = am_rules_at(rules, i);
		const struct am_value *v;

		if (am_rules_value(rules, p->name, on, &v, NULL) != 0) {
			if (cli->json) {
				am_buf_addf(&missing, "%s",
					    nmissing ? "," : "");
				am_buf_add_json_str(&missing, p->name,
						    strlen(p->name));
			} else {
				am_buf_addf(&missing, "%s%s",
					    nmissing ? ", " : "", p->name);
			}
			nmissing++;
			continue;
		}
		if (cli->json) {
			if (shown++)
				am_buf_addch(&b, ',');
			json_param(p, v, &b);
		} else {
			text_param(cli, p, v);
		}
	}
	if (cli->json) {
		am_buf_addf(&b, "],\"missing\":[%s]}", missing.buf);
		cli_emit(&b);
	} else if (nmissing) {
		cli_printf(
			cli,
			cli->lang == AM_LANG_FA
				? "\n%zu پارامتر در %s مقدار معتبری ندارد (ارقام آن سال هنوز در قواعد نیامده است؛ راه افزودن آن‌ها در docs/rules.md#adding-a-year آمده است): %s\n"
				: "\n%zu parameters have no value in force on %s (that year's figures are not in the rules yet; docs/rules.md#adding-a-year says how to add them): %s\n",
			nmissing, on_text, missing.buf);
	}
	am_buf_release(&missing);
	am_buf_release(&b);
	am_rules_free(rules);
	return CLI_OK;
}

/* The span of the values a folder gives a parameter; false when none. */
static bool layer_span(const struct am_param *p, size_t layer, am_date *from,
		       am_date *to)
{
	bool any = false;

	for (size_t i = 0; i < p->nvalues; i++) {
		if (p->values[i].layer != layer)
			continue;
		if (!any)
			*from = p->values[i].from;
		*to = p->values[i].to;
		any = true;
	}
	return any;
}

/* What each folder of the stack adds, as JSON: "folders":[{"dir", "parameters",
 * "new_parameters", "added":[{"name", "new", "from", "to"}]}]. */
static void json_folders(const struct am_rules *rules, struct am_buf *b)
{
	char date[AM_DATE_FMT_MAX];

	am_buf_adds(b, ",\"folders\":[");
	for (size_t l = 0; l < am_rules_layer_count(rules); l++) {
		struct am_buf added;
		size_t n = 0, fresh = 0;

		am_buf_init(&added, 0);
		for (size_t i = 0; i < am_rules_count(rules); i++) {
			const struct am_param *p = am_rules_at(rules, i);
			bool is_new = p->values[0].layer == l;
			am_date from, to;

			if (!layer_span(p, l, &from, &to))
				continue;
			am_buf_addf(&added, "%s{", n++ ? "," : "");
			cli_json_str(&added, "name", p->name, true);
			am_buf_addf(&added, ",\"new\":%s",
				    is_new ? "true" : "false");
			am_date_format_jalali(from, false, date);
			cli_json_str(&added, "from", date, false);
			if (to == AM_DATE_OPEN) {
				am_buf_adds(&added, ",\"to\":null}");
			} else {
				am_date_format_jalali(to, false, date);
				cli_json_str(&added, "to", date, false);
				am_buf_addch(&added, '}');
			}
			fresh += is_new;
		}
		am_buf_addf(b, "%s{", l ? "," : "");
		cli_json_str(b, "dir", am_rules_layer_name(rules, l), true);
		am_buf_addf(b,
			    ",\"parameters\":%zu,\"new_parameters\":%zu,"
			    "\"added\":[%s]}",
			    n, fresh, added.buf);
		am_buf_release(&added);
	}
	am_buf_addch(b, ']');
}

/* What each folder laid over the base adds, for people: a line per
 * parameter with the span of its new values. */
static void text_folders(const struct cli *cli, const struct am_rules *rules)
{
	bool fa = cli->lang == AM_LANG_FA;
	char span[2 * AM_DATE_FMT_MAX + 8];

	cli_printf(cli,
		   fa ? "%s: پوشهٔ پایه، %zu پارامتر\n"
		      : "%s: the base, %zu parameters\n",
		   am_rules_layer_name(rules, 0), am_rules_count(rules));
	for (size_t l = 1; l < am_rules_layer_count(rules); l++) {
		size_t n = 0, fresh = 0;

		for (size_t i = 0; i < am_rules_count(rules); i++) {
			const struct am_param *p = am_rules_at(rules, i);
			am_date from, to;

			if (layer_span(p, l, &from, &to)) {
				n++;
				fresh += p->values[0].layer == l;
			}
		}
		if (n == 0) {
			cli_printf(
				cli,
				fa ? "%s: مقداری نمی‌افزاید\n"
				   : "%s: adds no values\n",
				am_rules_layer_name(rules, l));
			continue;
		}
		cli_printf(
			cli,
			fa ? "%s: به %zu پارامتر مقدار می‌افزاید (%zu پارامتر تازه):\n"
			   : "%s: adds values to %zu parameters (%zu of them new):\n",
			am_rules_layer_name(rules, l), n, fresh);
		for (size_t i = 0; i < am_rules_count(rules); i++) {
			const struct am_param *p = am_rules_at(rules, i);
			struct am_value v = { 0 };

			if (!layer_span(p, l, &v.from, &v.to))
				continue;
			format_span(&v, fa, span, sizeof(span));
			cli_printf(cli, "    %s  %s%s\n", p->name, span,
				   p->values[0].layer != l ? ""
				   : fa			   ? "  (تازه)"
							   : "  (new)");
		}
	}
}

int cmd_rules_check(struct cli *cli, int argc, char **argv)
{
	const char *const *dirs = cli->rules_dirs;
	size_t ndirs = cli->nrules_dirs;
	struct am_rules *rules = NULL;
	struct am_buf b, dir;
	struct am_diags ds;
	int err;

	/* Folders named here stand for the configured ones: the base
	 * first, then each laid over those before. */
	if ((size_t)argc > AM_RULES_LAYERS_MAX)
		return cli_usage(
			cli, "rules check",
			CLI_TR(cli, "at most %d folders", "دست بالا %d پوشه"),
			AM_RULES_LAYERS_MAX);
	am_buf_init(&dir, 0);
	if (argc >= 1) {
		dirs = (const char *const *)argv;
		ndirs = (size_t)argc;
		for (int i = 0; i < argc; i++)
			am_buf_addf(&dir, "%s%s", i ? ":" : "", argv[i]);
	} else {
		am_buf_adds(&dir, cli->rules_dir);
	}
	am_diags_init(&ds, 0);
	err = am_rules_load_dirs(dirs, ndirs, &rules, &ds);
	am_buf_init(&b, 0);
	if (cli->json) {
		am_buf_addf(&b, "{\"valid\":%s", err ? "false" : "true");
		cli_json_str(&b, "dir", dir.buf, false);
		if (!err) {
			am_buf_addf(&b, ",\"parameters\":%zu",
				    am_rules_count(rules));
			cli_json_str(&b, "identity", am_rules_identity(rules),
				     false);
			json_folders(rules, &b);
		}
		am_buf_addf(&b, ",\"error_count\":%zu,\"errors\":[",
			    am_diags_total(&ds));
		for (size_t i = 0; i < ds.nr; i++) {
			if (i)
				am_buf_addch(&b, ',');
			am_diag_json(&ds.items[i], &b);
		}
		am_buf_adds(&b, "]}");
		cli_emit(&b);
	} else if (err) {
		for (size_t i = 0; i < ds.nr; i++) {
			am_buf_clear(&b);
			am_diag_format(&ds.items[i], cli->lang, &b);
			fprintf(stderr, "%s\n", b.buf);
		}
		if (ds.nr == 0)
			cli_fail(cli, err, dir.buf);
		size_t n = am_diags_total(&ds) ? am_diags_total(&ds) : 1;

		cli_fprintf(cli, stderr,
			    cli->lang == AM_LANG_FA
				    ? "%zu خطا؛ قواعد پذیرفته نشد\n"
			    : n == 1 ? "%zu error; rules refused\n"
				     : "%zu errors; rules refused\n",
			    n);
	} else {
		if (am_rules_layer_count(rules) > 1)
			text_folders(cli, rules);
		cli_printf(
			cli,
			cli->lang == AM_LANG_FA
				? "%s: %zu پارامتر، بی‌خطا (شناسهٔ مجموعه %s)\n"
				: "%s: %zu parameters, no errors (rule set %s)\n",
			dir.buf, am_rules_count(rules),
			am_rules_identity(rules));
	}
	am_buf_release(&b);
	am_buf_release(&dir);
	am_diags_release(&ds);
	am_rules_free(rules);
	return err ? CLI_REFUSED : CLI_OK;
}
