import { describe, expect, it } from 'vitest';
import type { SessionPlan } from '../engine/session-plan.js';
import { loadServiceConfig } from '../service/config.js';
import { hashString, seededRandom } from '../stack/random.js';
import { incidents } from './index.js';
import type { Incident, IncidentId } from './incident.js';
import { desktopClient, mobileClient } from './kit/client-profiles.js';
import { numberedTitles } from './kit/coreference.js';
import { payloadCases, utf8Length } from './kit/unicode-payloads.js';
import { longSessionTurns } from './long-session.js';

const all = [...incidents.values()];
const get = (id: IncidentId) => incidents.get(id) as Incident;
const planOf = (incident: Incident, index: number, seed = 1) => incident.session(index, seededRandom(hashString(`${seed}:${index}:plan`)));

/** The plan without its functions, plus which turns carry a reply check. */
const comparable = (plan: SessionPlan) => ({ ...plan, turns: plan.turns.map(({ checkReply, ...turn }) => ({ ...turn, checks: checkReply !== undefined })) });

describe('session factories', () => {
  for (const incident of all) {
    describe(incident.id, () => {
      it('are deterministic for a seed and an index, and differ across seeds', () => {
        for (let index = 0; index < 20; index += 1) expect(comparable(planOf(incident, index))).toEqual(comparable(planOf(incident, index)));
        const texts = (seed: number) => Array.from({ length: 20 }, (_, index) => planOf(incident, index, seed).turns.map((turn) => turn.text).join('|'));
        expect(texts(1)).not.toEqual(texts(2));
      });

      it('give each session its own customer, at least two turns, and texts the service can take (or is meant to refuse)', () => {
        const customers = new Set<string>();
        for (let index = 0; index < 30; index += 1) {
          const plan = planOf(incident, index);
          customers.add(plan.customerId);
          expect(plan.turns.length).toBeGreaterThanOrEqual(2);
          expect(plan.turns[0]?.thinkBeforeMs).toBe(0);
          for (const turn of plan.turns) {
            expect(turn.thinkBeforeMs).toBeGreaterThanOrEqual(0);
            if (turn.expect === 'answer') expect(utf8Length(turn.text)).toBeLessThanOrEqual(16_000);
          }
        }
        expect(customers.size).toBe(30);
      });

      it('use the carrier path only for carrier-nat, and a reconnecting client everywhere', () => {
        for (let index = 0; index < 10; index += 1) {
          const { client } = planOf(incident, index);
          expect(client.via).toBe(incident.id === 'carrier-nat' ? 'carrier' : 'direct');
          expect(client.answersServerPings).toBe(true);
          expect(client.reconnect?.maxAttempts).toBe(10);
        }
      });

      it('ask about a list by ordinal only after a turn that asks for a list', () => {
        for (let index = 0; index < 30; index += 1) {
          const turns = planOf(incident, index).turns;
          const firstAsk = turns.findIndex((turn) => turn.checkReply !== undefined);
          if (firstAsk < 0) continue;
          expect(turns.slice(0, firstAsk).some((turn) => /おすすめ|紹介/.test(turn.text)), `session ${index}`).toBe(true);
        }
      });
    });
  }

  it('long-session: 60 turns, asks 14 turns after each list, reading notes of 2,600-3,600 characters between', () => {
    const plan = planOf(get('long-session'), 3);
    expect(plan.turns).toHaveLength(longSessionTurns);
    const asks = plan.turns.flatMap((turn, index) => (turn.checkReply ? [index + 1] : []));
    expect(asks).toEqual([16, 31, 46, 60]);
    const notes = plan.turns.filter((turn) => turn.text.length >= 2_600);
    expect(notes.length).toBeGreaterThan(50);
    for (const turn of notes) expect(turn.text.length).toBeLessThan(3_700);
    const listReply = '1. 『A』（…）\n2. 『B』（…）\n3. 『C』（…）';
    const ask = plan.turns[15];
    expect(numberedTitles(listReply)).toEqual(['A', 'B', 'C']);
    expect(ask?.checkReply?.('すみません、どの作品のことか分かりません。', { previousReplies: [listReply] })).toMatch(/no longer knew/);
  });

  it('long-session-realtime: 20 turns (60 in its 60-turn shape) with the same lists and asks, and thinks of 2-5 s', () => {
    const lane = get('long-session-realtime');
    const asks = (plan: SessionPlan) => plan.turns.flatMap((turn, index) => (turn.checkReply ? [index + 1] : []));
    const quick = planOf(lane, 3);
    expect(quick.turns).toHaveLength(20);
    expect(asks(quick)).toEqual([16, 20]);
    const full = (lane.sessionsFor?.('60-turn') ?? lane.session)(3, seededRandom(hashString('1:3:plan')));
    expect(full.turns).toHaveLength(60);
    expect(asks(full)).toEqual([16, 31, 46, 60]);
    for (const plan of [quick, full]) {
      for (const turn of plan.turns.slice(1)) {
        expect(turn.thinkBeforeMs).toBeGreaterThanOrEqual(2_000);
        expect(turn.thinkBeforeMs).toBeLessThanOrEqual(5_000);
      }
      expect(plan.turns.filter((turn) => turn.text.length >= 2_600).length).toBeGreaterThanOrEqual(plan.turns.length * 0.8);
    }
  });

  it('jp-emoji: sends every payload case within a few sessions, expecting answers for valid ones and the JP refusal otherwise', () => {
    const sent = new Map<string, SessionPlan['turns'][number]>();
    for (let index = 0; index < 5; index += 1) for (const turn of planOf(get('jp-emoji'), index).turns) sent.set(turn.text, turn);
    for (const payload of payloadCases) {
      const turn = sent.get(payload.text);
      expect(turn, payload.name).toBeDefined();
      if (payload.valid) expect(turn).toMatchObject({ expect: 'answer', checkStored: true });
      else expect(turn?.expect).toEqual({ refusedWith: 'ORCH_ERR_MESSAGE_TOO_LONG', message: 'メッセージが長すぎます (最大4000文字)' });
    }
  });

  it('carrier-nat: every pause between turns is longer than the compressed NAT idle, and shorter than the app\'s timeout', () => {
    const nat = get('carrier-nat');
    const idleMs = Number(/^(\d+)ms$/.exec(String(nat.faults(1, 20_000)[0]?.options.idle))?.[1]);
    for (let index = 0; index < 30; index += 1) {
      const plan = planOf(nat, index);
      for (const turn of plan.turns.slice(1)) expect(turn.thinkBeforeMs).toBeGreaterThan(idleMs);
      expect(plan.client.turnTimeoutMs).toBeGreaterThan(idleMs);
    }
  });
});

describe('client profiles', () => {
  it('the desktop and mobile clients wait for an answer longer than the service\'s turn budget, which a restart stays inside', () => {
    const { turnBudgetMs } = loadServiceConfig({ SESSION_SIGNING_SECRET: 'profiles-test-secret-xxxxxxxx' }).timeouts;
    for (const profile of [desktopClient, mobileClient]) expect(profile.turnTimeoutMs).toBeGreaterThan(turnBudgetMs);
  });
});
