/* Helpers of the tests that run the amanat command: a scratch folder and
 * database (a SQLite file or a PostgreSQL schema: tests/testdb.h), running
 * the command with its output captured, JSON checks. Header-only: each
 * test program includes it once. */
#ifndef AMANAT_TESTS_CLITEST_H
#define AMANAT_TESTS_CLITEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "testdb.h"

static char workdir[256];
static const char *db; /* its URI: --db, or $AMANAT_DB */

struct run {
	int status;
	char *out;
	char *err;
};

static void vrun(struct run *r, bool env_db, const char *fmt, va_list ap)
{
	char args[2048], cmd[4096], out[600], err[600];
	int st;

	vsnprintf(args, sizeof(args), fmt, ap);
	snprintf(out, sizeof(out), "%s/out", workdir);
	snprintf(err, sizeof(err), "%s/err", workdir);
	if (env_db)
		snprintf(cmd, sizeof(cmd),
			 "AMANAT_DB='%s' '%s' %s >'%s' 2>'%s'", db,
			 getenv("AMANAT_BIN"), args, out, err);
	else
		snprintf(cmd, sizeof(cmd), "'%s' --db '%s' %s >'%s' 2>'%s'",
			 getenv("AMANAT_BIN"), db, args, out, err);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	r->status = WEXITSTATUS(st);
	r->out = test_slurp(out);
	r->err = test_slurp(err);
}

/* Run "amanat ARGS" through the shell with the test database. */
static void run(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrun(r, false, fmt, ap);
	va_end(ap);
}

/* The same, the database named by $AMANAT_DB instead of --db. */
__attribute__((unused)) static void run_env_db(struct run *r, const char *fmt,
					       ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrun(r, true, fmt, ap);
	va_end(ap);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static json_t *parse_json(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (!j)
		fail_msg("not JSON (%s): %s", e.text, text);
	return j;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("key '%s' is not a string", key);
	return json_string_value(v);
}

static int setup(void **state)
{
	snprintf(workdir, sizeof(workdir), "/tmp/amanat-cli-XXXXXX");
	assert_non_null(mkdtemp(workdir));
	db = testdb_new("amanat.db");
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	testdb_drop(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", workdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#endif
