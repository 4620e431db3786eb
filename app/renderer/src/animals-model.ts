// The animals and groups page's rules (issue 6, item 6): the queries and mutations, the animal form's checks,
// and the CSV import's parsing and validation. One animal's fields are checked by app/shared/animal-input.ts,
// the same rules `npm run cli -- animal import` applies (app/main/herd/animals.ts).
import { validateAnimal, type AnimalInput, type Sex, type ValidAnimal } from '../../shared/animal-input.ts';

export { validateAnimal, type AnimalInput, type Sex, type ValidAnimal };

/** An error as the office reports it (the shape of graphql.ts's GraphqlErrorEntry, kept here so the unit tests need no DOM). */
export interface OfficeError {
  message: string;
  extensions?: Record<string, unknown>;
}

const ANIMAL_FIELDS = 'id tag official_id name sex birth_date breed group_id status unconfirmed';

export const ANIMALS_PAGE_QUERY = /* GraphQL */ `query AnimalsPage {
  groups(order_by: {name: asc}) { id name kind animals_aggregate { aggregate { count } } }
  animals(order_by: [{unconfirmed: desc}, {tag: asc_nulls_last}, {id: asc}]) { ${ANIMAL_FIELDS} }
}`;

export const ANIMALS_PAGE_SUBSCRIPTIONS = [
  /* GraphQL */ `subscription AnimalsPageGroups { groups(order_by: {name: asc}) { id name kind animals_aggregate { aggregate { count } } } }`,
  /* GraphQL */ `subscription AnimalsPageAnimals { animals(order_by: [{unconfirmed: desc}, {tag: asc_nulls_last}, {id: asc}]) { ${ANIMAL_FIELDS} } }`,
] as const;

export const INSERT_GROUP = /* GraphQL */ `mutation InsertGroup($name: String!) { insert_groups_one(object: {name: $name}) { id name } }`;
export const RENAME_GROUP = /* GraphQL */ `mutation RenameGroup($id: Int!, $name: String!) { update_groups_by_pk(pk_columns: {id: $id}, _set: {name: $name}) { id name } }`;
export const INSERT_ANIMAL = /* GraphQL */ `mutation InsertAnimal($object: animals_insert_input!) { insert_animals_one(object: $object) { id } }`;
export const UPDATE_ANIMAL = /* GraphQL */ `mutation UpdateAnimal($id: Int!, $set: animals_set_input!) { update_animals_by_pk(pk_columns: {id: $id}, _set: $set) { id } }`;
export const MOVE_ANIMALS = /* GraphQL */ `mutation MoveAnimals($ids: [Int!]!, $group_id: Int) { update_animals(where: {id: {_in: $ids}}, _set: {group_id: $group_id}) { affected_rows } }`;
export const CONFIRM_ANIMAL = /* GraphQL */ `mutation ConfirmAnimal($id: Int!) { update_animals_by_pk(pk_columns: {id: $id}, _set: {unconfirmed: false}) { id unconfirmed } }`;
export const IMPORT_ANIMALS = /* GraphQL */ `mutation ImportAnimals($objects: [animals_insert_input!]!) { insert_animals(objects: $objects) { affected_rows } }`;
/** The groups a CSV names that the farm does not have yet, made before its animals are imported into them. */
export const CREATE_GROUPS = /* GraphQL */ `mutation CreateGroups($objects: [groups_insert_input!]!) { insert_groups(objects: $objects) { returning { id name } } }`;
/** Undoes CREATE_GROUPS when the import then fails (the groups were made a moment before, for this import alone). */
export const DELETE_GROUPS = /* GraphQL */ `mutation DeleteGroups($ids: [Int!]!) { delete_groups(where: {id: {_in: $ids}}) { affected_rows } }`;

export type AnimalStatus = 'active' | 'dry' | 'sold' | 'dead';
export const STATUSES: { value: AnimalStatus; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'dry', label: 'Dry' },
  { value: 'sold', label: 'Sold' },
  { value: 'dead', label: 'Dead' },
];

export interface GroupRow {
  id: number;
  name: string;
  kind: string;
  animals_aggregate: { aggregate: { count: number } | null };
}

export interface AnimalRow {
  id: number;
  tag: string | null;
  official_id: string | null;
  name: string | null;
  sex: Sex;
  birth_date: string | null;
  breed: string | null;
  group_id: number | null;
  status: AnimalStatus;
  unconfirmed: boolean;
}

export interface AnimalsPageData {
  groups: GroupRow[];
  animals: AnimalRow[];
}

export function groupCount(group: GroupRow): number {
  return group.animals_aggregate.aggregate?.count ?? 0;
}

/** "DE01 (Berta)", or the official ID when there is no tag. */
export function animalLabel(a: Pick<AnimalRow, 'tag' | 'official_id' | 'name' | 'id'>): string {
  const id = a.tag ?? a.official_id ?? `#${a.id}`;
  return a.name ? `${id} (${a.name})` : id;
}

/** The fields of one animal as typed (into the form, or a CSV row). */
export const IMPORT_COLUMNS = ['official_id', 'tag', 'name', 'sex', 'birth_date', 'breed', 'group'] as const;

/** RFC 4180 CSV: quoted fields (with "" for a quote and line breaks inside), a BOM dropped, blank lines skipped. */
export function parseCsv(text: string): { records: { line: number; fields: string[] }[] } | { error: string } {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields: fields.map((f) => f.trim()) });
    fields = [];
    field = '';
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field.trim() !== '') return { error: `line ${line}: a quote in the middle of a field` };
      field = '';
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
    i++;
  }
  if (quoted) return { error: `line ${recordLine}: a quoted field is not closed` };
  if (field !== '' || fields.length) endRecord();
  return { records };
}

export interface ImportRow {
  line: number;
  input: AnimalInput;
  animal?: ValidAnimal;
  errors: string[];
}

export interface ImportPreview {
  /** A problem with the whole file (not CSV, no header, unknown columns); no rows then. */
  fileError?: string;
  rows: ImportRow[];
  /**
   * Groups the file names that the farm does not have, in the file's order: not a row's error (the farmer can
   * have them created with the import), but the import cannot go ahead without them.
   */
  missingGroups: string[];
  /** Whether the file can be imported: rows, and none with an error (the missing groups are created first). */
  ok: boolean;
}

/**
 * The import as the office would do it, before anything is stored: each row checked, and a tag or official ID
 * used twice in the file or already by an animal reported per line. Groups that do not exist are listed apart,
 * once each, for the page to offer to create them: a typo in one shows there as a group next to the right one.
 */
export function previewImport(csv: string, existing: Pick<AnimalRow, 'tag' | 'official_id'>[], groups: Pick<GroupRow, 'name'>[], now = Date.now()): ImportPreview {
  const parsed = parseCsv(csv);
  const refused = (fileError: string): ImportPreview => ({ fileError, rows: [], missingGroups: [], ok: false });
  if ('error' in parsed) return refused(`The file is not valid CSV: ${parsed.error}.`);
  const [header, ...records] = parsed.records;
  if (!header) return refused(`The file is empty: expected a header row such as ${IMPORT_COLUMNS.join(',')}.`);
  const columns = header.fields.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) return refused(`Unknown column(s) ${unknown.join(', ')}; known: ${IMPORT_COLUMNS.join(', ')}.`);
  if (!columns.includes('tag') && !columns.includes('official_id')) return refused('The header must have a tag or an official_id column.');
  if (records.length === 0) return refused('The file has a header but no animals.');

  const taken = new Set(existing.flatMap((a) => [a.tag, a.official_id]).filter((v): v is string => !!v));
  const groupNames = new Set(groups.map((g) => g.name));
  const missing = new Set<string>();
  const seen = new Map<string, number>();
  const rows = records.map(({ line, fields }): ImportRow => {
    const input = Object.fromEntries(columns.map((c, j) => [c, fields[j]])) as AnimalInput;
    if (fields.length !== columns.length) return { line, input, errors: [`${fields.length} fields where the header has ${columns.length}`] };
    const result = validateAnimal(input, now);
    if (Array.isArray(result)) return { line, input, errors: result };
    const errors: string[] = [];
    for (const id of [result.tag, result.official_id]) {
      if (!id) continue;
      const first = seen.get(id);
      if (first !== undefined) errors.push(`"${id}" is also on line ${first}`);
      else seen.set(id, line);
      if (taken.has(id)) errors.push(`an animal with tag or official ID "${id}" already exists`);
    }
    if (result.group && !groupNames.has(result.group)) missing.add(result.group);
    return { line, input, animal: result, errors };
  });
  return { rows, missingGroups: [...missing], ok: rows.every((r) => r.errors.length === 0) };
}

/** The rows of an error-free preview as `insert_animals` objects. */
export function importObjects(preview: ImportPreview, groups: Pick<GroupRow, 'id' | 'name'>[]): Record<string, unknown>[] {
  const byName = new Map(groups.map((g) => [g.name, g.id]));
  return preview.rows.map(({ animal }) => {
    const a = animal!;
    return { official_id: a.official_id, tag: a.tag, name: a.name, sex: a.sex, birth_date: a.birth_date, breed: a.breed, group_id: a.group ? (byName.get(a.group) ?? null) : null };
  });
}

/** "Heifers", "Heifers and Barn B", "Heifers, Barn B and Calves": names as the farmer reads them in a sentence. */
export function namesInWords(names: readonly string[]): string {
  const quoted = names.map((n) => `“${n}”`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

/** The import button's words: what will happen when it is pressed. */
export function importButtonLabel(preview: ImportPreview | undefined): string {
  if (!preview?.ok) return 'Import';
  const n = `${preview.rows.length} animal${preview.rows.length === 1 ? '' : 's'}`;
  const g = preview.missingGroups;
  if (g.length === 0) return `Import ${n}`;
  return `Create group${g.length === 1 ? '' : 's'} ${namesInWords(g)} and import ${n}`;
}

/** Sends a GraphQL mutation; throws the office's refusal (graphql.ts's graphqlRequest, or a fake in the tests). */
export type Mutate = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

/**
 * Imports an error-free preview: first the groups it names that do not exist, then all its animals in one
 * insert (one transaction: every row or none). The office's GraphQL has no nested insert, so an animal cannot
 * name a group made in the same request; if the animals are then refused, the groups just made are deleted
 * again, so a failed import leaves the farm as it was. Throws the refusal that stopped it.
 */
export async function runImport(preview: ImportPreview, groups: readonly Pick<GroupRow, 'id' | 'name'>[], mutate: Mutate): Promise<{ imported: number; createdGroups: string[] }> {
  if (!preview.ok) throw new Error('the preview has errors');
  let created: { id: number; name: string }[] = [];
  if (preview.missingGroups.length) {
    const answer = await mutate<{ insert_groups: { returning: { id: number; name: string }[] } }>(CREATE_GROUPS, { objects: preview.missingGroups.map((name) => ({ name })) });
    created = answer.insert_groups.returning;
  }
  try {
    await mutate(IMPORT_ANIMALS, { objects: importObjects(preview, [...groups, ...created]) });
  } catch (err) {
    if (created.length) await mutate(DELETE_GROUPS, { ids: created.map((g) => g.id) }).catch(() => undefined);
    throw err;
  }
  return { imported: preview.rows.length, createdGroups: created.map((g) => g.name) };
}

/** The animal form (create and edit). */
export interface AnimalForm {
  tag: string;
  official_id: string;
  name: string;
  sex: Sex;
  birth_date: string;
  breed: string;
  group_id: string;
  status: AnimalStatus;
}

export const EMPTY_FORM: AnimalForm = { tag: '', official_id: '', name: '', sex: 'female', birth_date: '', breed: '', group_id: '', status: 'active' };

export function formOf(a: AnimalRow): AnimalForm {
  return {
    tag: a.tag ?? '',
    official_id: a.official_id ?? '',
    name: a.name ?? '',
    sex: a.sex,
    birth_date: a.birth_date ?? '',
    breed: a.breed ?? '',
    group_id: a.group_id === null ? '' : String(a.group_id),
    status: a.status,
  };
}

/** The form checked: problems in words, or the columns to store. `others` are the other animals (for a taken tag). */
export function animalFormResult(
  form: AnimalForm,
  others: Pick<AnimalRow, 'tag' | 'official_id'>[],
  now = Date.now(),
): { problems: string[] } | { set: Record<string, unknown> } {
  const result = validateAnimal({ ...form, group: undefined }, now);
  if (Array.isArray(result)) return { problems: result.map(sentence) };
  const taken = new Set(others.flatMap((a) => [a.tag, a.official_id]).filter((v): v is string => !!v));
  const problems = [result.tag, result.official_id].filter((id): id is string => !!id && taken.has(id)).map((id) => `Another animal already has the tag or official ID "${id}".`);
  if (problems.length) return { problems };
  return {
    set: {
      tag: result.tag,
      official_id: result.official_id,
      name: result.name,
      sex: result.sex,
      birth_date: result.birth_date,
      breed: result.breed,
      group_id: form.group_id ? Number(form.group_id) : null,
      status: form.status,
    },
  };
}

/** "an animal needs a tag" → "An animal needs a tag." */
export function sentence(s: string): string {
  const t = s.trim();
  return t ? t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.') : t;
}

/** The office's refusal of an animals or groups mutation, in words. */
export function herdErrorInWords(errors: readonly OfficeError[]): string {
  const e = errors[0];
  if (!e) return 'The office refused the change.';
  const msg = e.message;
  const code = String(e.extensions?.code ?? '');
  if (/animals_tag_key/.test(msg)) return 'Another animal already has this tag.';
  if (/animals_official_id_key/.test(msg)) return 'Another animal already has this official ID.';
  if (/groups_name_key/.test(msg)) return 'There is already a group with this name.';
  if (/groups_name_check/.test(msg)) return 'A group needs a name.';
  if (/animals_check/.test(msg)) return 'An animal needs a tag or an official ID.';
  if (/animals_sex_check/.test(msg)) return 'Sex must be female or male.';
  if (/animals_status_check/.test(msg)) return 'The status must be active, dry, sold or dead.';
  if (/foreign key/i.test(msg)) return 'The group or animal no longer exists; the page shows the current state.';
  if (code === 'permission-error' || /not found in type: 'mutation_root'/.test(msg)) return 'Your role may not change animals or groups.';
  if (code === 'data-exception') return `The office could not take a value: ${msg}`;
  return msg;
}

export interface AnimalFilter {
  search: string;
  /** '' all, 'none' without a group, or a group id. */
  group: string;
  unconfirmedOnly: boolean;
}

export function filterAnimals(animals: readonly AnimalRow[], f: AnimalFilter): AnimalRow[] {
  const q = f.search.trim().toLowerCase();
  return animals.filter((a) => {
    if (f.unconfirmedOnly && !a.unconfirmed) return false;
    if (f.group === 'none' && a.group_id !== null) return false;
    if (f.group && f.group !== 'none' && String(a.group_id) !== f.group) return false;
    if (q && ![a.tag, a.official_id, a.name].some((v) => v?.toLowerCase().includes(q))) return false;
    return true;
  });
}

/** "Move 3 animals to Heifers", "Take 1 animal out of its group". */
export function moveLabel(count: number, groupName: string | undefined): string {
  const n = `${count} animal${count === 1 ? '' : 's'}`;
  return groupName ? `Moved ${n} to ${groupName}.` : `Took ${n} out of ${count === 1 ? 'its group' : 'their groups'}.`;
}
