import { Alert, Badge, Button, Group, Modal, MultiSelect, PasswordInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { LoadError, Loading, Notice, PageHeader } from '../components/PageParts.tsx';
import { useEffect, useState, type FormEvent } from 'react';
import { addUser, authErrorMessage, groupIdsOf, isDisabled, listUsers, updateUser, type UserRecord } from '../auth/auth-api.ts';
import { isRole, passwordProblem, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, type Role } from '../auth/auth-model.ts';
import { PasswordStrengthHint } from '../auth/PasswordStrengthHint.tsx';
import { session } from '../auth/session.ts';
import { useAuthResource } from '../auth/use-auth-resource.ts';
import { graphqlRequest } from '../graphql.ts';
import { formatFarmDate } from '../herd-model.ts';
import { useFarmFormat } from '../use-farm-format.ts';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: `${ROLE_LABELS[r]} — ${ROLE_DESCRIPTIONS[r]}` }));
const ROLE_SHORT_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));

const GROUPS_QUERY = /* GraphQL */ `
  query Groups {
    groups(order_by: { name: asc }) { id name }
  }
`;

interface FarmGroup {
  id: number;
  name: string;
}

/** The farm's groups, to name a vet's assigned groups; a failure only costs the names. */
function useGroups(): FarmGroup[] {
  const [groups, setGroups] = useState<FarmGroup[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    graphqlRequest<{ groups: FarmGroup[] }>(GROUPS_QUERY, undefined, { signal: controller.signal }).then(
      (data) => setGroups(data.groups),
      () => undefined,
    );
    return () => controller.abort();
  }, []);
  return groups;
}

export function UsersPage() {
  const users = useAuthResource(listUsers);
  const groups = useGroups();
  const { timeZone, locale } = useFarmFormat();
  const [actionError, setActionError] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<UserRecord>();
  const [busyId, setBusyId] = useState<string | number>();
  const me = session.getState();
  const myId = me.status === 'signed-in' ? me.user.id : undefined;
  const groupName = (id: number) => groups.find((g) => g.id === id)?.name ?? `#${id}`;

  async function change(user: UserRecord, patch: Parameters<typeof updateUser>[1], what: string): Promise<void> {
    setBusyId(user.id);
    setActionError(undefined);
    try {
      await updateUser(user.id, patch);
      users.reload();
    } catch (err) {
      setActionError(`Could not ${what} for ${user.name}: ${authErrorMessage(err)}`);
    } finally {
      setBusyId(undefined);
    }
  }

  return (
    <Stack gap="md" data-testid="users-page">
      <PageHeader
        title="Users"
        description="Who may sign in, and with what role. A role or password change signs that user out of every device."
        action={
          <Button onClick={() => setAdding(true)} data-testid="user-add">
            Add a user
          </Button>
        }
      />

      <Notice color="red" message={actionError} onClose={() => setActionError(undefined)} testId="users-action-error" />

      {users.error && <LoadError what="the users" error={users.error} onRetry={users.reload} testId="users-error" />}

      {!users.data && users.loading ? (
        <Loading what="the users" testId="users-loading" />
      ) : users.data ? (
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover data-testid="users-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Groups</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Added</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((user) => {
                const isMe = user.id === myId;
                const busy = busyId === user.id;
                const disabled = isDisabled(user);
                const groupIds = groupIdsOf(user);
                return (
                  <Table.Tr key={user.id} data-testid="user-row" data-name={user.name} data-role={user.role} data-disabled={disabled}>
                    <Table.Td>
                      <Text fw={600} size="sm">
                        {user.name}
                        {isMe && (
                          <Text span c="dimmed" size="xs">
                            {' '}
                            (you)
                          </Text>
                        )}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Select
                        data={isRole(user.role) ? ROLE_SHORT_OPTIONS : [...ROLE_SHORT_OPTIONS, { value: user.role, label: user.role }]}
                        value={user.role}
                        onChange={(role) => role && role !== user.role && isRole(role) && void change(user, { role }, 'change the role')}
                        disabled={isMe || busy}
                        title={isMe ? 'You cannot change your own role: another owner would have to.' : undefined}
                        allowDeselect={false}
                        size="xs"
                        w={130}
                        aria-label={`Role of ${user.name}`}
                        data-testid="user-role-select"
                      />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{groupIds.length ? groupIds.map(groupName).join(', ') : <Text span c="dimmed" size="sm">all</Text>}</Text>
                    </Table.Td>
                    <Table.Td>
                      {disabled ? (
                        <Badge color="gray" variant="light" data-testid="user-status">
                          Disabled
                        </Badge>
                      ) : (
                        <Badge color="green" variant="light" data-testid="user-status">
                          Active
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatFarmDate(user.created_at, timeZone, locale)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button variant="default" size="compact-sm" onClick={() => setResetting(user)} disabled={busy} data-testid="user-reset-password">
                          Reset password
                        </Button>
                        <Button
                          variant="default"
                          size="compact-sm"
                          color={disabled ? undefined : 'red'}
                          onClick={() => void change(user, { disabled: !disabled }, disabled ? 'enable the account' : 'disable the account')}
                          disabled={isMe || busy}
                          title={isMe ? 'You cannot disable your own account.' : undefined}
                          data-testid="user-toggle-disabled"
                        >
                          {disabled ? 'Enable' : 'Disable'}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}

      <AddUserModal opened={adding} groups={groups} onClose={() => setAdding(false)} onAdded={users.reload} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(undefined)} />
    </Stack>
  );
}

function AddUserModal({ opened, groups, onClose, onAdded }: { opened: boolean; groups: FarmGroup[]; onClose(): void; onAdded(): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('worker');
  const [password, setPassword] = useState('');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  function close(): void {
    setName('');
    setRole('worker');
    setPassword('');
    setGroupIds([]);
    setError(undefined);
    onClose();
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const problem = !name.trim() ? 'Enter a name.' : passwordProblem(password);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await addUser({ name: name.trim(), password, role, ...(groupIds.length ? { group_ids: groupIds.map(Number) } : {}) });
      onAdded();
      close();
    } catch (err) {
      setError(authErrorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title="Add a user">
      <form onSubmit={(e) => void submit(e)} data-testid="user-add-form" noValidate>
        <Stack gap="sm">
          <TextInput label="Name" description="What they type to sign in." value={name} onChange={(e) => setName(e.currentTarget.value)} autoComplete="off" data-autofocus data-testid="user-add-name" />
          <Select label="Role" data={ROLE_OPTIONS} value={role} onChange={(r) => r && isRole(r) && setRole(r)} allowDeselect={false} data-testid="user-add-role" comboboxProps={{ withinPortal: true }} />
          {role === 'vet' && (
            <MultiSelect
              label="Groups"
              description="Limit this vet to these groups' animals; none means all animals."
              data={groups.map((g) => ({ value: String(g.id), label: g.name }))}
              value={groupIds}
              onChange={setGroupIds}
              clearable
              data-testid="user-add-groups"
            />
          )}
          <PasswordInput label="Password" description="Give it to them in person; they cannot change it themselves yet." value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" data-testid="user-add-password" />
          <PasswordStrengthHint password={password} />
          {error && (
            <Alert color="red" data-testid="user-add-error">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="user-add-submit">
              Add
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user?: UserRecord; onClose(): void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  function close(): void {
    setPassword('');
    setError(undefined);
    setDone(false);
    onClose();
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!user) return;
    const problem = passwordProblem(password);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await updateUser(user.id, { password });
      setDone(true);
    } catch (err) {
      setError(authErrorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={user !== undefined} onClose={close} title={user ? `New password for ${user.name}` : ''}>
      {done ? (
        <Stack gap="sm">
          <Alert color="green" data-testid="user-reset-done">
            The password is changed, and {user?.name} is signed out everywhere. Give them the new password in person.
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={(e) => void submit(e)} data-testid="user-reset-form" noValidate>
          <Stack gap="sm">
            <PasswordInput label="New password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" data-autofocus data-testid="user-reset-new-password" />
            <PasswordStrengthHint password={password} />
            {error && (
              <Alert color="red" data-testid="user-reset-error">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={busy} data-testid="user-reset-submit">
                Set password
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

