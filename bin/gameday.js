#!/usr/bin/env node
// The `gameday` command: runs the TypeScript CLI through tsx (Node 20 has no type stripping).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
