import { createTheme, TableScrollContainer } from '@mantine/core';

// System fonts only: the CSP allows no font CDNs, and a farm office PC may be offline anyway.
export const theme = createTheme({
  primaryColor: 'green',
  components: {
    // A table wider than the screen scrolls sideways in its own box. Its scrollbar shows whenever there is more to
    // see: Mantine's default shows it only while the mouse hovers, which a tablet never does, so the columns on
    // the right would look cut off.
    TableScrollContainer: TableScrollContainer.extend({ defaultProps: { scrollAreaProps: { type: 'auto' } } }),
  },
});
