#!/usr/bin/env node
// The `gameday` command: runs the TypeScript CLI through tsx (Node 20 has no type stripping).
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every client it builds under Node 20; its versions are pinned to ones
// that support Node 20, so the warning is noise in a command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
