/* Credited days: what a person's months count toward a pension or a
 * benefit, whatever store or list they came from. */
#include "core/internal.h"

#include "amanat/history.h"

/* Days in a month never exceed its length,
 * however many employers reported the person that month. */
void am_history_credit(struct am_history *h)
{
	size_t i = 0;

	h->credited_days = 0;
	h->credited_months = 0;
	while (i < h->nmonths) {
		struct am_period p = h->months[i].period;
		int64_t days = 0;
		int len = am_jalali_month_length(p.year, p.month);

		for (; i < h->nmonths && h->months[i].period.year == p.year &&
		       h->months[i].period.month == p.month;
		     i++)
			days += h->months[i].days;
		if (days > len)
			days = len;
		h->credited_days += days;
		h->credited_months += days > 0;
	}
}
