// The office end to end: readings posted over HTTP → rollups → alert rules → an alert readable through
// GraphQL, raised on the readings' own time stamps, and the same after the same data is posted again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOffice } from '../testing/test-office.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

test('a fever in posted readings becomes one alert, at the data time it was raised, after settle()', async () => {
  const office = await startTestOffice({ rateLimitPerSecond: 1000, rateLimitBurst: 100_000 });
  try {
    await office.db.exec(`INSERT INTO animals (tag) VALUES ('F1')`);
    const node = await office.addNode('bolus-f1', 'bolus', ['--animal', 'F1']);
    const end = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const start = end - 14 * 24 * HOUR;
    const feverFrom = end - 10 * HOUR;
    const readings: { metric: string; ts: number; value: number }[] = [];
    for (let t = start; t < end; t += 10 * MINUTE) {
      const daily = 0.25 * Math.sin((2 * Math.PI * (t % (24 * HOUR))) / (24 * HOUR));
      readings.push({ metric: 'temperature', ts: t, value: +(38.6 + daily + (t >= feverFrom ? 1.4 : 0)).toFixed(2) });
    }
    const post = async () => {
      for (let i = 0; i < readings.length; i += 1000) assert.equal((await office.post(node.token, { readings: readings.slice(i, i + 1000) })).status, 200);
      await new Promise((r) => setTimeout(r, 3000));
      await office.stats.settle();
      // The cow's alerts only. The bolus's last reading is two hours old by the office clock, so settle()'s
      // node check may rightly call it silent (Offline, a node alert) once the posts are far enough behind
      // that the node no longer counts as delivering a backlog; how soon that is depends on the machine's speed.
      return (await office.graphql(`{ alerts(where: { animal_id: { _is_null: false } }) { cause category status onset raised_at reason animal { tag } } }`)).data.alerts as { cause: string; status: string; onset: string; raised_at: string; reason: string; animal: { tag: string } }[];
    };
    const alerts = await post();
    assert.equal(alerts.length, 1, JSON.stringify(alerts));
    const [fever] = alerts;
    assert.equal(fever!.cause, 'AnimalTemperature');
    assert.equal(fever!.animal.tag, 'F1');
    assert.equal(fever!.status, 'open');
    const onset = Date.parse(fever!.onset);
    const raised = Date.parse(fever!.raised_at);
    assert.ok(Math.abs(onset - feverFrom) <= HOUR, `onset ${fever!.onset} is the fever's start`);
    assert.ok(raised > onset && raised <= feverFrom + 4 * HOUR, `raised_at ${fever!.raised_at} is data time, within hours of the onset`);
    assert.match(fever!.reason, /°C/);

    // The same readings again (a node re-sending): duplicates, and the same single alert.
    assert.deepEqual(await post(), alerts);
  } finally {
    await office.close();
  }
});
