/* amanat assessment: a wage list validated and its lines assessed with the
 * rules in force for its period. Pure functions: no I/O, and nothing on the
 * per-line path allocates, so they run the same for one list at a branch
 * counter and for a national month. */
#ifndef AMANAT_ASSESS_H
#define AMANAT_ASSESS_H

#include <stdbool.h>
#include <stddef.h>

#include "amanat/date.h"
#include "amanat/error.h"
#include "amanat/money.h"
#include "amanat/rules.h"
#include "amanat/wagelist.h"

/*
 * Assessment and validation (src/domain/): pure functions of a list and the
 * rules in force for its period. They do no I/O, and nothing on the
 * per-line path allocates; docs/assessment.md gives the formulas and lists
 * every check with its error id.
 */

/* The rule values in force for one period, looked up once (on the period's
 * first day) and reused for every line of that period. */
struct am_assess_params {
	struct am_period period;
	am_date first_day, last_day;
	/* Length of the month, Esfand by the leap rule. */
	int month_days;
	struct am_rate insured;	     /* contribution.compulsory.insured */
	struct am_rate employer;     /* contribution.compulsory.employer */
	struct am_rate state;	     /* contribution.compulsory.state */
	struct am_rate unemployment; /* contribution.unemployment.employer */
	struct am_rate hard_harmful; /* contribution.hard_harmful.employer */
	/* contribution.small_exempt.employer_share_payer is "state": in an
	 * exempt small workshop the state pays the employer's share. */
	bool exempt_state_pays_employer;
	/* contribution.small_exempt.unemployment_paid_by_employer */
	bool exempt_pays_unemployment;
	am_money min_daily;	 /* wage.minimum.daily */
	am_money ceiling_daily;	 /* wage.ceiling.daily */
	enum am_round rounding;	 /* contribution.rounding */
	am_money bime_tolerance; /* wagelist.bime_tolerance */
	int max_days;		 /* wagelist.max_days */
	int kind;		 /* wagelist.kind: the one DSK_KIND allowed */
	char rules_identity[65];
};

/* Look the period's values up. A month outside 1..12 is
 * AM_EWAGE_PERIOD_RANGE (diag field "DSK_MM"), a year outside the calendar
 * AM_EDATE_YEAR_RANGE (field "DSK_YY"); AM_ERULES_NO_VALUE (diag names the
 * parameter and date) when the rules do not cover the period;
 * AM_ERULES_TYPE_MISMATCH or AM_ERULES_BAD_VALUE when a parameter has the
 * wrong unit or a value this code cannot apply (an employer_share_payer
 * other than "state" or "employer"). diag may be NULL. On error *out is
 * unchanged. */
int am_assess_params_load(const struct am_rules *r, struct am_period p,
			  struct am_assess_params *out, struct am_diag *diag);
/* Every parameter the period's assessment needs that has no value in
 * force on its first day, each added to missing once, as am_rules_value()
 * reports it (AM_ERULES_NO_VALUE with the rules file and line, the
 * parameter as field, the date, and the span the rules cover), in the
 * order the assessment asks for them. Returns how many; 0 when the rules
 * cover the period, or when it fails for another reason (which
 * am_assess_params_load() names). */
size_t am_assess_params_missing(const struct am_rules *r, struct am_period p,
				struct am_diags *missing);

/* What the registry says of the workshop, as assessment needs it. */
struct am_workshop_terms {
	bool hard_harmful; /* all its lines' days count as hard and harmful
			    * unless the line says otherwise */
	bool small_exempt; /* the state pays the employer's share */
};

/* One line's contributions, in rials. Each share is base × its rate,
 * rounded on its own by params->rounding.
 *
 * Who pays what: the employer owes employer + hard_harmful, plus
 * unemployment unless unemployment_by_state; the state owes state, plus
 * unemployment when unemployment_by_state; the worker's insured share is
 * withheld by the employer. In an exempt small workshop (terms small_exempt
 * and params exempt_state_pays_employer) employer is 0 and state is the
 * state's 3% plus the employer's 20%, each rounded separately and added.
 * Whether such an employer still pays the 3% unemployment share is not
 * established (rule confidence U): it follows
 * contribution.small_exempt.unemployment_paid_by_employer, and when that is
 * false unemployment_by_state is set. The 4% hard-and-harmful share always
 * stays with the employer. */
struct am_line_assessment {
	am_money base;	       /* the subject wage assessed: floored, capped */
	am_money insured;      /* the worker's share (7%) */
	am_money employer;     /* the employer's share (20%); 0 when exempt */
	am_money state;	       /* the state's 3%, plus the employer's 20%
				* for exempt small workshops */
	am_money unemployment; /* 3%, paid by the employer unless
				* unemployment_by_state */
	am_money hard_harmful; /* 4% on hard and harmful days */
	int hard_harmful_days;
	bool unemployment_by_state; /* the state pays unemployment */
};

/* DSK_RATE of a list's header: the employer's rate and the unemployment
 * insurance rate together, in whole percent (20% + 3% = 23), from the
 * rules of the period. What the SSO expects there is not confirmed
 * (iran-rules.md §7.2). */
int am_assess_dsk_rate(const struct am_assess_params *p);

/* Assess one line: base = DSW_MASH, floored at min_daily × days and capped
 * at ceiling_daily × days (0 when days <= 0). Hard-and-harmful days are the
 * line's own when > 0, else all its days when the workshop is hard and
 * harmful, else 0, and never more than days; that share is base × rate ×
 * hh / days, one exact rate rounded once. Nothing is validated here (see
 * am_wage_list_validate). AM_EMONEY_OVERFLOW only for absurd amounts; on
 * error *out is unchanged. */
int am_wage_line_assess(const struct am_assess_params *p,
			const struct am_workshop_terms *t,
			const struct am_wage_line *line,
			struct am_line_assessment *out);

/* Fill a line's derived amounts from its daily wage, days and benefits, as
 * a correct list carries them: DSW_MAH = daily × days, DSW_MASH = min(MAH +
 * MAZ, ceiling_daily × days), DSW_BIME = the assessed insured share. For
 * the synthetic-data generator and for tests. AM_EMONEY_OVERFLOW leaves
 * the line unchanged. */
int am_wage_line_fill(const struct am_assess_params *p,
		      struct am_wage_line *line);

/* Validate a whole list before anything is written: every problem is a
 * diagnostic naming the list's file, the row (the header's row for header
 * fields), the DSKWOR00/DSKKAR00 field, the value found and the value
 * expected, with its own AM_EWAGE_… code; all problems are reported, not
 * just the first. today bounds the period (no future periods; the current
 * month is allowed). p may be NULL when am_assess_params_load() failed for
 * the list's period: the checks that need no rule figure (identifiers,
 * period, duplicates, signs, header totals) are still made, so the list's
 * other problems are reported with the period's. t may be NULL: the terms
 * change who pays, never what a list must say. Header totals are checked
 * only when l->has_totals; duplicates ignore leading zeros of the codes. Returns the number of problems found (0: the
 * list may be posted), counted even past the cap of diags. */
size_t am_wage_list_validate(const struct am_assess_params *p,
			     const struct am_workshop_terms *t,
			     const struct am_wage_list *l, am_date today,
			     struct am_diags *diags);

#endif
