/* amanat progress bar: drawn on stderr only when stderr is a terminal, so
 * scripts and CI logs stay clean. */
#ifndef AMANAT_PROGRESS_H
#define AMANAT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct am_progress {
	const char *label;
	uint64_t total; /* 0 = unknown: a counter instead of a bar */
	uint64_t done;
	uint64_t last_draw_ns;
	uint64_t start_ns;
	bool enabled;
	/* The bar's words and digits in Persian; false after
	 * am_progress_start(), set it after. */
	bool persian;
};

/* Start; enabled only when stderr is a terminal and $AMANAT_PROGRESS is not
 * "0" ($AMANAT_PROGRESS=1 forces it on, for tests). label is borrowed.
 * With a total (in any unit: lines, bytes) the bar shows the share done,
 * the time taken and, from the pace so far, the time left; without one, a
 * count and the time taken. */
void am_progress_start(struct am_progress *p, const char *label,
		       uint64_t total);
/* Record progress; redraws at most ten times a second. */
void am_progress_update(struct am_progress *p, uint64_t done);
/* Draw the final state and end the line. */
void am_progress_finish(struct am_progress *p);

#endif
