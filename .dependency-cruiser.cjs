// @ts-check
/**
 * The layers of the code, checked in CI (`npm run lint`): no file imports in a circle, no folder
 * of an app imports in a circle, apps do not import one another, libs import no app, and the
 * cloud's folders import only their own layer or those below it (see docs/ARCHITECTURE.md).
 */
const CLOUD_LAYERS = [
  ['common', 'config', 'access', 'accounts'],
  ['crypto', 'database'],
  ['cluster', 'jobs'],
  ['audit'],
  ['auth'],
  ['fingerprints', 'tags', 'groups', 'proxies', 'console', 'health'],
  ['teams', 'windows', 'events'],
  ['devices', 'launch', 'recycle', 'invitations', 'imports'],
  ['cookies', 'profiles', 'tasks', 'variables', 'webhooks'],
  ['runs'],
  ['schedules'],
];
const folders = (names) => `^apps/cloud/src/(${names.join('|')})/`;
const cloudLayerRules = CLOUD_LAYERS.slice(0, -1).map((layer, i) => ({
  name: `cloud-layer-${i + 1}`,
  comment: `${layer.join(', ')} may not import a higher layer of the cloud`,
  severity: 'error',
  from: { path: folders(layer) },
  to: { path: folders(CLOUD_LAYERS.slice(i + 1).flat()) },
}));
const known = new Set(CLOUD_LAYERS.flat());

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'files importing in a circle', from: {}, to: { circular: true } },
    {
      name: 'no-folder-circle',
      severity: 'error',
      comment: "an app's folders importing in a circle",
      scope: 'folder',
      from: { path: '^apps/[^/]+/src/[^/]+$' },
      to: { circular: true },
    },
    { name: 'libs-below-apps', severity: 'error', from: { path: '^libs/' }, to: { path: '^apps/' } },
    { name: 'cloud-alone', severity: 'error', from: { path: '^apps/cloud/' }, to: { path: '^apps/(local-agent|console)/' } },
    { name: 'agent-alone', severity: 'error', from: { path: '^apps/local-agent/' }, to: { path: '^apps/(cloud|console)/' } },
    {
      name: 'console-alone',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { path: '^(apps/(cloud|local-agent)|libs/(server-common|proxy-kit|cloud-client))/' },
    },
    {
      name: 'cloud-folder-in-a-layer',
      severity: 'error',
      comment: 'every folder of the cloud has its place in CLOUD_LAYERS',
      from: { path: `^apps/cloud/src/(?!(${[...known].join('|')})/)[^/]+/` },
      to: {},
    },
    ...cloudLayerRules,
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
