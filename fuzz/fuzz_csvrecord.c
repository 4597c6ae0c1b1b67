/* Fuzz the CSV record reader (am_csv_*): arbitrary bytes as a file, read
 * to the end; every record must be valid UTF-8 with its fields inside it.
 * Read again in two parts (am_csv_open_range()) split at the first line
 * end after the middle: when the first part ends there, the two give the
 * records of the whole, in order. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amanat/csv.h"
#include "amanat/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The records read from [start, end) folded into a hash, with their
 * count; the reader's offset at the end in *at. */
static uint64_t fold(const char *path, unsigned long long start,
		     unsigned long long end, uint64_t h, size_t *n,
		     unsigned long long *at)
{
	struct am_csv_reader *r;
	size_t nf;
	unsigned line;
	char **f;
	int rc;

	*n = 0;
	*at = 0;
	if (am_csv_open_range(path, 4096, start, end, &r) != 0)
		return h;
	while ((rc = am_csv_next(r, &nf, &f, &line)) != 0) {
		if (rc == AM_EIO || rc == AM_ENOMEM)
			break;
		(*n)++;
		h = (h ^ (uint64_t)(unsigned)rc) * 1099511628211ULL;
		for (size_t i = 0; rc > 0 && i < nf; i++) {
			for (const char *p = f[i]; *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			h = (h ^ 0x100) * 1099511628211ULL;
		}
	}
	*at = am_csv_offset(r);
	am_csv_close(r);
	return h;
}

/* The whole against its two parts. */
static void parts(const char *path, const uint8_t *data, size_t size)
{
	const uint8_t *nl = size ? memchr(data + size / 2, '\n',
					  size - size / 2)
				 : NULL;
	unsigned long long split, at1, at2, at;
	size_t n, n1, n2;
	uint64_t whole, h1, h2;

	if (!nl || (size_t)(nl - data) + 1 >= size)
		return;
	split = (unsigned long long)(nl - data) + 1;
	whole = fold(path, 0, ~0ULL, 1469598103934665603ULL, &n, &at);
	h1 = fold(path, 0, split, 1469598103934665603ULL, &n1, &at1);
	if (at1 != split)
		return; /* the middle inside quotes: the caller reads on */
	h2 = fold(path, split, ~0ULL, h1, &n2, &at2);
	if (n1 + n2 != n || at2 != at || h2 != whole)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/amanat-fuzz-csv-XXXXXX";
	struct am_csv_reader *r;
	int fd = mkstemp(path);
	size_t nf, records = 0;
	unsigned line, last_line = 0;
	char **f;
	int rc;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	if (am_csv_open(path, 4096, &r) != 0) {
		unlink(path);
		return 0;
	}
	while ((rc = am_csv_next(r, &nf, &f, &line)) != 0) {
		if (rc == AM_EIO || rc == AM_ENOMEM)
			break;
		if (line < last_line)
			abort(); /* lines only go forward */
		last_line = line;
		if (rc < 0)
			continue;
		if (nf == 0)
			abort();
		for (size_t i = 0; i < nf; i++)
			if (strlen(f[i]) > 4096)
				abort(); /* past the record cap */
		am_csv_column(nf, f, "national_code");
		if (++records > size + 1)
			abort(); /* no record without input */
	}
	am_csv_close(r);
	parts(path, data, size);
	unlink(path);
	return 0;
}
