-- The ledger: one row per transaction, every kind alike (a wage list's
-- assessment, the reversal of an amended list, a payment, a penalty), its
-- postings packed in one blob (src/store/codec.c: the account, debit and
-- credit of each, up to eight). Until now a list's assessment lived on its
-- wage_lists row and every other event in a journal of one row per posting,
-- so every balance was a union of two tables; here both are rows of one.
-- The balances, what is due and whether a transaction balances are the
-- domain's to compute from these rows (src/domain/ledger.c), not SQL's.
--
-- The rows the journal and the lists' assessments held before this are
-- moved here by the backend after this file runs (sqlite.c,
-- migrate_ledger()), which then drops the journal: packing postings is
-- the codec's, not SQL's.
CREATE TABLE ledger (
	id INTEGER PRIMARY KEY CHECK (id >= 1),
	-- Equalities, not IN (...): SQLite checks a list of more than two
	-- values through a temporary B-tree built at every insert, a tenth
	-- of the posting's instructions at one row a list.
	kind TEXT NOT NULL
		CHECK (kind = 'assessment' OR kind = 'reversal'
		       OR kind = 'payment' OR kind = 'penalty'),
	period INTEGER,
	-- The workshop whose account the transaction touches, if any.
	workshop TEXT,
	list_id INTEGER,
	payment_ref TEXT,
	due_date INTEGER,
	value_date INTEGER NOT NULL, -- the day the event counts from
	posted_at INTEGER NOT NULL,
	postings BLOB NOT NULL
);

-- A workshop's transactions other than its lists' assessments, in order:
-- those are found from its lists (wage_lists.txn), whose key begins with
-- the period, so that a month's import writes only the month's leaves and
-- not one leaf per workshop of every month ever posted (0003_wages.sql,
-- wage_lists_key).
CREATE INDEX ledger_workshop ON ledger (workshop, id)
	WHERE kind <> 'assessment';

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
	SELECT RAISE(ABORT, 'the ledger is append-only');
END;

CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
	SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- Named sequences: the next id to give. The backend reads one when a
-- write transaction first needs it, counts in memory (SQLite has one
-- writer at a time) and writes it back at the commit.
CREATE TABLE sequences (
	name TEXT NOT NULL PRIMARY KEY,
	next INTEGER NOT NULL CHECK (next >= 1)
) WITHOUT ROWID;

INSERT INTO sequences (name, next)
	SELECT 'ledger', max(coalesce((SELECT max(id) FROM journal), 0),
			     coalesce((SELECT max(txn) FROM wage_lists), 0)) + 1;
