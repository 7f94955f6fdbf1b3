// The esbuild options both bundles share: one ES module for Node 20, packages
// left outside (installed as dependencies), a linked source map.
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};
