// Animals and groups (issue 6, item 6): groups with their counts (create, rename); animals (create, edit, move
// several to a group, confirm a placeholder a node created); CSV import with a preview and per-row errors.
import { Alert, Badge, Button, Checkbox, FileButton, Group, Paper, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { LoadError, Loading, MountedModal, Notice, PageHeader, StaleData } from '../components/PageParts.tsx';
import { errorMessage, GraphqlError, graphqlRequest } from '../graphql.ts';
import {
  ANIMALS_PAGE_QUERY,
  ANIMALS_PAGE_SUBSCRIPTIONS,
  animalFormResult,
  animalLabel,
  CONFIRM_ANIMAL,
  EMPTY_FORM,
  filterAnimals,
  formOf,
  groupCount,
  herdErrorInWords,
  IMPORT_COLUMNS,
  importButtonLabel,
  namesInWords,
  runImport,
  INSERT_ANIMAL,
  INSERT_GROUP,
  MOVE_ANIMALS,
  moveLabel,
  previewImport,
  RENAME_GROUP,
  sentence,
  STATUSES,
  UPDATE_ANIMAL,
  type AnimalFilter,
  type AnimalForm,
  type AnimalRow,
  type AnimalsPageData,
  type GroupRow,
} from '../animals-model.ts';
import { useLiveQuery } from '../use-live-query.ts';

const POLL_MS = 5_000;
const LIVE = { query: ANIMALS_PAGE_QUERY, subscriptions: ANIMALS_PAGE_SUBSCRIPTIONS };

/** Runs a mutation; the office's refusal comes back in words. */
async function mutate(query: string, variables: Record<string, unknown>): Promise<string | undefined> {
  try {
    await graphqlRequest<unknown, Record<string, unknown>>(query, variables);
    return undefined;
  } catch (err) {
    return err instanceof GraphqlError ? herdErrorInWords(err.errors) : `The office could not be asked: ${errorMessage(err)}.`;
  }
}

type Editing = { kind: 'animal'; animal?: AnimalRow } | { kind: 'group'; group?: GroupRow } | { kind: 'import' };

export function AnimalsPage() {
  const { data, error } = useLiveQuery<AnimalsPageData>(LIVE, POLL_MS);
  const [editing, setEditing] = useState<Editing>();
  const [done, setDone] = useState<string>();
  const [failed, setFailed] = useState<string>();

  const finish = (message: string) => {
    setEditing(undefined);
    setFailed(undefined);
    setDone(message);
  };

  return (
    <Stack gap="md" data-testid="animals-page">
      <PageHeader
        title="Animals and groups"
        description={data ? `${data.animals.length} animal${data.animals.length === 1 ? '' : 's'} in ${data.groups.length} group${data.groups.length === 1 ? '' : 's'}` : 'The herd’s register'}
        action={
          <Group gap="xs">
            <Button variant="light" onClick={() => setEditing({ kind: 'import' })} disabled={!data} data-testid="animals-import-open">
              Import CSV
            </Button>
            <Button onClick={() => setEditing({ kind: 'animal' })} disabled={!data} data-testid="animal-add">
              Add animal
            </Button>
          </Group>
        }
      />
      <Notice color="green" message={done} onClose={() => setDone(undefined)} testId="animals-done" />
      <Notice color="red" message={failed} onClose={() => setFailed(undefined)} testId="animals-failed" />
      {error && data && (
        <StaleData error={error} testId="animals-stale" />
      )}
      {!data ? (
        error ? <LoadError what="the animals" error={error} testId="animals-error" /> : <Loading what="the animals" testId="animals-loading" />
      ) : (
        <>
          <Groups groups={data.groups} onAdd={() => setEditing({ kind: 'group' })} onRename={(group) => setEditing({ kind: 'group', group })} />
          <Animals data={data} onEdit={(animal) => setEditing({ kind: 'animal', animal })} onDone={finish} onFailed={setFailed} />
        </>
      )}
      {data && editing?.kind === 'group' && <GroupModal group={editing.group} onClose={() => setEditing(undefined)} onDone={finish} />}
      {data && editing?.kind === 'animal' && <AnimalModal animal={editing.animal} data={data} onClose={() => setEditing(undefined)} onDone={finish} />}
      {data && editing?.kind === 'import' && <ImportModal data={data} onClose={() => setEditing(undefined)} onDone={finish} />}
    </Stack>
  );
}

function Groups({ groups, onAdd, onRename }: { groups: GroupRow[]; onAdd(): void; onRename(g: GroupRow): void }) {
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Groups</Title>
        <Button size="xs" variant="light" onClick={onAdd} data-testid="group-add">
          New group
        </Button>
      </Group>
      {groups.length === 0 ? (
        <Text c="dimmed" data-testid="groups-empty">
          No groups yet. Groups (or pens) let you compare animals and move them together.
        </Text>
      ) : (
        <Group gap="xs" data-testid="groups-list">
          {groups.map((g) => (
            <Badge
              key={g.id}
              size="lg"
              variant="light"
              tt="none"
              data-testid="group-row"
              data-group-name={g.name}
              rightSection={
                <Button size="compact-xs" variant="subtle" onClick={() => onRename(g)} aria-label={`Rename ${g.name}`} data-testid="group-rename">
                  Rename
                </Button>
              }
            >
              {g.name} · <span data-testid="group-count">{groupCount(g)}</span>
            </Badge>
          ))}
        </Group>
      )}
    </Paper>
  );
}

function Animals({ data, onEdit, onDone, onFailed }: { data: AnimalsPageData; onEdit(a: AnimalRow): void; onDone(m: string): void; onFailed(m: string): void }) {
  const [filter, setFilter] = useState<AnimalFilter>({ search: '', group: '', unconfirmedOnly: false });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [target, setTarget] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = useMemo(() => filterAnimals(data.animals, filter), [data.animals, filter]);
  const groupName = new Map(data.groups.map((g) => [g.id, g.name]));
  const groupOptions = data.groups.map((g) => ({ value: String(g.id), label: g.name }));
  const chosen = [...selected].filter((id) => data.animals.some((a) => a.id === id));
  const unconfirmed = data.animals.filter((a) => a.unconfirmed).length;

  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  async function move() {
    if (!target || chosen.length === 0) return;
    setBusy(true);
    const groupId = target === 'none' ? null : Number(target);
    const problem = await mutate(MOVE_ANIMALS, { ids: chosen, group_id: groupId });
    setBusy(false);
    if (problem) return onFailed(problem);
    setSelected(new Set());
    onDone(moveLabel(chosen.length, groupId === null ? undefined : groupName.get(groupId)));
  }

  async function confirm(a: AnimalRow) {
    const problem = await mutate(CONFIRM_ANIMAL, { id: a.id });
    if (problem) return onFailed(problem);
    onDone(`${animalLabel(a)} is confirmed.`);
  }

  return (
    <Paper withBorder p="sm">
      <Title order={4} mb="xs">
        Animals
      </Title>
      {unconfirmed > 0 && (
        <Alert color="orange" mb="sm" data-testid="animals-unconfirmed-note">
          {unconfirmed} animal{unconfirmed === 1 ? ' was' : 's were'} created by a node for an ID the office did not know. Check the tag, complete the
          record with Edit, then Confirm.
        </Alert>
      )}
      <Group gap="sm" mb="sm" wrap="wrap">
        <TextInput placeholder="Search tag, official ID or name" aria-label="Search" value={filter.search} onChange={(e) => setFilter((f) => ({ ...f, search: e.currentTarget.value }))} w={260} data-testid="animals-search" />
        <Select
          aria-label="Group filter"
          placeholder="All groups"
          clearable
          data={[{ value: 'none', label: 'Without a group' }, ...groupOptions]}
          value={filter.group || null}
          onChange={(v) => setFilter((f) => ({ ...f, group: v ?? '' }))}
          w={200}
          data-testid="animals-group-filter"
        />
        <Checkbox label="Unconfirmed only" checked={filter.unconfirmedOnly} onChange={(e) => setFilter((f) => ({ ...f, unconfirmedOnly: e.currentTarget.checked }))} data-testid="animals-unconfirmed-filter" />
      </Group>
      {chosen.length > 0 && (
        <Group gap="sm" mb="sm" data-testid="animals-move-bar">
          <Text size="sm">{chosen.length} selected: move to</Text>
          <Select aria-label="Move to group" placeholder="Choose a group" data={[{ value: 'none', label: 'No group' }, ...groupOptions]} value={target} onChange={setTarget} w={200} data-testid="animals-move-target" />
          <Button size="xs" onClick={() => void move()} disabled={!target} loading={busy} data-testid="animals-move">
            Move
          </Button>
          <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
            Clear selection
          </Button>
        </Group>
      )}
      {data.animals.length === 0 ? (
        <Text c="dimmed" data-testid="animals-empty">
          No animals yet: add one, or import a CSV file.
        </Text>
      ) : shown.length === 0 ? (
        <Text c="dimmed" data-testid="animals-no-match">
          No animal matches these filters.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped highlightOnHover data-testid="animals-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>
                  <Checkbox
                    aria-label="Select all shown"
                    checked={shown.length > 0 && shown.every((a) => selected.has(a.id))}
                    indeterminate={shown.some((a) => selected.has(a.id)) && !shown.every((a) => selected.has(a.id))}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setSelected((s) => {
                        const next = new Set(s);
                        for (const a of shown) on ? next.add(a.id) : next.delete(a.id);
                        return next;
                      });
                    }}
                    data-testid="animals-select-all"
                  />
                </Table.Th>
                <Table.Th>Tag</Table.Th>
                <Table.Th>Official ID</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Sex</Table.Th>
                <Table.Th>Born</Table.Th>
                <Table.Th>Breed</Table.Th>
                <Table.Th>Group</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((a) => (
                <Table.Tr key={a.id} data-testid="animal-row" data-animal-tag={a.tag ?? ''} data-animal-id={a.id}>
                  <Table.Td>
                    <Checkbox aria-label={`Select ${animalLabel(a)}`} checked={selected.has(a.id)} onChange={(e) => toggle(a.id, e.currentTarget.checked)} data-testid="animal-select" />
                  </Table.Td>
                  <Table.Td>{a.tag ?? '—'}</Table.Td>
                  <Table.Td>{a.official_id ?? '—'}</Table.Td>
                  <Table.Td>{a.name ?? '—'}</Table.Td>
                  <Table.Td>{a.sex === 'male' ? 'Male' : 'Female'}</Table.Td>
                  <Table.Td>{a.birth_date ?? '—'}</Table.Td>
                  <Table.Td>{a.breed ?? '—'}</Table.Td>
                  <Table.Td data-testid="animal-group">{a.group_id === null ? '—' : (groupName.get(a.group_id) ?? '—')}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge variant="light" color={a.status === 'active' ? 'green' : 'gray'}>
                        {STATUSES.find((s) => s.value === a.status)?.label ?? a.status}
                      </Badge>
                      {a.unconfirmed && (
                        <Badge color="orange" data-testid="animal-unconfirmed">
                          Unconfirmed
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="light" onClick={() => onEdit(a)} data-testid="animal-edit">
                        Edit
                      </Button>
                      {a.unconfirmed && (
                        <Button size="compact-xs" color="orange" onClick={() => void confirm(a)} data-testid="animal-confirm">
                          Confirm
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function GroupModal({ group, onClose, onDone }: { group?: GroupRow; onClose(): void; onDone(m: string): void }) {
  const [name, setName] = useState(group?.name ?? '');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function save() {
    const trimmed = name.trim();
    if (!trimmed) return setProblem('A group needs a name.');
    if (trimmed.length > 64) return setProblem('At most 64 characters.');
    setBusy(true);
    const failed = group ? await mutate(RENAME_GROUP, { id: group.id, name: trimmed }) : await mutate(INSERT_GROUP, { name: trimmed });
    setBusy(false);
    if (failed) return setProblem(failed);
    onDone(group ? `Renamed ${group.name} to ${trimmed}.` : `Created the group ${trimmed}.`);
  }
  return (
    <MountedModal onClose={onClose} title={group ? `Rename ${group.name}` : 'New group'} data-testid="group-modal">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={problem} data-autofocus data-testid="group-name" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="group-save">
              {group ? 'Rename' : 'Create'}
            </Button>
          </Group>
        </Stack>
      </form>
    </MountedModal>
  );
}

function AnimalModal({ animal, data, onClose, onDone }: { animal?: AnimalRow; data: AnimalsPageData; onClose(): void; onDone(m: string): void }) {
  const [form, setForm] = useState<AnimalForm>(animal ? formOf(animal) : EMPTY_FORM);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const field = (key: keyof AnimalForm) => ({
    value: form[key],
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
  });
  async function save() {
    const result = animalFormResult(form, data.animals.filter((a) => a.id !== animal?.id));
    if ('problems' in result) return setProblems(result.problems);
    setBusy(true);
    const failed = animal ? await mutate(UPDATE_ANIMAL, { id: animal.id, set: result.set }) : await mutate(INSERT_ANIMAL, { object: result.set });
    setBusy(false);
    if (failed) return setProblems([failed]);
    const label = animalLabel({ id: animal?.id ?? 0, tag: result.set.tag as string | null, official_id: result.set.official_id as string | null, name: result.set.name as string | null });
    onDone(animal ? `Saved ${label}.` : `Added ${label}.`);
  }
  return (
    <MountedModal onClose={onClose} title={animal ? `Edit ${animalLabel(animal)}` : 'Add an animal'} size="lg" data-testid="animal-modal">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap="sm">
          {problems.length > 0 && (
            <Alert color="red" data-testid="animal-problems">
              {problems.map((p) => (
                <div key={p}>{p}</div>
              ))}
            </Alert>
          )}
          <Group grow>
            <TextInput label="Tag" description="The visual tag read in the barn" {...field('tag')} data-autofocus data-testid="animal-tag" />
            <TextInput label="Official ID" description="EID, e.g. 276 0001 2345 6789" {...field('official_id')} data-testid="animal-official-id" />
          </Group>
          <Group grow>
            <TextInput label="Name" {...field('name')} data-testid="animal-name" />
            <TextInput label="Breed" {...field('breed')} data-testid="animal-breed" />
          </Group>
          <Group grow>
            <Select label="Sex" data={[{ value: 'female', label: 'Female' }, { value: 'male', label: 'Male' }]} value={form.sex} onChange={(v) => v && setForm((f) => ({ ...f, sex: v as AnimalForm['sex'] }))} allowDeselect={false} data-testid="animal-sex" />
            <TextInput label="Birth date" type="date" {...field('birth_date')} data-testid="animal-birth-date" />
          </Group>
          <Group grow>
            <Select
              label="Group"
              placeholder="No group"
              clearable
              data={data.groups.map((g) => ({ value: String(g.id), label: g.name }))}
              value={form.group_id || null}
              onChange={(v) => setForm((f) => ({ ...f, group_id: v ?? '' }))}
              data-testid="animal-group-select"
            />
            <Select label="Status" data={STATUSES} value={form.status} onChange={(v) => v && setForm((f) => ({ ...f, status: v as AnimalForm['status'] }))} allowDeselect={false} data-testid="animal-status" />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="animal-save">
              {animal ? 'Save' : 'Add'}
            </Button>
          </Group>
        </Stack>
      </form>
    </MountedModal>
  );
}

function ImportModal({ data, onClose, onDone }: { data: AnimalsPageData; onClose(): void; onDone(m: string): void }) {
  const [text, setText] = useState('');
  const [failed, setFailed] = useState<string>();
  const [busy, setBusy] = useState(false);
  const preview = useMemo(() => (text.trim() ? previewImport(text, data.animals, data.groups) : undefined), [text, data.animals, data.groups]);
  const bad = preview?.rows.filter((r) => r.errors.length > 0).length ?? 0;

  async function load(file: File | null) {
    if (!file) return;
    try {
      setText(await file.text());
    } catch (err) {
      setFailed(`Cannot read ${file.name}: ${errorMessage(err)}.`);
    }
  }

  async function run() {
    if (!preview?.ok) return;
    setBusy(true);
    setFailed(undefined);
    try {
      const { imported, createdGroups } = await runImport(preview, data.groups, (query, variables) => graphqlRequest(query, variables));
      const animals = `${imported} animal${imported === 1 ? '' : 's'}`;
      onDone(createdGroups.length ? `Created group${createdGroups.length === 1 ? '' : 's'} ${namesInWords(createdGroups)} and imported ${animals}.` : `Imported ${animals}.`);
    } catch (err) {
      setFailed(`Nothing was imported: ${err instanceof GraphqlError ? herdErrorInWords(err.errors) : `the office could not be asked: ${errorMessage(err)}.`}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <MountedModal onClose={onClose} title="Import animals from CSV" size="xl" data-testid="import-modal">
      <Stack gap="sm">
        <Text size="sm">
          A header row naming any of <code>{IMPORT_COLUMNS.join(',')}</code>, then one animal per line. Every row is checked before anything is
          stored; if one has an error, nothing is imported. Groups the file names that the farm does not have yet can be created with the import.
        </Text>
        <Group>
          <FileButton onChange={(f) => void load(f)} accept=".csv,text/csv,text/plain">
            {(props) => (
              <Button variant="light" {...props} data-testid="import-file">
                Choose a file…
              </Button>
            )}
          </FileButton>
          <Text size="sm" c="dimmed">
            or paste it below, and correct it here.
          </Text>
        </Group>
        <Textarea
          aria-label="CSV"
          autosize
          minRows={4}
          maxRows={12}
          ff="monospace"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          placeholder={`${IMPORT_COLUMNS.join(',')}\n276000123456789,DE01,Berta,female,2021-04-01,Holstein,Heifers`}
          data-testid="import-text"
        />
        {failed && (
          <Alert color="red" data-testid="import-failed">
            {failed}
          </Alert>
        )}
        {preview?.fileError && (
          <Alert color="red" data-testid="import-file-error">
            {preview.fileError}
          </Alert>
        )}
        {preview && preview.rows.length > 0 && (
          <>
            <Text size="sm" data-testid="import-summary" c={bad ? 'red' : undefined}>
              {bad
                ? `${bad} of ${preview.rows.length} row${preview.rows.length === 1 ? ' has' : 's have'} errors: correct them, then import.`
                : `${preview.rows.length} animal${preview.rows.length === 1 ? '' : 's'} ready to import.`}
            </Text>
            {preview.missingGroups.length > 0 && (
              <Alert color="yellow" title={`${preview.missingGroups.length === 1 ? 'A group' : `${preview.missingGroups.length} groups`} the farm does not have`} data-testid="import-missing-groups">
                <Text size="sm">
                  The file puts animals in {namesInWords(preview.missingGroups)}, which do{preview.missingGroups.length === 1 ? 'es' : ''} not exist yet. Check the spelling
                  against the farm's groups ({data.groups.length ? namesInWords(data.groups.map((g) => g.name)) : 'none yet'}); if{' '}
                  {preview.missingGroups.length === 1 ? 'it is' : 'they are'} new, import creates {preview.missingGroups.length === 1 ? 'it' : 'them'} first.
                </Text>
              </Alert>
            )}
            <Table.ScrollContainer minWidth={700} mah={320}>
              <Table data-testid="import-preview">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Line</Table.Th>
                    <Table.Th>Tag</Table.Th>
                    <Table.Th>Official ID</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Group</Table.Th>
                    <Table.Th>Check</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview.rows.map((r) => (
                    <Table.Tr key={r.line} data-testid="import-row" data-line={r.line} data-ok={r.errors.length === 0}>
                      <Table.Td>{r.line}</Table.Td>
                      <Table.Td>{r.input.tag}</Table.Td>
                      <Table.Td>{r.input.official_id}</Table.Td>
                      <Table.Td>{r.input.name}</Table.Td>
                      <Table.Td>
                        {r.input.group}
                        {r.animal?.group && preview.missingGroups.includes(r.animal.group) && (
                          <Text span size="xs" c="yellow.8" data-testid="import-row-new-group">
                            {' '}
                            (new)
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {r.errors.length === 0 ? (
                          <Text size="sm" c="green">
                            OK
                          </Text>
                        ) : (
                          <Text size="sm" c="red" data-testid="import-row-error">
                            {r.errors.map(sentence).join(' ')}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void run()} disabled={!preview?.ok} loading={busy} data-testid="import-submit">
            {importButtonLabel(preview)}
          </Button>
        </Group>
      </Stack>
    </MountedModal>
  );
}
