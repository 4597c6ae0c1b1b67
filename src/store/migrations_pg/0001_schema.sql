-- 0001 (PostgreSQL): the whole schema as SQLite's migrations 0001-0004 left
-- it, in PostgreSQL's own terms. Released with issue 13's close: from then
-- on never edit; add a migration.
-- The numbering is this backend's own: a PostgreSQL database records
-- these files, a SQLite file those of src/store/migrations/.
--
-- The logical tables (persons, employers, workshops, dependants, meta,
-- idempotency, audit, wage_lists, ledger, payments, history_migrated) have
-- SQLite's names and columns, so that "amanat db copy" moves rows between
-- them (src/store/copy.c). Their access paths are this backend's own:
--
--   person_index  the by-person index in packed blocks, as SQLite keeps
--   index_segments  it (a row per posted line cost the server 3 µs and 92
--                 bytes a line), written by COPY once per batch and
--                 period, merged by a compaction;
--   ledger_ids    a SEQUENCE: the backend takes a block of ids per write
--                 transaction and gives back what it did not use;
--   write_lock    one row each writing transaction updates first: its
--                 lock makes writers take turns as SQLite's do (the audit
--                 chain appends one entry after another), and its count
--                 tells a writer whether anyone else wrote since its own
--                 last commit; readers never wait.
--
-- Codes are checked as SQLite checks them. Integer columns are bigint
-- except small ones (dates are days since 1970-01-01 in integer). Text
-- keys compare byte by byte (COLLATE "C"), as SQLite's do, whatever the
-- database's collation: their indexes then serve the walks in key order,
-- and db copy's digests see the rows in one order on both backends.

CREATE FUNCTION amanat_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TABLE write_lock (generation bigint NOT NULL);
INSERT INTO write_lock VALUES (0);

CREATE TABLE persons (
	national_code text COLLATE "C" NOT NULL PRIMARY KEY
		CHECK (national_code ~ '^[0-9]{10}$'),
	first_name text NOT NULL,
	last_name text NOT NULL,
	father_name text,
	birth_date integer,
	sex text NOT NULL CHECK (sex IN ('M', 'F')),
	nationality text,
	insurance_no text
		CHECK (insurance_no ~ '^([0-9]{8}|[0-9]{10})$'),
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL
);

CREATE TABLE employers (
	id text COLLATE "C" NOT NULL PRIMARY KEY CHECK (id ~ '^[0-9]*$'),
	kind text NOT NULL CHECK (kind IN ('person', 'legal')),
	name text NOT NULL,
	address text,
	phone text,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	CHECK ((kind = 'person' AND length(id) = 10)
	       OR (kind = 'legal' AND length(id) = 11))
);

CREATE TABLE workshops (
	code text COLLATE "C" NOT NULL PRIMARY KEY CHECK (code ~ '^[0-9]{10}$'),
	name text NOT NULL,
	employer_id text COLLATE "C" REFERENCES employers (id) DEFERRABLE,
	address text,
	province text,
	branch text,
	activity text,
	scheme text,
	hard_harmful integer NOT NULL DEFAULT 0 CHECK (hard_harmful IN (0, 1)),
	small_exempt integer NOT NULL DEFAULT 0 CHECK (small_exempt IN (0, 1)),
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL
);

CREATE INDEX workshops_employer ON workshops (employer_id);

-- A workshop is closed, not deleted, and its code does not change: the
-- lists that name it are not tied to it by a foreign key (below).
CREATE TRIGGER workshops_kept BEFORE DELETE OR UPDATE OF code ON workshops
	FOR EACH ROW EXECUTE FUNCTION
	amanat_refuse('a workshop is not deleted nor renumbered: close it');

CREATE TABLE dependants (
	main_insured text COLLATE "C" NOT NULL
		REFERENCES persons (national_code)
		DEFERRABLE,
	dependant text COLLATE "C" NOT NULL
		REFERENCES persons (national_code) DEFERRABLE,
	relation text NOT NULL
		CHECK (relation IN ('spouse', 'child', 'father', 'mother')),
	since integer NOT NULL,
	until integer CHECK (until IS NULL OR until >= since),
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	PRIMARY KEY (main_insured, dependant),
	CHECK (main_insured <> dependant)
);

CREATE INDEX dependants_dependant ON dependants (dependant);

CREATE TABLE meta (
	key text COLLATE "C" NOT NULL PRIMARY KEY,
	value text NOT NULL
);

CREATE TABLE idempotency (
	key text COLLATE "C" NOT NULL PRIMARY KEY
		CHECK (length(key) BETWEEN 1 AND 256),
	request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
	created_at bigint NOT NULL,
	result text
);

-- The payload is json, not jsonb: json keeps the text as written, which
-- the chain's hashes cover byte for byte.
CREATE TABLE audit (
	seq bigint PRIMARY KEY CHECK (seq >= 1),
	at bigint NOT NULL,
	actor text NOT NULL,
	action text NOT NULL,
	subject text COLLATE "C" NOT NULL,
	payload json NOT NULL,
	prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
	hash bytea NOT NULL CHECK (length(hash) = 32)
);

CREATE INDEX audit_subject ON audit (subject, seq);

CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION
	amanat_refuse('the audit trail is append-only');

CREATE TABLE wage_lists (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
		CHECK (id >= 1),
	-- No foreign key: PostgreSQL's would lock the workshop's row for
	-- every list (FOR KEY SHARE), 40% of a list's insert; the backend
	-- checks the workshop against the registry it has read, and workshops
	-- are never deleted (workshops_kept).
	workshop text COLLATE "C" NOT NULL CHECK (workshop ~ '^[0-9]{10}$'),
	year integer NOT NULL CHECK (year BETWEEN 1 AND 3000),
	month integer NOT NULL CHECK (month BETWEEN 1 AND 12),
	period integer NOT NULL CHECK (period = year * 100 + month),
	list_no text COLLATE "C" NOT NULL CHECK (length(list_no) <= 12),
	revision bigint NOT NULL CHECK (revision >= 0),
	hash bytea NOT NULL CHECK (length(hash) = 32),
	status text NOT NULL CHECK (status IN ('posted', 'superseded')),
	source_file text,
	lines bigint NOT NULL CHECK (lines >= 0),
	t_days bigint NOT NULL,
	t_subject bigint NOT NULL,
	t_insured bigint NOT NULL CHECK (t_insured >= 0),
	t_employer bigint NOT NULL CHECK (t_employer >= 0),
	t_state bigint NOT NULL CHECK (t_state >= 0),
	t_unemployment bigint NOT NULL CHECK (t_unemployment >= 0),
	t_hard_harmful bigint NOT NULL CHECK (t_hard_harmful >= 0),
	owed_workshop bigint NOT NULL CHECK (owed_workshop >= 0),
	owed_state bigint NOT NULL CHECK (owed_state >= 0),
	rules_identity text NOT NULL,
	due_date integer NOT NULL,
	state_pays_employer integer NOT NULL
		CHECK (state_pays_employer IN (0, 1)),
	txn bigint NOT NULL CHECK (txn >= 1), -- the ledger's id: its key
	value_date integer NOT NULL,
	posted_at bigint NOT NULL,
	superseded_by bigint REFERENCES wage_lists (id) DEFERRABLE,
	body bytea NOT NULL,
	CHECK (owed_workshop + owed_state = t_insured + t_employer + t_state
	       + t_unemployment + t_hard_harmful),
	CHECK (status = 'superseded' OR superseded_by IS NULL)
);

CREATE UNIQUE INDEX wage_lists_key
	ON wage_lists (period, workshop, list_no, revision);

-- A body is packed already (codec.c): a long one goes out of line as it
-- is, without PostgreSQL's compression, which would cost time and gain
-- little. "Long" is past a whole page's worth, not the default quarter
-- page: a list of about 30 to 130 lines then keeps its body in its row,
-- where TOAST would write it as chunks, a row and an index entry each, and
-- a history's read would fetch them back (4,201 lists of a generated
-- month's 83,333 have a body past 2,000 bytes, 815 past 8,100; the
-- month's import took 0.95 times the time, median of 5 pairs, 0.92-1.03).
ALTER TABLE wage_lists ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE wage_lists SET (toast_tuple_target = 8160);

CREATE TRIGGER wage_lists_fixed BEFORE UPDATE OF id, workshop, year, month,
	period, list_no, revision, hash, lines, t_days, t_subject, t_insured,
	t_employer, t_state, t_unemployment, t_hard_harmful, owed_workshop,
	owed_state, rules_identity, due_date, state_pays_employer, txn,
	value_date, posted_at, body ON wage_lists
	FOR EACH ROW EXECUTE FUNCTION
	amanat_refuse('a posted wage list is not edited: amend it');

CREATE TRIGGER wage_lists_no_delete BEFORE DELETE ON wage_lists
	FOR EACH ROW EXECUTE FUNCTION
	amanat_refuse('a posted wage list is not deleted: amend it');

-- The by-person index, as SQLite keeps it (src/store/blocks.c). Each batch
-- of posted lists writes, per period, one segment: its entries sorted by
-- national code and packed in blocks of about a hundred (a person's
-- entries never straddle two blocks). A batch's segment is its lowest
-- list id, and its entries store their list id less base (the same
-- number); a compaction merges a period's segments into one with a new
-- number below them all. A person's month is, per segment of the period,
-- the one block whose first code is the greatest not above theirs.
-- Superseded lists stay indexed; readers skip them.
CREATE TABLE index_segments (
	period integer NOT NULL,
	segment bigint NOT NULL,
	base bigint NOT NULL,
	entries bigint NOT NULL CHECK (entries >= 1),
	PRIMARY KEY (period, segment)
);

CREATE TABLE person_index (
	period integer NOT NULL,
	segment bigint NOT NULL,
	first_code bigint NOT NULL,
	entries integer NOT NULL CHECK (entries >= 1),
	block bytea NOT NULL,
	PRIMARY KEY (period, segment, first_code)
);

CREATE TABLE history_migrated (
	period integer NOT NULL CHECK (period % 100 BETWEEN 1 AND 12),
	national_code text COLLATE "C" NOT NULL
		CHECK (length(national_code) = 10),
	workshop text COLLATE "C" NOT NULL CHECK (length(workshop) = 10),
	days integer NOT NULL CHECK (days BETWEEN 0 AND 31),
	subject_wage bigint NOT NULL CHECK (subject_wage >= 0),
	hard_harmful_days integer NOT NULL
		CHECK (hard_harmful_days BETWEEN 0 AND days),
	imported_at bigint NOT NULL,
	PRIMARY KEY (national_code, period, workshop)
);

CREATE SEQUENCE ledger_ids;

CREATE TABLE ledger (
	id bigint PRIMARY KEY CHECK (id >= 1),
	kind text NOT NULL
		CHECK (kind IN ('assessment', 'reversal', 'payment',
				'penalty')),
	period integer,
	workshop text COLLATE "C",
	list_id bigint,
	payment_ref text,
	due_date integer,
	value_date integer NOT NULL,
	posted_at bigint NOT NULL,
	postings bytea NOT NULL
);

CREATE INDEX ledger_workshop ON ledger (workshop, id);

CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger
	FOR EACH ROW EXECUTE FUNCTION
	amanat_refuse('the ledger is append-only');

CREATE TABLE payments (
	reference text COLLATE "C" NOT NULL PRIMARY KEY
		CHECK (length(reference) >= 1),
	workshop text COLLATE "C" NOT NULL REFERENCES workshops (code)
		DEFERRABLE,
	period integer NOT NULL CHECK (period % 100 BETWEEN 1 AND 12),
	amount bigint NOT NULL CHECK (amount > 0),
	paid_on integer NOT NULL,
	matched bigint NOT NULL CHECK (matched BETWEEN 0 AND amount),
	unmatched bigint NOT NULL CHECK (matched + unmatched = amount),
	journal_txn bigint NOT NULL,
	posted_at bigint NOT NULL
);
