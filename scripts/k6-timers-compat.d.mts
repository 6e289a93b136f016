import type { Plugin } from 'esbuild';

export const timersCompat: Plugin;
