-- readings.animal_id without a FOREIGN KEY: its check runs per inserted row (a trigger and a lock of the
-- animal's row each time), and it halved COPY's speed: 17,500-row COPYs into readings measured 33k–38k rows/s
-- with it, 57k–70k without (PGlite, 2,500 animals). The ingest path COPYs every reading the farm has. The
-- same guarantees are kept by statement-level triggers, which do their work once per statement and animal:
--   * a statement that inserts or updates readings fails, as the foreign key did (SQLSTATE 23503), if any
--     row names an animal that does not exist; it locks each animal it names (FOR KEY SHARE, as the foreign
--     key does), so on a PostgreSQL server a concurrent delete of that animal waits for it;
--   * deleting an animal deletes its readings (ON DELETE CASCADE), truncating animals truncates readings;
--   * an animal's id cannot change while it has readings (the foreign key's NO ACTION).
-- The column comment declares the reference, from which the GraphQL API derives the relationships
-- readings.animal and animals.readings, as it does for node_id and metric_id.
ALTER TABLE readings DROP CONSTRAINT readings_animal_id_fkey;
COMMENT ON COLUMN readings.animal_id IS 'references animals(id)';

CREATE FUNCTION office.readings_check_animals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing integer;
BEGIN
  PERFORM 1 FROM animals WHERE id IN (SELECT DISTINCT animal_id FROM new_rows) FOR KEY SHARE;
  SELECT n.animal_id INTO missing
    FROM (SELECT DISTINCT animal_id FROM new_rows) n
   WHERE NOT EXISTS (SELECT 1 FROM animals a WHERE a.id = n.animal_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "readings" violates foreign key constraint "readings_animal_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (animal_id)=(%s) is not present in table "animals".', missing),
            TABLE = 'readings', CONSTRAINT = 'readings_animal_id_fkey';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER readings_animal_exists_insert AFTER INSERT ON readings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.readings_check_animals();
CREATE TRIGGER readings_animal_exists_update AFTER UPDATE ON readings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION office.readings_check_animals();

CREATE FUNCTION office.animals_delete_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM readings r USING old_animals o WHERE r.animal_id = o.id;
  RETURN NULL;
END $$;
CREATE TRIGGER animals_delete_readings AFTER DELETE ON animals REFERENCING OLD TABLE AS old_animals
  FOR EACH STATEMENT EXECUTE FUNCTION office.animals_delete_readings();

-- After the command: a TRUNCATE that lists readings itself has emptied it by then (and readings, being in use by
-- that command, could not be truncated again: SQLSTATE 55006, hence the DELETE in that case).
CREATE FUNCTION office.animals_truncate_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM readings) THEN
    BEGIN
      TRUNCATE readings;
    EXCEPTION WHEN object_in_use THEN
      DELETE FROM readings;
    END;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER animals_truncate_readings AFTER TRUNCATE ON animals
  FOR EACH STATEMENT EXECUTE FUNCTION office.animals_truncate_readings();

CREATE FUNCTION office.animals_keep_id_with_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM readings WHERE animal_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "animals" violates foreign key constraint "readings_animal_id_fkey" on table "readings"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced from table "readings".', OLD.id),
            TABLE = 'animals', CONSTRAINT = 'readings_animal_id_fkey';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER animals_keep_id_with_readings BEFORE UPDATE OF id ON animals
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION office.animals_keep_id_with_readings();
