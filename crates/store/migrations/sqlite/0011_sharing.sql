-- 开放共享: bookings of shared services and innovation-voucher claims.
-- Times are local `YYYY-MM-DD HH:MM` text, whose text order is time order.
CREATE TABLE bookings (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL,
    owner       TEXT NOT NULL,
    requester   TEXT NOT NULL,
    start_at    TEXT NOT NULL,
    end_at      TEXT NOT NULL,
    status      TEXT NOT NULL,
    hours_used  REAL,
    fee         REAL,
    result      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (start_at < end_at)
);
CREATE INDEX bookings_service ON bookings (service_id, start_at);
CREATE INDEX bookings_owner ON bookings (owner, start_at);
CREATE INDEX bookings_requester ON bookings (requester, start_at);

-- No double booking, whatever the path: a slot held by a live booking (requested, proposed,
-- confirmed, or used) cannot be taken by another.
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status IN ('requested', 'proposed', 'confirmed', 'completed', 'no_show')
 AND EXISTS (SELECT 1 FROM bookings b
             WHERE b.service_id = NEW.service_id
               AND b.status IN ('requested', 'proposed', 'confirmed', 'completed', 'no_show')
               AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN SELECT RAISE(ABORT, 'booking_overlap'); END;
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_at, end_at, status ON bookings
WHEN NEW.status IN ('requested', 'proposed', 'confirmed', 'completed', 'no_show')
 AND EXISTS (SELECT 1 FROM bookings b
             WHERE b.service_id = NEW.service_id AND b.id <> NEW.id
               AND b.status IN ('requested', 'proposed', 'confirmed', 'completed', 'no_show')
               AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN SELECT RAISE(ABORT, 'booking_overlap'); END;
CREATE TRIGGER bookings_no_delete BEFORE DELETE ON bookings
BEGIN SELECT RAISE(ABORT, 'bookings are kept: cancel instead'); END;

-- Every status change of a booking, who made it and why. Append-only.
CREATE TABLE booking_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id  TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX booking_events_booking ON booking_events (booking_id, seq);
CREATE TRIGGER booking_events_no_update BEFORE UPDATE ON booking_events
BEGIN SELECT RAISE(ABORT, 'booking_events is append-only'); END;
CREATE TRIGGER booking_events_no_delete BEFORE DELETE ON booking_events
BEGIN SELECT RAISE(ABORT, 'booking_events is append-only'); END;

CREATE TABLE voucher_claims (
    id           TEXT PRIMARY KEY,
    booking_id   TEXT NOT NULL,
    programme_id TEXT NOT NULL,
    enterprise   TEXT NOT NULL,
    fee          REAL NOT NULL,
    amount       REAL NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   TEXT
);
-- A booking is paid for once, under one programme: a second live claim is refused by the store.
CREATE UNIQUE INDEX voucher_claims_one_per_booking ON voucher_claims (booking_id) WHERE status <> 'rejected';
CREATE INDEX voucher_claims_programme ON voucher_claims (programme_id, enterprise);
CREATE TRIGGER voucher_claims_no_delete BEFORE DELETE ON voucher_claims
BEGIN SELECT RAISE(ABORT, 'voucher claims are kept'); END;
