-- 0003: posted wage lists with their lines, the by-person index, migrated
-- history, the double-entry journal and bank payments. Released: never
-- edit; add a migration. (Rewritten once before its first release, when
-- issue 3's benchmark showed a row per line could not post a national
-- month in time: docs/storage.md, "Posting".)
--
-- Periods are INTEGER year * 100 + month (Jalali): 140307 is 1403/07.
-- Amounts are INTEGER rials. A list is one row: its lines, each with its
-- assessment, packed in body (src/store/codec.c); reads by person go
-- through person_index, blocks of sorted (national code, list, offset)
-- entries written once per batch of lists.

-- The workshops' codes alone: the parent key of the lists. The store adds
-- a workshop's code when it inserts the workshop (a trigger on INSERT
-- would make every insert journal the pages it changes, which at large
-- pages spilled to a file: docs/storage.md, "Pages"); the triggers below
-- follow a change of code and a delete, whoever makes them. A list's foreign key is looked up here, in a B-tree a
-- twentieth the size of the workshops' rows, which stays in the cache
-- through a bulk import (a national month probed the rows' B-tree, a
-- page read per list: docs/storage.md, "Posting"). A workshop with lists
-- cannot be deleted, as before: its key is still referenced.
CREATE TABLE workshop_keys (code TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
INSERT INTO workshop_keys SELECT code FROM workshops;

CREATE TRIGGER workshop_keys_change AFTER UPDATE OF code ON workshops
BEGIN
	DELETE FROM workshop_keys WHERE code = OLD.code;
	INSERT OR IGNORE INTO workshop_keys VALUES (NEW.code);
END;

CREATE TRIGGER workshop_keys_drop AFTER DELETE ON workshops
BEGIN
	DELETE FROM workshop_keys WHERE code = OLD.code;
END;

CREATE TABLE wage_lists (
	id INTEGER PRIMARY KEY CHECK (id >= 1),
	workshop TEXT NOT NULL REFERENCES workshop_keys (code),
	year INTEGER NOT NULL CHECK (year BETWEEN 1 AND 3000),
	month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	period INTEGER NOT NULL CHECK (period = year * 100 + month),
	list_no TEXT NOT NULL CHECK (length(list_no) <= 12),
	-- 0 for the first list under the key, then one more per amendment;
	-- only the highest may be posted.
	revision INTEGER NOT NULL CHECK (revision >= 0),
	hash BLOB NOT NULL CHECK (length(hash) = 32),
	status TEXT NOT NULL CHECK (status IN ('posted', 'superseded')),
	source_file TEXT,
	lines INTEGER NOT NULL CHECK (lines >= 0),
	t_days INTEGER NOT NULL,
	t_subject INTEGER NOT NULL,
	-- The assessment is one balanced ledger transaction, kept on the
	-- list's row (a sub-ledger): the workshop and the state debited,
	-- the five contribution accounts credited. The journal below holds
	-- every other event; both draw ids from one sequence (txn).
	t_insured INTEGER NOT NULL CHECK (t_insured >= 0),
	t_employer INTEGER NOT NULL CHECK (t_employer >= 0),
	t_state INTEGER NOT NULL CHECK (t_state >= 0),
	t_unemployment INTEGER NOT NULL CHECK (t_unemployment >= 0),
	t_hard_harmful INTEGER NOT NULL CHECK (t_hard_harmful >= 0),
	owed_workshop INTEGER NOT NULL CHECK (owed_workshop >= 0),
	owed_state INTEGER NOT NULL CHECK (owed_state >= 0),
	rules_identity TEXT NOT NULL,
	due_date INTEGER NOT NULL,
	state_pays_employer INTEGER NOT NULL
		CHECK (state_pays_employer IN (0, 1)),
	txn INTEGER NOT NULL UNIQUE CHECK (txn >= 1),
	value_date INTEGER NOT NULL,
	posted_at INTEGER NOT NULL,
	superseded_by INTEGER REFERENCES wage_lists (id),
	body BLOB NOT NULL,
	CHECK (owed_workshop + owed_state = t_insured + t_employer + t_state
	       + t_unemployment + t_hard_harmful),
	CHECK (status = 'superseded' OR superseded_by IS NULL)
);

-- A list by its key, every revision. The period first: a month's lists
-- arrive in no order of workshop, and each transaction of a bulk import
-- rewrites every leaf its keys fall in; with the workshop first those
-- would be the leaves of every month ever posted (a year: 17 million
-- keys, 500 MB, written at every commit), with the period first only
-- the month's own. A workshop's lists across periods are read one period
-- at a time (the statement's query seeks the periods one by one).
CREATE UNIQUE INDEX wage_lists_key
	ON wage_lists (period, workshop, list_no, revision);

-- Amounts and keys never change once posted; only the status may.
CREATE TRIGGER wage_lists_fixed BEFORE UPDATE OF id, workshop, year, month,
	period, list_no, revision, hash, lines, t_days, t_subject, t_insured,
	t_employer, t_state, t_unemployment, t_hard_harmful, owed_workshop,
	owed_state, rules_identity, due_date, state_pays_employer, txn,
	value_date, posted_at, body ON wage_lists
BEGIN
	SELECT RAISE(ABORT, 'a posted wage list is not edited: amend it');
END;

CREATE TRIGGER wage_lists_no_delete BEFORE DELETE ON wage_lists
BEGIN
	SELECT RAISE(ABORT, 'a posted wage list is not deleted: amend it');
END;

-- The by-person index. Each batch of posted lists writes, per period, one
-- segment: its entries sorted by national code and packed in blocks of
-- about a hundred (a person's entries never straddle two blocks).
-- A batch's segment is its lowest list id, and its entries store their
-- list id less base (the same number); a compaction merges a period's
-- segments into one with a new number below them all. A person's month
-- is, per segment of the period, the one block whose first code is the
-- greatest not above theirs. Superseded lists stay indexed; readers skip
-- them.
CREATE TABLE index_segments (
	period INTEGER NOT NULL,
	segment INTEGER NOT NULL,
	base INTEGER NOT NULL,
	entries INTEGER NOT NULL CHECK (entries >= 1),
	PRIMARY KEY (period, segment)
) WITHOUT ROWID;

CREATE TABLE person_index (
	period INTEGER NOT NULL,
	segment INTEGER NOT NULL,
	first_code INTEGER NOT NULL,
	entries INTEGER NOT NULL CHECK (entries >= 1),
	block BLOB NOT NULL,
	PRIMARY KEY (period, segment, first_code)
) WITHOUT ROWID;

-- Every registered national code as an integer key: the posting checks
-- a batch's persons against it in key order (2-3 times faster than
-- persons' text key, docs/storage.md). The store adds a person's code
-- when it inserts the person (not a trigger: see workshop_keys); the
-- trigger follows a delete.
CREATE TABLE person_codes (code INTEGER PRIMARY KEY);
INSERT INTO person_codes SELECT CAST(national_code AS INTEGER) FROM persons;

CREATE TRIGGER person_codes_drop AFTER DELETE ON persons
BEGIN
	DELETE FROM person_codes
		WHERE code = CAST(OLD.national_code AS INTEGER);
END;

-- Months migrated from the old system ("import history"): stored as given,
-- not assessed; they count toward credited days. Clustered by person: a
-- history reads them in one range.
CREATE TABLE history_migrated (
	period INTEGER NOT NULL CHECK (period % 100 BETWEEN 1 AND 12),
	national_code TEXT NOT NULL CHECK (length(national_code) = 10),
	workshop TEXT NOT NULL CHECK (length(workshop) = 10),
	days INTEGER NOT NULL CHECK (days BETWEEN 0 AND 31),
	subject_wage INTEGER NOT NULL CHECK (subject_wage >= 0),
	hard_harmful_days INTEGER NOT NULL
		CHECK (hard_harmful_days BETWEEN 0 AND days),
	imported_at INTEGER NOT NULL,
	PRIMARY KEY (national_code, period, workshop)
) WITHOUT ROWID;

-- The ledger. Each business event is a transaction (txn = the id of its
-- first entry) whose entries balance: sum(debit) = sum(credit). Accounts:
-- 'workshop:CODE' (what a workshop owes), 'state' (what the state owes),
-- 'bank' (money received), 'contributions:insured', ':employer', ':state',
-- ':unemployment', ':hard_harmful' (what was assessed), and 'penalties:*'
-- with kind 'penalty', kept for the penalties of a later issue. A wage
-- list's assessment is not here but on its wage_lists row (txn, owed_*,
-- t_*), which is the same transaction in one row; its reversal, when the
-- list is amended, is here.
CREATE TABLE journal (
	id INTEGER PRIMARY KEY CHECK (id >= 1),
	txn INTEGER NOT NULL CHECK (txn BETWEEN 1 AND id),
	account TEXT NOT NULL
		CHECK (account IN ('state', 'bank')
		       OR account GLOB 'workshop:[0-9]*'
		       OR account GLOB 'contributions:[a-z]*'
		       OR account GLOB 'penalties:[a-z]*'),
	debit INTEGER NOT NULL CHECK (debit >= 0),
	credit INTEGER NOT NULL CHECK (credit >= 0),
	kind TEXT NOT NULL
		CHECK (kind IN ('assessment', 'reversal', 'payment', 'penalty')),
	period INTEGER,
	workshop TEXT,
	list_id INTEGER,
	payment_ref TEXT,
	due_date INTEGER,
	value_date INTEGER NOT NULL, -- the day the event counts from
	posted_at INTEGER NOT NULL,
	CHECK (debit = 0 OR credit = 0)
);

-- An account's entries in order: the employer statement.
CREATE INDEX journal_account ON journal (account, id);

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
	SELECT RAISE(ABORT, 'the journal is append-only');
END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
	SELECT RAISE(ABORT, 'the journal is append-only');
END;

CREATE TABLE payments (
	reference TEXT NOT NULL PRIMARY KEY CHECK (length(reference) >= 1),
	workshop TEXT NOT NULL REFERENCES workshops (code),
	period INTEGER NOT NULL CHECK (period % 100 BETWEEN 1 AND 12),
	amount INTEGER NOT NULL CHECK (amount > 0),
	paid_on INTEGER NOT NULL,
	matched INTEGER NOT NULL CHECK (matched BETWEEN 0 AND amount),
	unmatched INTEGER NOT NULL CHECK (matched + unmatched = amount),
	journal_txn INTEGER NOT NULL,
	posted_at INTEGER NOT NULL
) WITHOUT ROWID;
