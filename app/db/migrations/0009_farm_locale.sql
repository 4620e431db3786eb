-- The farm's locale (issue 6): numbers and dates on every page follow the farm's conventions (decimal comma,
-- day before month), not the browser's of whoever looks, just as times follow the farm's time zone.
-- A BCP 47 tag of language, optional script and optional region (en-GB, de-CH, sr-Latn-RS, es-419); the
-- renderer checks it with Intl as well and falls back to en-GB for a tag the browser does not know.
ALTER TABLE farm_settings
  ADD COLUMN locale text NOT NULL DEFAULT 'en-GB'
  CHECK (locale ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$');

-- The manager, who already sets the farm's name, time zone and units, sets its locale too.
UPDATE office.graphql_permissions
   SET permission = jsonb_set(permission, '{columns}', (permission -> 'columns') || '["locale"]'::jsonb),
       updated_at = now()
 WHERE role = 'manager' AND table_name = 'farm_settings' AND action = 'update'
   AND jsonb_typeof(permission -> 'columns') = 'array'
   AND NOT (permission -> 'columns') ? 'locale';
