// Finds the Chromium the browser tests drive. Playwright cannot download its own browser on our machines,
// so it is Debian's package; when it is missing and we may install packages (root with apt), install it.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium({ install = false } = {}) {
  const fromEnv = process.env.YOCTOSEHNS_CHROMIUM;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { reason: `YOCTOSEHNS_CHROMIUM=${fromEnv} does not exist` };
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return { path: found };
  const canApt = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!install || !canApt) {
    return {
      reason:
        'install Debian\'s Chromium (`sudo apt-get install -y chromium`) or set YOCTOSEHNS_CHROMIUM to a Chromium or Chrome binary; ' +
        '`npx playwright install` cannot download browsers on machines without internet access',
    };
  }
  process.stdout.write('\n▶ installing Chromium from Debian\'s packages (apt-get install chromium)\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (r.status === 0 && existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium' };
  return { reason: 'apt-get install chromium failed (see above)' };
}
