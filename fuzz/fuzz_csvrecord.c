/* Fuzz the CSV record reader (am_csv_*): arbitrary bytes as a file, read
 * to the end; every record must be valid UTF-8 with its fields inside it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amanat/csv.h"
#include "amanat/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	unlink(path);
	return 0;
}
