import { assert, test } from '../../../scripts/test-api.ts';
import {
  animalFormResult,
  animalLabel,
  EMPTY_FORM,
  filterAnimals,
  herdErrorInWords,
  importButtonLabel,
  importObjects,
  namesInWords,
  moveLabel,
  parseCsv,
  previewImport,
  runImport,
  CREATE_GROUPS,
  DELETE_GROUPS,
  IMPORT_ANIMALS,
  validateAnimal,
  type AnimalRow,
} from './animals-model.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const HEADER = 'official_id,tag,name,sex,birth_date,breed,group';

function animal(over: Partial<AnimalRow>): AnimalRow {
  return { id: 1, tag: null, official_id: null, name: null, sex: 'female', birth_date: null, breed: null, group_id: null, status: 'active', unconfirmed: false, ...over };
}

test('one animal is checked as the CLI checks it', () => {
  assert.deepEqual(validateAnimal({ tag: ' DE01 ', sex: 'Cow', birth_date: '2022-03-04' }, NOW), {
    official_id: null, tag: 'DE01', name: null, sex: 'female', birth_date: '2022-03-04', breed: null, group: null,
  });
  assert.equal((validateAnimal({ tag: 'B', sex: 'bull' }, NOW) as { sex: string }).sex, 'male');
  assert.deepEqual(validateAnimal({ name: 'Berta' }, NOW), ['an animal needs a tag or an official ID']);
  assert.deepEqual(validateAnimal({ tag: 'x', sex: 'ox' }, NOW), ['sex must be female or male, not "ox"']);
  assert.deepEqual(validateAnimal({ tag: 'x', birth_date: '2022-02-30' }, NOW), ['birth_date must be a date as YYYY-MM-DD, not "2022-02-30"']);
  assert.deepEqual(validateAnimal({ tag: 'x', birth_date: '03.04.2022' }, NOW), ['birth_date must be a date as YYYY-MM-DD, not "03.04.2022"']);
  assert.deepEqual(validateAnimal({ tag: 'x', birth_date: '2027-01-01' }, NOW), ['birth_date is in the future']);
  assert.deepEqual(validateAnimal({ tag: 'x'.repeat(65) }, NOW), ['tag is longer than 64 characters']);
});

test('CSV: quotes, doubled quotes, line breaks in quotes, CRLF, a BOM and blank lines', () => {
  const parsed = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines", z \n');
  assert.ok('records' in parsed);
  assert.deepEqual(parsed.records, [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['x, y', 'say "hi"'] },
    { line: 4, fields: ['two\nlines', 'z'] },
  ]);
  assert.deepEqual(parseCsv('a\n"open'), { error: 'line 2: a quoted field is not closed' });
  assert.ok('error' in parseCsv('a,b"c'));
});

test('the import preview: per-row errors, duplicates in the file and in the herd, unknown groups', () => {
  const csv = [
    HEADER,
    '276000000000001,DE01,Berta,female,2021-04-01,Holstein,Heifers',
    ',DE02,Clara,x,2021-13-01,,',
    ',DE01,Dup,,,,',
    ',OLD1,,,,,',
    ',DE05,,,,,Nowhere',
    ',DE06,,,',
  ].join('\n');
  const preview = previewImport(csv, [{ tag: 'OLD1', official_id: null }], [{ name: 'Heifers' }], NOW);
  assert.equal(preview.ok, false);
  assert.deepEqual(
    preview.rows.map((r) => [r.line, r.errors]),
    [
      [2, []],
      [3, ['sex must be female or male, not "x"', 'birth_date must be a date as YYYY-MM-DD, not "2021-13-01"']],
      [4, ['"DE01" is also on line 2']],
      [5, ['an animal with tag or official ID "OLD1" already exists']],
      [6, []],
      [7, ['5 fields where the header has 7']],
    ],
  );
  assert.deepEqual(preview.missingGroups, ['Nowhere'], 'a group that does not exist is listed apart, not as the row\'s error');
  const fixed = previewImport([HEADER, '276000000000001,DE01,Berta,female,2021-04-01,Holstein,Heifers', ',DE02,,m,,,'].join('\n'), [], [{ name: 'Heifers' }], NOW);
  assert.equal(fixed.ok, true);
  assert.deepEqual(importObjects(fixed, [{ id: 7, name: 'Heifers' }]), [
    { official_id: '276000000000001', tag: 'DE01', name: 'Berta', sex: 'female', birth_date: '2021-04-01', breed: 'Holstein', group_id: 7 },
    { official_id: null, tag: 'DE02', name: null, sex: 'male', birth_date: null, breed: null, group_id: null },
  ]);
});

test('the import preview: problems with the whole file', () => {
  assert.match(previewImport('', [], [], NOW).fileError!, /empty/);
  assert.match(previewImport('tag,colour\nA,red', [], [], NOW).fileError!, /Unknown column\(s\) colour/);
  assert.match(previewImport('name\nBerta', [], [], NOW).fileError!, /tag or an official_id column/);
  assert.match(previewImport('tag\n', [], [], NOW).fileError!, /no animals/);
  assert.match(previewImport('tag\n"A', [], [], NOW).fileError!, /not valid CSV/);
  assert.equal(previewImport('Tag, Official ID\nA,1', [], [], NOW).ok, true, 'header names are forgiving');
});

test('the animal form: problems in sentences, a tag another animal has, the columns to store', () => {
  assert.deepEqual(animalFormResult({ ...EMPTY_FORM }, [], NOW), { problems: ['An animal needs a tag or an official ID.'] });
  assert.deepEqual(animalFormResult({ ...EMPTY_FORM, tag: 'DE01' }, [{ tag: 'DE01', official_id: null }], NOW), {
    problems: ['Another animal already has the tag or official ID "DE01".'],
  });
  assert.deepEqual(animalFormResult({ ...EMPTY_FORM, tag: ' DE09 ', group_id: '3', status: 'dry' }, [], NOW), {
    set: { tag: 'DE09', official_id: null, name: null, sex: 'female', birth_date: null, breed: null, group_id: 3, status: 'dry' },
  });
});

test("the office's refusals in words", () => {
  const c = (message: string, code = 'constraint-violation') => herdErrorInWords([{ message, extensions: { code } }]);
  assert.equal(c('Uniqueness violation. duplicate key value violates unique constraint "animals_tag_key"'), 'Another animal already has this tag.');
  assert.equal(c('Uniqueness violation. duplicate key value violates unique constraint "animals_official_id_key"'), 'Another animal already has this official ID.');
  assert.equal(c('Uniqueness violation. duplicate key value violates unique constraint "groups_name_key"'), 'There is already a group with this name.');
  assert.equal(c('Check constraint violation. new row for relation "groups" violates check constraint "groups_name_check"', 'permission-error'), 'A group needs a name.');
  assert.equal(c("field 'insert_animals_one' not found in type: 'mutation_root'", 'validation-failed'), 'Your role may not change animals or groups.');
});

test('filters, labels', () => {
  const rows = [animal({ id: 1, tag: 'DE01', name: 'Berta', group_id: 2 }), animal({ id: 2, official_id: '2760', unconfirmed: true }), animal({ id: 3, tag: 'DE03' })];
  assert.deepEqual(filterAnimals(rows, { search: 'bert', group: '', unconfirmedOnly: false }).map((a) => a.id), [1]);
  assert.deepEqual(filterAnimals(rows, { search: '', group: 'none', unconfirmedOnly: false }).map((a) => a.id), [2, 3]);
  assert.deepEqual(filterAnimals(rows, { search: '', group: '2', unconfirmedOnly: false }).map((a) => a.id), [1]);
  assert.deepEqual(filterAnimals(rows, { search: '', group: '', unconfirmedOnly: true }).map((a) => a.id), [2]);
  assert.equal(animalLabel(rows[0]!), 'DE01 (Berta)');
  assert.equal(animalLabel(rows[1]!), '2760');
  assert.equal(moveLabel(3, 'Heifers'), 'Moved 3 animals to Heifers.');
  assert.equal(moveLabel(1, undefined), 'Took 1 animal out of its group.');
});

test('groups the file names that do not exist: listed once each, in the file\'s order, and offered for creation', () => {
  const csv = ['tag,group', 'A1,Heifers', 'A2,Barn B', 'A3,barn b', 'A4,Barn B', 'A5,', 'A6,Calves'].join('\n');
  const preview = previewImport(csv, [], [{ name: 'Heifers' }], NOW);
  assert.equal(preview.ok, true, 'a missing group is not a row error');
  assert.deepEqual(preview.missingGroups, ['Barn B', 'barn b', 'Calves'], 'names are matched exactly, as the office\'s unique name is');
  assert.equal(importButtonLabel(preview), 'Create groups “Barn B”, “barn b” and “Calves” and import 6 animals');
  assert.equal(importButtonLabel(previewImport('tag,group\nA1,Heifers', [], [{ name: 'Heifers' }], NOW)), 'Import 1 animal');
  assert.equal(importButtonLabel(previewImport('tag,group\nA1,New', [], [], NOW)), 'Create group “New” and import 1 animal');
  assert.equal(importButtonLabel(previewImport('tag,group\nA1,New\nA1,New', [], [], NOW)), 'Import', 'rows with errors: nothing to offer');
  assert.equal(importButtonLabel(undefined), 'Import');
  assert.equal(namesInWords([]), '');
  assert.equal(namesInWords(['X', 'Y']), '“X” and “Y”');
  // Other rows' errors stay per row, and the missing groups are still listed.
  const mixed = previewImport('tag,group\nA1,New\nA1,Other', [], [], NOW);
  assert.equal(mixed.ok, false);
  assert.deepEqual(mixed.missingGroups, ['New', 'Other']);
  assert.deepEqual(mixed.rows.map((r) => r.errors), [[], ['"A1" is also on line 2']]);
});

/** A fake office: records the mutations asked, answers groups with new ids, and refuses the animals when told to. */
function fakeOffice(refuseAnimals: boolean) {
  const asked: { query: string; variables: Record<string, unknown> }[] = [];
  let nextId = 10;
  const mutate = async <T,>(query: string, variables: Record<string, unknown>): Promise<T> => {
    asked.push({ query, variables });
    if (query === CREATE_GROUPS) return { insert_groups: { returning: (variables.objects as { name: string }[]).map((o) => ({ id: nextId++, name: o.name })) } } as T;
    if (query === IMPORT_ANIMALS && refuseAnimals) throw new Error('animals_tag_key');
    return {} as T;
  };
  return { asked, mutate };
}

test('create the missing groups, then import the animals into them', async () => {
  const preview = previewImport('tag,group\nA1,Heifers\nA2,Barn B\nA3,', [], [{ name: 'Heifers' }], NOW);
  const office = fakeOffice(false);
  assert.deepEqual(await runImport(preview, [{ id: 3, name: 'Heifers' }], office.mutate), { imported: 3, createdGroups: ['Barn B'] });
  assert.deepEqual(office.asked.map((a) => a.query), [CREATE_GROUPS, IMPORT_ANIMALS]);
  assert.deepEqual(office.asked[0]!.variables, { objects: [{ name: 'Barn B' }] });
  assert.deepEqual((office.asked[1]!.variables.objects as { tag: string; group_id: number | null }[]).map((o) => [o.tag, o.group_id]), [['A1', 3], ['A2', 10], ['A3', null]]);
});

test('no missing group: one insert; a refused import deletes the groups it made, so nothing is half done', async () => {
  const plain = fakeOffice(false);
  await runImport(previewImport('tag,group\nA1,Heifers', [], [{ name: 'Heifers' }], NOW), [{ id: 3, name: 'Heifers' }], plain.mutate);
  assert.deepEqual(plain.asked.map((a) => a.query), [IMPORT_ANIMALS]);

  const refusing = fakeOffice(true);
  await assert.rejects(runImport(previewImport('tag,group\nA1,X\nA2,Y', [], [], NOW), [], refusing.mutate), /animals_tag_key/);
  assert.deepEqual(refusing.asked.map((a) => a.query), [CREATE_GROUPS, IMPORT_ANIMALS, DELETE_GROUPS]);
  assert.deepEqual(refusing.asked[2]!.variables, { ids: [10, 11] });

  await assert.rejects(runImport(previewImport('tag\nA1\nA1', [], [], NOW), [], plain.mutate), /errors/, 'a preview with errors is never sent');
});
