/* Internals shared by the domain layer's wage-list files: the assessed
 * base and insured share, which validation needs without the other shares. */
#ifndef AMANAT_DOMAIN_WAGELIST_INT_H
#define AMANAT_DOMAIN_WAGELIST_INT_H

#include "amanat/assess.h"

/* The line's subject wage floored at min_daily × days and capped at
 * ceiling_daily × days; 0 when days <= 0. AM_EMONEY_OVERFLOW. */
int am__wage_line_base(const struct am_assess_params *p,
		       const struct am_wage_line *line, am_money *out);
/* The insured's share of that base, rounded by p->rounding. */
int am__wage_line_insured(const struct am_assess_params *p,
			  const struct am_wage_line *line, am_money *out);

#endif
