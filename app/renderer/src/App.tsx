import { Anchor, AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useMemo, useRef } from 'react';
import { canOpen, roleLabel, startPageFor } from './auth/auth-model.ts';
import { AuthGate, type SignedIn } from './auth/AuthGate.tsx';
import { UserMenu } from './auth/UserMenu.tsx';
import { ConnectionBadge } from './components/ConnectionBadge.tsx';
import { farmFormat } from './farm-format.ts';
import { ROUTES } from './routes.tsx';
import { FarmFormatContext, type FarmFormatContextValue } from './use-farm-format.ts';
import { routeHref, useHashRoute } from './use-hash-route.ts';
import { usePollingQuery } from './use-polling-query.ts';

const FARM_QUERY = /* GraphQL */ `
  query Farm {
    farm_settings { name time_zone locale }
  }
`;

interface FarmData {
  farm_settings: { name: string; time_zone: string; locale: string }[];
}

export function App() {
  return <AuthGate>{(signedIn) => <SignedInApp signedIn={signedIn} />}</AuthGate>;
}

function SignedInApp({ signedIn }: { signedIn: SignedIn }) {
  const { user, source } = signedIn;
  const [navbarOpened, { toggle: toggleNavbar, close: closeNavbar }] = useDisclosure();
  const path = useHashRoute();
  const allowed = ROUTES.filter((r) => canOpen(r.path, user.role));
  const start = startPageFor(user.role);
  const route = ROUTES.find((r) => r.path === (path === '' ? start?.path : path));
  const mayOpen = route !== undefined && canOpen(route.path, user.role);
  // The farm's name, zone and locale rarely change; a slow refresh keeps them right without a subscription, and
  // Settings asks again the moment it saved.
  const farm = usePollingQuery<FarmData>(FARM_QUERY, 60_000);
  const settings = farm.data?.farm_settings[0];
  const farmName = settings?.name;
  const { refresh } = farm;
  const { timeZone, locale } = farmFormat(settings);
  const format = useMemo<FarmFormatContextValue>(() => ({ timeZone, locale, refresh }), [timeZone, locale, refresh]);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    document.title = [route?.label, farmName, 'Yoctosehns'].filter(Boolean).join(' · ');
  }, [route, farmName]);

  const Page = mayOpen ? route.component : undefined;
  const home = allowed[0];
  return (
    <FarmFormatContext.Provider value={format}>
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
        padding="md"
      >
        <Button className="skip-link" onClick={() => main.current?.focus()} data-testid="skip-to-page">
          Skip to the page
        </Button>
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
            <Group gap="xs" wrap="nowrap">
              <ConnectionBadge />
              <UserMenu user={user} source={source} />
            </Group>
          </Group>
        </AppShell.Header>

        <AppShell.Navbar p="xs" aria-label="Pages" data-testid="navbar">
          {allowed.map((r) => (
            <NavLink key={r.path} href={routeHref(r.path)} label={r.label} active={r === route} onClick={closeNavbar} data-testid={`nav-${r.path}`} />
          ))}
        </AppShell.Navbar>

        <AppShell.Main ref={main} tabIndex={-1}>
          {Page ? (
            <Page />
          ) : route ? (
            <Stack gap="xs" data-testid="page-forbidden">
              <Title order={2}>Not for your role</Title>
              <Text>
                The {route.label} page is for {route.roles.map(roleLabel).join(', ')} only; you are signed in as {user.name} ({roleLabel(user.role)}).
                {home && (
                  <>
                    {' '}
                    Open <Anchor href={routeHref(home.path)}>{home.label}</Anchor> instead.
                  </>
                )}
              </Text>
            </Stack>
          ) : (
            <Stack gap="xs" data-testid="page-not-found">
              <Title order={2}>No such page</Title>
              <Text>
                There is nothing at “{path}”.
                {home && (
                  <>
                    {' '}
                    Open <Anchor href={routeHref(home.path)}>{home.label}</Anchor> instead.
                  </>
                )}
              </Text>
            </Stack>
          )}
        </AppShell.Main>
      </AppShell>
    </FarmFormatContext.Provider>
  );
}
