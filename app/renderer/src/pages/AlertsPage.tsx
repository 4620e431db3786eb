// The action list (issue 6, item 3): open alerts, most urgent first, live; acknowledge and resolve with a note.
import { Alert, Badge, Button, Card, Group, SegmentedControl, Select, Stack, Table, Text, Textarea } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useSession } from '../auth/session-control.ts';
import { LoadError, Loading, MountedModal, Notice, PageHeader, StaleData } from '../components/PageParts.tsx';
import { errorMessage, graphqlRequest } from '../graphql.ts';
import {
  ACKNOWLEDGE_ALERT,
  alertActions,
  alertCountLabel,
  ALERTS_QUERY,
  ALERTS_SUBSCRIPTIONS,
  alertSubject,
  categoriesOf,
  detailEntries,
  filterAlerts,
  RESOLVE_ALERT,
  severityOf,
  words,
  type AlertFilter,
  type AlertRow,
  type AlertsData,
} from '../alerts-model.ts';
import { formatAge, formatFarmTime } from '../herd-model.ts';
import { farmFormat } from '../farm-format.ts';
import { useLiveQuery } from '../use-live-query.ts';

const POLL_MS = 5_000;
const ALERTS_LIVE = { query: ALERTS_QUERY, subscriptions: ALERTS_SUBSCRIPTIONS };
const STATUS_COLORS = { open: 'red', acknowledged: 'yellow', resolved: 'gray' } as const;

function useClock(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

type Action = { kind: 'acknowledge' | 'resolve'; alert: AlertRow };

export function AlertsPage() {
  const { data, error, lastSuccessAt } = useLiveQuery<AlertsData>(ALERTS_LIVE, POLL_MS);
  const state = useSession();
  const role = state.status === 'signed-in' ? state.user.role : 'viewer';
  const now = useClock(15_000);
  const [filter, setFilter] = useState<AlertFilter>({ status: 'active', category: '' });
  const [view, setView] = useState<'list' | 'history'>('list');
  const [action, setAction] = useState<Action>();
  const [done, setDone] = useState<string>();

  const open = data?.open_alerts;
  const shown = useMemo(() => (open ? filterAlerts(open, filter) : []), [open, filter]);
  const categories = useMemo(() => categoriesOf([...(open ?? []), ...(data?.resolved_alerts ?? [])]), [open, data?.resolved_alerts]);
  const { timeZone, locale } = farmFormat(data?.farm_settings[0]);
  const units = data?.farm_settings[0]?.units ?? 'metric';

  return (
    <Stack gap="md" data-testid="alerts-page">
      <PageHeader
        title="Action list"
        description={data ? alertCountLabel(data.open_alerts) : 'Alerts that need someone to look'}
        action={
          <SegmentedControl
            value={view}
            onChange={(v) => setView(v as 'list' | 'history')}
            data={[
              { value: 'list', label: 'To do' },
              { value: 'history', label: 'Resolved' },
            ]}
            data-testid="alerts-view"
          />
        }
      />
      <Notice color="green" message={done} onClose={() => setDone(undefined)} testId="alerts-done" />
      {error && data && (
        <StaleData error={error} testId="alerts-stale">. These alerts are from {lastSuccessAt ? formatFarmTime(lastSuccessAt, timeZone, locale) : 'earlier'}.</StaleData>
      )}
      {!data ? (
        error ? <LoadError what="the alerts" error={error} testId="alerts-error" /> : <Loading what="the alerts" testId="alerts-loading" />
      ) : view === 'history' ? (
        <History alerts={data.resolved_alerts} timeZone={timeZone} locale={locale} />
      ) : (
        <>
          <Group gap="sm" wrap="wrap">
            <SegmentedControl
              value={filter.status}
              onChange={(v) => setFilter((f) => ({ ...f, status: v as AlertFilter['status'] }))}
              data={[
                { value: 'active', label: 'All open' },
                { value: 'open', label: 'New' },
                { value: 'acknowledged', label: 'Acknowledged' },
              ]}
              aria-label="Status"
              data-testid="alerts-status-filter"
            />
            <Select
              placeholder="All categories"
              aria-label="Category"
              clearable
              data={categories}
              value={filter.category || null}
              onChange={(v) => setFilter((f) => ({ ...f, category: v ?? '' }))}
              w={220}
              data-testid="alerts-category-filter"
            />
          </Group>
          {data.open_alerts.length === 0 ? (
            <Text c="dimmed" data-testid="alerts-empty">
              Nothing to do: no open alerts.
            </Text>
          ) : shown.length === 0 ? (
            <Text c="dimmed" data-testid="alerts-no-match">
              No alert matches these filters.
            </Text>
          ) : (
            <Stack gap="sm" data-testid="alerts-list">
              {shown.map((alert) => (
                <AlertCard key={alert.id} alert={alert} now={now} timeZone={timeZone} locale={locale} units={units} role={role} onAction={setAction} />
              ))}
            </Stack>
          )}
        </>
      )}
      {action && (
        <ActionModal
          action={action}
          onClose={() => setAction(undefined)}
          onDone={(message) => {
            setAction(undefined);
            setDone(message);
          }}
        />
      )}
    </Stack>
  );
}

interface AlertCardProps {
  alert: AlertRow;
  now: number;
  timeZone: string;
  locale: string;
  /** The farm's units: the numbers behind the alert follow them (its reason is the office's words, in °C). */
  units: string;
  role: string;
  onAction: (a: Action) => void;
}

function AlertCard({ alert, now, timeZone, locale, units, role, onAction }: AlertCardProps) {
  const severity = severityOf(alert.severity);
  const subject = alertSubject(alert);
  const can = alertActions(role, alert);
  const numbers = detailEntries(alert.details, units, locale);
  return (
    <Card withBorder padding="sm" data-testid="alert-row" data-alert-id={alert.id} data-status={alert.status}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4}>
          <Group gap="xs">
            <Badge color={severity.color} variant="filled" data-testid="alert-severity">
              {severity.label}
            </Badge>
            <Text fw={600} data-testid="alert-subject">
              {subject.label}
            </Text>
            <Badge variant="light" color="gray">
              {alert.category}
            </Badge>
            <Badge variant="outline" color="gray">
              {words(alert.cause)}
            </Badge>
            <Badge color={STATUS_COLORS[alert.status]} variant="light" data-testid="alert-status">
              {alert.status === 'open' ? 'New' : words(alert.status)}
            </Badge>
          </Group>
          <Text data-testid="alert-reason">{alert.reason}</Text>
          {numbers.length > 0 && (
            <Text size="sm" c="dimmed" data-testid="alert-numbers">
              {numbers.map((n) => `${n.label}: ${n.value}`).join(' · ')}
            </Text>
          )}
          <Text size="xs" c="dimmed" title={`Began ${formatFarmTime(alert.onset, timeZone, locale)}\nRaised ${formatFarmTime(alert.raised_at, timeZone, locale)}`}>
            Raised {formatAge(alert.raised_at, now)}
            {alert.acknowledged_at && ` · acknowledged ${formatAge(alert.acknowledged_at, now)}`}
          </Text>
          {alert.note && (
            <Text size="sm" data-testid="alert-note">
              Note: {alert.note}
            </Text>
          )}
        </Stack>
        <Group gap="xs" wrap="nowrap">
          {can.acknowledge && (
            <Button size="xs" variant="light" onClick={() => onAction({ kind: 'acknowledge', alert })} data-testid="alert-acknowledge">
              Acknowledge
            </Button>
          )}
          {can.resolve && (
            <Button size="xs" variant="light" color="green" onClick={() => onAction({ kind: 'resolve', alert })} data-testid="alert-resolve">
              Resolve
            </Button>
          )}
        </Group>
      </Group>
    </Card>
  );
}

function ActionModal({ action, onClose, onDone }: { action: Action; onClose: () => void; onDone: (message: string) => void }) {
  const [note, setNote] = useState(action.alert.note ?? '');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const verb = action.kind === 'acknowledge' ? 'Acknowledge' : 'Resolve';
  const subject = alertSubject(action.alert).label;

  async function submit(): Promise<void> {
    setBusy(true);
    setFailure(undefined);
    try {
      await graphqlRequest(action.kind === 'acknowledge' ? ACKNOWLEDGE_ALERT : RESOLVE_ALERT, {
        id: action.alert.id,
        at: new Date().toISOString(),
        note: note.trim() || null,
      });
      onDone(`${action.kind === 'acknowledge' ? 'Acknowledged' : 'Resolved'}: ${subject}, ${words(action.alert.cause).toLowerCase()}.`);
    } catch (err) {
      setFailure(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <MountedModal onClose={onClose} title={`${verb} the alert for ${subject}`} data-testid="alert-action-modal">
      <Stack>
        <Text size="sm">{action.alert.reason}</Text>
        <Textarea
          label="Note"
          description={action.kind === 'acknowledge' ? 'Optional: who is looking, what you saw.' : 'Optional: what was done.'}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          autosize
          minRows={2}
          data-testid="alert-note-input"
        />
        {failure && (
          <Alert color="red" data-testid="alert-action-error">
            Could not {verb.toLowerCase()} the alert: {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void submit()} loading={busy} data-testid="alert-action-submit">
            {verb}
          </Button>
        </Group>
      </Stack>
    </MountedModal>
  );
}

function History({ alerts, timeZone, locale }: { alerts: AlertRow[]; timeZone: string; locale: string }) {
  if (alerts.length === 0) {
    return (
      <Text c="dimmed" data-testid="alerts-history-empty">
        No resolved alerts yet.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped data-testid="alerts-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Resolved</Table.Th>
            <Table.Th>About</Table.Th>
            <Table.Th>Category · cause</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Note</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {alerts.map((a) => (
            <Table.Tr key={a.id} data-testid="alerts-history-row">
              <Table.Td>{a.resolved_at ? formatFarmTime(a.resolved_at, timeZone, locale) : '—'}</Table.Td>
              <Table.Td>{alertSubject(a).label}</Table.Td>
              <Table.Td>
                {a.category} · {words(a.cause)}
              </Table.Td>
              <Table.Td>{a.reason}</Table.Td>
              <Table.Td>{a.note ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
