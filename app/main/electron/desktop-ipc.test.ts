import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SAVE_BYTES, parseSaveFileRequest, safeFileName, saveDialogFilters } from './desktop-ipc.ts';

test('a suggested file name never carries a folder or characters a file system refuses', () => {
  assert.equal(safeFileName('herd-2026-05.csv'), 'herd-2026-05.csv');
  assert.equal(safeFileName('../../.bashrc'), 'bashrc');
  assert.equal(safeFileName('C:\\Windows\\system32\\evil.dll'), 'evil.dll');
  assert.equal(safeFileName('/etc/passwd'), 'passwd');
  assert.equal(safeFileName('a<b>c:d"e|f?g*h.csv'), 'a_b_c_d_e_f_g_h.csv');
  assert.equal(safeFileName('con.csv'), '_con.csv');
  assert.equal(safeFileName('line\nbreak.txt'), 'line_break.txt');
  assert.equal(safeFileName(''), 'export');
  assert.equal(safeFileName('...'), 'export');
  assert.equal(safeFileName(42), 'export');
  const long = safeFileName(`${'x'.repeat(300)}.xlsx`);
  assert.equal(long.length, 120);
  assert.ok(long.endsWith('.xlsx'));
});

test('saveFile takes text or bytes, within a size limit', () => {
  assert.deepEqual(parseSaveFileRequest('a.csv', 'x,y\n'), { ok: true, suggestedName: 'a.csv', data: 'x,y\n' });
  const bytes = new Uint8Array([1, 2, 3]);
  const r = parseSaveFileRequest('a.xlsx', bytes);
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.data, bytes);
  assert.equal(parseSaveFileRequest('a', { length: 3 }).ok, false);
  assert.equal(parseSaveFileRequest('a', null).ok, false);
  assert.equal(parseSaveFileRequest('a', new Uint8Array(0)).ok, true);
  const huge = { byteLength: MAX_SAVE_BYTES + 1 };
  Object.setPrototypeOf(huge, Uint8Array.prototype);
  assert.deepEqual(parseSaveFileRequest('a', huge), { ok: false, error: 'the file is too large' });
});

test('the save dialog filters by the suggested extension', () => {
  assert.deepEqual(saveDialogFilters('herd.csv')[0], { name: 'CSV', extensions: ['csv'] });
  assert.deepEqual(saveDialogFilters('report.PDF')[0], { name: 'PDF', extensions: ['pdf'] });
  assert.deepEqual(saveDialogFilters('notes'), [{ name: 'All files', extensions: ['*'] }]);
});
