// Electron fuses flipped in the packaged binary (electron-builder.yml `electronFuses`; see
// https://www.electronjs.org/docs/latest/tutorial/fuses). The test checks the yml against this list.
export const REQUIRED_FUSES = {
  // ELECTRON_RUN_AS_NODE would turn the signed app into a general Node interpreter.
  runAsNode: false,
  // Cookies on disk are encrypted with the OS key store, as Chrome does.
  enableCookieEncryption: true,
  // NODE_OPTIONS / NODE_EXTRA_CA_CERTS could inject code or trust.
  enableNodeOptionsEnvironmentVariable: false,
  // --inspect and SIGUSR1 would open a debugger into the main process.
  enableNodeCliInspectArguments: false,
  // The app.asar is checked against the hash recorded at build time (macOS, Windows).
  enableEmbeddedAsarIntegrityValidation: true,
  // Only app.asar is loaded as the app (not an `app` folder dropped beside it).
  onlyLoadAppFromAsar: true,
  // The window shows http pages from the office, never file://.
  grantFileProtocolExtraPrivileges: false,
} as const;
