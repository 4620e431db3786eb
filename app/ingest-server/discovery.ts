import { Bonjour, type Service } from 'bonjour-service';
import type { Logger } from '../main/log.ts';

/**
 * Advertises the ingest listener on the LAN with mDNS/DNS-SD (`_yoctosehns._tcp`), so a node or an
 * installer's phone finds the office without typing its address. Always released on stop: bonjour holds
 * UDP 5353 open and keeps the process alive until destroyed.
 */
export function advertiseIngest(options: { port: number; name: string; version: string; log: Logger }): { stop(): Promise<void> } {
  const bonjour = new Bonjour({}, (err: Error) => options.log.warn('mDNS error', { err }));
  let service: Service | undefined;
  try {
    service = bonjour.publish({
      name: options.name,
      type: 'yoctosehns',
      protocol: 'tcp',
      port: options.port,
      txt: { path: '/v1/readings', version: options.version, health: '/v1/health' },
    });
    service.on('error', (err: Error) => options.log.warn('mDNS advertisement failed', { err }));
  } catch (err) {
    options.log.warn('mDNS advertisement failed', { err: err as Error });
  }
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => bonjour.destroy(() => resolve());
        if (service) bonjour.unpublishAll(done);
        else done();
      }),
  };
}
