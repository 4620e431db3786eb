// Settings (issue 6, item 7): the farm's name, time zone and units (farm_settings through GraphQL), and the
// alert rules' switches and thresholds (alert_rules).
import { Alert, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { AlertRulesSettings } from '../components/AlertRulesSettings.tsx';
import { RemoteAccessSettings } from '../components/RemoteAccessSettings.tsx';
import { useSession } from '../auth/session-control.ts';
import { LoadError, Loading, PageHeader } from '../components/PageParts.tsx';
import { errorMessage, graphqlRequest } from '../graphql.ts';
import { localeSample } from '../farm-format.ts';
import { localeOptions, SETTINGS_QUERY, settingsChanged, settingsProblems, timeZones, UNIT_OPTIONS, UPDATE_SETTINGS, zonePreview, type FarmSettingsRow, type SettingsForm } from '../settings-model.ts';
import { useFarmFormat } from '../use-farm-format.ts';

export function SettingsPage() {
  const auth = useSession();
  // Remote access is the owner's decision alone (the office refuses anyone else).
  const owner = auth.status === 'signed-in' && auth.user.role === 'owner';
  const [saved, setSaved] = useState<FarmSettingsRow>();
  const [form, setForm] = useState<SettingsForm>();
  const [loadError, setLoadError] = useState<string>();
  const [saveError, setSaveError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const zones = useMemo(() => timeZones(), []);
  // Every page writes numbers and dates the farm's way: tell the shell to ask again once new settings are saved.
  const { refresh: refreshFarmFormat } = useFarmFormat();

  const load = useCallback(() => {
    setLoadError(undefined);
    graphqlRequest<{ farm_settings: FarmSettingsRow[] }>(SETTINGS_QUERY).then(
      (data) => {
        const row = data.farm_settings[0];
        if (!row) return setLoadError('the office has no farm settings row');
        setSaved(row);
        setForm({ name: row.name, time_zone: row.time_zone, locale: row.locale, units: row.units });
      },
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, []);
  useEffect(load, [load]);

  const problems = form ? settingsProblems(form, zones) : {};
  const changed = !!form && !!saved && settingsChanged(form, saved);
  // A locale set by hand that the list lacks, like a zone saved before (or by hand) that this browser does not
  // list, still shows as the current choice.
  const locales = useMemo(() => localeOptions(saved?.locale), [saved?.locale]);
  const zoneOptions = useMemo(() => (saved && !zones.includes(saved.time_zone) ? [saved.time_zone, ...zones] : zones), [saved, zones]);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (!form || Object.keys(problems).length) return;
    setBusy(true);
    setSaveError(undefined);
    setDone(false);
    try {
      const data = await graphqlRequest<{ update_farm_settings_by_pk: FarmSettingsRow | null }, Record<string, unknown>>(UPDATE_SETTINGS, {
        name: form.name.trim(),
        time_zone: form.time_zone,
        locale: form.locale,
        units: form.units,
        at: new Date().toISOString(),
      });
      const row = data.update_farm_settings_by_pk;
      if (!row) throw new Error('the office did not change the settings');
      setSaved(row);
      setForm({ name: row.name, time_zone: row.time_zone, locale: row.locale, units: row.units });
      setDone(true);
      refreshFarmFormat();
    } catch (err) {
      setSaveError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="xl" maw={900} data-testid="settings-page">
      <PageHeader title="Settings" description="The farm's name, its clock, how numbers and dates are written, the units the dashboard shows, and when the office raises alerts." />
      {loadError && <LoadError what="the settings" error={loadError} onRetry={load} testId="settings-error" />}
      {!form ? (
        !loadError && <Loading what="the settings" testId="settings-loading" />
      ) : (
        <form onSubmit={(e) => void submit(e)} style={{ maxWidth: 560 }}>
          <Stack>
            <TextInput
              label="Farm name"
              value={form.name}
              onChange={(e) => {
                const name = e.currentTarget.value;
                setForm((f) => f && { ...f, name });
              }}
              error={problems.name}
              data-testid="settings-name"
            />
            <Select
              label="Time zone"
              description={zonePreview(form.time_zone, new Date(), form.locale) && `Now on the farm: ${zonePreview(form.time_zone, new Date(), form.locale)}`}
              data={zoneOptions}
              value={form.time_zone}
              onChange={(v) => v && setForm((f) => f && { ...f, time_zone: v })}
              searchable
              allowDeselect={false}
              error={problems.time_zone}
              data-testid="settings-time-zone"
            />
            <Select
              label="Numbers and dates"
              description={
                <span data-testid="settings-locale-sample">
                  {/* The same figures for every choice, so the difference is what shows. */}
                  For example {localeSample(form.locale)}
                </span>
              }
              data={locales}
              value={form.locale}
              onChange={(v) => v && setForm((f) => f && { ...f, locale: v })}
              searchable
              allowDeselect={false}
              error={problems.locale}
              data-testid="settings-locale"
            />
            <Select
              label="Temperature units"
              data={UNIT_OPTIONS}
              value={form.units}
              onChange={(v) => v && setForm((f) => f && { ...f, units: v })}
              allowDeselect={false}
              error={problems.units}
              data-testid="settings-units"
            />
            {saveError && (
              <Alert color="red" title="Not saved" data-testid="settings-save-error">
                {saveError}
              </Alert>
            )}
            {done && !changed && (
              <Text c="green" size="sm" data-testid="settings-saved">
                Saved.
              </Text>
            )}
            <Group justify="flex-end">
              <Button type="submit" disabled={!changed || Object.keys(problems).length > 0} loading={busy} data-testid="settings-save">
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {saved && <AlertRulesSettings units={saved.units} />}
      {owner && <RemoteAccessSettings />}
    </Stack>
  );
}
