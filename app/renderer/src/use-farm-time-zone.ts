// The farm's time zone for the pages whose own data does not carry it (the owner's pages load from /auth, not
// GraphQL): their times are shown on the farm's clock like every other page's, not the viewer's.
import { safeTimeZone } from './animal-detail-model.ts';
import { usePollingQuery } from './use-polling-query.ts';

const FARM_TIME_ZONE_QUERY = /* GraphQL */ `query FarmTimeZone { farm_settings { time_zone } }`;

/** The farm's IANA zone, UTC until it is known (formatFarmTime names the zone, so that is never ambiguous). */
export function useFarmTimeZone(): string {
  // Changed in Settings rarely; asked as often as the header asks for the farm's name.
  const { data } = usePollingQuery<{ farm_settings: { time_zone: string }[] }>(FARM_TIME_ZONE_QUERY, 60_000);
  return safeTimeZone(data?.farm_settings[0]?.time_zone);
}
