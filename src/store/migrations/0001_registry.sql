-- 0001: the registry (persons, employers, workshops, dependants), meta
-- settings and idempotency keys. Released: never edit; add a migration.
--
-- Keys are the natural codes people and files carry (national code,
-- workshop code, employer id), never surrogate counters, so a row's shard is
-- computable from the request (see docs/storage.md). Tables keyed by text
-- are WITHOUT ROWID: the row lives in the key's B-tree, no second lookup.
-- Dates are INTEGER days since 1970-01-01; times are INTEGER unix seconds.

CREATE TABLE persons (
	national_code TEXT NOT NULL PRIMARY KEY
		CHECK (length(national_code) = 10
		       AND national_code NOT GLOB '*[^0-9]*'),
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	father_name TEXT,
	birth_date INTEGER,
	sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
	nationality TEXT,
	insurance_no TEXT
		CHECK (insurance_no IS NULL
		       OR (length(insurance_no) IN (8, 10)
			   AND insurance_no NOT GLOB '*[^0-9]*')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE employers (
	id TEXT NOT NULL PRIMARY KEY CHECK (id NOT GLOB '*[^0-9]*'),
	kind TEXT NOT NULL CHECK (kind IN ('person', 'legal')),
	name TEXT NOT NULL,
	address TEXT,
	phone TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK ((kind = 'person' AND length(id) = 10)
	       OR (kind = 'legal' AND length(id) = 11))
) WITHOUT ROWID;

CREATE TABLE workshops (
	code TEXT NOT NULL PRIMARY KEY
		CHECK (length(code) = 10 AND code NOT GLOB '*[^0-9]*'),
	name TEXT NOT NULL,
	-- NULL while the employer is not known: a workshop registered from a
	-- wage list's header (import wages --register-workshops).
	employer_id TEXT REFERENCES employers (id),
	address TEXT,
	province TEXT,
	branch TEXT,
	activity TEXT,
	scheme TEXT,
	hard_harmful INTEGER NOT NULL DEFAULT 0 CHECK (hard_harmful IN (0, 1)),
	small_exempt INTEGER NOT NULL DEFAULT 0 CHECK (small_exempt IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The foreign key's child side: "workshops of this employer".
CREATE INDEX workshops_employer ON workshops (employer_id);

CREATE TABLE dependants (
	main_insured TEXT NOT NULL REFERENCES persons (national_code),
	dependant TEXT NOT NULL REFERENCES persons (national_code),
	relation TEXT NOT NULL
		CHECK (relation IN ('spouse', 'child', 'father', 'mother')),
	since INTEGER NOT NULL,
	until INTEGER CHECK (until IS NULL OR until >= since),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (main_insured, dependant),
	CHECK (main_insured <> dependant)
) WITHOUT ROWID;

-- "Whose dependant is this person?" (treatment eligibility asks it).
CREATE INDEX dependants_dependant ON dependants (dependant);

CREATE TABLE meta (
	key TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE idempotency (
	key TEXT NOT NULL PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 256),
	request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
	created_at INTEGER NOT NULL,
	result TEXT
) WITHOUT ROWID;
