-- Less work per ingest flush (issue 3). Every request a node makes is one row of node_requests, written in the
-- flush that stores its readings; the foreign key to nodes checked each of those rows on its own (measured on
-- PGlite: 2.3 ms of a 6.5 ms insert of 90 log rows). The log keeps the same meaning without it, as
-- readings.node_id already does: the column comment declares the relationship for the GraphQL API
-- (`nodes.node_requests`, `node_requests.node` stay as they were), and deleting a node still deletes its log.
ALTER TABLE node_requests DROP CONSTRAINT node_requests_node_id_fkey;
COMMENT ON COLUMN node_requests.node_id IS 'references nodes(id); null when the token was unknown';

CREATE FUNCTION office.node_requests_forget_nodes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM node_requests WHERE node_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE TRIGGER nodes_forget_requests AFTER DELETE ON nodes REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION office.node_requests_forget_nodes();

-- nodes and latest_readings are updated in place by every flush (a node's counters and last contact, each
-- series' newest value). Half-empty pages let PostgreSQL put the new row version beside the old one (a HOT
-- update: no new index entries), and single-user PGlite has no autovacuum to clean up after the other kind.
-- Measured: the 2,400-row latest_readings upsert 27 % faster. Pages written from now on follow the setting.
ALTER TABLE nodes SET (fillfactor = 50);
ALTER TABLE latest_readings SET (fillfactor = 50);
