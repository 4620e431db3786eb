import { Badge, Group, Table, Text } from '@mantine/core';
import {
  animalLabel,
  formatAge,
  formatReadingValue,
  readingsByMetric,
  readingTitle,
  type Animal,
  type AnimalStatus,
  type Metric,
} from '../herd-model.ts';

const STATUS_BADGES: Record<AnimalStatus, { label: string; color: string }> = {
  active: { label: 'Active', color: 'green' },
  dry: { label: 'Dry', color: 'blue' },
  sold: { label: 'Sold', color: 'gray' },
  dead: { label: 'Dead', color: 'dark' },
};

interface HerdTableProps {
  animals: readonly Animal[];
  columns: readonly Metric[];
  timeZone: string;
  /** Epoch ms the ages are measured from; passed in so every cell agrees and the table stays pure. */
  now: number;
}

export function HerdTable({ animals, columns, timeZone, now }: HerdTableProps) {
  return (
    // Scroll sideways on a phone rather than squeeze badges and figures into unreadable slivers.
    <Table.ScrollContainer minWidth={520 + columns.length * 150}>
      <Table striped highlightOnHover stickyHeader tabularNums data-testid="herd-table" style={{ whiteSpace: 'nowrap' }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Tag</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Group</Table.Th>
            <Table.Th>Status</Table.Th>
            {columns.map((m) => (
              <Table.Th key={m.id} data-metric={m.key} style={{ textAlign: 'right' }}>
                {m.name}{' '}
                <Text span c="dimmed" size="xs">
                  ({m.unit})
                </Text>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {animals.map((animal) => (
            <HerdRow key={animal.id} animal={animal} columns={columns} timeZone={timeZone} now={now} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function HerdRow({ animal, columns, timeZone, now }: { animal: Animal } & Omit<HerdTableProps, 'animals'>) {
  const readings = readingsByMetric(animal);
  const label = animalLabel(animal);
  return (
    <Table.Tr data-testid="herd-row" data-tag={label}>
      <Table.Td>
        <Text fw={600} size="sm" title={animal.official_id && animal.tag ? `Official ID ${animal.official_id}` : undefined}>
          {label}
        </Text>
      </Table.Td>
      <Table.Td>{animal.name ?? <Text span c="dimmed" size="sm">—</Text>}</Table.Td>
      <Table.Td>{animal.group?.name ?? <Text span c="dimmed" size="sm">—</Text>}</Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          {/* A status added to the database before the renderer knows it still shows, as is. */}
          <Badge color={STATUS_BADGES[animal.status]?.color ?? 'gray'} variant="light" data-testid="animal-status">
            {STATUS_BADGES[animal.status]?.label ?? animal.status}
          </Badge>
          {animal.unconfirmed && (
            <Badge
              color="orange"
              variant="outline"
              data-testid="unconfirmed"
              title="Created by a node's reading for an ID the office did not know; check and complete this animal's record"
            >
              Unconfirmed
            </Badge>
          )}
        </Group>
      </Table.Td>
      {columns.map((metric) => {
        const reading = readings.get(metric.id);
        return (
          <Table.Td key={metric.id} data-testid={`reading-${metric.key}`} style={{ textAlign: 'right' }}>
            {reading ? (
              <div title={readingTitle(reading, timeZone)}>
                <Text size="sm" data-testid="reading-value">
                  {formatReadingValue(reading.value, metric.unit)}
                </Text>
                <Text size="xs" c="dimmed" data-testid="reading-age">
                  {formatAge(reading.ts, now)}
                </Text>
              </div>
            ) : (
              <Text span c="dimmed" size="sm">
                —
              </Text>
            )}
          </Table.Td>
        );
      })}
    </Table.Tr>
  );
}
