-- Keeping the rollups of 0005 current (app/main/stats/rollups.ts).
--
-- The ingest writer tells the office which readings it stored, so the office knows which buckets to
-- recompute without asking the database. Every other write to readings (GraphQL mutations, run_sql, the
-- CLI, a cascade from deleting an animal) only says "the table changed", which is not enough to recompute
-- a few buckets. So statement-level triggers note the 15-minute slots such a write touched in
-- office.rollup_dirty, in the writing transaction itself: the note commits or rolls back with the rows, and
-- survives a crash. The ingest writer skips them (SET LOCAL yoctosehns.rollups = 'off') because it reports
-- its rows itself and its throughput matters. A slot is UTC-aligned and time-zone free: local hours begin on
-- quarter hours in every zone in use, and the refresh maps a slot to its local hour(s) with the zone of the
-- moment, so a note taken before a time-zone change is still right after it.
CREATE TABLE office.rollup_dirty (
  animal_id integer,
  group_id integer,
  metric_id smallint NOT NULL,
  slot timestamptz NOT NULL,
  CHECK ((animal_id IS NULL) <> (group_id IS NULL))
);

CREATE FUNCTION office.rollups_note_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('yoctosehns.rollups', true) = 'off' THEN RETURN NULL; END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO office.rollup_dirty (animal_id, metric_id, slot)
    SELECT DISTINCT animal_id, metric_id, date_bin('15 minutes', ts, TIMESTAMPTZ 'epoch') FROM new_rows;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO office.rollup_dirty (animal_id, metric_id, slot)
    SELECT DISTINCT animal_id, metric_id, date_bin('15 minutes', ts, TIMESTAMPTZ 'epoch') FROM old_rows;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION office.rollups_note_pen_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('yoctosehns.rollups', true) = 'off' THEN RETURN NULL; END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO office.rollup_dirty (group_id, metric_id, slot)
    SELECT DISTINCT group_id, metric_id, date_bin('15 minutes', ts, TIMESTAMPTZ 'epoch') FROM new_rows;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO office.rollup_dirty (group_id, metric_id, slot)
    SELECT DISTINCT group_id, metric_id, date_bin('15 minutes', ts, TIMESTAMPTZ 'epoch') FROM old_rows;
  END IF;
  RETURN NULL;
END $$;

-- PostgreSQL allows transition tables only on single-event triggers: one trigger per event.
CREATE TRIGGER readings_rollups_insert AFTER INSERT ON readings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_note_readings();
CREATE TRIGGER readings_rollups_update AFTER UPDATE ON readings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_note_readings();
CREATE TRIGGER readings_rollups_delete AFTER DELETE ON readings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_note_readings();
CREATE TRIGGER pen_readings_rollups_insert AFTER INSERT ON pen_readings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_note_pen_readings();
CREATE TRIGGER pen_readings_rollups_update AFTER UPDATE ON pen_readings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_note_pen_readings();
CREATE TRIGGER pen_readings_rollups_delete AFTER DELETE ON pen_readings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_note_pen_readings();

-- Emptied readings mean empty rollups: no slot-by-slot bookkeeping needed.
CREATE FUNCTION office.rollups_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'readings' THEN
    DELETE FROM readings_hourly;
    DELETE FROM readings_daily;
    DELETE FROM group_readings_daily;
    DELETE FROM herd_readings_daily;
  ELSE
    DELETE FROM pen_readings_hourly;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER readings_rollups_truncate AFTER TRUNCATE ON readings FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_truncate();
CREATE TRIGGER pen_readings_rollups_truncate AFTER TRUNCATE ON pen_readings FOR EACH STATEMENT EXECUTE FUNCTION office.rollups_truncate();

-- The time zone the rollups' buckets were built in. When it differs from farm_settings.time_zone (the
-- farmer changed it, or this database predates the rollups: NULL), every rollup is rebuilt.
CREATE TABLE office.rollup_state (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  time_zone text
);
INSERT INTO office.rollup_state (id) VALUES (1);

-- The group and herd rollups of a day are recomputed from every animal's daily row of that metric and day.
CREATE INDEX readings_daily_day_idx ON readings_daily (day, metric_id);

-- (metric, local day) pairs whose group and herd rows wait for their recompute: it reads the whole herd's
-- daily rows, so under steady ingest it runs every few seconds rather than after every refresh. Noted in
-- the refresh's own transaction, so a crash cannot lose one. `day` is days since 1970-01-01.
CREATE TABLE office.rollup_group_dirty (
  metric_id smallint NOT NULL,
  day integer NOT NULL,
  PRIMARY KEY (metric_id, day)
);
