-- 003: a record's status is derived from its whole history (docs/audit-service.md, "Status precedence"), not set by
-- whichever message came last; text PostgreSQL cannot hold is stored sanitised beside the original.
-- Each history row keeps what the derivation needs, so a status can be recomputed at any time (also after payload
-- retention nulled the payload). Rows written before this migration have derivation_version 0: the service
-- re-derives them from their stored bytes at start (AuditRederivation), then recomputes every record flagged
-- needs_rederive.

ALTER TABLE audit_messages ADD COLUMN record_revision INTEGER;
-- Source messages: business-content hash (delivery metadata excluded) and ordering version (bill revision, else
-- modifiedOn / X3 update stamp in ms).
ALTER TABLE audit_messages ADD COLUMN content_hash TEXT;
ALTER TABLE audit_messages ADD COLUMN source_version BIGINT;
-- Source facts of this copy (the record shows those of its current source revision).
ALTER TABLE audit_messages ADD COLUMN source_summary TEXT;
ALTER TABLE audit_messages ADD COLUMN source_business_date DATE;
ALTER TABLE audit_messages ADD COLUMN source_amount NUMERIC;
-- Rejection reasons of a mapping rejection.
ALTER TABLE audit_messages ADD COLUMN reasons JSONB;
-- true: payload/headers/key held characters PostgreSQL cannot store (U+0000, lone surrogates), replaced by U+FFFD;
-- raw_value has the exact bytes, original_text the exact key and headers (as JSON text, escapes are ASCII).
ALTER TABLE audit_messages ADD COLUMN sanitised BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE audit_messages ADD COLUMN original_text TEXT;
ALTER TABLE audit_messages ADD COLUMN derivation_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_messages_derivation ON audit_messages (derivation_version, id);

ALTER TABLE audit_records ADD COLUMN needs_rederive BOOLEAN NOT NULL DEFAULT false;
UPDATE audit_records SET needs_rederive = true;
CREATE INDEX audit_records_rederive ON audit_records (id) WHERE needs_rederive;
