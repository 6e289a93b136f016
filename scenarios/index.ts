/** Every incident, in id order. Adding one is adding its file and its line here. */
import { carrierNat } from './carrier-nat.js';
import { flashSale } from './flash-sale.js';
import type { Incident, IncidentId } from './incident.js';
import { jpEmoji } from './jp-emoji.js';
import { longSession } from './long-session.js';
import { longSessionRealtime } from './long-session-realtime.js';
import { redisEviction } from './redis-eviction.js';
import { steady1mDay } from './steady-1m-day.js';
import { taskKill } from './task-kill.js';

export const incidents: ReadonlyMap<IncidentId, Incident> = new Map<IncidentId, Incident>([
  [steady1mDay.id, steady1mDay],
  [flashSale.id, flashSale],
  [longSession.id, longSession],
  [longSessionRealtime.id, longSessionRealtime],
  [jpEmoji.id, jpEmoji],
  [carrierNat.id, carrierNat],
  [taskKill.id, taskKill],
  [redisEviction.id, redisEviction],
]);
