/**
 * The fake chat server (engine-fake-chat.ts) in a process of its own for bench/engine.ts, so
 * its CPU is never the generator's. Prints `{"http": ..., "ws": ...}` once listening and
 * `{"event":"first-session"}` when the load begins; stops when its stdin closes (the bench
 * ended or died) or on SIGTERM/SIGINT.
 */
import { startFakeChat } from './engine-fake-chat.js';
import { stopWithParent } from './interruptible.js';

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const fake = await startFakeChat({ onFirstSession: () => say({ event: 'first-session' }) });
say({ http: fake.http, ws: fake.ws });

stopWithParent(() => fake.close());
