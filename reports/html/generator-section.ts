import { badge, type Cell, table } from './markup.js';
import { escapeHtml } from '../escape.js';
import { formatNumber, formatSeconds, profileLabel } from '../format.js';
import type { RunEntry } from '../run-entry.js';
import { CPU_LIMIT_PERCENT, EVENT_LOOP_P99_LIMIT_MS } from '../../engine/self-monitor.js';

function healthRow(entry: RunEntry): Cell[] {
  const name = `${entry.incident} (${profileLabel(entry)})`;
  const health = entry.generator;
  if (!health) return [name, 'not recorded', '-', '-', entry.engine === 'k6' ? 'k6 runs do not report it' : ''];
  return [
    name,
    health.saturated ? badge('warn', 'saturated') : badge('pass', 'healthy'),
    `${formatNumber(Math.round(health.eventLoopP99Ms * 10) / 10)} ms`,
    `${formatNumber(Math.round(health.cpuPercent))} %`,
    health.reason ?? '',
  ];
}

function settingsRow(entry: RunEntry): Cell[] {
  const audit = entry.audit === null ? 'not recorded'
    : 'skipped' in entry.audit ? `skipped: ${entry.audit.skipped}`
      : `${entry.audit.sessions} sessions, ${entry.audit.acknowledged} acknowledged turns, ${entry.audit.stored} stored, `
        + `${entry.audit.turnsLost} lost, ${entry.audit.turnsDuplicated} duplicated, ${entry.audit.outOfOrder} out of order, ${entry.audit.unsigned} unsigned`;
  return [
    `${entry.incident} (${profileLabel(entry)})`, entry.engine, entry.scale === null ? '-' : formatNumber(entry.scale),
    entry.durationMs === null ? '-' : formatSeconds(entry.durationMs), entry.runMs === null ? '-' : formatSeconds(entry.runMs),
    entry.seed === null ? '-' : String(entry.seed), entry.target ?? '-', entry.timeCompression ?? '-', audit,
  ];
}

/** The generator's own health, then how each run was set up, its audit and its error examples. */
export function generatorSection(entries: RunEntry[]): string {
  const health = table({
    caption: `The load generator's health (saturated past an event-loop p99 of ${EVENT_LOOP_P99_LIMIT_MS} ms or ${CPU_LIMIT_PERCENT} % of one core)`,
    head: ['run', 'state', 'event-loop delay p99', 'CPU (one core)', 'why'], rows: entries.map(healthRow), rowHeaders: true,
  });
  const settings = table({
    caption: 'How each run was set up, and the audit of the store',
    head: ['run', 'engine', 'scale', 'arrival window', 'run length', 'seed', 'target', 'time compression', 'audit'],
    rows: entries.map(settingsRow), rowHeaders: true,
  });
  const examples = entries.filter((entry) => entry.errorExamples.length > 0 || (entry.audit && 'examples' in entry.audit && entry.audit.examples.length > 0))
    .map((entry) => {
      const lines = [...entry.errorExamples, ...(entry.audit && 'examples' in entry.audit ? entry.audit.examples : [])];
      return `<h3>${escapeHtml(`${entry.incident} (${profileLabel(entry)})`)}: examples</h3><ul class="examples">${lines.map((line) => `<li><code>${escapeHtml(line)}</code></li>`).join('')}</ul>`;
    });
  return `<section id="generator" aria-labelledby="generator-h"><h2 id="generator-h">Load generator and run settings</h2>\n`
    + `<p>Latencies are measured on the generator's event loop: a saturated generator reports its own delay, not the service's.</p>\n`
    + `${health}\n${settings}\n${examples.join('\n')}</section>`;
}
