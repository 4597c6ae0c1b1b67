/* Fuzz the CSV wage-list reader (am_csv_read): arbitrary bytes as a file;
 * every list passed must be sane, and a list read without problems must
 * come back the same through the writer. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amanat/assess.h"
#include "amanat/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_list(struct am_wage_list *l, bool refused, void *ctx)
{
	uint8_t h[32];

	(void)ctx;
	if (l->nlines && !l->lines)
		abort();
	for (size_t i = 0; i < l->nlines; i++) {
		const struct am_wage_line *w = &l->lines[i];

		if (!w->first_name || !w->occupation || !w->job_code ||
		    strlen(w->national_code) > 10 || w->row < 2)
			abort();
	}
	memcpy(h, l->hash, sizeof(h));
	am_wage_list_hash(l);
	if (memcmp(h, l->hash, sizeof(h)) != 0)
		abort(); /* the reader hashed what it passed */
	(void)refused;
	return 0;
}

/* Write the list as CSV and read it back: the same hash. */
static int reread(struct am_wage_list *l, bool refused, void *ctx)
{
	const uint8_t *want = ctx;

	if (refused || memcmp(want, l->hash, 32) != 0)
		abort();
	return 0;
}

static int roundtrip(struct am_wage_list *l, bool refused, void *ctx)
{
	char path[] = "/tmp/amanat-fuzz-wcsv-XXXXXX";
	int fd;
	FILE *f;
	struct am_diags ds;

	check_list(l, refused, ctx);
	if (refused)
		return 0;
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return 0;
	}
	if (am_csv_write_header(f) || am_csv_write_list(f, l))
		abort();
	fclose(f);
	am_diags_init(&ds, 16);
	if (am_csv_read(path, NULL, reread, l->hash, &ds) != 0 || ds.nr)
		abort();
	am_diags_release(&ds);
	unlink(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/amanat-fuzz-wlcsv-XXXXXX";
	struct am_diags ds;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	am_diags_init(&ds, 64);
	am_csv_read(path, NULL, roundtrip, NULL, &ds);
	for (size_t i = 0; i < ds.nr; i++)
		if (ds.items[i].code >= 0 || !ds.items[i].file[0])
			abort();
	am_diags_release(&ds);
	unlink(path);
	return 0;
}
