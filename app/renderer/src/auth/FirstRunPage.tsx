import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { passwordProblem } from './auth-model.ts';
import { authErrorMessage, AuthApiError } from './auth-api.ts';
import { AuthFrame } from './LoginPage.tsx';
import { PasswordStrengthHint } from './PasswordStrengthHint.tsx';
import { session } from './session.ts';
import { createOwner } from './session-control.ts';

/** A new office has no users: the first person to open it creates the owner account. */
export function FirstRunPage() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const problem = !name.trim() ? 'Enter a name for the owner account.' : passwordProblem(password, repeated);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await createOwner(name.trim(), password);
    } catch (err) {
      setBusy(false);
      if (err instanceof AuthApiError && err.status === 409) {
        // Someone else finished the setup first (another tab, the CLI): sign in instead.
        session.setState({ status: 'signed-out', reason: 'This office already has an owner. Sign in with that account.' });
        return;
      }
      setError(authErrorMessage(err));
    }
  }

  const mismatch = repeated !== '' && repeated !== password;
  return (
    <AuthFrame title="Welcome to your farm office" subtitle="Create the owner account. The owner can later add users for the manager, the vet and the workers.">
      <form onSubmit={(e) => void submit(e)} data-testid="setup-form" noValidate>
        <Stack gap="sm">
          <TextInput label="Owner's name" description="What you type to sign in." autoComplete="username" autoFocus value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="setup-name" />
          <PasswordInput label="Password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-testid="setup-password" />
          <PasswordStrengthHint password={password} />
          <PasswordInput
            label="Password again"
            autoComplete="new-password"
            value={repeated}
            onChange={(e) => setRepeated(e.currentTarget.value)}
            error={mismatch ? 'Not the same as the password above.' : undefined}
            data-testid="setup-password-repeat"
          />
          {error && (
            <Alert color="red" data-testid="setup-error">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy} data-testid="setup-submit">
            Create the owner account
          </Button>
          <Text size="xs" c="dimmed">
            Keep this password safe: there is no recovery by e-mail.
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
