import { assert, test } from '../../../../scripts/test-api.ts';
import { AuthApiError, authErrorMessage, groupIdsOf, isDisabled, unwrap, type UserRecord } from './auth-api.ts';

test('authErrorMessage says what went wrong in words', () => {
  assert.equal(authErrorMessage(new AuthApiError('wrong name or password', 401, 'invalid-credentials')), 'Wrong name or password.');
  assert.equal(
    authErrorMessage(new AuthApiError('locked', 429, 'locked', 125)),
    'Too many failed attempts. Sign-in is locked; try again in 3 minutes.',
  );
  assert.match(authErrorMessage(new AuthApiError('locked', 429)), /locked for a while/);
  assert.match(authErrorMessage(new AuthApiError('cannot reach the office', 0)), /^Cannot reach the office .* running/);
  assert.equal(authErrorMessage(new AuthApiError('a user with that name exists', 409, 'conflict')), 'A user with that name exists.');
  assert.match(authErrorMessage(new AuthApiError('owner only', 403, 'access-denied')), /Only the owner/);
});

test('unwrap reads the contract’s bare answers and the wrapped ones alike', () => {
  const isList = Array.isArray;
  assert.deepEqual(unwrap([1], 'users', isList), [1]);
  assert.deepEqual(unwrap({ users: [1] }, 'users', isList), [1]);
  assert.throws(() => unwrap({ people: [] }, 'users', isList), AuthApiError);
});

test('a user’s disabled flag and groups, in either form', () => {
  const base: UserRecord = { id: 1, name: 'a', role: 'vet', group_ids: [], created_at: '' };
  assert.equal(isDisabled({ ...base, disabled: true }), true);
  assert.equal(isDisabled({ ...base, disabled: false, disabled_at: '2026-01-01' }), false);
  assert.equal(isDisabled({ ...base, disabled_at: '2026-01-01' }), true);
  assert.equal(isDisabled({ ...base, disabled_at: null }), false);
  assert.deepEqual(groupIdsOf({ ...base, group_ids: [1, 2] }), [1, 2]);
  assert.deepEqual(groupIdsOf({ ...base, group_ids: '{3,4}' }), [3, 4]);
  assert.deepEqual(groupIdsOf({ ...base, group_ids: '{}' }), []);
  assert.deepEqual(groupIdsOf({ ...base, group_ids: null }), []);
});
