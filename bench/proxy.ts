/**
 * What our Toxiproxy (chaos/proxy) costs a connection, against the real Toxiproxy measured in
 * the same run when one is available (GAMEDAY_TOXIPROXY_SERVER, or toxiproxy-server on PATH).
 *
 *   npm run bench:proxy -- [--quick] [--round-trips 20000] [--message-bytes 64] [--latency-seconds 30]
 *                          [--transfer-mib 256] [--transfer-seconds 10] [--rounds 9]
 *
 * Each proxy runs in a child process of its own (as the stack runs ours), on 127.0.0.1; the
 * echo and sink servers and the clients live in this process.
 * 1. Added latency per hop: small messages echoed over one persistent connection per path (a
 *    proxied round trip crosses the proxy once each way), the direct path and each proxy
 *    taking turns round trip by round trip (so drift and noise fall on all of them alike),
 *    after a warm-up. Added = a proxy's percentile minus the same
 *    percentile of the direct path.
 * 2. Throughput: bulk bytes client -> server (upstream), backpressure honoured, until the sink
 *    has them all; the median of --rounds transfers per path, with the proxy process's CPU.
 * Both with no toxic and with a `noop` toxic on each stream (a round trip crosses two, a
 * transfer one). Ratios are ours / real. Both proxies log at warn.
 * Writes nothing to disk. Exits non-zero only if something broke (130 on Ctrl-C), never for a
 * missed target.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loopback } from '../stack/ports.js';
import { benchConfig } from './config.js';
import { flag, option } from './options.js';
import { processCpuMs } from '../stack/process-cpu.js';
import { addNoopToxics, createProxy, type ProxyPeer, startOurProxy, startRealToxiproxy } from './proxy-peers.js';
import { type LoopbackServer, openRoundTripper, type RoundTripper, SinkServer, startEchoServer, transfer } from './proxy-probes.js';
import { type ModeFigures, type PathFigures, printMode, printTargets } from './proxy-report.js';
import { spread } from './service-stats.js';
import { onInterrupt } from './interruptible.js';

const mebibyte = 1024 * 1024;
const quick = flag('quick');
const settings = {
  roundTrips: Math.round(option('round-trips', quick ? 2_000 : 20_000)),
  // Measured: our proxy's p99 was ~950 µs over its first 10,000 round trips and under 250 µs after 20,000 (JIT).
  warmupRoundTrips: quick ? 1_000 : 20_000,
  messageBytes: Math.round(option('message-bytes', 64)),
  latencyMaxMs: option('latency-seconds', quick ? 5 : 30) * 1_000,
  transferBytes: Math.round(option('transfer-mib', quick ? 32 : 256) * mebibyte),
  warmupTransferBytes: (quick ? 8 : 64) * mebibyte,
  transferMaxMs: option('transfer-seconds', quick ? 5 : 10) * 1_000,
  rounds: Math.round(option('rounds', quick ? 1 : 9)),
};

/** A way from the client to the servers: straight there, or through one proxy. */
interface Path {
  label: string;
  echoPort: number;
  sinkPort: number;
  pid: number | null;
}

const { cleanups, run } = onInterrupt('the proxies');

async function proxiedPaths(peer: ProxyPeer, servers: { echo: LoopbackServer; sink: SinkServer }, noop: boolean): Promise<Path> {
  const suffix = noop ? '_noop' : '';
  const echoPort = await createProxy(peer.api, `bench_echo${suffix}`, `${loopback}:${servers.echo.port}`);
  const sinkPort = await createProxy(peer.api, `bench_sink${suffix}`, `${loopback}:${servers.sink.server.port}`);
  if (noop) {
    await addNoopToxics(peer.api, `bench_echo${suffix}`);
    await addNoopToxics(peer.api, `bench_sink${suffix}`);
  }
  return { label: peer.label, echoPort, sinkPort, pid: peer.pid };
}

/** Round trips on every path in turn, the order rotating so no path always follows the same one. */
async function measureRoundTrips(paths: Path[]): Promise<number[][]> {
  const trippers: RoundTripper[] = [];
  try {
    for (const path of paths) trippers.push(await openRoundTripper(path.echoPort, settings.messageBytes, path.label));
    const warmupStartedAt = performance.now();
    for (let index = 0; index < settings.warmupRoundTrips && performance.now() - warmupStartedAt < settings.latencyMaxMs; index += 1) {
      for (const tripper of trippers) await tripper.roundTrip();
    }
    const samples = paths.map(() => [] as number[]);
    const startedAt = performance.now();
    for (let index = 0; index < settings.roundTrips && performance.now() - startedAt < settings.latencyMaxMs; index += 1) {
      for (let turn = 0; turn < trippers.length; turn += 1) {
        const which = (index + turn) % trippers.length;
        samples[which]?.push(await (trippers[which] as RoundTripper).roundTrip());
      }
    }
    return samples;
  } finally {
    for (const tripper of trippers) tripper.close();
  }
}

interface Throughput { megabytesPerSecond: number; cpuMsPerGigabyte: number | null; slowest: number; fastest: number }

/** Rounds of one transfer per path; the median round of each path, and its spread. */
async function measureThroughput(paths: Path[], sink: SinkServer): Promise<Throughput[]> {
  for (const path of paths) await transfer(sink, path.sinkPort, settings.warmupTransferBytes, settings.transferMaxMs, path.label);
  const runs = paths.map(() => [] as { megabytesPerSecond: number; cpuMsPerGigabyte: number | null }[]);
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const [index, path] of paths.entries()) {
      const cpuBefore = path.pid === null ? null : processCpuMs(path.pid);
      const result = await transfer(sink, path.sinkPort, settings.transferBytes, settings.transferMaxMs, path.label);
      const cpuAfter = path.pid === null ? null : processCpuMs(path.pid);
      const cpuMsPerGigabyte = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / (result.bytes / 1e9);
      runs[index]?.push({ megabytesPerSecond: result.megabytesPerSecond, cpuMsPerGigabyte });
    }
  }
  return runs.map((results) => {
    const sorted = [...results].sort((a, b) => a.megabytesPerSecond - b.megabytesPerSecond);
    const median = sorted[Math.floor(sorted.length / 2)] as { megabytesPerSecond: number; cpuMsPerGigabyte: number | null };
    return { ...median, slowest: sorted[0]?.megabytesPerSecond ?? Number.NaN, fastest: sorted.at(-1)?.megabytesPerSecond ?? Number.NaN };
  });
}

async function measureMode(title: string, paths: Path[], sink: SinkServer): Promise<PathFigures[]> {
  process.stderr.write(`${title}: round trips... `);
  const samples = await measureRoundTrips(paths);
  process.stderr.write('transfers... ');
  const throughput = await measureThroughput(paths, sink);
  process.stderr.write('done\n');
  const direct = spread(samples[0] ?? []);
  return paths.map((path, index) => {
    const roundTrip = spread(samples[index] ?? []);
    return {
      label: path.label,
      roundTrip,
      added: index === 0 ? null : { p50: roundTrip.p50 - direct.p50, p99: roundTrip.p99 - direct.p99 },
      megabytesPerSecond: throughput[index]?.megabytesPerSecond ?? Number.NaN,
      megabytesPerSecondRange: [throughput[index]?.slowest ?? Number.NaN, throughput[index]?.fastest ?? Number.NaN],
      cpuMsPerGigabyte: throughput[index]?.cpuMsPerGigabyte ?? null,
    };
  });
}

async function startReal(): Promise<{ peer: ProxyPeer | null; skippedBecause: string | null }> {
  const lookup = benchConfig.realToxiproxy;
  if (lookup.path === null) return { peer: null, skippedBecause: lookup.reason };
  try {
    const peer = await startRealToxiproxy(lookup.path, benchConfig.realToxiproxyEnv);
    console.log(`real Toxiproxy: ${lookup.path} (from ${lookup.foundBy}), ${peer.label}`);
    return { peer, skippedBecause: null };
  } catch (error) {
    return { peer: null, skippedBecause: `${lookup.path} (from ${lookup.foundBy}) did not start: ${(error as Error).message}` };
  }
}

async function main(): Promise<void> {
  const echo = await startEchoServer();
  cleanups.push(() => echo.close());
  const sink = await SinkServer.start();
  cleanups.push(() => sink.server.close());
  const ours = await startOurProxy();
  cleanups.push(() => ours.stop());
  const real = await startReal();
  if (real.peer) cleanups.push((real.peer as ProxyPeer).stop);
  else console.log(`comparison with the real Toxiproxy skipped: ${real.skippedBecause}`);

  const [load] = loadavg();
  console.log(`machine: ${availableParallelism()} cores, load average ${load?.toFixed(1)} before the run (other work shares the cores and moves every figure)`);
  console.log(`\n${settings.messageBytes}-byte round trips (added = through a proxy, crossed once each way, minus direct): ${settings.roundTrips} per path (at most ${settings.latencyMaxMs / 1_000} s), `
    + `after ${settings.warmupRoundTrips} warm-up; transfers: ${settings.transferBytes / mebibyte} MiB client -> server `
    + `(at most ${settings.transferMaxMs / 1_000} s), median of ${settings.rounds}${quick ? ' (--quick)' : ''}`);
  const direct: Path = { label: 'direct (no proxy)', echoPort: echo.port, sinkPort: sink.server.port, pid: null };
  const modes: ModeFigures[] = [];
  for (const noop of [false, true]) {
    const title = noop ? 'noop toxic on each stream' : 'no toxic';
    const paths = [direct, await proxiedPaths(ours, { echo, sink }, noop)];
    if (real.peer) paths.push(await proxiedPaths(real.peer, { echo, sink }, noop));
    const [directFigures, oursFigures, realFigures] = await measureMode(title, paths, sink);
    modes.push({ title, direct: directFigures as PathFigures, ours: oursFigures as PathFigures, real: realFigures ?? null });
  }
  for (const mode of modes) printMode(mode);
  printTargets(modes, real.skippedBecause, quick);
}

await run(main);
