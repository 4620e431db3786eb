import { Progress, Stack, Text } from '@mantine/core';
import { passwordStrength } from './auth-model.ts';

const COLORS = ['red', 'orange', 'yellow', 'teal', 'green'] as const;

/** A bar and a line saying how guessable the new password looks. */
export function PasswordStrengthHint({ password }: { password: string }) {
  const strength = passwordStrength(password);
  return (
    <Stack gap={4} data-testid="password-strength" data-score={strength.score}>
      <Progress value={password ? (strength.score + 1) * 20 : 0} color={COLORS[strength.score]} size="sm" aria-label={`Password strength: ${strength.label}`} />
      <Text size="xs" c="dimmed">
        {password ? `${strength.label}. ${strength.hint}` : strength.hint}
      </Text>
    </Stack>
  );
}
