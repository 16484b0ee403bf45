-- The schema before versioned migrations (databases created by Interlock <= 0.x already have it).
CREATE TABLE IF NOT EXISTS scan_items (
    scan_id      TEXT NOT NULL,
    req_id       INTEGER NOT NULL,
    owner        TEXT,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    request      TEXT,
    response     TEXT,
    report       TEXT,
    received_at  REAL NOT NULL,
    completed_at REAL,
    PRIMARY KEY (scan_id, req_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scan_items_pending ON scan_items (status) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS scan_items_completed ON scan_items (completed_at);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    salt        BLOB NOT NULL,
    digest      BLOB NOT NULL,
    profiles    TEXT NOT NULL,
    created_at  REAL NOT NULL,
    revoked_at  REAL
);
