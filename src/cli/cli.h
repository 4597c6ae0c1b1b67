/* The amanat command's shared context: global options, output in text or
 * JSON, messages in Persian or English, and the exit statuses. */
#ifndef AMANAT_CLI_H
#define AMANAT_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "amanat/amanat.h"

/* Exit statuses: a contract with users' scripts. */
enum {
	CLI_OK = 0,	 /* done */
	CLI_REFUSED = 1, /* input refused (an invalid id, a bad rules file …) */
	CLI_USAGE = 2,	 /* usage error */
};

struct cli {
	const char *db_path; /* --db, $AMANAT_DB, ./amanat.db */
	/* --read-db, $AMANAT_READ_DB: where the read-only commands (history,
	 * statements, export) read, a replica; NULL: db_path. */
	const char *read_db;
	/* The rules: the base folder, then the folders laid over it. From
	 * --rules, once per folder; else $AMANAT_RULES, folders joined by
	 * ':' as in PATH; else the built-in default. */
	const char *rules_dirs[AM_RULES_LAYERS_MAX];
	size_t nrules_dirs;
	const char *rules_dir; /* the same joined by ':', for messages */
	bool json;	       /* --json */
	enum am_lang lang;     /* --lang, $AMANAT_LANG, $LANG */
	const char *prog;
	struct am_arena arena; /* the command's strings (cli_digits) */
};

struct cli_command {
	const char *name; /* "id check", "rules show" … */
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage; /* arguments after the name */
	const char *help_en;
	const char *help_fa;
};

/*
 * Text for people, in the user's language. With --lang fa (and no --json)
 * the numeric conversions (%d, %zu, %lld, %.1f …) are written in Persian
 * digits (۰۱۲۳۴۵۶۷۸۹), and a %s is padded to its width in characters, not
 * bytes. The format's own text is written as it is (a Persian format
 * writes its digits Persian; DSKKAR00.DBF stays), and so is a %s, %c or %p
 * argument: file paths, URIs, hashes, rule and error ids, references and
 * other strings users copy stay byte for byte. A
 * string that holds a number a person reads (a national or workshop code,
 * a period, a list number) is passed through cli_digits(); money and
 * dates have their formatters' own flag (am_money_format(),
 * am_date_format_jalali()). English text is printf's, unchanged.
 * cli_printf and cli_fprintf return 0 or an AM_E… error (AM_EIO when the
 * stream refuses the bytes); cli_vformat appends to out.
 */
int cli_vformat(const struct cli *cli, struct am_buf *out, const char *fmt,
		va_list ap) __attribute__((format(printf, 3, 0)));
int cli_fprintf(const struct cli *cli, FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define cli_printf(cli, ...) cli_fprintf((cli), stdout, __VA_ARGS__)
/* s with Persian digits under --lang fa (text), in cli->arena (freed when
 * the command ends); s itself otherwise, or when memory is short. */
const char *cli_digits(struct cli *cli, const char *s);
/* A word or phrase in the user's language: fa under --lang fa, else en. */
#define CLI_TR(cli, en, fa) ((cli)->lang == AM_LANG_FA ? (fa) : (en))

/* The database the read-only commands open: --read-db, else --db. */
const char *cli_read_uri(const struct cli *cli);

/* Print a usage error for a command and return CLI_USAGE. */
int cli_usage(struct cli *cli, const char *command, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report a failed library call: text on stderr, or a JSON object on stdout
 * with --json. Returns the exit status that fits the error. */
int cli_fail(struct cli *cli, int err, const char *what);
/* Same for a diagnostic that points at the input. */
int cli_fail_diag(struct cli *cli, const struct am_diag *d);
/* Write the buffer to stdout followed by a newline. */
void cli_emit(const struct am_buf *b);
/* Exit status for a library error: refused input or a system failure. */
int cli_status(int err);
/* Load the rule set from cli->rules_dirs, printing its errors. */
int cli_load_rules(struct cli *cli, struct am_rules **out);
/* Append a JSON member "key": "value" (comma first unless first). */
int cli_json_str(struct am_buf *b, const char *key, const char *val,
		 bool first);

/* The commands (cmd_*.c). */
int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_id_check(struct cli *cli, int argc, char **argv);
int cmd_date_convert(struct cli *cli, int argc, char **argv);
int cmd_rules_show(struct cli *cli, int argc, char **argv);
int cmd_rules_check(struct cli *cli, int argc, char **argv);
int cmd_audit_verify(struct cli *cli, int argc, char **argv);
int cmd_import_registry(struct cli *cli, int argc, char **argv);
int cmd_import_history(struct cli *cli, int argc, char **argv);
int cmd_import_payments(struct cli *cli, int argc, char **argv);
int cmd_import_wages(struct cli *cli, int argc, char **argv);
int cmd_generate(struct cli *cli, int argc, char **argv);
int cmd_export_dskwin(struct cli *cli, int argc, char **argv);
int cmd_history(struct cli *cli, int argc, char **argv);
int cmd_worker_statement(struct cli *cli, int argc, char **argv);
int cmd_employer_statement(struct cli *cli, int argc, char **argv);
int cmd_db_copy(struct cli *cli, int argc, char **argv);

#endif
