-- Published statistics, released on a schedule (never live). Keep in step with ../sqlite/.
CREATE TABLE public_releases (
    id           uuid PRIMARY KEY,
    released_at  timestamptz NOT NULL,
    body         jsonb NOT NULL
);
