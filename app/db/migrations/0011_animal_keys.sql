-- The IDs nodes send (official IDs and visual tags) resolve to animals by a lookup in every ingest flush
-- (issue 3): 16 ms of database time per 5,000-reading flush, and a round trip the flush's other statements
-- waited for. The ingest writer keeps what it looked up, and office.animal_keys says when that may have gone
-- stale: every statement that inserts, deletes or truncates animals, or updates their IDs, counts the version
-- up. A flush sends office.animal_keys_unchanged(<the version its lookups are from>) first, with its other
-- statements right behind it; if the version moved, that call fails, the flush rolls back and is written again
-- with a fresh lookup.
CREATE TABLE office.animal_keys (version bigint NOT NULL);
INSERT INTO office.animal_keys (version) VALUES (0);

CREATE FUNCTION office.animal_keys_count_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE office.animal_keys SET version = version + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER animals_keys_inserted_deleted AFTER INSERT OR DELETE OR TRUNCATE ON animals
  FOR EACH STATEMENT EXECUTE FUNCTION office.animal_keys_count_up();
CREATE TRIGGER animals_keys_updated AFTER UPDATE OF id, official_id, tag ON animals
  FOR EACH STATEMENT EXECUTE FUNCTION office.animal_keys_count_up();

CREATE FUNCTION office.animal_keys_unchanged(known bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT version FROM office.animal_keys) IS DISTINCT FROM known THEN
    RAISE EXCEPTION 'the animals'' IDs changed since the ingest writer looked them up' USING ERRCODE = 'YS001';
  END IF;
END $$;
