-- Async items are claimed with a lease: lease_owner is the runner holding (or, once complete, having stored)
-- the item, lease_until the epoch second its claim expires, attempts how many times it was claimed.
ALTER TABLE scan_items ADD COLUMN lease_owner TEXT;
ALTER TABLE scan_items ADD COLUMN lease_until REAL;
ALTER TABLE scan_items ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
