/* The amanat command's shared context: global options, output in text or
 * JSON, messages in Persian or English, and the exit statuses. */
#ifndef AMANAT_CLI_H
#define AMANAT_CLI_H

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
};

struct cli_command {
	const char *name; /* "id check", "rules show" … */
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage; /* arguments after the name */
	const char *help_en;
	const char *help_fa;
};

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
