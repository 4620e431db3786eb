-- Scheduled reports and exports (issue 7): daily or weekly, written to a folder the farm chose (a USB stick, a
-- network share), keeping the newest `keep` files. The office's report scheduler (app/main/reports/scheduler.ts)
-- runs them and records each run's outcome here, so the dashboard shows the last run and a failure is seen.
CREATE TABLE report_schedules (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) > 0),
  -- What to write: a PDF report (herd, animal, nodes) or an export (readings, rollups, alerts, ...).
  kind text NOT NULL CHECK (kind IN ('report', 'export')),
  subject text NOT NULL,
  format text NOT NULL CHECK (format IN ('pdf', 'csv', 'xlsx')),
  -- The selection, as the export and report options take it: animals, groups, metrics, resolution, utc, animal.
  params jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
  frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly')),
  -- Weekly: ISO day of week (1 Monday … 7 Sunday) the run happens; the hour is the farm's local hour.
  weekday smallint CHECK (weekday BETWEEN 1 AND 7),
  at_hour smallint NOT NULL DEFAULT 6 CHECK (at_hour BETWEEN 0 AND 23),
  folder text NOT NULL CHECK (length(folder) > 0),
  keep integer NOT NULL DEFAULT 14 CHECK (keep BETWEEN 1 AND 1000),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  next_run_at timestamptz,
  last_run_at timestamptz,
  last_status text CHECK (last_status IN ('running', 'ok', 'failed')),
  last_error text,
  last_file text,
  last_rows bigint,
  CHECK (frequency = 'daily' OR weekday IS NOT NULL),
  CHECK ((kind = 'report' AND format = 'pdf' AND subject IN ('herd', 'animal', 'nodes'))
      OR (kind = 'export' AND format IN ('csv', 'xlsx')
          AND subject IN ('readings', 'rollups', 'alerts', 'animals', 'nodes', 'events', 'quarantined')))
);
CREATE TRIGGER report_schedules_touch BEFORE UPDATE ON report_schedules FOR EACH ROW EXECUTE FUNCTION office_touch_updated_at();

-- The owner (the engine's admin) changes schedules through /office/report-schedules, which checks the folder;
-- a manager sees them and their last runs. Other roles do not see where the farm's files go.
INSERT INTO office.graphql_permissions (role, table_name, action, permission, comment) VALUES
  ('manager', 'report_schedules', 'select', '{"columns": "*", "filter": {}, "allow_aggregations": true}', 'issue 7: the manager sees scheduled reports');
