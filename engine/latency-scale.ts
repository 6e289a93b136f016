/**
 * Time compression never changes what a latency gate means. A threshold names real-time
 * milliseconds; where the model runs at time scale s < 1 (every modelled latency multiplied by
 * s), a latency threshold of T ms is judged as T × s on the measured value. Where T × s falls
 * below what the service and the generator add whatever the model does, latency is not judged
 * there at all, and the run says so. One rule, used by both engines (k6 bundles this file).
 */
import { chatMetrics } from './metrics/definitions.ts';
import type { ThresholdResult, ThresholdSpec } from './thresholds.ts';

/** Below this a scaled threshold would judge the fixed costs of the path (event loops, sockets, the store), not the model. */
export const smallestJudgedLatencyMs = 200;

const timeMetrics = new Set(chatMetrics.filter((metric) => metric.type === 'trend' && metric.contains === 'time').map((metric) => metric.name));
const expressionPattern = /^\s*(\S+?)\s*(===|==|!=|<=|>=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** A threshold judged at a time scale: the real-time expression it stands for, and the scale. */
export interface RealTimeThreshold { metric: string; real: string; judged: string; timeScale: number }

export interface ScaledThresholds {
  /** What to evaluate: latency thresholds scaled, the rest as written. */
  judged: Record<string, ThresholdSpec[]>;
  scaled: RealTimeThreshold[];
  /** Latency thresholds this time scale cannot judge, and why. */
  unjudged: Array<{ metric: string; expression: string; reason: string; timeScale: number }>;
}

const expressionOf = (spec: ThresholdSpec) => (typeof spec === 'string' ? spec : spec.threshold);
const withExpression = (spec: ThresholdSpec, expression: string): ThresholdSpec => (typeof spec === 'string' ? expression : { ...spec, threshold: expression });
// 3000 × 0.2 is 600.0000000000001 in floating point; thresholds are whole ms to three decimals at most.
const roundMs = (ms: number) => Math.round(ms * 1_000) / 1_000;

/** "p(95)<3000 ms real = <600 ms at time-scale 0.2": what a table, a summary and a report show. */
export function describeRealTime(scaled: RealTimeThreshold): string {
  const judged = expressionPattern.exec(scaled.judged);
  const tail = judged ? `${judged[2]}${judged[3]} ms` : scaled.judged;
  return `${scaled.real} ms real = ${tail} at time-scale ${scaled.timeScale}`;
}

/** A judged threshold as people read it: at a time scale, the real-time expression beside the judged one; over the plateau, said so. */
export function thresholdLabel(result: Pick<ThresholdResult, 'metric' | 'expression' | 'realTime' | 'during'>): string {
  const expression = result.realTime ? describeRealTime({ metric: result.metric, ...result.realTime }) : result.expression;
  return `${result.metric} ${expression}${result.during ? ' over the plateau' : ''}`;
}

/**
 * The thresholds to evaluate at a model time scale: 1 (or more) leaves them as written; below 1
 * every latency threshold is multiplied by the scale, or left unjudged where the product falls
 * under smallestJudgedLatencyMs (`realTimeLane` names where it is judged instead).
 */
export function scaleLatencyThresholds(thresholds: Record<string, ThresholdSpec[]>, timeScale: number, realTimeLane?: string): ScaledThresholds {
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new Error(`the time scale must be a number above 0, not ${timeScale}`);
  const result: ScaledThresholds = { judged: {}, scaled: [], unjudged: [] };
  for (const [metric, specs] of Object.entries(thresholds)) {
    const kept: ThresholdSpec[] = [];
    for (const spec of specs) {
      const expression = expressionOf(spec);
      const parsed = expressionPattern.exec(expression);
      if (timeScale >= 1 || !timeMetrics.has(metric) || !parsed) {
        kept.push(spec);
        continue;
      }
      const [, aggregation, operator, value] = parsed as unknown as [string, string, string, string];
      const judgedMs = roundMs(Number(value) * timeScale);
      if (judgedMs < smallestJudgedLatencyMs) {
        const elsewhere = realTimeLane ? `; ${realTimeLane} judges it at real time` : '';
        const reason = `the model runs at time-scale ${timeScale}, so ${expression} ms real would be ${operator}${judgedMs} ms, under the `
          + `${smallestJudgedLatencyMs} ms the service and the generator add whatever the model does: latency is not judged here${elsewhere}`;
        if (!result.unjudged.some((entry) => entry.metric === metric && entry.expression === expression)) result.unjudged.push({ metric, expression, reason, timeScale });
        continue;
      }
      const judged = `${aggregation}${operator}${judgedMs}`;
      kept.push(withExpression(spec, judged));
      if (!result.scaled.some((entry) => entry.metric === metric && entry.judged === judged)) {
        result.scaled.push({ metric, real: expression, judged, timeScale });
      }
    }
    if (kept.length > 0) result.judged[metric] = kept;
  }
  return result;
}
