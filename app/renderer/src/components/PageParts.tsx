// The pieces every page of the dashboard shares: its heading with one action, the states of the data it loads
// (loading, a load error with a way to try again), a chart that cannot load, and a modal shown while mounted.
import { Component, useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Group, Loader, Modal, Stack, Text, Title, type ModalProps } from '@mantine/core';
import { errorMessage } from '../graphql.ts';

export function PageHeader({ title, description, action }: { title: string; description: ReactNode; action?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-end">
      <Stack gap={0}>
        <Title order={2}>{title}</Title>
        <Text c="dimmed" size="sm">
          {description}
        </Text>
      </Stack>
      {action}
    </Group>
  );
}

/** "Cannot load the users": the reason in words, and a button to try again when there is one. */
export function LoadError({ what, error, onRetry, testId }: { what: string; error: string; onRetry?: () => void; testId: string }) {
  return (
    <Alert color="red" title={`Cannot load ${what}`} data-testid={testId}>
      {error}
      {onRetry && (
        <>
          {' '}
          <Button variant="subtle" size="compact-sm" onClick={onRetry}>
            Try again
          </Button>
        </>
      )}
    </Alert>
  );
}

export function Loading({ what, testId }: { what: string; testId: string }) {
  return (
    <Group gap="sm" data-testid={testId}>
      <Loader size="sm" />
      <Text>Loading {what}…</Text>
    </Group>
  );
}

/** Data is shown from the last request that worked, and the newest one failed: say so, and why. */
export function StaleData({ error, testId, children }: { error: string; testId: string; children?: ReactNode }) {
  return (
    <Alert color="yellow" title="Showing older data" data-testid={testId}>
      The last request failed ({error}){children ?? '.'}
    </Alert>
  );
}

/** The outcome of an action the farmer took (saved, or why not), until they close it. Nothing without a message. */
export function Notice({ color, message, onClose, testId }: { color: 'red' | 'green'; message: string | undefined; onClose: () => void; testId: string }) {
  if (!message) return null;
  return (
    <Alert color={color} withCloseButton onClose={onClose} data-testid={testId}>
      {message}
    </Alert>
  );
}

/** A chart that cannot load (its script went missing after an update of the office) says so instead of blanking the app. */
export class ChartBoundary extends Component<{ children: ReactNode }, { error?: string }> {
  override state: { error?: string } = {};
  static getDerivedStateFromError(err: unknown): { error: string } {
    return { error: errorMessage(err) };
  }
  override render(): ReactNode {
    if (this.state.error === undefined) return this.props.children;
    return (
      <Alert color="red" title="Cannot show the chart" data-testid="chart-error">
        {this.state.error}. Reload the page to try again.
      </Alert>
    );
  }
}

/**
 * A modal that is open for as long as it is mounted (`{adding && <AddModal />}`). Mantine gives the focus back
 * to what had it when `opened` turns false, which never happens when the modal unmounts instead; a keyboard user
 * would be left on the page's body. This gives it back to the control that opened the modal, if still there.
 */
export function MountedModal(props: Omit<ModalProps, 'opened'>) {
  // Read while rendering: by the time an effect runs, the modal has already taken the focus.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useEffect(() => () => {
    if (opener?.isConnected) opener.focus();
  }, [opener]);
  return <Modal opened {...props} />;
}
