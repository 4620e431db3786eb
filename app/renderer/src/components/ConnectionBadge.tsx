import { Badge } from '@mantine/core';
import { useSyncExternalStore } from 'react';
import { getConnectionStatus, subscribeConnectionStatus } from '../graphql.ts';

function formatClock(epochMs: number | undefined): string {
  return epochMs === undefined ? 'never' : new Date(epochMs).toLocaleString();
}

/** Whether the office answered the last GraphQL request; the title says why not and since when. */
export function ConnectionBadge() {
  const status = useSyncExternalStore(subscribeConnectionStatus, getConnectionStatus);
  const lastSuccess = formatClock(status.lastSuccessAt);
  const [label, color, title] =
    status.state === 'connected'
      ? ['Connected', 'green', `Last success: ${lastSuccess}`]
      : status.state === 'offline'
        ? ['Offline', 'red', `The last request failed: ${status.error ?? 'unknown error'}\nLast success: ${lastSuccess}`]
        : ['Connecting…', 'gray', 'Waiting for the first answer from the office'];
  return (
    <Badge data-testid="connection-status" data-state={status.state} color={color} variant="light" tt="none" title={title} style={{ flexShrink: 0 }}>
      {label}
    </Badge>
  );
}
