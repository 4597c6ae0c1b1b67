/* amanat init and amanat audit verify: create or migrate the database and
 * record the rule set in force; check the audit trail's hash chain. */
#include <string.h>

#include "cli.h"

static void hex(const uint8_t *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static int store_fail(struct cli *cli, int err, struct am_store *s)
{
	const char *msg = am_store_errmsg(s);

	return cli_fail(cli, err, msg && *msg ? msg : cli->db_path);
}

/* Record the rule set's identity in the database when it changed; the meta
 * write leaves an audit entry, so the trail shows which rules were in force
 * from when. */
static int record_rules(struct am_store *s, const struct am_rules *rules,
			bool *changed)
{
	struct am_arena a;
	const char *old = NULL;
	char count[32];
	int err;

	am_arena_init(&a, 0);
	err = am_store_meta_get(s, "rules.identity", &a, &old);
	if (err && err != AM_ENOT_FOUND)
		goto out;
	*changed = err == AM_ENOT_FOUND ||
		   strcmp(old, am_rules_identity(rules)) != 0;
	err = 0;
	if (!*changed)
		goto out;
	snprintf(count, sizeof(count), "%zu", am_rules_count(rules));
	err = am_store_begin(s);
	if (!err)
		err = am_store_meta_set(s, "rules.identity",
					am_rules_identity(rules));
	if (!err)
		err = am_store_meta_set(s, "rules.parameters", count);
	if (!err)
		err = am_store_commit(s);
	else
		am_store_rollback(s);
out:
	am_arena_release(&a);
	return err;
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	struct am_rules *rules = NULL;
	struct am_store *s = NULL;
	bool changed = false;
	int from = 0, to = 0, err;

	if (argc != 0)
		return cli_usage(
			cli, "init",
			CLI_TR(cli, "no arguments expected",
			       "این فرمان آرگومانی نمی‌گیرد"));
	err = am_store_open(cli->db_path, &s);
	if (err)
		return store_fail(cli, err, NULL);
	am_store_set_actor(s, "cli:init");
	err = am_store_migrate(s, &from, &to);
	if (err) {
		err = store_fail(cli, err, s);
		goto out;
	}
	if (cli_load_rules(cli, &rules)) {
		err = CLI_REFUSED;
		goto out;
	}
	err = record_rules(s, rules, &changed);
	if (err) {
		err = store_fail(cli, err, s);
		goto out;
	}
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_addch(&b, '{');
		cli_json_str(&b, "db", cli->db_path, true);
		am_buf_addf(&b, ",\"schema_from\":%d,\"schema_to\":%d", from,
			    to);
		cli_json_str(&b, "rules_dir", cli->rules_dir, false);
		cli_json_str(&b, "rules_identity", am_rules_identity(rules),
			     false);
		am_buf_addf(&b, ",\"rules_parameters\":%zu",
			    am_rules_count(rules));
		am_buf_addf(&b, ",\"rules_changed\":%s}",
			    changed ? "true" : "false");
		cli_emit(&b);
		am_buf_release(&b);
	} else if (cli->lang == AM_LANG_FA) {
		/* From the old version to the new, read right to left. */
		cli_printf(cli, "پایگاه داده %s: نسخهٔ طرح %d ← %d%s\n",
			   cli->db_path, to, from,
			   from == to ? " (به‌روز بود)" : "");
		cli_printf(cli, "قواعد %s: %zu پارامتر، شناسهٔ مجموعه %s%s\n",
			   cli->rules_dir, am_rules_count(rules),
			   am_rules_identity(rules),
			   changed ? " (ثبت شد)" : "");
	} else {
		printf("database %s: schema version %d -> %d%s\n", cli->db_path,
		       from, to, from == to ? " (already up to date)" : "");
		printf("rules %s: %zu parameters, rule set %s%s\n",
		       cli->rules_dir, am_rules_count(rules),
		       am_rules_identity(rules), changed ? " (recorded)" : "");
	}
	err = CLI_OK;
out:
	am_rules_free(rules);
	am_store_close(s);
	return err;
}

int cmd_audit_verify(struct cli *cli, int argc, char **argv)
{
	struct am_audit_verify_result res;
	struct am_store *s = NULL;
	char head[2 * AM_AUDIT_HASH_SIZE + 1];
	bool fa = cli->lang == AM_LANG_FA;
	int err;

	if (argc != 0)
		return cli_usage(
			cli, "audit verify",
			CLI_TR(cli, "no arguments expected",
			       "این فرمان آرگومانی نمی‌گیرد"));
	err = am_store_open_flags(cli->db_path, AM_STORE_OPEN_READONLY, &s);
	if (err)
		return store_fail(cli, err, NULL);
	memset(&res, 0, sizeof(res));
	err = am_store_audit_verify(s, &res);
	if (err && err != AM_EAUDIT_BROKEN) {
		err = store_fail(cli, err, s);
		am_store_close(s);
		return err;
	}
	am_store_close(s);
	hex(res.head, sizeof(res.head), head);
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_addf(&b, "{\"ok\":%s,\"entries\":%llu",
			    err ? "false" : "true",
			    (unsigned long long)res.count);
		if (err)
			am_buf_addf(&b, ",\"first_broken\":%llu",
				    (unsigned long long)res.broken_seq);
		else
			am_buf_adds(&b, ",\"first_broken\":null");
		cli_json_str(&b, "problem",
			     err ? am_audit_problem_text(res.problem, false)
				 : "",
			     false);
		cli_json_str(&b, "problem_fa",
			     err ? am_audit_problem_text(res.problem, true)
				 : "",
			     false);
		cli_json_str(&b, "head", res.count ? head : "", false);
		am_buf_adds(&b, "}");
		cli_emit(&b);
		am_buf_release(&b);
	} else if (err) {
		cli_fprintf(cli, stderr,
			    fa ? "amanat: %s: رکورد ممیزی شمارهٔ %llu: %s [%s]\n"
			       : "amanat: %s: audit entry #%llu: %s [%s]\n",
			    am_strerror_lang(err, cli->lang),
			    (unsigned long long)res.broken_seq,
			    am_audit_problem_text(res.problem, fa),
			    am_error_id(err));
	} else {
		cli_printf(cli,
			   fa ? "زنجیرهٔ ممیزی سالم است: %llu رکورد، هش آخر %s\n"
			      : "audit trail intact: %llu entries, head %s\n",
			   (unsigned long long)res.count,
			   res.count ? head : "-");
	}
	return err ? CLI_REFUSED : CLI_OK;
}
