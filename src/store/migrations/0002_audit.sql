-- 0002: the audit trail, append-only and hash-chained (src/store/audit.c).
-- Released: never edit; add a migration.
--
-- seq is assigned by the writer (the previous seq + 1, under the write
-- lock), so a gap means a removed row. The triggers refuse UPDATE and
-- DELETE; someone with the file can still drop them, which is why
-- am_store_audit_verify() recomputes the chain.

CREATE TABLE audit (
	seq INTEGER PRIMARY KEY CHECK (seq >= 1),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	subject TEXT NOT NULL,
	payload TEXT NOT NULL, -- JSON: checked by the writer (trusted_schema
			       -- is off, so the schema calls no functions)
	prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
	hash BLOB NOT NULL CHECK (length(hash) = 32)
);

-- The history of one person, workshop or list.
CREATE INDEX audit_subject ON audit (subject, seq);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
