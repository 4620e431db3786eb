/** Node status a node may send with its readings: battery (volts or percent), radio signal, firmware. */
export interface NodeStatus {
  batteryVolts?: number;
  batteryPercent?: number;
  rssi?: number;
  firmware?: string;
}

/**
 * Reads a battery value: "3.61V" / "87%" say their unit; a bare number up to 10 is volts (node batteries
 * are 1.5–7.4 V), above 10 a percentage.
 */
export function parseBattery(raw: unknown): Pick<NodeStatus, 'batteryVolts' | 'batteryPercent'> | undefined {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  if (s === undefined) return undefined;
  const m = /^(-?\d+(?:\.\d+)?)\s*(v|%)?$/i.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]?.toLowerCase() ?? (n <= 10 ? 'v' : '%');
  if (unit === 'v') return n >= 0 && n <= 60 ? { batteryVolts: n } : undefined;
  return n >= 0 && n <= 100 ? { batteryPercent: n } : undefined;
}

function parseRssi(raw: unknown): number | undefined {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim().replace(/\s*dbm$/i, '')) : NaN;
  return Number.isFinite(n) && n >= -200 && n <= 50 ? n : undefined;
}

function parseFirmware(raw: unknown): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const s = String(raw).trim();
  return s && s.length <= 64 && /^[\x20-\x7e]+$/.test(s) ? s : undefined;
}

/**
 * Node status from a JSON object (the body's "status", or ThingsBoard attributes) and X-Node-* headers;
 * headers win. Unreadable values are ignored rather than failing the readings they came with.
 */
export function parseNodeStatus(fields: Record<string, unknown> | undefined, headers: Record<string, string | undefined>): NodeStatus | undefined {
  const status: NodeStatus = {};
  const pick = (...keys: string[]) => {
    for (const k of keys) if (fields && fields[k] !== undefined) return fields[k];
    return undefined;
  };
  Object.assign(status, parseBattery(pick('battery', 'batteryLevel', 'battery_level')) ?? {});
  const volts = pick('battery_v', 'battery_volts', 'batteryVoltage', 'voltage');
  if (volts !== undefined) Object.assign(status, parseBattery(`${volts}V`) ?? {});
  const pct = pick('battery_pct', 'battery_percent');
  if (pct !== undefined) Object.assign(status, parseBattery(`${pct}%`) ?? {});
  const rssi = parseRssi(pick('rssi', 'signal', 'RSSI'));
  if (rssi !== undefined) status.rssi = rssi;
  const fw = parseFirmware(pick('firmware', 'fw', 'firmware_version', 'fwVersion'));
  if (fw !== undefined) status.firmware = fw;

  if (headers['x-node-battery'] !== undefined) Object.assign(status, parseBattery(headers['x-node-battery']) ?? {});
  const hRssi = parseRssi(headers['x-node-rssi']);
  if (hRssi !== undefined) status.rssi = hRssi;
  const hFw = parseFirmware(headers['x-node-firmware']);
  if (hFw !== undefined) status.firmware = hFw;
  return Object.keys(status).length ? status : undefined;
}
