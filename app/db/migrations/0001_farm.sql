-- Schema v1 of the farm. Tables are named in the plural so the generated GraphQL reads naturally
-- (animals, readings_aggregate). Time stamps are timestamptz (stored in UTC).

CREATE TABLE farm_settings (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  name text NOT NULL DEFAULT 'My farm',
  time_zone text NOT NULL DEFAULT 'UTC',
  units text NOT NULL DEFAULT 'metric' CHECK (units IN ('metric', 'imperial')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO farm_settings (id) VALUES (1);

CREATE TABLE groups (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (length(btrim(name)) > 0),
  kind text NOT NULL DEFAULT 'group' CHECK (kind IN ('group', 'pen')),
  description text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE animals (
  id serial PRIMARY KEY,
  official_id text UNIQUE,           -- official ID / EID, e.g. 276 0001 2345 6789 (ISO 11784)
  tag text UNIQUE,                   -- the visual tag the farmer reads in the barn
  name text,
  sex text NOT NULL DEFAULT 'female' CHECK (sex IN ('female', 'male')),
  birth_date date,
  breed text,
  group_id integer REFERENCES groups (id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dry', 'sold', 'dead')),
  unconfirmed boolean NOT NULL DEFAULT false, -- created by a node's reading for an unknown ID
  due_date date,                     -- expected calving
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (official_id IS NOT NULL OR tag IS NOT NULL)
);
CREATE INDEX animals_group_id_idx ON animals (group_id);

CREATE TABLE metrics (
  id smallint PRIMARY KEY,
  key text NOT NULL UNIQUE,
  name text NOT NULL,
  unit text NOT NULL,
  min_value real NOT NULL,            -- plausible range: values outside it are quarantined
  max_value real NOT NULL,
  aliases text[] NOT NULL DEFAULT '{}',
  daily_rhythm boolean NOT NULL DEFAULT false,
  CHECK (min_value < max_value)
);
INSERT INTO metrics (id, key, name, unit, min_value, max_value, aliases, daily_rhythm) VALUES
  (1, 'temperature', 'Body temperature', '°C', 30, 45, '{temp,body_temperature,rumen_temperature}', true),
  (2, 'activity', 'Activity', 'steps/h', 0, 20000, '{act,steps}', true),
  (3, 'rumination', 'Rumination', 'min/h', 0, 60, '{rum,rumination_time}', true),
  (4, 'eating', 'Eating time', 'min/h', 0, 60, '{eat,eating_time}', true),
  (5, 'lying', 'Lying time', 'min/h', 0, 60, '{lie,lying_time}', true),
  (6, 'weight', 'Body weight', 'kg', 20, 1500, '{wt,body_weight}', false),
  (7, 'water_intake', 'Water intake', 'L', 0, 500, '{water,drinking}', true),
  (8, 'ambient_temperature', 'Barn temperature', '°C', -40, 60, '{air_temp,barn_temp}', true),
  (9, 'humidity', 'Relative humidity', '%', 0, 100, '{rh,relative_humidity}', true);

CREATE TABLE nodes (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) > 0),
  kind text NOT NULL CHECK (kind IN ('collar', 'bolus', 'ear_tag', 'leg_tag', 'scale', 'water_meter', 'climate', 'gateway')),
  animal_id integer REFERENCES animals (id) ON DELETE SET NULL,  -- the animal it is fitted to
  group_id integer REFERENCES groups (id) ON DELETE SET NULL,    -- or the pen it stands in
  metric_id smallint REFERENCES metrics (id),                     -- what a bare "value" means
  token_hash text NOT NULL UNIQUE,   -- SHA-256 of the node's token; the token itself is never stored
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_seen_at timestamptz,
  last_ip text,
  battery real,
  rssi real,
  firmware text
);

-- Tens of millions of rows: integer keys, a 4-byte value, no per-row text. The primary key is the identity
-- of a reading (animal, metric, time, node) and serves the per-animal time-series lookups too.
-- node_id and metric_id carry no FOREIGN KEY: each one costs a trigger and a parent-row lock per inserted
-- row (measured: 3 foreign keys 39k rows/s, the animal's alone 68k rows/s). The ingest path writes only
-- ids it has just resolved, nodes and metrics cannot be deleted while they have readings (triggers below),
-- and the column comments declare the references, from which the GraphQL API still derives the
-- relationships (a "manual relationship" in Hasura's terms).
CREATE TABLE readings (
  ts timestamptz NOT NULL,
  animal_id integer NOT NULL REFERENCES animals (id) ON DELETE CASCADE,
  node_id integer NOT NULL,
  value real NOT NULL,
  metric_id smallint NOT NULL,
  PRIMARY KEY (animal_id, metric_id, ts, node_id)
);
COMMENT ON COLUMN readings.node_id IS 'references nodes(id)';
COMMENT ON COLUMN readings.metric_id IS 'references metrics(id)';

-- The newest reading of each animal and metric, kept by the ingest path, so the herd page never scans readings.
CREATE TABLE latest_readings (
  animal_id integer NOT NULL REFERENCES animals (id) ON DELETE CASCADE,
  metric_id smallint NOT NULL REFERENCES metrics (id),
  node_id integer NOT NULL REFERENCES nodes (id),
  ts timestamptz NOT NULL,
  value real NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (animal_id, metric_id)
);

CREATE TABLE alerts (
  id serial PRIMARY KEY,
  animal_id integer REFERENCES animals (id) ON DELETE CASCADE,
  node_id integer REFERENCES nodes (id) ON DELETE CASCADE,
  group_id integer REFERENCES groups (id) ON DELETE CASCADE,
  category text NOT NULL,            -- ICAR ADE category: Behaviour, Health, Reproduction, ...
  cause text NOT NULL,               -- ICAR ADE cause: Activity, AnimalTemperature, Parturition, ...
  severity smallint NOT NULL DEFAULT 2 CHECK (severity BETWEEN 1 AND 3),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  reason text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  onset timestamptz NOT NULL,        -- data time the condition began
  raised_at timestamptz NOT NULL,    -- data time the rule raised it
  created_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  resolved_at timestamptz,
  note text
);
CREATE INDEX alerts_animal_id_idx ON alerts (animal_id);
CREATE INDEX alerts_open_idx ON alerts (status) WHERE status <> 'resolved';

CREATE TABLE events (
  id serial PRIMARY KEY,
  animal_id integer NOT NULL REFERENCES animals (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('insemination', 'treatment', 'calving', 'note')),
  ts timestamptz NOT NULL,
  note text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_animal_id_ts_idx ON events (animal_id, ts);

-- Nodes are revoked, not deleted, once they have sent readings; a metric with readings stays in the catalogue.
CREATE FUNCTION office_refuse_delete_with_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'nodes' AND EXISTS (SELECT 1 FROM readings WHERE node_id = OLD.id) THEN
    RAISE EXCEPTION 'node % has readings: revoke it instead of deleting it', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_TABLE_NAME = 'metrics' AND EXISTS (SELECT 1 FROM readings WHERE metric_id = OLD.id) THEN
    RAISE EXCEPTION 'metric % has readings and cannot be deleted', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER nodes_keep_readings BEFORE DELETE ON nodes FOR EACH ROW EXECUTE FUNCTION office_refuse_delete_with_readings();
CREATE TRIGGER metrics_keep_readings BEFORE DELETE ON metrics FOR EACH ROW EXECUTE FUNCTION office_refuse_delete_with_readings();
