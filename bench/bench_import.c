/* The wage-list import benchmark: one generated month read, validated,
 * assessed and posted into SQLite, phase by phase, beside the floor of the
 * same rows inserted bare by a plain prepared-statement loop.
 *
 * usage: bench_import RULES_DIR REGISTRY WAGES_CSV WORKDIR
 * REGISTRY is the generator's registry folder (imported by "import
 * registry", timed), or a database file with the registry already loaded
 * (copied: the national registry of 40 million persons is a setup step of
 * its own, bench/national.sh).
 * Prints lines per second for each phase, the ratio to the floor and the
 * peak memory. Figures, not a test: it never fails on speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "amanat/amanat.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int copy_file(const char *from, const char *to)
{
	static char buf[1 << 20];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;
	int err = in && out ? 0 : -1;

	while (!err && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			err = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		err = -1;
	return err;
}

static long peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

struct phase {
	const struct am_rules *rules;
	bool assess;
	size_t lines, lists;
	struct am_assess_params params;
	struct am_period period;
	struct am_line_assessment *a;
	size_t a_alloc;
	sqlite3_stmt *bare;
};

/* Parse only, or parse + validate + assess, or insert bare. */
static int on_list(struct am_wage_list *l, bool refused, void *ctx)
{
	struct phase *ph = ctx;
	struct am_workshop_terms terms = { false, false };

	ph->lists++;
	ph->lines += l->nlines;
	if (ph->assess) {
		struct am_diags ds;

		if (l->period.year != ph->period.year ||
		    l->period.month != ph->period.month) {
			struct am_diag d;

			if (am_assess_params_load(ph->rules, l->period,
						  &ph->params, &d))
				return -1;
			ph->period = l->period;
		}
		am_diags_init(&ds, 100);
		am_wage_list_validate(&ph->params, &terms, l, 0, &ds);
		am_diags_release(&ds);
		if (l->nlines > ph->a_alloc) {
			ph->a_alloc = l->nlines * 2;
			ph->a = realloc(ph->a, ph->a_alloc * sizeof(*ph->a));
			if (!ph->a)
				return -1;
		}
		for (size_t i = 0; i < l->nlines; i++)
			am_wage_line_assess(&ph->params, &terms, &l->lines[i],
					    &ph->a[i]);
		am_wage_list_hash(l);
	}
	if (ph->bare) {
		for (size_t i = 0; i < l->nlines; i++) {
			const struct am_wage_line *ln = &l->lines[i];
			sqlite3_stmt *st = ph->bare;

			sqlite3_bind_int(
				st, 1, l->period.year * 100 + l->period.month);
			sqlite3_bind_text(st, 2, ln->national_code, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(st, 3, l->workshop, -1,
					  SQLITE_STATIC);
			sqlite3_bind_int(st, 4, ln->days);
			sqlite3_bind_int64(st, 5, ln->daily_wage);
			sqlite3_bind_int64(st, 6, ln->monthly_wage);
			sqlite3_bind_int64(st, 7, ln->benefits);
			sqlite3_bind_int64(st, 8, ln->subject_wage);
			sqlite3_bind_int64(st, 9, ln->total_pay);
			sqlite3_bind_int64(st, 10, ln->insured_share);
			if (sqlite3_step(st) != SQLITE_DONE)
				return -1;
			sqlite3_reset(st);
		}
	}
	return 0;
}

static int floor_run(const char *csv, const char *path, struct phase *ph)
{
	sqlite3 *db;
	struct am_read_opts ro = { AM_CP_UTF8 };
	struct am_diags ds;
	int err;

	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(db,
		     /* The store's pages, log and syncing. */
		     "PRAGMA page_size=65536;"
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		     "CREATE TABLE bare (period INT, national_code TEXT,"
		     " workshop TEXT, days INT, daily INT, monthly INT,"
		     " benefits INT, subject INT, total INT, insured INT);"
		     "BEGIN",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db,
			   "INSERT INTO bare VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
			   " ?7, ?8, ?9, ?10)",
			   -1, &ph->bare, NULL);
	am_diags_init(&ds, 100);
	err = am_csv_read(csv, &ro, on_list, ph, &ds);
	am_diags_release(&ds);
	sqlite3_finalize(ph->bare);
	ph->bare = NULL;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return err;
}

int main(int argc, char **argv)
{
	struct am_rules *rules = NULL;
	struct am_diags ds;
	struct am_read_opts ro = { AM_CP_UTF8 };
	struct am_store *s = NULL;
	struct phase ph;
	struct am_import_stats rst;
	struct am_wage_import_opts o;
	struct am_wage_import_stats st;
	char db[1024], bare[1024], reg[1024];
	char *paths[1];
	double t0, parse_s, assess_s, floor_s, import_s, registry_s;
	static const char *const files[] = { "employers.csv", "workshops.csv",
					     "persons.csv" };

	if (argc != 5) {
		fprintf(stderr, "usage: bench_import RULES_DIR REGISTRY_DIR "
				"WAGES_CSV WORKDIR\n");
		return 2;
	}
	am_diags_init(&ds, 100);
	if (am_rules_load_dir(argv[1], &rules, &ds)) {
		fprintf(stderr, "bench: rules refused\n");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/bench.db", argv[4]);
	snprintf(bare, sizeof(bare), "%s/bare.db", argv[4]);

	/* 1. Parse only. */
	memset(&ph, 0, sizeof(ph));
	t0 = now();
	am_csv_read(argv[3], &ro, on_list, &ph, &ds);
	parse_s = now() - t0;

	/* 2. Parse, validate and assess (no store). */
	memset(&ph, 0, sizeof(ph));
	ph.rules = rules;
	ph.assess = true;
	t0 = now();
	am_csv_read(argv[3], &ro, on_list, &ph, &ds);
	assess_s = now() - t0;
	free(ph.a);

	/* 3. The floor: parse and insert bare, one transaction, no index. */
	memset(&ph, 0, sizeof(ph));
	t0 = now();
	floor_run(argv[3], bare, &ph);
	floor_s = now() - t0;

	/* 4. End to end into a fresh database with the registry loaded. */
	unlink(db);
	memset(&rst, 0, sizeof(rst));
	t0 = now();
	if (has_suffix(argv[2], ".db")) {
		if (copy_file(argv[2], db)) {
			fprintf(stderr, "bench: cannot copy %s\n", argv[2]);
			return 1;
		}
		if (am_store_open(db, &s))
			return 1;
	} else {
		if (am_store_open(db, &s) || am_store_migrate(s, NULL, NULL))
			return 1;
		for (size_t i = 0; i < 3; i++) {
			snprintf(reg, sizeof(reg), "%s/%s", argv[2], files[i]);
			if (am_import_registry(s, reg, &rst, &ds)) {
				fprintf(stderr, "bench: registry %s refused\n",
					reg);
				return 1;
			}
		}
	}
	registry_s = now() - t0;
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	paths[0] = argv[3];
	t0 = now();
	if (am_import_wages(s, rules, paths, 1, &o, &st, &ds)) {
		fprintf(stderr, "bench: import failed: %s\n",
			am_store_errmsg(s));
		return 1;
	}
	import_s = now() - t0;
	am_store_close(s);

	if (has_suffix(argv[2], ".db"))
		printf("registry                   copied from %s (%.2f s)\n",
		       argv[2], registry_s);
	else
		printf("registry load              %10.0f records/s (%zu "
		       "persons, %.2f s)\n",
		       (double)(rst.persons + rst.employers + rst.workshops) /
			       registry_s,
		       rst.persons, registry_s);
	printf("lines                      %zu in %zu lists (%zu refused)\n",
	       ph.lines, ph.lists, st.lists_refused);
	printf("parse                      %10.0f lines/s (%.2f s)\n",
	       (double)ph.lines / parse_s, parse_s);
	printf("parse+validate+assess      %10.0f lines/s (%.2f s)\n",
	       (double)ph.lines / assess_s, assess_s);
	printf("end to end (import wages)  %10.0f lines/s (%.2f s)\n",
	       (double)st.lines / import_s, import_s);
	printf("  of which posting         %10.0f lines/s (%.2f s, the rest)\n",
	       (double)st.lines / (import_s - assess_s > 0 ? import_s - assess_s
							   : import_s),
	       import_s - assess_s);
	printf("  reading thread           %10.2f s CPU, %.2f s waiting\n",
	       st.reader_cpu, st.reader_waited);
	printf("  writing thread           %10.2f s CPU, %.2f s waiting\n",
	       st.writer_cpu, st.writer_waited);
	printf("  checkpoint thread        %10zu copies, writer waited %.2f s\n",
	       st.checkpoints, st.checkpoint_waited);
	printf("  compaction at the end    %10.2f s\n", st.compact);
	printf("floor (bare inserts)       %10.0f lines/s (%.2f s)\n",
	       (double)ph.lines / floor_s, floor_s);
	printf("end to end / floor         %10.2f\n", floor_s / import_s);
	printf("peak memory                %10ld KB\n", peak_kb());
	am_diags_release(&ds);
	am_rules_free(rules);
	return 0;
}
