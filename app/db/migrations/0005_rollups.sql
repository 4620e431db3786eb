-- Rollups (issue 9): hourly and daily summaries of readings, kept current by the office as readings arrive
-- (app/main/stats/rollups.ts recomputes the buckets that new readings touched; never a full rebuild per batch).
-- Buckets follow the farm's clock (farm_settings.time_zone): an hourly bucket is a local hour, stored as the
-- UTC instant it began (so the two 02:00 hours of a DST fall-back day stay two buckets); a daily bucket is a
-- local calendar day (23, 24 or 25 hours long).

-- The UTC instant at which the local hour containing `ts` began, in time zone `tz`. Minutes and seconds past
-- the local hour are taken off `ts` itself, so zones with half-hour offsets and DST changes come out right.
CREATE FUNCTION office.local_hour(ts timestamptz, tz text) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ts - ((ts AT TIME ZONE tz) - date_trunc('hour', ts AT TIME ZONE tz)) $$;

-- Per animal and metric, per local hour. stddev is the sample standard deviation (null for one reading).
CREATE TABLE readings_hourly (
  animal_id integer NOT NULL REFERENCES animals (id) ON DELETE CASCADE,
  metric_id smallint NOT NULL,
  hour timestamptz NOT NULL,
  n integer NOT NULL,
  mean double precision NOT NULL,
  min real NOT NULL,
  max real NOT NULL,
  stddev double precision,
  PRIMARY KEY (animal_id, metric_id, hour)
);
COMMENT ON COLUMN readings_hourly.metric_id IS 'references metrics(id)';

-- Per animal and metric, per local day.
CREATE TABLE readings_daily (
  animal_id integer NOT NULL REFERENCES animals (id) ON DELETE CASCADE,
  metric_id smallint NOT NULL,
  day date NOT NULL,
  n integer NOT NULL,
  mean double precision NOT NULL,
  min real NOT NULL,
  max real NOT NULL,
  stddev double precision,
  PRIMARY KEY (animal_id, metric_id, day)
);
COMMENT ON COLUMN readings_daily.metric_id IS 'references metrics(id)';

-- Per group (the animals' group when the day was last refreshed) and metric, per local day: the readings'
-- count, mean, min, max, stddev, and the distribution of the animals' daily means (for box plots).
CREATE TABLE group_readings_daily (
  group_id integer NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  metric_id smallint NOT NULL,
  day date NOT NULL,
  animals integer NOT NULL,
  n integer NOT NULL,
  mean double precision NOT NULL,
  min real NOT NULL,
  max real NOT NULL,
  stddev double precision,
  q1 double precision NOT NULL,
  median double precision NOT NULL,
  q3 double precision NOT NULL,
  PRIMARY KEY (group_id, metric_id, day)
);
COMMENT ON COLUMN group_readings_daily.metric_id IS 'references metrics(id)';

-- The whole herd, per metric and local day (same columns as a group's).
CREATE TABLE herd_readings_daily (
  metric_id smallint NOT NULL,
  day date NOT NULL,
  animals integer NOT NULL,
  n integer NOT NULL,
  mean double precision NOT NULL,
  min real NOT NULL,
  max real NOT NULL,
  stddev double precision,
  q1 double precision NOT NULL,
  median double precision NOT NULL,
  q3 double precision NOT NULL,
  PRIMARY KEY (metric_id, day)
);
COMMENT ON COLUMN herd_readings_daily.metric_id IS 'references metrics(id)';

-- Readings of nodes that stand in a pen (barn climate, water meters), per pen and metric, per local hour.
CREATE TABLE pen_readings_hourly (
  group_id integer NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  metric_id smallint NOT NULL,
  hour timestamptz NOT NULL,
  n integer NOT NULL,
  mean double precision NOT NULL,
  min real NOT NULL,
  max real NOT NULL,
  stddev double precision,
  PRIMARY KEY (group_id, metric_id, hour)
);
COMMENT ON COLUMN pen_readings_hourly.metric_id IS 'references metrics(id)';

-- Everyone who reads readings reads their rollups; the vet's rows are limited to the assigned groups, and the
-- whole herd's figures (which sum up animals outside them) are hers only when she has no groups assigned.
DO $$
DECLARE
  all_groups jsonb := '{"_exists": {"_table": "farm_settings", "_where": {"id": {"_eq": "X-Hasura-All-Groups"}}}}';
  in_groups jsonb := jsonb_build_object('_or', jsonb_build_array(jsonb_build_object('group_id', '{"_in": "X-Hasura-Group-Ids"}'::jsonb), all_groups));
  t text;
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['manager', 'vet', 'worker', 'viewer'] LOOP
    FOREACH t IN ARRAY ARRAY['readings_hourly', 'readings_daily', 'group_readings_daily', 'herd_readings_daily', 'pen_readings_hourly'] LOOP
      INSERT INTO office.graphql_permissions (role, table_name, action, permission, comment) VALUES (
        r, t, 'select',
        jsonb_build_object('columns', '*', 'allow_aggregations', true, 'filter',
          CASE WHEN r <> 'vet' THEN '{}'::jsonb
               WHEN t IN ('readings_hourly', 'readings_daily') THEN jsonb_build_object('animal', in_groups)
               WHEN t IN ('group_readings_daily', 'pen_readings_hourly') THEN in_groups
               ELSE all_groups END),
        'issue 9: ' || r || ' reads rollups');
    END LOOP;
  END LOOP;
END $$;
