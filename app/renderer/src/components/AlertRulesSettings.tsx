// The alert rules in Settings (issue 6, item 7): per rule its switch and thresholds, in the farm's units, saved
// to alert_rules one rule at a time. The office reads them at its next evaluation.
import { Alert, Button, Card, Group, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RuleSpec, TemperatureScale } from '../../../shared/alert-rules.ts';
import {
  ALERT_RULES_QUERY,
  defaultsForm,
  parameterLabel,
  ruleChanged,
  ruleForm,
  ruleSaveErrorInWords,
  rulesWithRows,
  ruleUpdate,
  temperatureScale,
  UPDATE_ALERT_RULE,
  type AlertRuleRow,
  type RuleForm,
} from '../alert-rules-model.ts';
import { errorMessage, GraphqlError, graphqlRequest } from '../graphql.ts';
import { LoadError, Loading } from './PageParts.tsx';
import { useFarmFormat } from '../use-farm-format.ts';
import { decimalSeparator, withDecimal } from '../farm-format.ts';

/** `units` is the farm's saved setting (not the form's unsaved choice): thresholds show in what the farm reads. */
export function AlertRulesSettings({ units }: { units: string }) {
  const [rows, setRows] = useState<AlertRuleRow[]>();
  const [loadError, setLoadError] = useState<string>();
  const load = useCallback(() => {
    setLoadError(undefined);
    graphqlRequest<{ alert_rules: AlertRuleRow[] }>(ALERT_RULES_QUERY).then(
      (data) => setRows(data.alert_rules),
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, []);
  useEffect(load, [load]);
  const rules = useMemo(() => (rows ? rulesWithRows(rows) : []), [rows]);
  const scale = temperatureScale(units);
  const onSaved = useCallback((saved: AlertRuleRow) => setRows((rs) => [...(rs ?? []).filter((r) => r.key !== saved.key), saved]), []);

  return (
    <Stack gap="sm" data-testid="alert-rules">
      <Stack gap={0}>
        <Title order={3}>Alert rules</Title>
        <Text c="dimmed" size="sm">
          When the office raises an alert. Temperatures in {scale === 'F' ? '°F' : '°C'}, as the farm's units say. A change applies from the office's next
          check; alerts already open stay until they clear or someone resolves them.
        </Text>
      </Stack>
      {loadError && <LoadError what="the alert rules" error={loadError} onRetry={load} testId="alert-rules-error" />}
      {!rows
        ? !loadError && <Loading what="the alert rules" testId="alert-rules-loading" />
        : rules.map(({ spec, row }) => <RuleCard key={spec.key} spec={spec} row={row} scale={scale} onSaved={onSaved} />)}
    </Stack>
  );
}

interface RuleCardProps {
  spec: RuleSpec;
  row: AlertRuleRow | undefined;
  scale: TemperatureScale;
  onSaved(row: AlertRuleRow): void;
}

function RuleCard({ spec, row, scale, onSaved }: RuleCardProps) {
  const decimal = decimalSeparator(useFarmFormat().locale);
  const [form, setForm] = useState<RuleForm>(() => ruleForm(spec, row, scale));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  // A new scale (the units were just changed above) or a saved row shows the office's values afresh.
  useEffect(() => setForm(ruleForm(spec, row, scale)), [spec, row, scale]);
  const changed = ruleChanged(spec, row, form, scale);

  const edit = (next: RuleForm) => {
    setForm(next);
    setErrors({});
    setSaved(false);
  };

  async function save(): Promise<void> {
    const update = ruleUpdate(spec, row, form, scale);
    if (!update.ok) return setErrors(update.errors);
    setBusy(true);
    setSaveError(undefined);
    try {
      const data = await graphqlRequest<{ update_alert_rules_by_pk: AlertRuleRow | null }, Record<string, unknown>>(UPDATE_ALERT_RULE, {
        key: spec.key,
        enabled: update.enabled,
        parameters: update.parameters,
      });
      const savedRow = data.update_alert_rules_by_pk;
      if (!savedRow) throw new Error(`the office has no row for the rule “${spec.key}”`);
      onSaved(savedRow);
      setSaved(true);
    } catch (err) {
      setSaveError(err instanceof GraphqlError ? ruleSaveErrorInWords(err.errors) : `Could not reach the office: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="sm" component="section" aria-label={spec.description} data-testid="alert-rule" data-rule={spec.key}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
          <Text fw={600} size="sm">
            {spec.description}
          </Text>
          <Switch
            label={form.enabled ? 'On' : 'Off'}
            checked={form.enabled}
            onChange={(e) => edit({ ...form, enabled: e.currentTarget.checked })}
            aria-label={`${spec.description.split(':')[0]}: alerts on`}
            data-testid="alert-rule-enabled"
          />
        </Group>
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs" verticalSpacing="xs">
          {Object.entries(spec.parameters).map(([name, p]) => (
            <TextInput
              key={name}
              label={parameterLabel(p, scale)}
              description={p.nullable ? 'Leave empty to switch this check off.' : undefined}
              inputMode="decimal"
              // Shown with the farm's decimal separator; the form keeps a point (a comma is read as one anyway).
              value={withDecimal(form.values[name] ?? '', decimal)}
              onChange={(e) => edit({ ...form, values: { ...form.values, [name]: e.currentTarget.value.replace(decimal, '.') } })}
              error={errors[name] && withDecimal(errors[name], decimal)}
              size="xs"
              // Labels wrap to one or two lines: the inputs of a row line up at the bottom all the same.
              styles={{ root: { display: 'flex', flexDirection: 'column', justifyContent: 'flex-end' } }}
              data-testid="alert-rule-parameter"
              data-parameter={name}
            />
          ))}
        </SimpleGrid>
        {saveError && (
          <Alert color="red" title="Not saved" data-testid="alert-rule-save-error">
            {saveError}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          {saved && !changed && (
            <Text c="green" size="sm" data-testid="alert-rule-saved">
              Saved.
            </Text>
          )}
          {changed && (
            <Text c="dimmed" size="sm">
              Not saved yet.
            </Text>
          )}
          <Button variant="default" size="xs" onClick={() => edit(defaultsForm(spec, form, scale))} data-testid="alert-rule-defaults">
            Restore defaults
          </Button>
          <Button size="xs" onClick={() => void save()} disabled={!changed} loading={busy} data-testid="alert-rule-save">
            Save
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
