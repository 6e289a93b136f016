/**
 * Our proxy in a process of its own for bench/proxy.ts, as the stack runs it, so it never
 * shares an event loop with the load it measures. Prints `{"url": ...}` once listening and
 * stops when its stdin closes (the bench ended or died) or on SIGTERM/SIGINT.
 */
import { pino } from 'pino';
import { startToxiproxyServer } from '../chaos/proxy/server.js';
import { stopWithParent } from './interruptible.js';

// Warnings go to stderr so stdout carries only the ready line.
const logger = pino({ level: 'warn' }, pino.destination(2));
const proxy = await startToxiproxyServer({ host: '127.0.0.1', port: 0, seed: 1, logger });
process.stdout.write(`${JSON.stringify({ url: proxy.url })}\n`);

stopWithParent(() => proxy.stop());
