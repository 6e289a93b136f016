import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultDefinition, FaultObservation, FaultTargets } from './fault.js';
import { FaultRevertError } from './fault.js';
import { lifecycleFault } from './lifecycle.js';
import { checkProxy } from './network.js';
import { FaultOptions } from './options.js';
import { addToxic, postToxic, removeToxic, type ToxicRequest, uniqueToxicName } from './toxiproxy-calls.js';

export const natModes = ['blackhole', 'reset'] as const;

export const approximationNote = 'approximated: real Toxiproxy has no nat_idle';

interface NatDropSettings {
  proxy: string;
  idleMs: number;
  mode: string;
  toxicity: number;
  approximate: boolean;
  windowMs: number;
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * What a real Toxiproxy can do instead of nat_idle: every idle_ms, a `timeout` toxic with
 * timeout 0 holds the proxy's traffic for a short window and is then removed, which closes
 * every connection it held. Unlike a NAT it cuts busy connections too, and always with FIN.
 */
class ApproximatedNatDrop {
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  private current: string | null = null;
  cuts = 0;
  failedCuts = 0;
  lastError: string | null = null;

  constructor(private readonly api: string, private readonly settings: NatDropSettings) {}

  start(signal: AbortSignal): void {
    signal.addEventListener('abort', () => this.stop.abort(), { once: true });
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    const { proxy, idleMs, windowMs, toxicity } = this.settings;
    while (!this.stop.signal.aborted) {
      await pause(idleMs, this.stop.signal);
      if (this.stop.signal.aborted) return;
      const request: ToxicRequest = {
        proxy, name: uniqueToxicName('timeout', 'downstream'), type: 'timeout', stream: 'downstream', toxicity, attributes: { timeout: 0 },
      };
      try {
        this.current = request.name;
        await addToxic(this.api, request);
        await pause(windowMs, this.stop.signal);
        await removeToxic(this.api, proxy, request.name);
        this.current = null;
        this.cuts += 1;
      } catch (error) {
        this.failedCuts += 1;
        this.lastError = (error as Error).message;
        // A toxic left behind would hold traffic for good: stop cutting and let end() report it.
        const cleared = await removeToxic(this.api, proxy, request.name).then(() => true, () => false);
        if (!cleared) return;
        this.current = null;
      }
    }
  }

  /** Stops the schedule and makes sure its last toxic is gone; returns what is left broken. */
  async end(): Promise<string[]> {
    this.stop.abort();
    await this.running;
    if (this.current === null) return [];
    try {
      await removeToxic(this.api, this.settings.proxy, this.current);
      this.current = null;
      return [];
    } catch (error) {
      return [`toxic "${this.current}" (timeout 0: a black hole) may still be on proxy "${this.settings.proxy}" at ${this.api} (${(error as Error).message})`];
    }
  }
}

function natIdleRequest(settings: NatDropSettings): ToxicRequest {
  return {
    proxy: settings.proxy,
    // nat_idle watches the whole connection whichever stream it sits on.
    name: uniqueToxicName('nat_idle', 'downstream'),
    type: 'nat_idle',
    stream: 'downstream',
    toxicity: settings.toxicity,
    attributes: { idle_ms: settings.idleMs, mode: settings.mode },
  };
}

function createNatDrop(settings: NatDropSettings, targets: FaultTargets) {
  const api = targets.toxiproxyApi;
  const request = natIdleRequest(settings);
  const description = `nat-drop ${settings.proxy} nat_idle idle_ms=${settings.idleMs} mode=${settings.mode}`
    + `${settings.toxicity < 1 ? ` toxicity=${settings.toxicity}` : ''}${settings.approximate ? ' (approximated)' : ''}`;
  let approximation: ApproximatedNatDrop | null = null;
  const approximationDetail = `${approximationNote}; every ${settings.idleMs} ms a timeout toxic (timeout 0) holds proxy "${settings.proxy}" `
    + `for ${settings.windowMs} ms and is removed, closing every connection on it, busy or idle${settings.mode === 'reset' ? ', with FIN, not RST' : ''}`;

  return lifecycleFault({
    description,
    async apply(signal): Promise<FaultObservation> {
      const base = { proxy: settings.proxy, idleMs: settings.idleMs, mode: settings.mode };
      if (!settings.approximate) {
        const answer = await postToxic(api, request, signal);
        if (answer.status === 200) return { ...base, toxic: request.name, approximated: false };
        if (answer.status !== 400 || !answer.body.includes('invalid toxic type')) {
          throw new Error(`adding nat_idle to proxy "${settings.proxy}" at ${api} failed: ${answer.status} ${answer.body.trim()}`);
        }
      }
      approximation = new ApproximatedNatDrop(api, settings);
      approximation.start(signal);
      return { ...base, approximated: true, windowMs: settings.windowMs, note: approximationDetail };
    },
    async revert(): Promise<FaultObservation> {
      if (approximation) {
        const broken = await approximation.end();
        if (broken.length > 0) throw new FaultRevertError(description, broken);
        return {
          proxy: settings.proxy, approximated: true, cuts: approximation.cuts, failedCuts: approximation.failedCuts,
          lastError: approximation.lastError, note: approximationNote,
        };
      }
      try {
        const result = await removeToxic(api, settings.proxy, request.name);
        return { proxy: settings.proxy, toxic: request.name, removed: result === 'removed', alreadyGone: result === 'gone' };
      } catch (error) {
        throw new FaultRevertError(description, [`nat_idle toxic "${request.name}" may still be on proxy "${settings.proxy}" at ${api} (${(error as Error).message})`], { cause: error });
      }
    },
  });
}

export const natDropFault: FaultDefinition = {
  name: 'nat-drop',
  summary: 'a carrier NAT that drops idle TCP mappings (seed 001); approximated on a real Toxiproxy',
  options: [
    { name: 'proxy', kind: 'string', default: 'carrier', description: 'the proxy whose connections the NAT drops' },
    { name: 'idle', kind: 'duration', default: '30s', description: 'how long a connection may stay silent before its mapping is dropped' },
    { name: 'mode', kind: 'choice', choices: natModes, default: 'blackhole', description: 'blackhole: packets vanish, no FIN/RST; reset: RST both ways' },
    { name: 'toxicity', kind: 'number', default: 1, description: 'share of connections behind the NAT, 0 to 1' },
    { name: 'approximate', kind: 'boolean', default: false, description: 'use the real-Toxiproxy approximation even where nat_idle exists' },
    { name: 'window', kind: 'duration', default: '500ms', description: 'approximation only: how long each cut holds traffic before closing it' },
  ],
  create(raw, targets) {
    const options = new FaultOptions('nat-drop', natDropFault.options, raw);
    const proxy = options.string('proxy');
    checkProxy(targets, proxy, 'proxy', 'nat-drop');
    const idleMs = options.number('idle', { min: 1 });
    options.check(Number.isInteger(idleMs), 'idle', `must be a whole number of milliseconds, not ${idleMs}`);
    return createNatDrop({
      proxy,
      idleMs,
      mode: options.string('mode'),
      toxicity: options.number('toxicity', { min: 0, max: 1 }),
      approximate: options.boolean('approximate'),
      windowMs: options.number('window', { min: 1, max: 60_000 }),
    }, targets);
  },
};
