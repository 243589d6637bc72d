-- The record of meetings (who was in which room from when to when, and the
-- activity feed), and the timers the panel keeps. Times are milliseconds
-- since the Unix epoch. Written for both SQLite and PostgreSQL.
CREATE TABLE stays (
    meeting TEXT NOT NULL,
    person TEXT NOT NULL,
    name TEXT NOT NULL,
    identity TEXT,
    room TEXT NOT NULL,
    main_room BIGINT NOT NULL,
    since_ms BIGINT NOT NULL,
    until_ms BIGINT
);

CREATE INDEX stays_meeting ON stays (meeting, person);

CREATE TABLE activity (
    meeting TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    state TEXT NOT NULL
);

CREATE INDEX activity_meeting ON activity (meeting, at_ms);

CREATE TABLE timers (
    meeting TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    tenant TEXT,
    owner TEXT NOT NULL,
    body TEXT NOT NULL
);
