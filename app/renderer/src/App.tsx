import { Anchor, AppShell, Burger, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect } from 'react';
import { ConnectionBadge } from './components/ConnectionBadge.tsx';
import { ROUTES } from './routes.tsx';
import { routeHref, useHashRoute } from './use-hash-route.ts';
import { usePollingQuery } from './use-polling-query.ts';

const FARM_QUERY = /* GraphQL */ `
  query Farm {
    farm_settings { name }
  }
`;

interface FarmData {
  farm_settings: { name: string }[];
}

export function App() {
  const [navbarOpened, { toggle: toggleNavbar, close: closeNavbar }] = useDisclosure();
  const path = useHashRoute();
  const route = path === '' ? ROUTES[0] : ROUTES.find((r) => r.path === path);
  // The farm's name rarely changes; a slow refresh keeps the header right without a subscription yet.
  const farm = usePollingQuery<FarmData>(FARM_QUERY, 60_000);
  const farmName = farm.data?.farm_settings[0]?.name;

  useEffect(() => {
    document.title = [route?.label, farmName, 'Yoctosehns'].filter(Boolean).join(' · ');
  }, [route, farmName]);

  const Page = route?.component;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger opened={navbarOpened} onClick={toggleNavbar} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h3">
              Yoctosehns
            </Title>
            {farmName && (
              <Text c="dimmed" truncate="end" data-testid="farm-name">
                {farmName}
              </Text>
            )}
          </Group>
          <ConnectionBadge />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Pages">
        {ROUTES.map((r) => (
          <NavLink key={r.path} href={routeHref(r.path)} label={r.label} active={r === route} onClick={closeNavbar} />
        ))}
      </AppShell.Navbar>

      <AppShell.Main>
        {Page ? (
          <Page />
        ) : (
          <Stack gap="xs">
            <Title order={2}>No such page</Title>
            <Text>
              There is nothing at “{path}”. Open <Anchor href={routeHref(ROUTES[0].path)}>{ROUTES[0].label}</Anchor> instead.
            </Text>
          </Stack>
        )}
      </AppShell.Main>
    </AppShell>
  );
}
