import type { ToxicKind } from '../toxic.js';

/** Passes everything through untouched; useful to check toxic plumbing. */
export const noopToxic: ToxicKind<Record<string, never>> = {
  type: 'noop',
  defaults: {},
  validate() {},
  createStage(_context, _attributes, next) {
    return {
      write: (chunk) => next.write(chunk),
      end: () => next.end(),
      remove() {},
      destroy() {},
    };
  },
};
