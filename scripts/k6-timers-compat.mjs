/**
 * An esbuild plugin for k6 bundles: `k6/timers` exists from k6 v0.50, `k6/experimental/timers`
 * before it; the bundle picks whichever the running k6 has, so one bundle runs on both.
 */
export const timersCompat = {
  name: 'k6-timers-compat',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^k6\/timers$/ }, (args) => (args.namespace === 'k6-compat'
      ? { path: args.path, external: true }
      : { path: 'timers', namespace: 'k6-compat' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'k6-compat' }, () => ({
      loader: 'js',
      contents: [
        'let timers;',
        "try { timers = require('k6/timers'); } catch (notThere) { timers = require('k6/experimental/timers'); }",
        'module.exports = timers;',
      ].join('\n'),
    }));
  },
};
