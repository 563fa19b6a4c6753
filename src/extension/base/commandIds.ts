/** Every command of the extension; package.json `contributes.commands` lists exactly these (a test checks it). */
export const CommandId = {
  connect: 'btpConnect.connect',
  removeConnection: 'btpConnect.removeConnection',
  signIn: 'btpConnect.signIn',
  signOut: 'btpConnect.signOut',
  startSandbox: 'btpConnect.startSandbox',
  stopSandbox: 'btpConnect.stopSandbox',
  exposeLocalSystem: 'btpConnect.exposeLocalSystem',
  openSandboxMailbox: 'btpConnect.openSandboxMailbox',
  refresh: 'btpConnect.refresh',
  refreshNode: 'btpConnect.refreshNode',
  filter: 'btpConnect.filter',
  clearFilter: 'btpConnect.clearFilter',
  revealDestination: 'btpConnect.revealDestination',
  copyDestinationName: 'btpConnect.copyDestinationName',
  editDestination: 'btpConnect.editDestination',
  newDestination: 'btpConnect.newDestination',
  duplicateDestination: 'btpConnect.duplicateDestination',
  deleteDestination: 'btpConnect.deleteDestination',
  exportForLocalApps: 'btpConnect.exportForLocalApps',
  importDefaultEnv: 'btpConnect.importDefaultEnv',
  checkConnection: 'btpConnect.checkConnection',
  setUpTunnel: 'btpConnect.setUpTunnel',
  removeTunnelApp: 'btpConnect.removeTunnelApp',
  startForward: 'btpConnect.startForward',
  forwardAllDestinations: 'btpConnect.forwardAllDestinations',
  stopForward: 'btpConnect.stopForward',
  restartForward: 'btpConnect.restartForward',
  copyForwardUrl: 'btpConnect.copyForwardUrl',
  openForwardInBrowser: 'btpConnect.openForwardInBrowser',
  inspectTraffic: 'btpConnect.inspectTraffic',
  focusForwards: 'btpConnect.focusForwards',
  showLog: 'btpConnect.showLog',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewId = {
  destinations: 'btpConnect.destinations',
  forwards: 'btpConnect.forwards',
} as const;
