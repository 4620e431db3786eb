-- GraphQL metadata, kept as data the way Hasura keeps it: which role may do what with which table, and the
-- protection limits of each role. It lives in the `office` schema so the generated API never exposes it;
-- admins change it through POST /v1/metadata (Hasura's pg_create_*_permission calls) or SQL.

CREATE TABLE office.graphql_permissions (
  role        text NOT NULL CHECK (role ~ '^[A-Za-z][A-Za-z0-9_-]{0,62}$' AND role <> 'admin'),
  table_name  text NOT NULL,
  action      text NOT NULL CHECK (action IN ('select', 'insert', 'update', 'delete')),
  -- Hasura's permission object: select {columns, filter, limit, allow_aggregations}; insert {check, columns, set};
  -- update {columns, filter, check, set}; delete {filter}. Validated against the catalog when loaded.
  permission  jsonb NOT NULL CHECK (jsonb_typeof(permission) = 'object'),
  comment     text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (role, table_name, action)
);

-- Limits checked before a request of the role runs. NULL means the default for non-admin roles
-- (see app/main/graphql/protection.ts); the admin role is not limited.
CREATE TABLE office.graphql_roles (
  role                 text PRIMARY KEY CHECK (role ~ '^[A-Za-z][A-Za-z0-9_-]{0,62}$' AND role <> 'admin'),
  max_depth            integer CHECK (max_depth > 0),
  max_aliases          integer CHECK (max_aliases >= 0),
  max_cost             double precision CHECK (max_cost > 0),
  statement_timeout_ms integer CHECK (statement_timeout_ms > 0),
  introspection        boolean NOT NULL DEFAULT true
);

-- Raised inside a mutation's own statement when a row breaks the role's insert/update `check`, so the
-- statement (and the request's transaction) fails as a whole: no row of it stays.
CREATE FUNCTION office.permission_check_failed(message text) RETURNS json LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'YS001', MESSAGE = message;
END $$;
