-- Alert rules (issue 9): each rule's switch and parameters, the cows' baselines, and at most one open alert per
-- subject and cause. The rules themselves are app/main/stats/rules/; docs/alerts.md explains every parameter.

-- One row per rule. `parameters` holds only what the farm changed or the defaults below; the engine checks each
-- field on its own and falls back to the rule's default (with a warning) for a missing or bad one.
CREATE TABLE alert_rules (
  key text PRIMARY KEY,
  enabled boolean NOT NULL DEFAULT true,
  parameters jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parameters) = 'object'),
  description text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION office_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER alert_rules_touch BEFORE UPDATE ON alert_rules FOR EACH ROW EXECUTE FUNCTION office_touch_updated_at();

-- The literature defaults (sources in docs/alerts.md); app/shared/alert-rules.ts declares the same values.
INSERT INTO alert_rules (key, parameters, description) VALUES
  ('heat', '{"ratio": 2, "smoothingHours": 2, "sustainHours": 2, "clearHours": 6, "baselineDays": 7, "minDays": 5, "maxGapHours": 3}',
   'In heat: activity several times her own baseline at the same hours of the day, sustained for hours.'),
  ('health', '{"dropFraction": 0.3, "eatingDropFraction": 0.3, "severeDropFraction": 0.5, "smoothingHours": 6, "sustainHours": 6, "clearHours": 12, "baselineDays": 10, "minDays": 5, "maxGapHours": 3}',
   'Health suspicion: rumination (and eating time, where measured) well below her own baseline for hours.'),
  ('fever', '{"riseC": 0.8, "absoluteC": 39.5, "severeRiseC": 1.5, "dipWindowHours": 3, "sustainHours": 2, "clearHours": 12, "baselineDays": 10, "minDays": 5, "maxGapHours": 3}',
   'Fever: body temperature well above her own baseline at the same hour (drinking dips filtered out), or above an absolute threshold before she has one.'),
  ('calving', '{"dropC": 0.3, "smoothingHours": 4, "dipWindowHours": 3, "sustainHours": 4, "clearHours": 12, "daysBeforeDue": 14, "daysAfterDue": 14, "gestationDays": 283, "baselineDays": 10, "minDays": 5, "maxGapHours": 3}',
   'Calving soon: body temperature drop against the same hour a day earlier, to below her baseline, near her expected calving date.'),
  ('silent_node', '{"intervalFactor": 3, "minSilentMinutes": 15, "recentPosts": 20}',
   'Silent node: no post for several times its usual interval (at least 15 minutes).'),
  ('low_battery', '{"percentBelow": 20, "clearPercentAbove": 30, "voltsBelow": null}',
   'Low battery: the battery level a node reports below a threshold.'),
  ('heat_stress', '{"thiAbove": 68, "moderateThi": 72, "severeThi": 80, "sustainHours": 2, "clearHours": 4, "maxGapHours": 3}',
   'Heat stress: the barn''s temperature-humidity index (THI) above a threshold for hours, per pen.');

-- What is normal for each cow: per metric and local hour of day (-1: all hours pooled, for a metric without a
-- daily rhythm), the median and median absolute deviation of the signal her rules judge, over the rule's window.
-- Rewritten by the alert engine for the cows it evaluates; the rules compute the same values from the rollups.
CREATE TABLE baselines (
  animal_id integer NOT NULL REFERENCES animals (id) ON DELETE CASCADE,
  metric_id smallint NOT NULL REFERENCES metrics (id),
  hour_of_day smallint NOT NULL CHECK (hour_of_day BETWEEN -1 AND 23),
  median double precision NOT NULL,
  mad double precision NOT NULL,
  days smallint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (animal_id, metric_id, hour_of_day)
);

-- At most one open (or acknowledged) alert per subject and cause. An alert's subject is its animal, else its
-- node, else its pen or group. Alerts written by hand before this migration may break that: all but the newest
-- of each such set are resolved first, with a note saying why.
WITH ranked AS (
  SELECT id, row_number() OVER (
           PARTITION BY cause, animal_id, CASE WHEN animal_id IS NULL THEN node_id END,
                        CASE WHEN animal_id IS NULL AND node_id IS NULL THEN group_id END
           ORDER BY id DESC) AS newer
    FROM alerts
   WHERE status <> 'resolved' AND coalesce(animal_id, node_id, group_id) IS NOT NULL)
UPDATE alerts a SET status = 'resolved', resolved_at = now(),
       note = coalesce(a.note || E'\n', '') || 'resolved when one open alert per cause became the rule: a newer open alert of the same cause exists'
  FROM ranked WHERE a.id = ranked.id AND ranked.newer > 1;
CREATE UNIQUE INDEX alerts_one_open_per_animal ON alerts (animal_id, cause)
  WHERE status <> 'resolved' AND animal_id IS NOT NULL;
CREATE UNIQUE INDEX alerts_one_open_per_node ON alerts (node_id, cause)
  WHERE status <> 'resolved' AND node_id IS NOT NULL AND animal_id IS NULL;
CREATE UNIQUE INDEX alerts_one_open_per_group ON alerts (group_id, cause)
  WHERE status <> 'resolved' AND group_id IS NOT NULL AND animal_id IS NULL AND node_id IS NULL;

-- Everyone reads the rules and the baselines (the vet the baselines of the assigned groups' animals); the
-- manager switches rules on and off and sets their parameters.
DO $$
DECLARE
  all_groups jsonb := '{"_exists": {"_table": "farm_settings", "_where": {"id": {"_eq": "X-Hasura-All-Groups"}}}}';
  in_groups jsonb := jsonb_build_object('_or', jsonb_build_array(jsonb_build_object('group_id', '{"_in": "X-Hasura-Group-Ids"}'::jsonb), all_groups));
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['manager', 'vet', 'worker', 'viewer'] LOOP
    INSERT INTO office.graphql_permissions (role, table_name, action, permission, comment) VALUES
      (r, 'alert_rules', 'select', '{"columns": "*", "filter": {}, "allow_aggregations": true}', 'issue 9: ' || r || ' reads the alert rules'),
      (r, 'baselines', 'select',
       jsonb_build_object('columns', '*', 'allow_aggregations', true, 'filter',
         CASE WHEN r = 'vet' THEN jsonb_build_object('animal', in_groups) ELSE '{}'::jsonb END),
       'issue 9: ' || r || ' reads baselines');
  END LOOP;
  INSERT INTO office.graphql_permissions (role, table_name, action, permission, comment) VALUES
    ('manager', 'alert_rules', 'update', '{"columns": ["enabled", "parameters"], "filter": {}}', 'issue 9: the manager tunes the alert rules');
END $$;
