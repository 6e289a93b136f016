/**
 * The errors reading or comparing run folders raises. Stable codes; each message names the
 * file or folder and says what to do. The CLI prints `gameday: CODE: message` and exits 1.
 */
export class ReportError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
  }
}

export const reportErrors = {
  missingFolder: (dir: string) =>
    new ReportError('GAMEDAY_ERR_REPORT_NO_FOLDER', `the run folder ${dir} does not exist. Name the folder \`gameday run --out\` wrote (default reports/runs/<run-id>).`),
  notARunFolder: (dir: string) =>
    new ReportError('GAMEDAY_ERR_REPORT_NOT_A_RUN',
      `${dir} is not a run folder: it holds no <incident>-<profile>/summary.json. Name the folder \`gameday run --out\` wrote (default reports/runs/<run-id>).`),
  corruptSummary: (path: string, detail: string) =>
    new ReportError('GAMEDAY_ERR_REPORT_CORRUPT_SUMMARY', `${path} is not a readable gameday summary: ${detail}. Re-run the incident to write it again.`),
  renderFailed: (dir: string, detail: string) =>
    new ReportError('GAMEDAY_ERR_REPORT_RENDER',
      `the report of ${dir} could not be drawn: ${detail}. A summary.json in it holds data of an unexpected shape (e.g. a damaged HDR histogram); re-run the incident.`),
  corruptCapacity: (path: string, detail: string) =>
    new ReportError('GAMEDAY_ERR_REPORT_CORRUPT_CAPACITY', `${path} is not a readable capacity result: ${detail}. Run \`gameday capacity\` again to write it.`),
  capacityWithIncidentRun: (capacityDir: string, otherDir: string) =>
    new ReportError('GAMEDAY_ERR_REPORT_MIXED_COMPARE',
      `${capacityDir} is a capacity run and ${otherDir} is not: compare two capacity runs (their knees) or two incident runs (their thresholds).`),
  corruptJournal: (path: string, detail: string) =>
    new ReportError('GAMEDAY_ERR_REPORT_CORRUPT_JOURNAL', `${path} is not a readable fault journal: ${detail}. Re-run the incident to write it again.`),
};
