import { Button, Code, Stack, Table, Text } from '@mantine/core';
import { LoadError, Loading, PageHeader } from '../components/PageParts.tsx';
import { listAudit, type AuditEntry } from '../auth/auth-api.ts';
import { auditDetailText } from '../auth/auth-model.ts';
import { useAuthResource } from '../auth/use-auth-resource.ts';
import { formatFarmTime } from '../herd-model.ts';
import { useFarmFormat } from '../use-farm-format.ts';

const LIMIT = 100;
const loadAudit = () => listAudit(LIMIT);

/** "login-failed" → "Login failed". */
function eventLabel(event: string): string {
  const words = event.replace(/[-_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isFailure(entry: AuditEntry): boolean {
  return /fail|lock|denied|refused|revoked/i.test(entry.event);
}

export function SecurityLogPage() {
  const audit = useAuthResource(loadAudit);
  const { timeZone, locale } = useFarmFormat();
  return (
    <Stack gap="md" data-testid="security-log-page">
      <PageHeader
        title="Security log"
        description={`The last ${LIMIT} sign-ins, failures, lockouts, token and role changes, newest first.`}
        action={
          <Button variant="default" onClick={audit.reload} loading={audit.loading && !!audit.data} data-testid="security-log-refresh">
            Refresh
          </Button>
        }
      />
      {audit.error && <LoadError what="the security log" error={audit.error} testId="security-log-error" />}
      {!audit.data && audit.loading ? (
        <Loading what="the security log" testId="security-log-loading" />
      ) : audit.data?.length === 0 ? (
        <Text c="dimmed">Nothing recorded yet.</Text>
      ) : audit.data ? (
        <Table.ScrollContainer minWidth={720}>
          <Table striped data-testid="security-log-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>User</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {audit.data.map((entry, i) => (
                <Table.Tr key={`${entry.ts}-${i}`} data-testid="security-log-row" data-event={entry.event}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatFarmTime(entry.ts, timeZone, locale)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={isFailure(entry) ? 'red' : undefined} fw={isFailure(entry) ? 600 : undefined}>
                      {eventLabel(entry.event)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{entry.user ?? '—'}</Table.Td>
                  <Table.Td>{entry.address ? <Code>{entry.address}</Code> : '—'}</Table.Td>
                  <Table.Td>
                    <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                      {auditDetailText(entry.detail)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Stack>
  );
}
