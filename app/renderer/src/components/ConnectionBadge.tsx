import { Badge } from '@mantine/core';
import { useSyncExternalStore } from 'react';
import { getConnectionStatus, subscribeConnectionStatus } from '../graphql.ts';
import { formatFarmTime } from '../herd-model.ts';
import type { FarmFormat } from '../farm-format.ts';
import { useFarmFormat } from '../use-farm-format.ts';

/** On the farm's clock, like every other time on the dashboard (a remote viewer's own clock would mislead). */
function formatClock(epochMs: number | undefined, { timeZone, locale }: FarmFormat): string {
  return epochMs === undefined ? 'never' : formatFarmTime(epochMs, timeZone, locale);
}

/** Whether the office answered the last GraphQL request; the title says why not and since when, and whether changes are pushed live. */
export function ConnectionBadge() {
  const status = useSyncExternalStore(subscribeConnectionStatus, getConnectionStatus);
  const lastSuccess = formatClock(status.lastSuccessAt, useFarmFormat());
  const [label, color, title] =
    status.state === 'connected'
      ? ['Connected', 'green', `${status.live ? 'Changes are pushed live' : 'Changes are checked for now and then'}\nLast success: ${lastSuccess}`]
      : status.state === 'offline'
        ? ['Offline', 'red', `The last request failed: ${status.error ?? 'unknown error'}\nLast success: ${lastSuccess}`]
        : ['Connecting…', 'gray', 'Waiting for the first answer from the office'];
  return (
    <Badge data-testid="connection-status" data-state={status.state} data-live={status.live} color={color} variant="light" tt="none" title={title} style={{ flexShrink: 0 }}>
      {label}
    </Badge>
  );
}
