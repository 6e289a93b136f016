/** A metric family as the Prometheus text format declares it (`# TYPE name type`). */
export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
}

/** The families a /metrics page declares, by name. */
export function parseMetricFamilies(exposition: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  for (const line of exposition.split('\n')) {
    const declared = /^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (counter|gauge|histogram|summary|untyped)\s*$/.exec(line);
    if (declared) families.set(declared[1] as string, { name: declared[1] as string, type: declared[2] as MetricFamily['type'] });
  }
  return families;
}

// The series a family of each type exposes, besides (or instead of) its own name.
const seriesSuffixes: Record<MetricFamily['type'], { own: boolean; suffixes: string[] }> = {
  counter: { own: true, suffixes: ['_total'] },
  gauge: { own: true, suffixes: [] },
  untyped: { own: true, suffixes: [] },
  histogram: { own: false, suffixes: ['_bucket', '_sum', '_count'] },
  summary: { own: true, suffixes: ['_sum', '_count'] },
};

/**
 * The family a queried series name belongs to, or undefined: `chat_ttft_seconds_bucket` is a
 * series of the histogram `chat_ttft_seconds`, while a bare histogram name is no series at all.
 */
export function familyOfSeries(series: string, families: ReadonlyMap<string, MetricFamily>): MetricFamily | undefined {
  const own = families.get(series);
  if (own && seriesSuffixes[own.type].own) return own;
  for (const family of families.values()) {
    if (seriesSuffixes[family.type].suffixes.some((suffix) => `${family.name}${suffix}` === series)) return family;
  }
  return undefined;
}
