import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { FirstRunPage } from './FirstRunPage.tsx';
import { LoginPage } from './LoginPage.tsx';
import type { SessionState } from './session.ts';
import { startSession, useSession } from './session-control.ts';

export type SignedIn = Extract<SessionState, { status: 'signed-in' }>;

/** Shows the app only to a signed-in user; otherwise the first-run screen, the login page, or why neither can show. */
export function AuthGate({ children }: { children: (signedIn: SignedIn) => ReactNode }) {
  const state = useSession();
  useEffect(() => {
    void startSession();
  }, []);

  switch (state.status) {
    case 'starting':
      return (
        <Center mih="100vh">
          <Group gap="sm" data-testid="auth-loading">
            <Loader size="sm" />
            <Text>Connecting to the office…</Text>
          </Group>
        </Center>
      );
    case 'unreachable':
      return (
        <Center mih="100vh" p="md">
          <Stack maw={480}>
            <Alert color="red" title="Cannot reach the office" data-testid="auth-unreachable">
              {state.error}. Check that the office is running, then try again.
            </Alert>
            <Button onClick={() => void startSession()} data-testid="auth-retry">
              Try again
            </Button>
          </Stack>
        </Center>
      );
    case 'setup':
      return <FirstRunPage />;
    case 'signed-out':
      return <LoginPage reason={state.reason} />;
    case 'signed-in':
      return <>{children(state)}</>;
  }
}
