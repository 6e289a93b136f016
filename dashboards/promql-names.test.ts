import { describe, expect, it } from 'vitest';
import { k6SeriesNames, trendStatSuffix } from './k6-naming.js';
import { familyOfSeries, parseMetricFamilies } from './metric-families.js';
import { metricNamesIn } from './promql-names.js';
import { substituteVariables } from './test/dashboard-queries.js';

describe('metricNamesIn', () => {
  it('finds the histogram series inside histogram_quantile, not the functions, operators or label names', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, model) (rate(chat_ttft_seconds_bucket{instance=~"$instance"}[$__rate_interval])))'))
      .toEqual(['chat_ttft_seconds_bucket']);
  });

  it('finds every operand of a binary expression, bare names included', () => {
    expect(metricNamesIn('sum(rate(a_total[5m])) / (sum(rate(b_total[5m])) + c_gauge) * 3600')).toEqual(['a_total', 'b_total', 'c_gauge']);
  });

  it('skips strings, matchers, durations, offsets, numbers and Grafana variables', () => {
    expect(metricNamesIn('up{job="not_a_metric", path=~"x{y}"} offset 5m > 1e3 and on (instance) group_left (version) build_info{v=\'z\'} or vector(0) + $variable + ${braced}'))
      .toEqual(['build_info', 'up']);
  });

  it('treats aggregation operators with a trailing by clause as operators', () => {
    expect(metricNamesIn('sum(errors_total) by (code)')).toEqual(['errors_total']);
    expect(metricNamesIn('topk(5, count without (le) (x_bucket))')).toEqual(['x_bucket']);
  });

  it('reports a name that is only followed by a range', () => {
    expect(metricNamesIn('increase(llm_cost_usd_total[$__range])')).toEqual(['llm_cost_usd_total']);
  });

  it('refuses unbalanced brackets instead of guessing', () => {
    expect(() => metricNamesIn('rate(x{a="b"[5m])')).toThrow(SyntaxError);
  });
});

describe('familyOfSeries', () => {
  const families = parseMetricFamilies([
    '# HELP chat_ttft_seconds Message received to first streamed token.',
    '# TYPE chat_ttft_seconds histogram',
    'chat_ttft_seconds_bucket{le="0.05",model="sonnet"} 1',
    '# TYPE errors_total counter',
    '# TYPE ws_live_sockets gauge',
    'ws_live_sockets 0',
    '# TYPE nodejs_gc_duration_seconds summary',
  ].join('\n'));

  it('maps _bucket, _sum and _count to their histogram, and a counter or gauge to itself', () => {
    for (const series of ['chat_ttft_seconds_bucket', 'chat_ttft_seconds_sum', 'chat_ttft_seconds_count']) {
      expect(familyOfSeries(series, families)?.name).toBe('chat_ttft_seconds');
    }
    expect(familyOfSeries('errors_total', families)?.type).toBe('counter');
    expect(familyOfSeries('ws_live_sockets', families)?.type).toBe('gauge');
    expect(familyOfSeries('nodejs_gc_duration_seconds_sum', families)?.type).toBe('summary');
  });

  it('finds no series for a bare histogram name, a wrong suffix or an unknown name', () => {
    expect(familyOfSeries('chat_ttft_seconds', families)).toBeUndefined();
    expect(familyOfSeries('ws_live_sockets_bucket', families)).toBeUndefined();
    expect(familyOfSeries('chat_ttft_milliseconds_bucket', families)).toBeUndefined();
  });
});

describe('k6 remote-write names', () => {
  it('prefixes k6_ and suffixes counters _total, rates _rate, gauges nothing, trends their stats', () => {
    expect(k6SeriesNames({ name: 'chat_messages', type: 'counter' })).toEqual(['k6_chat_messages_total']);
    expect(k6SeriesNames({ name: 'chat_errors', type: 'rate' })).toEqual(['k6_chat_errors_rate']);
    expect(k6SeriesNames({ name: 'vus', type: 'gauge' })).toEqual(['k6_vus']);
    expect(k6SeriesNames({ name: 'chat_ttft', type: 'trend', contains: 'time' }, ['p(95)', 'max']))
      .toEqual(['k6_chat_ttft_p95', 'k6_chat_ttft_max']);
  });

  it('spells percentiles without parentheses or dots', () => {
    expect(trendStatSuffix('p(99.9)')).toBe('p999');
    expect(trendStatSuffix('avg')).toBe('avg');
  });
});

describe('substituteVariables', () => {
  it('replaces $name and ${name}, and throws on a variable it has no value for', () => {
    expect(substituteVariables('x{i=~"$instance"}[${__rate_interval}]', { instance: 'a', __rate_interval: '1m' })).toBe('x{i=~"a"}[1m]');
    expect(() => substituteVariables('x[$__range]', {})).toThrow(/__range/);
  });
});
