/**
 * What real k6 v0.49 did on this workload on one core, from the last table of
 * shared/reference/k6-compat.md: reference figures measured elsewhere, not in a run of this bench.
 * MB and KB there are MiB and KiB (119 MB / 200 sessions = 610 KB). A range is [low, high].
 */
export interface ReferenceRow {
  sessions: number;
  memoryMiB: number;
  perSessionKiB: number;
  messagesPerCpuSecond: readonly [number, number];
  /** null: "yes", it kept pace. */
  keptPace: readonly [number, number] | null;
  ttftP50Ms: number;
  ttftP95Ms: readonly [number, number];
}

export const k6Reference = {
  label: 'k6 v0.49 (reference figures measured elsewhere, not in this run: shared/reference/k6-compat.md)',
  rows: [
    { sessions: 200, memoryMiB: 119, perSessionKiB: 610, messagesPerCpuSecond: [480, 480], keptPace: null, ttftP50Ms: 1, ttftP95Ms: [1, 1] },
    { sessions: 1_000, memoryMiB: 369, perSessionKiB: 378, messagesPerCpuSecond: [790, 790], keptPace: null, ttftP50Ms: 1, ttftP95Ms: [35, 68] },
    { sessions: 3_000, memoryMiB: 1_064, perSessionKiB: 363, messagesPerCpuSecond: [1_100, 1_170], keptPace: [0.83, 0.86], ttftP50Ms: 264, ttftP95Ms: [1_154, 1_154] },
    { sessions: 5_000, memoryMiB: 1_618, perSessionKiB: 331, messagesPerCpuSecond: [1_200, 1_400], keptPace: [0.56, 0.6], ttftP50Ms: 1_103, ttftP95Ms: [2_776, 2_776] },
  ] as readonly ReferenceRow[],
  /** 1,000 kept pace with p95 35–68 ms; 3,000 kept 83–86 %. */
  largestSustained: 1_000,
} as const;
