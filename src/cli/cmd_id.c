/* amanat id check: national codes, legal-entity ids, Sheba numbers, workshop
 * codes and insurance numbers, with the reason for every refusal. */
#include <string.h>

#include "cli.h"

struct id_kind {
	const char *name;
	size_t size; /* of the normalised output, NUL included */
	int (*check)(const char *s, size_t len, char *out);
};

static int check_national(const char *s, size_t len, char *out)
{
	return am_national_code_check(s, len, out);
}

static int check_legal(const char *s, size_t len, char *out)
{
	return am_legal_id_check(s, len, out);
}

static int check_workshop(const char *s, size_t len, char *out)
{
	return am_workshop_code_check(s, len, out);
}

static int check_insurance(const char *s, size_t len, char *out)
{
	return am_insurance_no_check(s, len, out);
}

static const struct id_kind kinds[] = {
	{ "national", 11, check_national },
	{ "legal", 12, check_legal },
	{ "sheba", 27, NULL },
	{ "workshop", 11, check_workshop },
	{ "insurance", 11, check_insurance },
};

/* What the refused value reads as with digits folded and spaces trimmed,
 * so that the user sees what was checked. */
static void fold(const char *s, struct am_buf *out)
{
	struct am_buf tmp;

	am_buf_init(&tmp, 4096);
	if (am_text_digits_to_ascii(s, strlen(s), &tmp) == 0)
		am_text_normalize(tmp.buf, tmp.len, out);
	am_buf_release(&tmp);
}

int cmd_id_check(struct cli *cli, int argc, char **argv)
{
	const struct id_kind *kind = NULL;
	const struct am_bank *bank = NULL;
	char norm[32] = "";
	struct am_buf b, folded;
	int err;

	if (argc != 2)
		return cli_usage(cli, "id check",
				 CLI_TR(cli, "expected a kind and a value",
					"نوع شناسه و مقدار آن لازم است"));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(argv[0], kinds[i].name) == 0)
			kind = &kinds[i];
	if (!kind)
		return cli_usage(
			cli, "id check",
			CLI_TR(cli, "unknown kind '%s'", "نوع ناشناخته «%s»"),
			argv[0]);

	if (kind->check)
		err = kind->check(argv[1], strlen(argv[1]), norm);
	else
		err = am_sheba_check(argv[1], strlen(argv[1]), norm, &bank);

	am_buf_init(&folded, 4096);
	if (err)
		fold(argv[1], &folded);
	else
		am_buf_adds(&folded, norm);

	am_buf_init(&b, 0);
	if (cli->json) {
		am_buf_addf(&b, "{\"valid\":%s", err ? "false" : "true");
		cli_json_str(&b, "kind", kind->name, false);
		cli_json_str(&b, "normalized", folded.buf, false);
		cli_json_str(&b, "reason", err ? am_strerror(err) : "", false);
		cli_json_str(&b, "reason_fa", err ? am_strerror_fa(err) : "",
			     false);
		cli_json_str(&b, "code", err ? am_error_id(err) : "", false);
		if (!strcmp(kind->name, "sheba") && !err) {
			cli_json_str(&b, "bank", bank ? bank->name_en : "",
				     false);
			cli_json_str(&b, "bank_fa", bank ? bank->name_fa : "",
				     false);
			cli_json_str(&b, "bank_code", bank ? bank->code : "",
				     false);
		}
		am_buf_addch(&b, '}');
		cli_emit(&b);
	} else if (err) {
		fprintf(stderr, "%s: %s [%s]\n", folded.buf,
			am_strerror_lang(err, cli->lang), am_error_id(err));
	} else {
		bool fa = cli->lang == AM_LANG_FA;

		/* The value as it is to be copied: ASCII digits. */
		cli_printf(cli, "%s: %s\n", norm, fa ? "معتبر" : "valid");
		if (!strcmp(kind->name, "sheba"))
			cli_printf(cli, "%s: %s\n", fa ? "بانک" : "bank",
				   bank ? (fa ? bank->name_fa : bank->name_en)
					: (fa ? "ناشناخته" : "unknown"));
	}
	am_buf_release(&b);
	am_buf_release(&folded);
	return err ? CLI_REFUSED : CLI_OK;
}
