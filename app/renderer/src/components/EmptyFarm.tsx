import { Code, Stack, Text, Title } from '@mantine/core';

/** The ingest listener's default port; a farm can change it with --ingest-port. */
const DEFAULT_INGEST_PORT = 8470;

const EXAMPLE_BODY = '{"readings":[{"animal":"DE0123","metric":"temperature","value":38.7}]}';

function officeHost(): string {
  const host = window.location.hostname || 'localhost';
  // An IPv6 address needs brackets in a URL.
  return host.includes(':') ? `[${host}]` : host;
}

/** How a node gets its token and posts readings; shown on an empty farm and while no reading has arrived. */
export function NodeSetupSteps({ compact = false }: { compact?: boolean }) {
  // One line, as the brief gives it: line continuations differ between shells, a single line pastes anywhere.
  const curl =
    `curl -X POST http://${officeHost()}:${DEFAULT_INGEST_PORT}/v1/readings` +
    ` -H "Authorization: Bearer <token>" -H "content-type: application/json" -d '${EXAMPLE_BODY}'`;
  return (
    <Stack gap="xs">
      {!compact && <Title order={3}>Connect a node</Title>}
      <Text size="sm">
        1. Register the node on this office. The command prints the node's token once; keep it, the office stores
        only a hash.
      </Text>
      <Code block data-testid="node-add-command">
        npm run cli -- node add --name collar-1 --kind collar --json
      </Code>
      <Text size="sm">
        2. The node posts its readings to the office's ingest port ({DEFAULT_INGEST_PORT} by default) with that
        token. An animal ID the office does not know yet creates an unconfirmed animal.
      </Text>
      <Code block data-testid="curl-example" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {curl}
      </Code>
    </Stack>
  );
}

/** The herd page of a farm with no animals yet: say how to get some in rather than show an empty table. */
export function EmptyFarm() {
  return (
    <Stack gap="lg" maw={820} data-testid="empty-farm">
      <Stack gap={4}>
        <Title order={2}>No animals yet</Title>
        <Text c="dimmed">This farm has no animals and no readings. Here is how to fill it.</Text>
      </Stack>

      <NodeSetupSteps />

      <Stack gap="xs">
        <Title order={3}>Import your herd</Title>
        <Text size="sm">Import animals from a CSV file with the header line</Text>
        <Code block>official_id,tag,name,sex,birth_date,breed,group</Code>
        <Code block data-testid="import-command">
          npm run cli -- animal import cows.csv
        </Code>
      </Stack>

      <Stack gap="xs">
        <Title order={3}>Just looking?</Title>
        <Text size="sm">Start the office with a demo herd and simulated nodes instead:</Text>
        <Code block>npm run demo</Code>
      </Stack>

      <Text size="sm" c="dimmed">
        This page refreshes by itself every few seconds: the animals appear as soon as they exist.
      </Text>
    </Stack>
  );
}
