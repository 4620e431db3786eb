// Run inside an isolated network namespace by discovery.test.ts: starts an office with discovery on,
// finds its advertisement with a second mDNS instance, stops the office, and reports what it saw.
import { Bonjour, type Service } from 'bonjour-service';
import { startTestOffice } from '../../app/main/testing/test-office.ts';

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWRAP').length;
const before = udpHandles();
const office = await startTestOffice({ discovery: true });
const port = Number(new URL(office.ingestUrl).port);
const browser = new Bonjour();
const found = await new Promise<Service | undefined>((resolve) => {
  const timer = setTimeout(() => resolve(undefined), 10_000);
  browser.find({ type: 'yoctosehns' }, (s: Service) => {
    if (s.port === port) {
      clearTimeout(timer);
      resolve(s);
    }
  });
});
await new Promise<void>((r) => browser.destroy(() => r()));
await office.close();
const after = udpHandles();
process.stdout.write(JSON.stringify({ port, found: found && { name: found.name, type: found.type, protocol: found.protocol, port: found.port, txt: found.txt }, before, after }) + '\n');
