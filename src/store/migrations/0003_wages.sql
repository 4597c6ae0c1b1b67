-- 0003: posted wage lists and their lines, per-person totals, migrated
-- history, the double-entry journal and bank payments. Released: never
-- edit; add a migration.
--
-- Periods are INTEGER year * 100 + month (Jalali): 140307 is 1403/07.
-- Amounts are INTEGER rials. wage_lines is WITHOUT ROWID and clustered by
-- (period, national_code, list_id): a person's month is one point lookup,
-- and reads by person walk the periods between person_totals.first_period
-- and last_period. Postings append to wage_lines_by_list (clustered by
-- list) and am_store_compact() copies the lines over in key order: random-key writes per line are what made
-- posting slow (docs/storage.md, "Posting").

CREATE TABLE wage_lists (
	id INTEGER PRIMARY KEY CHECK (id >= 1),
	workshop TEXT NOT NULL REFERENCES workshops (code),
	year INTEGER NOT NULL CHECK (year BETWEEN 1 AND 3000),
	month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	period INTEGER NOT NULL CHECK (period = year * 100 + month),
	list_no TEXT NOT NULL CHECK (length(list_no) <= 12),
	hash BLOB NOT NULL CHECK (length(hash) = 32),
	status TEXT NOT NULL CHECK (status IN ('posted', 'superseded')),
	source_file TEXT,
	lines INTEGER NOT NULL CHECK (lines >= 0),
	t_days INTEGER NOT NULL,
	t_subject INTEGER NOT NULL,
	t_insured INTEGER NOT NULL,
	t_employer INTEGER NOT NULL,
	t_state INTEGER NOT NULL,
	t_unemployment INTEGER NOT NULL,
	t_hard_harmful INTEGER NOT NULL,
	rules_identity TEXT NOT NULL,
	due_date INTEGER NOT NULL,
	state_pays_employer INTEGER NOT NULL
		CHECK (state_pays_employer IN (0, 1)),
	journal_txn INTEGER NOT NULL, -- first journal entry of its assessment
	journal_n INTEGER NOT NULL,   -- and how many entries it has
	posted_at INTEGER NOT NULL,
	superseded_by INTEGER REFERENCES wage_lists (id),
	CHECK (status = 'superseded' OR superseded_by IS NULL)
);

-- At most one posted list per (workshop, period, list number); superseded
-- ones stay, for the record.
CREATE UNIQUE INDEX wage_lists_posted ON wage_lists (workshop, period, list_no)
	WHERE status = 'posted';

CREATE TABLE wage_lines (
	period INTEGER NOT NULL,
	national_code TEXT NOT NULL CHECK (length(national_code) = 10),
	list_id INTEGER NOT NULL, -- wage_lists (id): set by the posting
	workshop TEXT NOT NULL,
	row INTEGER NOT NULL,
	days INTEGER NOT NULL CHECK (days BETWEEN 0 AND 31),
	daily_wage INTEGER NOT NULL,
	monthly_wage INTEGER NOT NULL,
	benefits INTEGER NOT NULL,
	subject_wage INTEGER NOT NULL,
	total_pay INTEGER NOT NULL,
	base INTEGER NOT NULL, -- the subject wage assessed (floored, capped)
	insured INTEGER NOT NULL,
	employer INTEGER NOT NULL,
	state INTEGER NOT NULL,
	unemployment INTEGER NOT NULL,
	hard_harmful INTEGER NOT NULL,
	hard_harmful_days INTEGER NOT NULL,
	job_code TEXT,
	occupation TEXT,
	start_date INTEGER,
	end_date INTEGER,
	PRIMARY KEY (period, national_code, list_id)
) WITHOUT ROWID;

-- Every line again, clustered by list, as posted: list ids only grow, so a
-- posting appends here and never splits a page in the middle. It is the
-- record of each list (amendments and exports read it by list);
-- am_store_compact() copies the lines above the watermark, sorted, into
-- wage_lines and adds them to person_totals in one pass after an import.
-- Until then the views read them here too.
CREATE TABLE wage_lines_by_list (
	period INTEGER NOT NULL,
	national_code TEXT NOT NULL CHECK (length(national_code) = 10),
	list_id INTEGER NOT NULL, -- wage_lists (id): set by the posting
	workshop TEXT NOT NULL,
	row INTEGER NOT NULL,
	days INTEGER NOT NULL CHECK (days BETWEEN 0 AND 31),
	daily_wage INTEGER NOT NULL,
	monthly_wage INTEGER NOT NULL,
	benefits INTEGER NOT NULL,
	subject_wage INTEGER NOT NULL,
	total_pay INTEGER NOT NULL,
	base INTEGER NOT NULL, -- the subject wage assessed (floored, capped)
	insured INTEGER NOT NULL,
	employer INTEGER NOT NULL,
	state INTEGER NOT NULL,
	unemployment INTEGER NOT NULL,
	hard_harmful INTEGER NOT NULL,
	hard_harmful_days INTEGER NOT NULL,
	job_code TEXT,
	occupation TEXT,
	start_date INTEGER,
	end_date INTEGER,
	PRIMARY KEY (list_id, national_code)
) WITHOUT ROWID;

-- The last list whose lines are in wage_lines and person_totals.
CREATE TABLE compaction (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	list_id INTEGER NOT NULL CHECK (list_id >= 0)
);
INSERT INTO compaction (id, list_id) VALUES (1, 0);

-- Running sums per person, maintained by each compaction, amendment and
-- migrated row (not by the posting itself: a posted list's lines count
-- from the compaction on):
-- days and subject wages as reported (concurrent jobs add up; the history
-- view caps each month at its length), how many month records, and the
-- first and last period ever posted (the bounds of a history walk).
CREATE TABLE person_totals (
	national_code TEXT NOT NULL PRIMARY KEY
		CHECK (length(national_code) = 10),
	days INTEGER NOT NULL,
	records INTEGER NOT NULL,
	subject_wages INTEGER NOT NULL,
	first_period INTEGER NOT NULL,
	last_period INTEGER NOT NULL
) WITHOUT ROWID;

-- Months migrated from the old system ("import history"): stored as given,
-- not assessed; they count toward credited days.
CREATE TABLE history_migrated (
	period INTEGER NOT NULL CHECK (period % 100 BETWEEN 1 AND 12),
	national_code TEXT NOT NULL CHECK (length(national_code) = 10),
	workshop TEXT NOT NULL CHECK (length(workshop) = 10),
	days INTEGER NOT NULL CHECK (days BETWEEN 0 AND 31),
	subject_wage INTEGER NOT NULL CHECK (subject_wage >= 0),
	hard_harmful_days INTEGER NOT NULL
		CHECK (hard_harmful_days BETWEEN 0 AND days),
	imported_at INTEGER NOT NULL,
	PRIMARY KEY (period, national_code, workshop)
) WITHOUT ROWID;

-- The ledger. Each business event is a transaction (txn = the id of its
-- first entry) whose entries balance: sum(debit) = sum(credit). Accounts:
-- 'workshop:CODE' (what a workshop owes), 'state' (what the state owes),
-- 'bank' (money received), 'contributions:insured', ':employer', ':state',
-- ':unemployment', ':hard_harmful' (what was assessed), and 'penalties:*'
-- with kind 'penalty', kept for the penalties of a later issue.
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
