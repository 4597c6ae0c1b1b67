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

static void draw(struct am_progress *p, uint64_t t)
{
	double secs = (double)(t - p->start_ns) / 1e9;

	if (p->total) {
		unsigned pct = (unsigned)(p->done * 100 / p->total);
		unsigned fill = pct * 30 / 100;
		char bar[31];

		for (unsigned i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r%s [%s] %3u%% %llu/%llu %.1fs", p->label,
			bar, pct, (unsigned long long)p->done,
			(unsigned long long)p->total, secs);
	} else {
		fprintf(stderr, "\r%s %llu %.1fs", p->label,
			(unsigned long long)p->done, secs);
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
