/* A progress bar on stderr for long work, only when stderr is a terminal:
 * scripts, pipes and CI logs never see it. */
#include "core/internal.h"

#include "amanat/progress.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void am_progress_start(struct am_progress *p, const char *label, uint64_t total)
{
	const char *env = getenv("AMANAT_PROGRESS");

	p->label = label;
	p->persian = false;
	p->total = total;
	p->done = 0;
	p->start_ns = now_ns();
	p->last_draw_ns = 0;
	if (env && strcmp(env, "0") == 0)
		p->enabled = false;
	else if (env && strcmp(env, "1") == 0)
		p->enabled = true;
	else
		p->enabled = isatty(STDERR_FILENO) == 1;
}

/* A span of time as a person reads it: "4.2 s", "3 min 05 s", "2 h 07
 * min"; in Persian words (its digits made Persian by the caller). */
static void span_text(double secs, bool fa, char *out, size_t size)
{
	unsigned s = secs < 0 ? 0 : (unsigned)(secs + 0.5);

	if (secs < 60)
		snprintf(out, size, fa ? "%.1f ثانیه" : "%.1f s", secs);
	else if (s < 3600)
		snprintf(out, size,
			 fa ? "%u دقیقه و %u ثانیه" : "%u min %02u s", s / 60,
			 s % 60);
	else
		snprintf(out, size, fa ? "%u ساعت و %u دقیقه" : "%u h %02u min",
			 s / 3600, s / 60 % 60);
}

/* The line without its leading '\r', in ASCII digits. */
static void line_text(const struct am_progress *p, double secs, char *out,
		      size_t size)
{
	bool fa = p->persian;
	char took[48], left[48];

	span_text(secs, fa, took, sizeof(took));
	if (!p->total) {
		snprintf(out, size, "%s %llu %s", p->label,
			 (unsigned long long)p->done, took);
		return;
	}
	{
		unsigned pct = (unsigned)(p->done * 100 / p->total);
		unsigned fill = pct * 30 / 100;
		size_t n;
		char bar[31];

		for (unsigned i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		n = (size_t)snprintf(out, size, "%s [%s] %3u%% %s", p->label,
				     bar, pct, took);
		/* The time left at the pace so far, once there is a pace to
		 * go by (a second's work) and something left. */
		if (n < size && p->done && p->done < p->total && secs >= 1) {
			span_text(secs * (double)(p->total - p->done) /
					  (double)p->done,
				  fa, left, sizeof(left));
			snprintf(out + n, size - n,
				 fa ? "، حدود %s مانده" : ", about %s left",
				 left);
		}
	}
}

static void draw(struct am_progress *p, uint64_t t)
{
	char line[256];

	line_text(p, (double)(t - p->start_ns) / 1e9, line, sizeof(line));
	if (p->persian) {
		struct am_buf b;

		am_buf_init(&b, 0);
		if (am__buf_add_persian(&b, line) == 0)
			fprintf(stderr, "\r%s\033[K", b.buf);
		am_buf_release(&b);
	} else {
		/* Cleared to the end: the line before may have been longer. */
		fprintf(stderr, "\r%s\033[K", line);
	}
	fflush(stderr);
	p->last_draw_ns = t;
}

void am_progress_update(struct am_progress *p, uint64_t done)
{
	uint64_t t;

	p->done = p->total && done > p->total ? p->total : done;
	if (!p->enabled)
		return;
	t = now_ns();
	if (t - p->last_draw_ns < 100000000u)
		return;
	draw(p, t);
}

void am_progress_finish(struct am_progress *p)
{
	if (!p->enabled)
		return;
	if (p->total)
		p->done = p->total;
	draw(p, now_ns());
	fputc('\n', stderr);
}
