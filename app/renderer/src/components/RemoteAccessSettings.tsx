// Remote access (issue 6, item 7; issue 5's switch): the owner's decision, applied at the office's next start
// because the API's listening address cannot change under open connections. What runs now and what the next
// start will do are both shown, so a pending change is never a surprise.
import { Alert, Card, Stack, Switch, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { authErrorMessage, getAuthStatus, setRemoteAccess } from '../auth/auth-api.ts';
import { useAuthResource } from '../auth/use-auth-resource.ts';
import { LoadError, Loading } from './PageParts.tsx';

export function RemoteAccessSettings() {
  const status = useAuthResource(getAuthStatus);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function change(enabled: boolean): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await setRemoteAccess(enabled);
      status.reload();
    } catch (err) {
      setError(authErrorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const running = status.data?.remote_access;
  const next = status.data?.remote_access_next_start;
  return (
    <Card withBorder padding="md" data-testid="remote-access">
      <Stack gap="xs">
        <Title order={3} size="h4">
          Remote access
        </Title>
        <Text size="sm" c="dimmed">
          On: the dashboard and the API answer on the farm's network (every request needs a sign-in or a token). Off: only
          this computer. It is plain HTTP: beyond the farm's own network, use a VPN or a reverse proxy with a certificate.
        </Text>
        {status.error && <LoadError what="remote access" error={status.error} onRetry={status.reload} testId="remote-access-error" />}
        {status.loading && !status.data ? (
          <Loading what="remote access" testId="remote-access-loading" />
        ) : status.data && next === undefined ? (
          <Text size="sm">This office sets remote access with the CLI: npm run cli -- remote on|off.</Text>
        ) : status.data ? (
          <>
            <Switch
              label="Allow access from the farm's network"
              checked={next === true}
              disabled={busy}
              onChange={(e) => void change(e.currentTarget.checked)}
              data-testid="remote-access-switch"
            />
            <Text size="sm" data-testid="remote-access-state">
              Now: {running ? 'on' : 'off'}.{next !== running ? ` From the next start of the office: ${next ? 'on' : 'off'} (restart it to apply).` : ''}
            </Text>
          </>
        ) : null}
        {error && (
          <Alert color="red" title="Not changed" data-testid="remote-access-save-error">
            {error}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
