-- Accounts, tokens and the roles' permissions (issue 5). Accounts live in the `office` schema: the generated
-- GraphQL API never serves it, so password and token hashes cannot be reached through GraphQL. The owner manages
-- users through the office's /auth routes.

CREATE TABLE office.users (
  id             serial PRIMARY KEY,
  name           text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 64),
  role           text NOT NULL CHECK (role IN ('owner', 'manager', 'vet', 'worker', 'viewer')),
  -- scrypt$N$r$p$salt$hash (base64url): self-describing, so the cost can be raised for new hashes later.
  password_hash  text NOT NULL,
  -- The vet's (or anyone's) assigned groups: the x-hasura-group-ids session variable; empty means all groups.
  group_ids      integer[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  disabled_at    timestamptz,
  -- In every access token as `ver`; bumped on a password or role change (or disabling), so older tokens die.
  token_version  integer NOT NULL DEFAULT 1
);

CREATE TABLE office.refresh_tokens (
  id           bigserial PRIMARY KEY,
  user_id      integer NOT NULL REFERENCES office.users (id) ON DELETE CASCADE,
  token_hash   text NOT NULL UNIQUE,          -- SHA-256 of the token; the token itself is never stored
  -- One family per login: each refresh rotates to a new token of the family; presenting a rotated (used)
  -- token again means it was stolen, and the whole family is revoked.
  family_id    uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  rotated_at   timestamptz,
  revoked_at   timestamptz,
  address      text
);
CREATE INDEX refresh_tokens_family_idx ON office.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON office.refresh_tokens (user_id);

CREATE TABLE office.api_tokens (
  id            serial PRIMARY KEY,
  name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  role          text NOT NULL CHECK (role IN ('owner', 'manager', 'vet', 'worker', 'viewer')),
  token_hash    text NOT NULL UNIQUE,
  created_by    integer REFERENCES office.users (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);

CREATE TABLE office.security_audit (
  id       bigserial PRIMARY KEY,
  ts       timestamptz NOT NULL DEFAULT now(),
  event    text NOT NULL,   -- login_ok, login_failed, lockout, token_issued, token_revoked, role_changed, …
  "user"   text,            -- the account name concerned (or given, for a failed login)
  address  text,
  detail   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX security_audit_ts_idx ON office.security_audit (ts DESC);

-- Roles as data (docs/graphql.md, "Permissions"). `owner` is the engine's admin and needs no rows.
-- `nodes.token_hash` is never among a role's columns.
DO $$
DECLARE
  node_cols jsonb := (SELECT jsonb_agg(column_name::text ORDER BY ordinal_position) FROM information_schema.columns
                      WHERE table_schema = 'public' AND table_name = 'nodes' AND column_name <> 'token_hash');
  all_tables text[] := ARRAY['farm_settings','groups','animals','metrics','readings','latest_readings','alerts','events','pen_readings','quarantined_readings','node_requests'];
  -- The vet's optional group filter: the animal's group is one of the assigned ones, or the vet has none
  -- assigned (x-hasura-all-groups = 1 matches farm_settings' single row, id 1).
  all_groups jsonb := '{"_exists": {"_table": "farm_settings", "_where": {"id": {"_eq": "X-Hasura-All-Groups"}}}}';
  in_groups jsonb;
  by_animal jsonb;
  t text;
  r text;
BEGIN
  in_groups := jsonb_build_object('_or', jsonb_build_array(jsonb_build_object('group_id', '{"_in": "X-Hasura-Group-Ids"}'::jsonb), all_groups));
  by_animal := jsonb_build_object('animal', in_groups);

  -- Everyone but the owner reads everything (nodes without their token hash); the vet's herd rows are filtered.
  FOREACH r IN ARRAY ARRAY['manager', 'vet', 'worker', 'viewer'] LOOP
    FOREACH t IN ARRAY all_tables LOOP
      CONTINUE WHEN r IN ('worker', 'viewer') AND t IN ('quarantined_readings', 'node_requests');
      INSERT INTO office.graphql_permissions (role, table_name, action, permission, comment) VALUES (
        r, t, 'select',
        jsonb_build_object('columns', '*', 'allow_aggregations', true, 'filter',
          CASE WHEN r <> 'vet' THEN '{}'::jsonb
               WHEN t = 'animals' THEN in_groups
               WHEN t IN ('readings', 'latest_readings', 'events') THEN by_animal
               WHEN t = 'alerts' THEN jsonb_build_object('_or', jsonb_build_array(by_animal, jsonb_build_object('group_id', '{"_in": "X-Hasura-Group-Ids"}'::jsonb), all_groups))
               ELSE '{}'::jsonb END),
        'issue 5: ' || r || ' reads');
    END LOOP;
    INSERT INTO office.graphql_permissions (role, table_name, action, permission, comment) VALUES
      (r, 'nodes', 'select', jsonb_build_object('columns', node_cols, 'filter', '{}'::jsonb, 'allow_aggregations', true), 'issue 5: never the token hash');
  END LOOP;

  -- manager: the herd, nodes, alerts, events, readings; not users or remote access (those are /auth, owner only).
  FOREACH t IN ARRAY ARRAY['groups', 'animals', 'alerts', 'events', 'readings'] LOOP
    INSERT INTO office.graphql_permissions (role, table_name, action, permission) VALUES
      ('manager', t, 'insert', '{"columns": "*", "check": {}}'),
      ('manager', t, 'update', '{"columns": "*", "filter": {}, "check": {}}'),
      ('manager', t, 'delete', '{"filter": {}}');
  END LOOP;
  INSERT INTO office.graphql_permissions (role, table_name, action, permission) VALUES
    ('manager', 'farm_settings', 'update', '{"columns": ["name", "time_zone", "units", "updated_at"], "filter": {}}'),
    ('manager', 'metrics', 'update', '{"columns": ["name", "unit", "min_value", "max_value", "aliases", "daily_rhythm"], "filter": {}}'),
    ('manager', 'nodes', 'update', '{"columns": ["name", "kind", "animal_id", "group_id", "metric_id", "revoked_at"], "filter": {}}');

  -- vet: animals, readings, alerts, treatment events (within the assigned groups, if any).
  INSERT INTO office.graphql_permissions (role, table_name, action, permission) VALUES
    ('vet', 'animals', 'update', jsonb_build_object('columns', '["status", "due_date", "breed", "name"]'::jsonb, 'filter', in_groups)),
    ('vet', 'readings', 'insert', jsonb_build_object('columns', '["ts", "animal_id", "node_id", "value", "metric_id"]'::jsonb, 'check', by_animal)),
    ('vet', 'alerts', 'update', jsonb_build_object('columns', '["status", "acknowledged_at", "resolved_at", "note"]'::jsonb, 'filter', by_animal)),
    ('vet', 'events', 'insert', jsonb_build_object('columns', '["animal_id", "kind", "ts", "note", "details"]'::jsonb,
       'check', jsonb_build_object('_and', jsonb_build_array('{"kind": {"_in": ["treatment", "note"]}}'::jsonb, by_animal)))),
    ('vet', 'events', 'update', jsonb_build_object('columns', '["ts", "note", "details"]'::jsonb,
       'filter', jsonb_build_object('_and', jsonb_build_array('{"kind": {"_eq": "treatment"}}'::jsonb, by_animal))));

  -- worker: reads the herd and alerts, acknowledges alerts, adds notes.
  INSERT INTO office.graphql_permissions (role, table_name, action, permission) VALUES
    ('worker', 'alerts', 'update', '{"columns": ["status", "acknowledged_at", "note"], "filter": {"status": {"_neq": "resolved"}}, "check": {"status": {"_in": ["open", "acknowledged"]}}}'),
    ('worker', 'events', 'insert', '{"columns": ["animal_id", "ts", "note", "details"], "check": {"kind": {"_eq": "note"}}, "set": {"kind": "note"}}');

  -- Remote roles are limited more tightly than the defaults.
  INSERT INTO office.graphql_roles (role, max_depth, max_aliases) VALUES
    ('manager', 10, 50), ('vet', 10, 50), ('worker', 8, 30), ('viewer', 8, 30);
END $$;
