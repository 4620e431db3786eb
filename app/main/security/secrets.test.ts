import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { generateToken, hashToken, secretsEqual } from './secrets.ts';

test('secretsEqual: equal secrets match, any other presented value does not, also after the known secret changes', () => {
  const first = generateToken('ck');
  const second = generateToken('ck');
  assert.equal(secretsEqual(first, first), true);
  assert.equal(secretsEqual(`${first}`.slice(0), first), true, 'the same text in another string');
  for (const wrong of ['', first.slice(0, -1), `${first}x`, second, first.toUpperCase()]) assert.equal(secretsEqual(wrong, first), false, wrong);
  // The known secret's digest is kept between calls: a new known secret must not be checked against the old one.
  assert.equal(secretsEqual(second, second), true);
  assert.equal(secretsEqual(first, second), false);
  assert.equal(secretsEqual(first, first), true);
});

test('hashToken: a hex SHA-256, the same for the same token', () => {
  const token = generateToken('nd');
  assert.match(hashToken(token), /^[0-9a-f]{64}$/);
  assert.equal(hashToken(token), hashToken(token));
  assert.notEqual(hashToken(token), hashToken(generateToken('nd')));
  // The digest tokens were stored with (SHA-256 of the UTF-8 text): hashes stored by earlier versions still match.
  assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(hashToken('ünï🐄'), createHash('sha256').update(Buffer.from('ünï🐄', 'utf8')).digest('hex'));
});
