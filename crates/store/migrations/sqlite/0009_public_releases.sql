-- Published statistics, released on a schedule (never live). Keep in step with ../postgres/.
CREATE TABLE public_releases (
    id           BLOB PRIMARY KEY NOT NULL,
    released_at  TEXT NOT NULL,
    body         TEXT NOT NULL
);
