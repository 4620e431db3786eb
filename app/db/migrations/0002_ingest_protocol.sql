-- The complete ingest protocol: readings of nodes that stand in a pen, quarantine, node status and counters,
-- the per-request log, and Idempotency-Key answers.

-- Barn climate sensors, water meters and other nodes that stand in a pen rather than on an animal.
-- Like readings: node and metric references are declared in comments, not enforced per row.
CREATE TABLE pen_readings (
  ts timestamptz NOT NULL,
  group_id integer NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  node_id integer NOT NULL,
  value real NOT NULL,
  metric_id smallint NOT NULL,
  PRIMARY KEY (group_id, metric_id, ts, node_id)
);
COMMENT ON COLUMN pen_readings.node_id IS 'references nodes(id)';
COMMENT ON COLUMN pen_readings.metric_id IS 'references metrics(id)';

-- Deleting a node or metric is also refused while pen readings refer to it.
CREATE OR REPLACE FUNCTION office_refuse_delete_with_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'nodes' AND (EXISTS (SELECT 1 FROM readings WHERE node_id = OLD.id) OR EXISTS (SELECT 1 FROM pen_readings WHERE node_id = OLD.id)) THEN
    RAISE EXCEPTION 'node % has readings: revoke it instead of deleting it', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_TABLE_NAME = 'metrics' AND (EXISTS (SELECT 1 FROM readings WHERE metric_id = OLD.id) OR EXISTS (SELECT 1 FROM pen_readings WHERE metric_id = OLD.id)) THEN
    RAISE EXCEPTION 'metric % has readings and cannot be deleted', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END $$;

-- Items a node sent that the office could not accept as readings, kept with the raw item and the reason:
-- a node's firmware rarely resends, so nothing is thrown away unseen.
CREATE TABLE quarantined_readings (
  id bigserial PRIMARY KEY,
  node_id integer NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  received_at timestamptz NOT NULL,
  route text NOT NULL,
  item_index integer NOT NULL,
  item jsonb NOT NULL,
  reason text NOT NULL
);
CREATE INDEX quarantined_readings_node_id_idx ON quarantined_readings (node_id, received_at);

ALTER TABLE nodes RENAME COLUMN battery TO battery_percent;
ALTER TABLE nodes
  ADD COLUMN battery_volts real,
  ADD COLUMN status_at timestamptz,
  ADD COLUMN token_rotated_at timestamptz,
  ADD COLUMN accepted_count bigint NOT NULL DEFAULT 0,
  ADD COLUMN duplicate_count bigint NOT NULL DEFAULT 0,
  ADD COLUMN quarantined_count bigint NOT NULL DEFAULT 0;

-- One row per request to the ingest listener, kept 30 days (the office's maintenance deletes older rows).
CREATE TABLE node_requests (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL,
  node_id integer REFERENCES nodes (id) ON DELETE CASCADE,  -- null when the token was unknown
  ip text,
  route text NOT NULL,
  status smallint NOT NULL,
  accepted integer NOT NULL DEFAULT 0,
  duplicates integer NOT NULL DEFAULT 0,
  quarantined integer NOT NULL DEFAULT 0,
  duration_ms real NOT NULL,
  error text
);
-- BRIN: the log is appended in time order, so a block-range index finds old rows for the retention delete
-- at a fraction of a B-tree's upkeep (at thousands of requests per second the log is as busy as readings).
CREATE INDEX node_requests_ts_idx ON node_requests USING brin (ts);
CREATE INDEX node_requests_node_id_ts_idx ON node_requests (node_id, ts);

-- Answers to requests that carried an Idempotency-Key: a retry with the same key and body gets the same
-- answer. Internal (not in `public`, so not in the GraphQL API); kept 7 days.
CREATE TABLE office.idempotency_keys (
  node_id integer NOT NULL,
  key text NOT NULL,
  body_sha256 text NOT NULL,
  status smallint NOT NULL,
  response text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (node_id, key)
);
