import { parse } from 'csv-parse/sync';
import type { Database, Queryable } from '../../db/index.ts';
import { validateAnimal, type AnimalInput, type ValidAnimal } from '../../shared/animal-input.ts';

export { validateAnimal, type AnimalInput, type ValidAnimal };

export class AnimalInputError extends Error {
  override name = 'AnimalInputError';
  constructor(
    message: string,
    readonly rowErrors: { line: number; error: string }[] = [],
  ) {
    super(message);
  }
}

async function groupId(tx: Queryable, name: string | null): Promise<number | null> {
  if (!name) return null;
  const { rows } = await tx.query<{ id: number }>(
    `WITH ins AS (INSERT INTO groups (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id)
     SELECT id FROM ins UNION ALL SELECT id FROM groups WHERE name = $1 LIMIT 1`,
    [name],
  );
  return rows[0]!.id;
}

async function insertAnimal(tx: Queryable, a: ValidAnimal): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO animals (official_id, tag, name, sex, birth_date, breed, group_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [a.official_id, a.tag, a.name, a.sex, a.birth_date, a.breed, await groupId(tx, a.group)],
  );
  return rows[0]!.id;
}

/** Existing animals that share a tag or an official ID with one of `animals`. */
async function conflicts(tx: Queryable, animals: ValidAnimal[]): Promise<Set<string>> {
  const ids = animals.flatMap((a) => [a.tag, a.official_id]).filter((v): v is string => !!v);
  const { rows } = await tx.query<{ tag: string | null; official_id: string | null }>(
    'SELECT tag, official_id FROM animals WHERE tag = ANY($1::text[]) OR official_id = ANY($1::text[])',
    [ids],
  );
  return new Set(rows.flatMap((r) => [r.tag, r.official_id]).filter((v): v is string => !!v));
}

export async function addAnimal(db: Database, input: AnimalInput): Promise<{ id: number }> {
  const valid = validateAnimal(input);
  if (Array.isArray(valid)) throw new AnimalInputError(valid.join('; '));
  return db.transaction(async (tx) => {
    const taken = await conflicts(tx, [valid]);
    const clash = [valid.tag, valid.official_id].find((v) => v && taken.has(v));
    if (clash) throw new AnimalInputError(`an animal with tag or official ID "${clash}" already exists`);
    return { id: await insertAnimal(tx, valid) };
  });
}

export const IMPORT_COLUMNS = ['official_id', 'tag', 'name', 'sex', 'birth_date', 'breed', 'group'] as const;

/**
 * Imports animals from CSV (a header row naming any of IMPORT_COLUMNS). All or nothing: every faulty row is
 * reported with its line number and, if there is any, nothing is imported.
 */
export async function importAnimalsCsv(db: Database, csv: string): Promise<{ imported: number }> {
  let records: string[][];
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (err) {
    throw new AnimalInputError(`the file is not valid CSV: ${(err as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new AnimalInputError('the file is empty: expected a header row such as tag,official_id,name,sex,birth_date,breed,group');
  const columns = header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) throw new AnimalInputError(`unknown column(s) ${unknown.join(', ')}; known: ${IMPORT_COLUMNS.join(', ')}`);
  if (!columns.includes('tag') && !columns.includes('official_id')) throw new AnimalInputError('the header must have a tag or an official_id column');

  const rowErrors: { line: number; error: string }[] = [];
  const valid: { line: number; animal: ValidAnimal }[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const line = i + 2;
    const input = Object.fromEntries(columns.map((c, j) => [c, row[j]])) as AnimalInput;
    const result = validateAnimal(input);
    if (Array.isArray(result)) {
      rowErrors.push({ line, error: result.join('; ') });
      return;
    }
    for (const id of [result.tag, result.official_id]) {
      if (!id) continue;
      const first = seen.get(id);
      if (first !== undefined) rowErrors.push({ line, error: `"${id}" is also on line ${first}` });
      else seen.set(id, line);
    }
    valid.push({ line, animal: result });
  });
  return db.transaction(async (tx) => {
    const taken = await conflicts(tx, valid.map((v) => v.animal));
    for (const v of valid) {
      const clash = [v.animal.tag, v.animal.official_id].find((id) => id && taken.has(id));
      if (clash) rowErrors.push({ line: v.line, error: `an animal with tag or official ID "${clash}" already exists` });
    }
    if (rowErrors.length) {
      rowErrors.sort((a, b) => a.line - b.line);
      throw new AnimalInputError(`${rowErrors.length} row(s) have errors; nothing was imported`, rowErrors);
    }
    for (const v of valid) await insertAnimal(tx, v.animal);
    return { imported: valid.length };
  });
}

export interface AnimalListItem {
  id: number;
  tag: string | null;
  official_id: string | null;
  name: string | null;
  group: string | null;
  status: string;
  unconfirmed: boolean;
}

export async function listAnimals(db: Queryable): Promise<AnimalListItem[]> {
  const { rows } = await db.query<AnimalListItem>(
    `SELECT a.id, a.tag, a.official_id, a.name, g.name AS "group", a.status, a.unconfirmed
       FROM animals a LEFT JOIN groups g ON g.id = a.group_id ORDER BY a.tag NULLS LAST, a.id`,
  );
  return rows;
}
