-- The last TOTP time step an account's code was accepted for: a code is accepted once (RFC 6238
-- section 5.2), so a code seen by someone else cannot be replayed within its window.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
