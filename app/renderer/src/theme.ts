import { createTheme } from '@mantine/core';

// System fonts only: the CSP allows no font CDNs, and a farm office PC may be offline anyway.
export const theme = createTheme({
  primaryColor: 'green',
});
