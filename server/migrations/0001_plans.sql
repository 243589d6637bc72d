-- Room plans: one row a plan; its rooms and people as JSON text.
-- Written for both SQLite and PostgreSQL.
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    shared BIGINT NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (owner, name)
);

CREATE INDEX plans_shared ON plans (shared);
