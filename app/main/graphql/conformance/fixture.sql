-- The conformance suite's database: Hasura's classic author/article pair beside the farm's own tables.
-- Everything above the `-- reset` line runs once; everything below it runs again after every case that
-- sends a mutation, so each case starts from the same rows and the same sequence values.

CREATE TABLE author (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  email text,
  is_registered boolean NOT NULL DEFAULT false
);

CREATE TABLE article (
  id serial PRIMARY KEY,
  title text NOT NULL,
  content text,
  author_id integer NOT NULL REFERENCES author (id),
  is_published boolean NOT NULL DEFAULT false,
  published_on timestamptz,
  tags jsonb NOT NULL DEFAULT '{}',
  rating numeric,
  views integer NOT NULL DEFAULT 0
);

-- Permissions as Hasura keeps them in its metadata (office.graphql_permissions, migration 0003).
--   user:      reads every author (not their e-mail, no aggregates); reads published articles and their own
--              drafts (not the view count); inserts articles only as themselves; edits only their own drafts
--              and may not publish them; deletes only their own drafts.
--   writer:    reads and edits only their own articles; author_id and is_published are preset on insert,
--              and every edit sends the article back to draft.
--   anonymous: reads at most 2 published articles, id and title only; no aggregates, no author table;
--              no introspection (office.graphql_roles).
--   limited:   reads everything, but with a depth limit of 3 and at most 2 aliases.
--   frugal:    reads everything, but with a planner cost limit of 5.
INSERT INTO office.graphql_permissions (role, table_name, action, permission) VALUES
  ('user', 'author', 'select', '{"columns": ["id", "name", "is_registered"], "filter": {}, "allow_aggregations": false}'),
  ('user', 'article', 'select', '{"columns": ["id", "title", "content", "author_id", "is_published", "published_on", "tags", "rating"],
      "filter": {"_or": [{"author_id": {"_eq": "X-Hasura-User-Id"}}, {"is_published": {"_eq": true}}]}, "allow_aggregations": true}'),
  ('user', 'article', 'insert', '{"check": {"author_id": {"_eq": "X-Hasura-User-Id"}}, "columns": ["title", "content", "author_id", "is_published", "tags"]}'),
  ('user', 'article', 'update', '{"columns": ["title", "content", "is_published"],
      "filter": {"_and": [{"author_id": {"_eq": "X-Hasura-User-Id"}}, {"is_published": {"_eq": false}}]},
      "check": {"is_published": {"_eq": false}}}'),
  ('user', 'article', 'delete', '{"filter": {"author_id": {"_eq": "X-Hasura-User-Id"}, "is_published": {"_eq": false}}}'),
  ('writer', 'article', 'select', '{"columns": "*", "filter": {"author_id": {"_eq": "X-Hasura-User-Id"}}}'),
  ('writer', 'article', 'insert', '{"check": {}, "columns": ["title", "content"], "set": {"author_id": "X-Hasura-User-Id", "is_published": false}}'),
  ('writer', 'article', 'update', '{"columns": ["title", "content"], "filter": {"author_id": {"_eq": "X-Hasura-User-Id"}}, "set": {"is_published": false}}'),
  ('anonymous', 'article', 'select', '{"columns": ["id", "title"], "filter": {"is_published": {"_eq": true}}, "limit": 2, "allow_aggregations": false}'),
  ('limited', 'author', 'select', '{"columns": "*", "filter": {}, "allow_aggregations": true}'),
  ('limited', 'article', 'select', '{"columns": "*", "filter": {}, "allow_aggregations": true}'),
  ('frugal', 'author', 'select', '{"columns": "*", "filter": {}, "allow_aggregations": true}'),
  ('frugal', 'article', 'select', '{"columns": "*", "filter": {}, "allow_aggregations": true}');

INSERT INTO office.graphql_roles (role, max_depth, max_aliases, max_cost, statement_timeout_ms, introspection) VALUES
  ('anonymous', NULL, NULL, NULL, NULL, false),
  ('limited', 3, 2, NULL, NULL, true),
  ('frugal', NULL, NULL, 5, NULL, true);

-- reset
TRUNCATE author, article RESTART IDENTITY CASCADE;
TRUNCATE groups, animals, nodes, readings RESTART IDENTITY CASCADE;

-- ids come from the sequences (1, 2, …) so that inserts through the API continue at the next value.
INSERT INTO author (name, email, is_registered) VALUES
  ('Alice', 'alice@farm.test', true),
  ('Bob', NULL, false),
  ('Carol', 'carol@farm.test', true),
  ('Dave', NULL, false);

INSERT INTO article (title, content, author_id, is_published, published_on, tags, rating, views) VALUES
  ('Milking routines', 'How we milk twice a day', 1, true, '2024-01-10T08:00:00Z', '{"topic": "dairy", "lang": "en", "featured": true}', 4.5, 120),
  ('Calving season', 'Notes from calving', 1, true, '2024-02-15T06:30:00Z', '{"topic": "dairy", "lang": "de"}', 3.0, 80),
  ('Drafts about feed', NULL, 1, false, NULL, '{"topic": "feed"}', NULL, 0),
  ('Beef prices', 'Market report', 2, true, '2024-03-01T12:00:00Z', '{"topic": "beef", "lang": "en"}', 2.5, 200),
  ('Pasture rotation', 'Rotational grazing 101', 3, true, '2024-03-20T09:15:00Z', '{"topic": "pasture", "lang": "en", "featured": false}', 5, 150),
  ('Untitled draft', NULL, 3, false, NULL, '{}', NULL, 5);

-- The farm's tables (migrations 0001-0002); metrics keep the catalogue the migration seeded.
INSERT INTO groups (name, kind, description) VALUES
  ('Barn A', 'pen', NULL),
  ('Barn B', 'group', 'Heifers');

INSERT INTO animals (official_id, tag, name, sex, birth_date, breed, group_id, status) VALUES
  ('276000000000101', '101', 'Berta', 'female', '2019-03-01', 'Holstein', 1, 'active'),
  ('276000000000102', '102', 'Clara', 'female', '2020-05-17', 'Jersey', 1, 'dry'),
  (NULL, '103', NULL, 'male', '2022-01-09', 'Holstein', 2, 'active'),
  (NULL, '104', 'Dora', 'female', NULL, NULL, NULL, 'sold');

INSERT INTO nodes (name, kind, animal_id, metric_id, token_hash) VALUES
  ('bolus-1', 'bolus', 1, 1, 'conformance-node-1'),
  ('scale-1', 'scale', NULL, 6, 'conformance-node-2');

INSERT INTO readings (ts, animal_id, node_id, value, metric_id) VALUES
  ('2026-01-01T00:00:00Z', 1, 1, 38.5, 1),
  ('2026-01-01T01:00:00Z', 1, 1, 39.5, 1),
  ('2026-01-01T00:00:00Z', 2, 1, 39, 1),
  ('2026-01-01T06:00:00Z', 1, 2, 612.5, 6);
