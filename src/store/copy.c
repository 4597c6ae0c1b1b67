/* Moving a whole database between backends ("amanat db copy"): the
 * logical tables walked on one side and loaded into the other in one
 * transaction, the by-person index rebuilt from the lists' bodies, and the
 * copy checked against its source before that transaction commits. */
#include "core/internal.h"

#include "store/store_int.h"

/*
 * The logical tables: what every backend holds under these names with
 * these columns (src/store/migrations/ after 0004, and
 * migrations_pg/0001), parents before children. What a backend keeps
 * beside them for its own access paths (SQLite's person_index,
 * index_segments, person_codes, workshop_keys and sequences; its
 * schema_migrations) is not here: a load keeps its side tables, and
 * copy.c rebuilds the by-person index.
 *
 * order is each table's key, which a walk orders by. Both sides must give
 * the same order for their digests to agree: a backend orders text by its
 * bytes (PostgreSQL: COLLATE "C"), as SQLite does.
 */
static const char *const persons_cols[] = {
	"national_code", "first_name", "last_name",   "father_name",
	"birth_date",	 "sex",	       "nationality", "insurance_no",
	"created_at",	 "updated_at",
};
static const char *const employers_cols[] = {
	"id", "kind", "name", "address", "phone", "created_at", "updated_at",
};
static const char *const workshops_cols[] = {
	"code",		"name",		"employer_id", "address",
	"province",	"branch",	"activity",    "scheme",
	"hard_harmful", "small_exempt", "created_at",  "updated_at",
};
static const char *const dependants_cols[] = {
	"main_insured", "dependant",  "relation",   "since",
	"until",	"created_at", "updated_at",
};
static const char *const meta_cols[] = { "key", "value" };
static const char *const idempotency_cols[] = {
	"key",
	"request_hash",
	"created_at",
	"result",
};
static const char *const audit_cols[] = {
	"seq",	   "at",      "actor",	   "action",
	"subject", "payload", "prev_hash", "hash",
};
static const char *const wage_lists_cols[] = {
	"id",
	"workshop",
	"year",
	"month",
	"period",
	"list_no",
	"revision",
	"hash",
	"status",
	"source_file",
	"lines",
	"t_days",
	"t_subject",
	"t_insured",
	"t_employer",
	"t_state",
	"t_unemployment",
	"t_hard_harmful",
	"owed_workshop",
	"owed_state",
	"rules_identity",
	"due_date",
	"state_pays_employer",
	"txn",
	"value_date",
	"posted_at",
	"superseded_by",
	"body",
};
static const char *const ledger_cols[] = {
	"id",	       "kind",	   "period",	 "workshop",  "list_id",
	"payment_ref", "due_date", "value_date", "posted_at", "postings",
};
static const char *const payments_cols[] = {
	"reference", "workshop",  "period",	 "amount",    "paid_on",
	"matched",   "unmatched", "journal_txn", "posted_at",
};
static const char *const history_migrated_cols[] = {
	"period",	"national_code",     "workshop",    "days",
	"subject_wage", "hard_harmful_days", "imported_at",
};

/* A table's name and columns, from its array above. */
#define TABLE(name) #name, name##_cols, AM_ARRAY_SIZE(name##_cols)

const struct am__table am__tables[] = {
	{ TABLE(persons), "national_code" },
	{ TABLE(employers), "id" },
	{ TABLE(workshops), "code" },
	{ TABLE(dependants), "main_insured, dependant" },
	{ TABLE(meta), "key" },
	{ TABLE(idempotency), "key" },
	{ TABLE(audit), "seq" },
	/* By its key, the period first: a period's lists come together, and
	 * so their index entries (below). A list names the later one that
	 * superseded it: the loads' foreign keys are checked at the commit. */
	{ TABLE(wage_lists), "period, workshop, list_no, revision" },
	{ TABLE(ledger), "id" },
	{ TABLE(payments), "reference" },
	{ TABLE(history_migrated), "national_code, period, workshop" },
};
const size_t am__tables_nr = AM_ARRAY_SIZE(am__tables);
