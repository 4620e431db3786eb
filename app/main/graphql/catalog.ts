import type { Queryable } from '../../db/index.ts';

/** What the GraphQL schema is generated from: the `public` schema's tables, views, keys and foreign keys. */
export interface ColumnInfo {
  name: string;
  /** PostgreSQL type name as pg_type spells it (int4, text, timestamptz, _text for text[]). */
  pgType: string;
  notNull: boolean;
  hasDefault: boolean;
}

export interface RelationshipInfo {
  name: string;
  kind: 'object' | 'array';
  target: string;
  /** Pairs of (column of this table, column of the target table). */
  mapping: [string, string][];
}

export interface TableInfo {
  name: string;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
  primaryKey: string[];
  /** The primary key and unique constraints, by name: what `on_conflict` may name. */
  uniqueConstraints: { name: string; columns: string[] }[];
  relationships: RelationshipInfo[];
}

export interface Catalog {
  tables: TableInfo[];
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Plural as Hasura's console suggests an array relationship name: a name already plural keeps it. */
export function pluralize(name: string): string {
  if (name.endsWith('s')) return name;
  if (/[^aeiou]y$/.test(name)) return name.slice(0, -1) + 'ies';
  return name + 's';
}

interface FkRow {
  table_name: string;
  target: string;
  columns: string[];
  target_columns: string[];
}

/**
 * Names relationships from foreign keys, as Hasura's console suggests them:
 * - object: the foreign-key column without its `_id` suffix (`group_id` → `group`); for other or
 *   multi-column keys, the target table's name;
 * - array: the referencing table's name in the plural (`readings` stays `readings`).
 * Clash rules: when a table references the same table through several foreign keys, each of the array
 * relationships they give gets `_by_<columns>` appended (`animals_by_sire_id`, `animals_by_dam_id`), since
 * none of them is "the" one; any other name already taken by a column or an earlier relationship gets
 * `_by_<columns>` appended too, and a number after that if it still clashes.
 */
export function nameRelationships(tables: Map<string, TableInfo>, fks: FkRow[]): void {
  const taken = new Map<string, Set<string>>();
  for (const t of tables.values()) taken.set(t.name, new Set(t.columns.map((c) => c.name)));
  const claim = (table: string, base: string, suffix: string): string => {
    const names = taken.get(table)!;
    let name = base;
    if (names.has(name)) name = `${base}_by_${suffix}`;
    for (let i = 2; names.has(name); i++) name = `${base}_by_${suffix}_${i}`;
    names.add(name);
    return name;
  };
  const pairs = new Map<string, number>();
  for (const fk of fks) pairs.set(`${fk.table_name}>${fk.target}`, (pairs.get(`${fk.table_name}>${fk.target}`) ?? 0) + 1);
  const sorted = [...fks].sort((a, b) => a.table_name.localeCompare(b.table_name) || a.columns.join().localeCompare(b.columns.join()));
  for (const fk of sorted) {
    const source = tables.get(fk.table_name);
    const target = tables.get(fk.target);
    if (!source || !target) continue;
    const col = fk.columns.length === 1 ? fk.columns[0]! : undefined;
    const objectBase = col && col.endsWith('_id') && col.length > 3 ? col.slice(0, -3) : fk.target;
    const suffix = fk.columns.join('_');
    const mapping = fk.columns.map((c, i) => [c, fk.target_columns[i]!] as [string, string]);
    source.relationships.push({ name: claim(source.name, objectBase, suffix), kind: 'object', target: target.name, mapping });
    target.relationships.push({
      name: claim(
        target.name,
        pairs.get(`${fk.table_name}>${fk.target}`)! > 1 ? `${pluralize(source.name)}_by_${suffix}` : pluralize(source.name),
        suffix,
      ),
      kind: 'array',
      target: source.name,
      mapping: mapping.map(([a, b]) => [b, a] as [string, string]),
    });
  }
}

export async function readCatalog(db: Queryable): Promise<Catalog> {
  const { rows: rels } = await db.query<{ name: string; relkind: string }>(
    `SELECT c.relname AS name, c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY c.relname`,
  );
  const { rows: cols } = await db.query<{ table_name: string; name: string; pg_type: string; not_null: boolean; has_default: boolean }>(
    `SELECT c.relname AS table_name, a.attname AS name, t.typname AS pg_type, a.attnotnull AS not_null,
            (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'p')
      ORDER BY c.relname, a.attnum`,
  );
  const { rows: keys } = await db.query<{ table_name: string; name: string; contype: string; columns: string[]; target: string | null; target_columns: string[] | null }>(
    `SELECT c.relname AS table_name, k.conname::text AS name, k.contype::text AS contype,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(n, i)
                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i) AS columns,
            tc.relname AS target,
            ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(n, i)
                    JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i) AS target_columns
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class tc ON tc.oid = k.confrelid LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
      WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f') AND (k.contype <> 'f' OR tn.nspname = 'public')
      ORDER BY c.relname, k.conname`,
  );
  // Manual relationships: a column commented 'references table(column)' relates like a foreign key (used
  // where a real one would cost too much per inserted row, as on readings).
  const { rows: comments } = await db.query<{ table_name: string; column_name: string; comment: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, d.description AS comment
       FROM pg_description d JOIN pg_class c ON c.oid = d.objoid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
      WHERE n.nspname = 'public' AND d.classoid = 'pg_class'::regclass AND d.objsubid > 0`,
  );
  const tables = new Map<string, TableInfo>();
  for (const r of rels) {
    if (!GRAPHQL_NAME.test(r.name)) continue;
    tables.set(r.name, { name: r.name, kind: r.relkind === 'v' || r.relkind === 'm' ? 'view' : 'table', columns: [], primaryKey: [], uniqueConstraints: [], relationships: [] });
  }
  for (const c of cols) {
    const t = tables.get(c.table_name);
    if (t && GRAPHQL_NAME.test(c.name)) t.columns.push({ name: c.name, pgType: c.pg_type, notNull: c.not_null, hasDefault: c.has_default });
  }
  const fks: FkRow[] = [];
  for (const k of keys) {
    const t = tables.get(k.table_name);
    if (!t) continue;
    if (k.contype === 'p') t.primaryKey = k.columns;
    if (k.contype === 'p' || k.contype === 'u') {
      if (GRAPHQL_NAME.test(k.name)) t.uniqueConstraints.push({ name: k.name, columns: k.columns });
    } else if (k.target && k.target_columns) fks.push({ table_name: k.table_name, target: k.target, columns: k.columns, target_columns: k.target_columns });
  }
  for (const c of comments) {
    const m = /^\s*references\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/i.exec(c.comment);
    if (m && tables.has(c.table_name) && tables.has(m[1]!)) fks.push({ table_name: c.table_name, target: m[1]!, columns: [c.column_name], target_columns: [m[2]!] });
  }
  nameRelationships(tables, fks);
  return { tables: [...tables.values()] };
}
