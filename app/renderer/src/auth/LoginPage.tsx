import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { formatWait } from './auth-model.ts';
import { authErrorMessage, AuthApiError } from './auth-api.ts';
import { signInWithPassword } from './session-control.ts';

/** Counts a lockout down to zero, once a second; undefined when there is none. */
function useCountdown(until: number | undefined): number | undefined {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (until === undefined) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  if (until === undefined) return undefined;
  const left = Math.ceil((until - now) / 1000);
  return left > 0 ? left : undefined;
}

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack gap="md">
          <Stack gap={2}>
            <Text c="dimmed" size="sm" fw={600}>
              Yoctosehns
            </Text>
            <Title order={1} size="h2">
              {title}
            </Title>
            {subtitle && (
              <Text c="dimmed" size="sm">
                {subtitle}
              </Text>
            )}
          </Stack>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

export function LoginPage({ reason }: { reason?: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [lockedUntil, setLockedUntil] = useState<number>();
  const lockLeft = useCountdown(lockedUntil);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!name.trim() || !password) {
      setError('Enter your name and password.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setLockedUntil(undefined);
    try {
      await signInWithPassword(name.trim(), password);
    } catch (err) {
      setPassword('');
      if (err instanceof AuthApiError && err.status === 429) setLockedUntil(Date.now() + (err.retryAfterS ?? 60) * 1000);
      setError(authErrorMessage(err));
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Sign in" subtitle="Sign in with the name and password the farm's owner gave you.">
      {reason && !error && (
        <Alert color="yellow" data-testid="login-reason">
          {reason}
        </Alert>
      )}
      <form onSubmit={(e) => void submit(e)} data-testid="login-form" noValidate>
        <Stack gap="sm">
          <TextInput label="Name" autoComplete="username" autoFocus value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="login-name" />
          <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-testid="login-password" />
          {error && (
            <Alert color="red" data-testid="login-error" data-locked={lockLeft !== undefined}>
              {lockLeft !== undefined
                ? `Too many failed attempts. Sign-in is locked; try again in ${formatWait(lockLeft)}.`
                : lockedUntil !== undefined
                  ? 'The lock has passed: you may try again now.'
                  : error}
            </Alert>
          )}
          <Button type="submit" loading={busy} disabled={lockLeft !== undefined} data-testid="login-submit">
            Sign in
          </Button>
        </Stack>
      </form>
      <Text size="xs" c="dimmed">
        Forgot your password? The farm's owner can set a new one on the Users page.
      </Text>
    </AuthFrame>
  );
}
