// Pure rules of signing in, kept apart from React and fetch so they can be tested in Node: the roles,
// which page each role may open, how strong a password looks, how long to wait before a refresh.

export const ROLES = ['owner', 'manager', 'vet', 'worker', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  manager: 'Manager',
  vet: 'Vet',
  worker: 'Worker',
  viewer: 'Viewer',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'everything, including users and remote access',
  manager: 'herd, nodes, alerts and reports; not users or remote access',
  vet: 'animals, readings, alerts and treatments; read-only elsewhere',
  worker: 'reads the herd and alerts, acknowledges alerts, adds notes',
  viewer: 'read-only dashboard',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A role the renderer does not know yet (added on the office first) still shows, as is. */
export function roleLabel(role: string): string {
  return isRole(role) ? ROLE_LABELS[role] : role;
}

/** The office refuses shorter passwords; the forms say so before asking it. */
export const PASSWORD_MIN_LENGTH = 12;

export interface PasswordStrength {
  /** 0 (too short) … 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  label: 'Too short' | 'Weak' | 'Fair' | 'Good' | 'Strong';
  /** What would make it better, or why it is fine. */
  hint: string;
}

/**
 * A rough guide, not a guarantee: length counts most (a long passphrase beats a short jumble), variety of
 * characters a little, and repeats or a run of one character count against it.
 */
export function passwordStrength(password: string): PasswordStrength {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return { score: 0, label: 'Too short', hint: `Use at least ${PASSWORD_MIN_LENGTH} characters (${PASSWORD_MIN_LENGTH - length} more).` };
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  const distinct = new Set(password.toLowerCase()).size;
  let points = 1;
  if (length >= 16) points++;
  if (length >= 20) points++;
  if (classes >= 3) points++;
  if (distinct < Math.min(8, length / 2) || /(.)\1{3,}/.test(password)) points = 1;
  const score = Math.min(4, points) as 1 | 2 | 3 | 4;
  const labels = { 1: 'Weak', 2: 'Fair', 3: 'Good', 4: 'Strong' } as const;
  const hints = {
    1: 'Long enough, but easy to guess: add more words or different characters.',
    2: 'Fair: a few more words make it much harder to guess.',
    3: 'Good.',
    4: 'Strong.',
  } as const;
  return { score, label: labels[score], hint: hints[score] };
}

/** Why a new password cannot be used, or undefined when it can. */
export function passwordProblem(password: string, repeated?: string): string | undefined {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `The password needs at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (repeated !== undefined && repeated !== password) return 'The two passwords are not the same.';
  return undefined;
}

/**
 * When to renew an access token that lives `expiresInS` seconds: a minute before it ends (a quarter of
 * its life for short ones), so a slow office or a throttled background tab still renews in time.
 */
export function refreshDelayMs(expiresInS: number): number {
  const lifetime = Math.max(0, expiresInS) * 1000;
  return Math.max(1_000, lifetime - Math.min(60_000, lifetime / 4));
}

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** "45 seconds", "1 minute", "3 minutes", "2 hours": how long a lockout still lasts, rounded up. */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.ceil(m / 60);
  return `${h} hour${h === 1 ? '' : 's'}`;
}

/** Every page and who may open it; the navbar shows only these, and the router refuses the rest. */
export interface PageAccess {
  /** The part after `#/`. */
  path: string;
  label: string;
  roles: readonly Role[];
}

export const PAGE_ACCESS: readonly [PageAccess, ...PageAccess[]] = [
  { path: 'herd', label: 'Herd', roles: ROLES },
  { path: 'animal', label: 'Animal', roles: ROLES },
  { path: 'alerts', label: 'Action list', roles: ROLES },
  { path: 'statistics', label: 'Statistics', roles: ROLES },
  { path: 'reports', label: 'Reports', roles: ['owner', 'manager', 'vet'] },
  { path: 'nodes', label: 'Nodes', roles: ['owner', 'manager', 'vet'] },
  { path: 'animals', label: 'Animals and groups', roles: ['owner', 'manager'] },
  { path: 'users', label: 'Users', roles: ['owner'] },
  { path: 'api-tokens', label: 'API tokens', roles: ['owner'] },
  { path: 'security-log', label: 'Security log', roles: ['owner'] },
  { path: 'settings', label: 'Settings', roles: ['owner', 'manager'] },
];

export function canOpen(path: string, role: string): boolean {
  const page = PAGE_ACCESS.find((p) => p.path === path);
  return !!page && (page.roles as readonly string[]).includes(role);
}

/** The pages `role` may open, in navbar order. */
export function pagesFor(role: string): PageAccess[] {
  return PAGE_ACCESS.filter((p) => (p.roles as readonly string[]).includes(role));
}

/** Where `#/` (no page named) goes for `role`: its first page, or undefined when it may open none. */
export function startPageFor(role: string): PageAccess | undefined {
  return pagesFor(role)[0];
}

/**
 * A security log entry's detail as the owner reads it: "Via: refresh · Role: owner" rather than its JSON. Every
 * field stays (a token's ID ties its issue to its revocation); a nested value keeps its JSON.
 */
export function auditDetailText(detail: unknown): string {
  if (detail == null) return '';
  if (typeof detail !== 'object' || Array.isArray(detail)) return typeof detail === 'string' ? detail : JSON.stringify(detail);
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => `${auditKey(k)}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

/** "token_id" → "Token ID", "jti" → "Token ID": the log's field names in words. */
function auditKey(key: string): string {
  if (key === 'jti') return 'Token ID';
  const spaced = key.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/\bid\b/g, 'ID');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
