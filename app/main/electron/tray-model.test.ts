import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trayMenuModel, trayTooltip } from './tray-model.ts';

const ok = { state: 'ok' as const, nodesOnline: 3, nodesTotal: 5, openAlerts: 2 };

test('the tray shows nodes online and open alerts', () => {
  const items = trayMenuModel({ status: ok, officeRunning: true, startAtLogin: false });
  const labels = items.map((i) => ('label' in i ? i.label : '—'));
  assert.deepEqual(labels, ['Open Yoctosehns', '—', 'Nodes online: 3 of 5', 'Open alerts: 2', '—', 'Open data folder', 'Start with this computer', '—', 'Quit (stop receiving readings)']);
  const statusItems = items.filter((i) => 'label' in i && /Nodes|alerts/.test(i.label));
  assert.ok(statusItems.every((i) => i.type === 'normal' && !i.enabled && !i.command), 'status lines are information, not buttons');
  assert.equal(trayTooltip({ status: ok, officeRunning: true, startAtLogin: false }), 'Yoctosehns\nNodes online: 3 of 5\nOpen alerts: 2');
  assert.match(trayTooltip({ status: { ...ok, openAlerts: 0 }, officeRunning: true, startAtLogin: undefined }), /No open alerts/);
});

test('the tray says when the office is starting, stopped or cannot tell its status', () => {
  assert.match(trayTooltip({ status: null, officeRunning: true, startAtLogin: undefined }), /starting/);
  const stopped = trayMenuModel({ status: null, officeRunning: false, startAtLogin: undefined });
  assert.match(trayTooltip({ status: null, officeRunning: false, startAtLogin: undefined }), /not being received/);
  assert.equal(stopped[0]?.type === 'normal' && stopped[0].enabled, false, 'no window to open without an office');
  assert.match(trayTooltip({ status: { state: 'unavailable', reason: 'x' }, officeRunning: true, startAtLogin: undefined }), /unavailable/);
});

test('start at login appears as a checkbox only where the platform has it', () => {
  const on = trayMenuModel({ status: ok, officeRunning: true, startAtLogin: true }).find((i) => i.type === 'checkbox');
  assert.deepEqual(on, { type: 'checkbox', label: 'Start with this computer', command: 'toggle-start-at-login', checked: true, enabled: true });
  assert.equal(trayMenuModel({ status: ok, officeRunning: true, startAtLogin: undefined }).some((i) => i.type === 'checkbox'), false);
});

test('every actionable tray item has a command; quit is last', () => {
  const items = trayMenuModel({ status: ok, officeRunning: true, startAtLogin: false });
  const last = items[items.length - 1];
  assert.equal(last && 'command' in last && last.command, 'quit');
});
