import type { ToxicKind } from '../toxic.js';
import { bandwidthToxic } from './bandwidth.js';
import { latencyToxic } from './latency.js';
import { limitDataToxic } from './limit-data.js';
import { natIdleToxic } from './nat-idle.js';
import { noopToxic } from './noop.js';
import { resetPeerToxic } from './reset-peer.js';
import { slicerToxic } from './slicer.js';
import { slowCloseToxic } from './slow-close.js';
import { timeoutToxic } from './timeout.js';

/** Every toxic type the proxy accepts, by its API name. nat_idle is ours alone. */
export const toxicKinds: ReadonlyMap<string, ToxicKind> = new Map<string, ToxicKind>(
  [
    latencyToxic,
    bandwidthToxic,
    slowCloseToxic,
    timeoutToxic,
    resetPeerToxic,
    slicerToxic,
    limitDataToxic,
    noopToxic,
    natIdleToxic,
  ].map((kind) => [kind.type, kind as unknown as ToxicKind]),
);
