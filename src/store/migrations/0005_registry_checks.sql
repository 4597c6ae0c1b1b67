-- 0005: persons and dependants without CHECK constraints. SQLite evaluates
-- a table's CHECKs at every insert, and for a bulk load they cost more than
-- the insert: 3,000,000 persons in key order went into the table of 0001 at
-- 222,000 rows/s, and into the same table without its CHECKs at 550,000
-- (one INSERT … SELECT a batch, on this project's 2-core machine). The
-- store checks the same rules in C before every write that goes through it
-- (src/store/store.c, "The registry's rules of form"), on both backends;
-- PostgreSQL's schema keeps its CHECKs, which cost it little.
--
-- Applied with foreign keys off and checked before the commit
-- (sq_migrate()), as SQLite's procedure for changing a table's definition
-- asks: with them on, dropping persons would delete every dependant's
-- reference first. Released: never edit; add a migration.

CREATE TABLE persons_new (
	national_code TEXT NOT NULL PRIMARY KEY,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	father_name TEXT,
	birth_date INTEGER,
	sex TEXT NOT NULL,
	nationality TEXT,
	insurance_no TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO persons_new
	SELECT national_code, first_name, last_name, father_name, birth_date,
	       sex, nationality, insurance_no, created_at, updated_at
	FROM persons;
DROP TABLE persons;
ALTER TABLE persons_new RENAME TO persons;

-- Dropped with its table (0003).
CREATE TRIGGER person_codes_drop AFTER DELETE ON persons
BEGIN
	DELETE FROM person_codes
		WHERE code = CAST(OLD.national_code AS INTEGER);
END;

CREATE TABLE dependants_new (
	main_insured TEXT NOT NULL REFERENCES persons (national_code),
	dependant TEXT NOT NULL REFERENCES persons (national_code),
	relation TEXT NOT NULL,
	since INTEGER NOT NULL,
	until INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (main_insured, dependant)
) WITHOUT ROWID;

INSERT INTO dependants_new
	SELECT main_insured, dependant, relation, since, until, created_at,
	       updated_at
	FROM dependants;
DROP TABLE dependants;
ALTER TABLE dependants_new RENAME TO dependants;

-- "Whose dependant is this person?" (0001).
CREATE INDEX dependants_dependant ON dependants (dependant);
