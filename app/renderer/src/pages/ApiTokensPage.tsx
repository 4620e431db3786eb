import { Alert, Badge, Button, Code, CopyButton, Group, Modal, NumberInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { LoadError, Loading, Notice, PageHeader } from '../components/PageParts.tsx';
import { useState, type FormEvent } from 'react';
import { authErrorMessage, createApiToken, listApiTokens, revokeApiToken, type ApiTokenRecord, type CreatedApiToken } from '../auth/auth-api.ts';
import { isRole, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, roleLabel, type Role } from '../auth/auth-model.ts';
import { useAuthResource } from '../auth/use-auth-resource.ts';
import { formatFarmTime } from '../herd-model.ts';
import type { FarmFormat } from '../farm-format.ts';
import { useFarmFormat } from '../use-farm-format.ts';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: `${ROLE_LABELS[r]} — ${ROLE_DESCRIPTIONS[r]}` }));

function formatTime(iso: string | null | undefined, { timeZone, locale }: FarmFormat): string {
  return iso ? formatFarmTime(iso, timeZone, locale) : '—';
}

function tokenState(token: ApiTokenRecord, now: number): { label: string; color: string } {
  if (token.revoked_at || token.revoked === true) return { label: 'Revoked', color: 'gray' };
  if (token.expires_at && Date.parse(token.expires_at) <= now) return { label: 'Expired', color: 'orange' };
  return { label: 'Active', color: 'green' };
}

export function ApiTokensPage() {
  const tokens = useAuthResource(listApiTokens);
  const format = useFarmFormat();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenRecord>();
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const now = Date.now();

  async function revoke(): Promise<void> {
    if (!revoking) return;
    setBusy(true);
    setActionError(undefined);
    try {
      await revokeApiToken(revoking.id);
      tokens.reload();
    } catch (err) {
      setActionError(`Could not revoke “${revoking.name}”: ${authErrorMessage(err)}`);
    } finally {
      setBusy(false);
      setRevoking(undefined);
    }
  }

  return (
    <Stack gap="md" data-testid="api-tokens-page">
      <PageHeader
        title="API tokens"
        description="For integrations and scripts that read or write the farm's data through GraphQL. Each acts with one role until it expires or is revoked."
        action={
          <Button onClick={() => setCreating(true)} data-testid="api-token-create">
            Create a token
          </Button>
        }
      />

      <Notice color="red" message={actionError} onClose={() => setActionError(undefined)} testId="api-tokens-action-error" />
      {tokens.error && <LoadError what="the API tokens" error={tokens.error} onRetry={tokens.reload} testId="api-tokens-error" />}

      {!tokens.data && tokens.loading ? (
        <Loading what="the API tokens" testId="api-tokens-loading" />
      ) : tokens.data?.length === 0 ? (
        <Text c="dimmed" data-testid="api-tokens-empty">
          No API tokens yet.
        </Text>
      ) : tokens.data ? (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover data-testid="api-tokens-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data.map((token) => {
                const state = tokenState(token, now);
                return (
                  <Table.Tr key={token.id} data-testid="api-token-row" data-name={token.name} data-state={state.label.toLowerCase()}>
                    <Table.Td>
                      <Text fw={600} size="sm">
                        {token.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>{roleLabel(token.role)}</Table.Td>
                    <Table.Td>{formatTime(token.created_at, format)}</Table.Td>
                    <Table.Td>{token.expires_at === null ? 'never' : formatTime(token.expires_at, format)}</Table.Td>
                    <Table.Td>
                      <Badge color={state.color} variant="light">
                        {state.label}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {state.label === 'Active' && (
                        <Button variant="default" color="red" size="compact-sm" onClick={() => setRevoking(token)} data-testid="api-token-revoke">
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}

      <CreateTokenModal opened={creating} onClose={() => setCreating(false)} onCreated={tokens.reload} />
      <Modal opened={revoking !== undefined} onClose={() => setRevoking(undefined)} title="Revoke this token?">
        <Stack gap="sm">
          <Text size="sm">
            Anything still using “{revoking?.name}” is refused from now on. This cannot be undone; create a new token instead.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(undefined)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={() => void revoke()} data-testid="api-token-revoke-confirm">
              Revoke
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function CreateTokenModal({ opened, onClose, onCreated }: { opened: boolean; onClose(): void; onCreated(): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState<number | string>(90);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken>();

  function close(): void {
    setName('');
    setRole('viewer');
    setDays(90);
    setError(undefined);
    setCreated(undefined);
    onClose();
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const expiresInDays = Number(days);
    if (!name.trim()) return setError('Enter a name that says what uses the token.');
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650) return setError('Choose between 1 and 3650 days.');
    setBusy(true);
    setError(undefined);
    try {
      setCreated(await createApiToken({ name: name.trim(), role, expires_in_days: expiresInDays }));
      onCreated();
    } catch (err) {
      setError(authErrorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={created ? 'Your new API token' : 'Create an API token'} closeOnClickOutside={!created} size="lg">
      {created ? (
        <Stack gap="sm" data-testid="api-token-created">
          <Alert color="yellow" title="Copy it now">
            This is the only time the token is shown: the office keeps only a hash of it. If you lose it, revoke it and create another.
          </Alert>
          <Code block data-testid="api-token-value" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
            {created.token}
          </Code>
          <Text size="xs" c="dimmed">
            Send it as <Code>Authorization: Bearer …</Code> with each GraphQL request.
          </Text>
          <Group justify="flex-end">
            <CopyButton value={created.token}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? 'teal' : undefined} onClick={copy} data-testid="api-token-copy">
                  {copied ? 'Copied' : 'Copy the token'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={close} data-testid="api-token-done">
              Done
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={(e) => void submit(e)} data-testid="api-token-form" noValidate>
          <Stack gap="sm">
            <TextInput label="Name" description="What uses it, e.g. “milking robot export”." value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus data-testid="api-token-name" />
            <Select label="Role" data={ROLE_OPTIONS} value={role} onChange={(r) => r && isRole(r) && setRole(r)} allowDeselect={false} data-testid="api-token-role" />
            <NumberInput label="Expires after (days)" min={1} max={3650} value={days} onChange={setDays} allowDecimal={false} data-testid="api-token-days" />
            {error && (
              <Alert color="red" data-testid="api-token-error">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={busy} data-testid="api-token-submit">
                Create
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
