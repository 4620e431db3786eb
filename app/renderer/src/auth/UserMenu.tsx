import { Badge, Button, Menu, Text } from '@mantine/core';
import { roleLabel } from './auth-model.ts';
import type { SessionUser, SessionSource } from './session.ts';
import { signOut } from './session-control.ts';

/** Who is signed in, with what role, and the way out. */
export function UserMenu({ user, source }: { user: SessionUser; source: SessionSource }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="subtle" size="compact-sm" data-testid="user-menu" aria-label={`Signed in as ${user.name}, ${roleLabel(user.role)}`} rightSection={<Badge size="xs" variant="light" data-testid="user-role">{roleLabel(user.role)}</Badge>}>
          <Text span size="sm" truncate="end" maw={140} data-testid="user-name">
            {user.name}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          Signed in as {user.name} ({roleLabel(user.role)})
        </Menu.Label>
        {source === 'desktop' ? (
          <Menu.Item disabled>This window signs in as the local user</Menu.Item>
        ) : (
          <>
            <Menu.Item onClick={() => void signOut(false)} data-testid="sign-out">
              Sign out
            </Menu.Item>
            <Menu.Item onClick={() => void signOut(true)} data-testid="sign-out-everywhere" title="Ends your sessions on every device and browser">
              Sign out everywhere
            </Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
