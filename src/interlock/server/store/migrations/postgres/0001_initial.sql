-- Scans (sync and async items) and API keys, shared by every replica. Times are epoch seconds; leases use the
-- database clock so replicas with skewed clocks agree on expiry.
CREATE TABLE scan_items (
    scan_id      TEXT NOT NULL,
    req_id       BIGINT NOT NULL,
    owner        TEXT,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    request      TEXT,
    response     TEXT,
    report       TEXT,
    received_at  DOUBLE PRECISION NOT NULL,
    completed_at DOUBLE PRECISION,
    lease_owner  TEXT,
    lease_until  DOUBLE PRECISION,
    attempts     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scan_id, req_id)
);
CREATE INDEX scan_items_pending ON scan_items (received_at, scan_id, req_id) WHERE status = 'pending';
CREATE INDEX scan_items_completed ON scan_items (completed_at) WHERE status = 'complete';
CREATE TABLE api_keys (
    key_id      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    salt        BYTEA NOT NULL,
    digest      BYTEA NOT NULL,
    profiles    TEXT NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,
    revoked_at  DOUBLE PRECISION
);
CREATE INDEX api_keys_name ON api_keys (name);
