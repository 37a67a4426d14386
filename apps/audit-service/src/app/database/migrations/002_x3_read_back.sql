-- 002: what Sage X3 holds, read back by the x3-poller (topic x3.document.v1), for reconciliation: one row per X3
-- document (present or not any more) with its lines, and when each kind of scan last completed. Amounts NUMERIC.

CREATE TABLE audit_x3_documents (
  tenant                   TEXT        NOT NULL,
  document_kind            TEXT        NOT NULL,
  document_number          TEXT        NOT NULL,
  x3_key                   TEXT,
  external_ref             TEXT,
  reference_from           TEXT        NOT NULL,
  in_ledger                BOOLEAN     NOT NULL,
  present                  BOOLEAN     NOT NULL,
  absence                  TEXT,
  status                   TEXT,
  x3_status                TEXT,
  accounting_date          DATE,
  currency                 TEXT,
  site                     TEXT,
  amount                   NUMERIC,
  supplier                 TEXT,
  supplier_invoice_number  TEXT,
  x3_updated_at            TIMESTAMPTZ,
  read_at                  TIMESTAMPTZ NOT NULL,
  -- Kafka timestamp of the read-back stored: an older one read later (offset reset) changes nothing.
  message_at               TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (tenant, document_kind, document_number)
);
CREATE INDEX audit_x3_documents_ref ON audit_x3_documents (tenant, external_ref);
CREATE INDEX audit_x3_documents_period ON audit_x3_documents (tenant, accounting_date);

CREATE TABLE audit_x3_document_lines (
  tenant               TEXT    NOT NULL,
  document_kind        TEXT    NOT NULL,
  document_number      TEXT    NOT NULL,
  line_no              INTEGER NOT NULL,
  account              TEXT,
  cost_center          TEXT,
  side                 TEXT    NOT NULL,
  amount               NUMERIC NOT NULL,
  purchase_order       TEXT,
  purchase_order_line  INTEGER,
  product              TEXT,
  quantity             NUMERIC,
  net_price            NUMERIC,
  PRIMARY KEY (tenant, document_kind, document_number, line_no)
);

CREATE TABLE audit_x3_scans (
  tenant         TEXT        NOT NULL,
  document_kind  TEXT        NOT NULL,
  mode           TEXT        NOT NULL,
  started_at     TIMESTAMPTZ NOT NULL,
  completed_at   TIMESTAMPTZ NOT NULL,
  read           INTEGER     NOT NULL,
  published      INTEGER     NOT NULL,
  absent         INTEGER     NOT NULL,
  PRIMARY KEY (tenant, document_kind, mode)
);

-- Reconciliation counts results and replays per document (external reference) of a tenant.
CREATE INDEX audit_messages_tenant_ref ON audit_messages (tenant, external_ref);
CREATE INDEX audit_documents_period ON audit_documents (tenant, accounting_date);
