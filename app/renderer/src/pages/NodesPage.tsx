// Nodes (issue 6, item 4): every node's health at a glance, live; its request log and quarantined items in a
// drawer; provisioning, rotating and revoking through the office's /office/nodes (a token is made only there).
import { Alert, Badge, Button, Code, CopyButton, Drawer, Group, Select, Stack, Table, Tabs, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { authErrorMessage } from '../auth/auth-api.ts';
import { useSession } from '../auth/session-control.ts';
import { LoadError, Loading, MountedModal, Notice, PageHeader, StaleData } from '../components/PageParts.tsx';
import { errorMessage, graphqlRequest } from '../graphql.ts';
import { formatAge, formatFarmTime } from '../herd-model.ts';
import {
  curlExample,
  formatBattery,
  formatSignal,
  HEALTH_LABELS,
  ingestBaseUrl,
  kindLabel,
  NODE_DETAIL_QUERY,
  NODE_KINDS,
  nodeAssignment,
  nodeHealth,
  NODES_QUERY,
  NODES_SUBSCRIPTIONS,
  usualIntervalMs,
  type NodeDetailData,
  type NodeRow,
  type NodesData,
} from '../nodes-model.ts';
import { getOfficeInfo, provisionNode, revokeNode, rotateNode, type NodeToken } from '../office-api.ts';
import { farmFormat } from '../farm-format.ts';
import { useLiveQuery } from '../use-live-query.ts';

const POLL_MS = 5_000;
const NODES_LIVE = { query: NODES_QUERY, subscriptions: NODES_SUBSCRIPTIONS };

function useClock(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

interface ShownToken extends NodeToken {
  rotated: boolean;
  metric?: string | undefined;
}

export function NodesPage() {
  const { data, error, lastSuccessAt } = useLiveQuery<NodesData>(NODES_LIVE, POLL_MS);
  const state = useSession();
  const role = state.status === 'signed-in' ? state.user.role : 'viewer';
  const manages = role === 'owner' || role === 'manager';
  const now = useClock(15_000);
  const [adding, setAdding] = useState(false);
  const [token, setToken] = useState<ShownToken>();
  const [confirm, setConfirm] = useState<{ kind: 'rotate' | 'revoke'; node: NodeRow }>();
  const [detail, setDetail] = useState<NodeRow>();
  const [actionError, setActionError] = useState<string>();
  const { timeZone, locale } = farmFormat(data?.farm_settings[0]);

  return (
    <Stack gap="md" data-testid="nodes-page">
      <PageHeader
        title="Nodes"
        description="The collars, boluses, scales and sensors that post readings to this office."
        action={
          manages && (
            <Button onClick={() => setAdding(true)} data-testid="node-add">
              Add a node
            </Button>
          )
        }
      />
      <Notice color="red" message={actionError} onClose={() => setActionError(undefined)} testId="nodes-action-error" />
      {error && data && (
        <StaleData error={error} testId="nodes-stale">. These figures are from {lastSuccessAt ? formatFarmTime(lastSuccessAt, timeZone, locale) : 'earlier'}.</StaleData>
      )}
      {!data ? (
        error ? <LoadError what="the nodes" error={error} testId="nodes-error" /> : <Loading what="the nodes" testId="nodes-loading" />
      ) : data.nodes.length === 0 ? (
        <Text c="dimmed" data-testid="nodes-empty">
          No nodes yet.{manages ? ' Add one to get its token and a command to test it.' : ''}
        </Text>
      ) : (
        <NodesTable
          nodes={data.nodes}
          now={now}
          timeZone={timeZone}
          locale={locale}
          manages={manages}
          onOpen={setDetail}
          onRotate={(node) => setConfirm({ kind: 'rotate', node })}
          onRevoke={(node) => setConfirm({ kind: 'revoke', node })}
        />
      )}
      {adding && (
        <ProvisionModal
          onClose={() => setAdding(false)}
          onCreated={(t) => {
            setAdding(false);
            setToken(t);
          }}
        />
      )}
      {token && <TokenModal token={token} onClose={() => setToken(undefined)} />}
      {confirm && (
        <ConfirmModal
          {...confirm}
          onClose={() => setConfirm(undefined)}
          onDone={(t) => {
            setConfirm(undefined);
            if (t) setToken({ ...t, rotated: true, metric: confirm.node.metric?.key });
          }}
          onError={(message) => {
            setConfirm(undefined);
            setActionError(message);
          }}
        />
      )}
      <Drawer opened={!!detail} onClose={() => setDetail(undefined)} position="right" size="xl" title={detail ? `Node ${detail.name}` : ''}>
        {detail && <NodeDetail node={detail} timeZone={timeZone} locale={locale} />}
      </Drawer>
    </Stack>
  );
}

function NodesTable(props: {
  nodes: NodeRow[];
  now: number;
  timeZone: string;
  locale: string;
  manages: boolean;
  onOpen: (n: NodeRow) => void;
  onRotate: (n: NodeRow) => void;
  onRevoke: (n: NodeRow) => void;
}) {
  const { nodes, now, timeZone, locale, manages } = props;
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover data-testid="nodes-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Fitted to</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Last seen</Table.Th>
            <Table.Th>Battery</Table.Th>
            <Table.Th>Signal</Table.Th>
            <Table.Th>Firmware</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {nodes.map((node) => {
            const health = HEALTH_LABELS[nodeHealth(node, usualIntervalMs(node.node_requests.map((r) => r.ts)), now)];
            return (
              <Table.Tr key={node.id} data-testid="node-row" data-node-name={node.name}>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => props.onOpen(node)} data-testid="node-open">
                    {node.name}
                  </Button>
                </Table.Td>
                <Table.Td>{kindLabel(node.kind)}</Table.Td>
                <Table.Td>{nodeAssignment(node)}</Table.Td>
                <Table.Td>
                  <Badge color={health.color} variant="light" data-testid="node-health">
                    {health.label}
                  </Badge>
                </Table.Td>
                <Table.Td title={node.last_seen_at ? formatFarmTime(node.last_seen_at, timeZone, locale) : undefined} data-testid="node-last-seen">
                  {node.last_seen_at ? formatAge(node.last_seen_at, now) : 'never'}
                </Table.Td>
                <Table.Td>{formatBattery(node, locale)}</Table.Td>
                <Table.Td>{formatSignal(node.rssi)}</Table.Td>
                <Table.Td>{node.firmware ?? '—'}</Table.Td>
                <Table.Td>
                  {manages && !node.revoked_at && (
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="light" onClick={() => props.onRotate(node)} data-testid="node-rotate">
                        New token
                      </Button>
                      <Button size="compact-xs" variant="light" color="red" onClick={() => props.onRevoke(node)} data-testid="node-revoke">
                        Revoke
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ProvisionModal({ onClose, onCreated }: { onClose: () => void; onCreated: (t: ShownToken) => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('collar');
  const [place, setPlace] = useState<'animal' | 'pen' | 'none'>('animal');
  const [where, setWhere] = useState('');
  const [metric, setMetric] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (!name.trim()) return setFailure('The node needs a name.');
    setBusy(true);
    setFailure(undefined);
    try {
      const created = await provisionNode({
        name: name.trim(),
        kind,
        ...(place === 'animal' && where.trim() ? { animal: where.trim() } : {}),
        ...(place === 'pen' && where.trim() ? { pen: where.trim() } : {}),
        ...(metric.trim() ? { metric: metric.trim() } : {}),
      });
      onCreated({ ...created, rotated: false, metric: metric.trim() || undefined });
    } catch (err) {
      setFailure(authErrorMessage(err));
      setBusy(false);
    }
  }

  return (
    <MountedModal onClose={onClose} title="Add a node" data-testid="node-add-modal">
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <TextInput label="Name" description="As written on the device, e.g. collar-12" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus data-testid="node-name" />
          <Select label="Kind" data={NODE_KINDS.map((k) => ({ value: k, label: kindLabel(k) }))} value={kind} onChange={(v) => setKind(v ?? 'collar')} allowDeselect={false} data-testid="node-kind" />
          <Select
            label="Fitted to"
            data={[
              { value: 'animal', label: 'An animal' },
              { value: 'pen', label: 'A pen (stationary sensor)' },
              { value: 'none', label: 'Nothing yet (each reading names its animal)' },
            ]}
            value={place}
            onChange={(v) => setPlace((v as typeof place) ?? 'none')}
            allowDeselect={false}
            data-testid="node-place"
          />
          {place !== 'none' && (
            <TextInput
              label={place === 'animal' ? 'Animal tag or official ID' : 'Pen name'}
              description={place === 'pen' ? 'A new name creates the pen.' : undefined}
              value={where}
              onChange={(e) => setWhere(e.currentTarget.value)}
              data-testid="node-where"
            />
          )}
          <TextInput label="Metric of a bare value (optional)" description="e.g. temperature, for firmware that sends only a number" value={metric} onChange={(e) => setMetric(e.currentTarget.value)} data-testid="node-metric" />
          {failure && (
            <Alert color="red" data-testid="node-add-error">
              {failure}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="node-add-submit">
              Add and show the token
            </Button>
          </Group>
        </Stack>
      </form>
    </MountedModal>
  );
}

function TokenModal({ token, onClose }: { token: ShownToken; onClose: () => void }) {
  const [ingest, setIngest] = useState<string | null>();
  useEffect(() => {
    getOfficeInfo().then(
      (info) => setIngest(info.ingest_url),
      () => setIngest(null),
    );
  }, []);
  const base = ingestBaseUrl(ingest, window.location.hostname);
  const curl = curlExample(base, token.token, token.metric ?? 'temperature');
  return (
    <MountedModal onClose={onClose} title={token.rotated ? `New token for ${token.name}` : `Node ${token.name} added`} size="lg" data-testid="node-token-modal">
      <Stack>
        <Alert color="yellow" title="Shown once">
          Copy the token into the node now: the office keeps only a hash of it and cannot show it again.{token.rotated ? ' The old token no longer works.' : ''}
        </Alert>
        <Group gap="xs" wrap="nowrap">
          <Code style={{ wordBreak: 'break-all' }} data-testid="node-token">
            {token.token}
          </Code>
          <CopyButton value={token.token}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy} data-testid="node-token-copy">
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        {ingest === undefined ? (
          <Loading what="where nodes post" testId="node-curl-loading" />
        ) : (
          <>
            <Text size="sm">Try it from any computer on the farm network (the office listens for nodes at {base}):</Text>
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="node-curl">
              {curl}
            </Code>
          </>
        )}
        <Group justify="space-between">
          <CopyButton value={curl}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy} disabled={ingest === undefined} data-testid="node-curl-copy">
                {copied ? 'Copied' : 'Copy the command'}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose} data-testid="node-token-done">
            Done
          </Button>
        </Group>
      </Stack>
    </MountedModal>
  );
}

function ConfirmModal(props: { kind: 'rotate' | 'revoke'; node: NodeRow; onClose: () => void; onDone: (t?: NodeToken) => void; onError: (m: string) => void }) {
  const { kind, node } = props;
  const [busy, setBusy] = useState(false);
  async function go(): Promise<void> {
    setBusy(true);
    try {
      if (kind === 'rotate') props.onDone(await rotateNode(node.id));
      else {
        await revokeNode(node.id);
        props.onDone();
      }
    } catch (err) {
      props.onError(`Could not ${kind === 'rotate' ? 'give a new token to' : 'revoke'} “${node.name}”: ${authErrorMessage(err)}`);
    }
  }
  return (
    <MountedModal onClose={props.onClose} title={kind === 'rotate' ? `New token for ${node.name}?` : `Revoke ${node.name}?`} data-testid="node-confirm-modal">
      <Stack>
        <Text>
          {kind === 'rotate'
            ? 'The node’s current token stops working at once; it posts again once it has the new one.'
            : 'The node’s token stops working at once. Its readings stay. A revoked node cannot be brought back: provision a new one instead.'}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button color={kind === 'revoke' ? 'red' : undefined} loading={busy} onClick={() => void go()} data-testid="node-confirm">
            {kind === 'rotate' ? 'Make a new token' : 'Revoke'}
          </Button>
        </Group>
      </Stack>
    </MountedModal>
  );
}

function NodeDetail({ node, timeZone, locale }: { node: NodeRow; timeZone: string; locale: string }) {
  const [data, setData] = useState<NodeDetailData>();
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    setError(undefined);
    graphqlRequest<NodeDetailData, { id: number }>(NODE_DETAIL_QUERY, { id: node.id }).then(setData, (err: unknown) => setError(errorMessage(err)));
  }, [node.id]);
  useEffect(load, [load]);
  const counts = useMemo(
    () => `${node.accepted_count} accepted · ${node.duplicate_count} duplicates · ${node.quarantined_count} quarantined${node.last_ip ? ` · last from ${node.last_ip}` : ''}`,
    [node],
  );
  return (
    <Stack data-testid="node-detail">
      <Text size="sm" c="dimmed">
        {counts}
      </Text>
      <Group justify="flex-end">
        <Button size="xs" variant="subtle" onClick={load}>
          Refresh
        </Button>
      </Group>
      {error && <LoadError what="the node's log" error={error} onRetry={load} testId="node-detail-error" />}
      {!data ? (
        !error && <Loading what="the node's log" testId="node-detail-loading" />
      ) : (
        <Tabs defaultValue="requests">
          <Tabs.List>
            <Tabs.Tab value="requests">Requests ({data.node_requests.length})</Tabs.Tab>
            <Tabs.Tab value="quarantine">Quarantined ({data.quarantined_readings.length})</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="requests" pt="sm">
            {data.node_requests.length === 0 ? (
              <Text c="dimmed">No requests in the last 30 days.</Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped data-testid="node-requests">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Time</Table.Th>
                      <Table.Th>Route</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Accepted · dup. · quar.</Table.Th>
                      <Table.Th>Error</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.node_requests.map((r) => (
                      <Table.Tr key={r.id}>
                        <Table.Td>{formatFarmTime(r.ts, timeZone, locale)}</Table.Td>
                        <Table.Td>{r.route}</Table.Td>
                        <Table.Td>
                          <Badge color={r.status < 300 ? 'green' : r.status < 500 ? 'orange' : 'red'} variant="light">
                            {r.status}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          {r.accepted} · {r.duplicates} · {r.quarantined}
                        </Table.Td>
                        <Table.Td>{r.error ?? ''}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="quarantine" pt="sm">
            {data.quarantined_readings.length === 0 ? (
              <Text c="dimmed">Nothing quarantined.</Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped data-testid="node-quarantine">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Received</Table.Th>
                      <Table.Th>Item</Table.Th>
                      <Table.Th>Reason</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.quarantined_readings.map((q) => (
                      <Table.Tr key={q.id}>
                        <Table.Td>{formatFarmTime(q.received_at, timeZone, locale)}</Table.Td>
                        <Table.Td>
                          <Code>{JSON.stringify(q.item)}</Code>
                        </Table.Td>
                        <Table.Td>{q.reason}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}
