import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOffice } from '../testing/test-office.ts';
import { fetchOfficeStatus, officeStatusFromResponse, STATUS_QUERY } from './office-status.ts';

const now = new Date('2026-05-01T12:00:00Z');
const ago = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();

test('nodes seen within 15 minutes count as online; open alerts are counted', () => {
  const body = {
    data: {
      nodes: [{ last_seen_at: ago(1) }, { last_seen_at: ago(14.9) }, { last_seen_at: ago(16) }, { last_seen_at: null }, { last_seen_at: 'garbage' }],
      alerts: [{ id: 1 }, { id: 2 }],
    },
  };
  assert.deepEqual(officeStatusFromResponse(body, now), { state: 'ok', nodesOnline: 2, nodesTotal: 5, openAlerts: 2 });
  assert.deepEqual(officeStatusFromResponse(body, now, 30), { state: 'ok', nodesOnline: 3, nodesTotal: 5, openAlerts: 2 });
  assert.deepEqual(officeStatusFromResponse({ data: { nodes: [], alerts: [] } }, now), { state: 'ok', nodesOnline: 0, nodesTotal: 0, openAlerts: 0 });
});

test('errors and malformed answers make the status unavailable, not a crash', () => {
  assert.deepEqual(officeStatusFromResponse({ errors: [{ message: 'Cannot query field "alerts"' }] }, now), { state: 'unavailable', reason: 'Cannot query field "alerts"' });
  assert.equal(officeStatusFromResponse(null, now).state, 'unavailable');
  assert.equal(officeStatusFromResponse('<html>', now).state, 'unavailable');
  assert.equal(officeStatusFromResponse({ data: { nodes: null, alerts: [] } }, now).state, 'unavailable');
});

test('an office that does not answer gives an unavailable status', async () => {
  const status = await fetchOfficeStatus('http://127.0.0.1:9', { timeoutMs: 2_000 });
  assert.equal(status.state, 'unavailable');
});

test('the status query runs against a real office and counts what it holds', async () => {
  const office = await startTestOffice();
  try {
    const direct = await office.graphql(STATUS_QUERY);
    assert.equal(direct.errors, undefined, JSON.stringify(direct.errors));
    const { token } = await office.addNode('collar-1');
    await office.addNode('collar-2');
    const posted = await office.post(token, { readings: [{ animal: 'DE01', metric: 'temperature', ts: new Date(Date.now() - 60_000).toISOString(), value: 38.6 }] });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    await office.db.query(
      "INSERT INTO alerts (category, cause, reason, onset, raised_at, status) VALUES ('Health', 'AnimalTemperature', 'fever', now(), now(), 'open'), ('Health', 'AnimalTemperature', 'fever', now(), now(), 'resolved')",
    );
    const status = await fetchOfficeStatus(office.apiUrl, { adminSecret: office.adminHeaders['x-hasura-admin-secret'] });
    assert.deepEqual(status, { state: 'ok', nodesOnline: 1, nodesTotal: 2, openAlerts: 1 });
  } finally {
    await office.close();
  }
});
