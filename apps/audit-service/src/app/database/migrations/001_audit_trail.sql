-- 001: the audit trail. Business records (one per tenant/kind/source id), every consumed message as a history row
-- (idempotent on topic/partition/offset), operator actions (replays), and the X3 documents with their lines
-- for reconciliation. Amounts are NUMERIC (exact decimals), never floating point.

CREATE TABLE audit_records (
  id                  BIGSERIAL PRIMARY KEY,
  tenant              TEXT        NOT NULL,
  kind                TEXT        NOT NULL,
  source_id           TEXT        NOT NULL,
  revision            INTEGER,
  status              TEXT        NOT NULL,
  status_reason       TEXT,
  reasons             JSONB,
  -- Kafka timestamp of the message that set the status: later messages win, whatever order topics are read in.
  status_at           TIMESTAMPTZ NOT NULL,
  summary             TEXT,
  business_date       DATE,
  source_amount       NUMERIC,
  source_at           TIMESTAMPTZ,
  external_ref        TEXT,
  document_kind       TEXT,
  x3_document_number  TEXT,
  x3_document_status  TEXT,
  requested_amount    NUMERIC,
  posted_amount       NUMERIC,
  currency            TEXT,
  last_error          TEXT,
  message_count       INTEGER     NOT NULL DEFAULT 0,
  first_seen_at       TIMESTAMPTZ NOT NULL,
  last_seen_at        TIMESTAMPTZ NOT NULL,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT audit_records_identity UNIQUE (tenant, kind, source_id)
);
CREATE INDEX audit_records_tenant_status ON audit_records (tenant, status, last_seen_at DESC);
CREATE INDEX audit_records_last_seen ON audit_records (last_seen_at DESC, id DESC);
CREATE INDEX audit_records_external_ref ON audit_records (tenant, external_ref);

CREATE TABLE audit_messages (
  id               BIGSERIAL PRIMARY KEY,
  record_id        BIGINT REFERENCES audit_records (id),
  tenant           TEXT,
  topic            TEXT        NOT NULL,
  partition        INTEGER     NOT NULL,
  "offset"         BIGINT      NOT NULL,
  message_id       TEXT,
  message_type     TEXT,
  message_key      TEXT,
  headers          JSONB       NOT NULL,
  -- Envelope JSON (NULL when the bytes were not JSON, and after payload retention).
  payload          JSONB,
  -- The exact bytes as consumed: what a replay re-publishes (NULL after payload retention).
  raw_value        BYTEA,
  payload_purged_at TIMESTAMPTZ,
  valid            BOOLEAN     NOT NULL,
  invalid_reason   TEXT,
  external_ref     TEXT,
  derived_status   TEXT,
  status_reason    TEXT,
  correlation_id   TEXT,
  causation_id     TEXT,
  replay_id        TEXT,
  message_ts       TIMESTAMPTZ NOT NULL,
  occurred_at      TIMESTAMPTZ,
  produced_at      TIMESTAMPTZ,
  stored_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT audit_messages_position UNIQUE (topic, partition, "offset")
);
CREATE INDEX audit_messages_record ON audit_messages (record_id, message_ts);
CREATE INDEX audit_messages_orphans ON audit_messages (tenant, external_ref) WHERE record_id IS NULL;
CREATE INDEX audit_messages_retention ON audit_messages (message_ts) WHERE payload_purged_at IS NULL;

CREATE TABLE audit_actions (
  id                   BIGSERIAL PRIMARY KEY,
  record_id            BIGINT      NOT NULL REFERENCES audit_records (id),
  tenant               TEXT        NOT NULL,
  action               TEXT        NOT NULL,
  actor                TEXT        NOT NULL,
  reason               TEXT,
  replay_id            TEXT,
  topic                TEXT,
  original_message_id  TEXT,
  outcome              TEXT        NOT NULL,
  error                TEXT,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_actions_record ON audit_actions (record_id, created_at);

CREATE TABLE audit_documents (
  tenant              TEXT        NOT NULL,
  external_ref        TEXT        NOT NULL,
  record_id           BIGINT REFERENCES audit_records (id),
  document_kind       TEXT,
  revision            INTEGER,
  status              TEXT,
  status_at           TIMESTAMPTZ,
  accounting_date     DATE,
  currency            TEXT,
  requested_amount    NUMERIC,
  posted_amount       NUMERIC,
  x3_document_number  TEXT,
  x3_status           TEXT,
  x3_status_at        TIMESTAMPTZ,
  reversal_of         TEXT,
  supersedes          TEXT,
  error               TEXT,
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, external_ref)
);
CREATE INDEX audit_documents_record ON audit_documents (record_id);

CREATE TABLE audit_document_lines (
  tenant        TEXT    NOT NULL,
  external_ref  TEXT    NOT NULL,
  line_no       INTEGER NOT NULL,
  account       TEXT,
  side          TEXT    NOT NULL,
  amount        NUMERIC NOT NULL,
  cost_center   TEXT,
  cost_kind     TEXT,
  PRIMARY KEY (tenant, external_ref, line_no)
);
