/** The node protocol's shapes, shared by the ingest listener, the simulator and the renderer (no Node imports). */

export const NODE_KINDS = ['collar', 'bolus', 'ear_tag', 'leg_tag', 'scale', 'water_meter', 'climate', 'gateway'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** One reading as a node sends it. */
export interface NodeReading {
  /** Official ID/EID or visual tag; omitted → the node's assigned animal. */
  animal?: string;
  /** A metric key or alias (`temp` → `temperature`). */
  metric: string;
  /** ISO 8601 with an offset, or epoch seconds (< 1e11) or milliseconds (≥ 1e11); omitted → time received. */
  ts?: string | number;
  value: number;
}

export interface ReadingsRequest {
  readings: NodeReading[];
}

export interface ReadingsResponse {
  accepted: number;
  duplicates: number;
  quarantined: { index: number; reason: string }[];
}

export interface ErrorResponse {
  error: string;
  /** Where in the body the fault is: a JSON pointer such as `/readings/3/value`, or a byte offset. */
  at?: string;
}

/** Limits of one request. */
export const MAX_READINGS_PER_REQUEST = 5000;
export const MAX_BODY_BYTES = 1024 * 1024;
/** Epoch numbers below this are seconds, at or above it milliseconds (1e11 s is the year 5138; 1e11 ms is 1973). */
export const EPOCH_SECONDS_LIMIT = 1e11;
