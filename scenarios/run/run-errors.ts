/**
 * The errors a run raises when the harness itself fails (exit 1, never 99). Stable codes;
 * messages say what happened and what to do. The CLI prints `gameday: CODE: message`.
 */
export class RunError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunError';
    this.code = code;
  }
}

export const runErrors = {
  targetUnreachable: (url: string, detail: string) =>
    new RunError('GAMEDAY_ERR_TARGET_UNREACHABLE',
      `the target ${url} does not answer (${detail}). Check the URL and that the service runs there; no load was sent.`),
  targetNotChatService: (url: string, detail: string) =>
    new RunError('GAMEDAY_ERR_TARGET_NOT_READY',
      `the target ${url} is not a ready chat service speaking protocol v1 (${detail}); no load was sent.`),
  unknownFault: (incident: string, fault: string, known: string[]) =>
    new RunError('GAMEDAY_ERR_UNKNOWN_FAULT',
      `the incident "${incident}" names the fault "${fault}", which chaos does not have (known: ${known.join(', ')}).`),
  badFaultOptions: (incident: string, fault: string, message: string) =>
    new RunError('GAMEDAY_ERR_BAD_FAULT_OPTIONS', `the incident "${incident}" gives the fault "${fault}" bad options: ${message}`),
  faultsNeedStack: (incident: string) =>
    new RunError('GAMEDAY_ERR_FAULTS_NEED_STACK',
      `"${incident}" injects faults into the stack gameday starts; a target it did not start takes none (skip them explicitly with skipFaults).`),
  faultsFailed: (incident: string, detail: string, journalPath: string) =>
    new RunError('GAMEDAY_ERR_FAULTS_FAILED',
      `the fault timeline of "${incident}" failed: ${detail}. The gates were not judged; the journal is ${journalPath}.`),
  k6NotFound: () =>
    new RunError('GAMEDAY_ERR_K6_NOT_FOUND',
      'k6 was not found on PATH. Install it (https://grafana.com/docs/k6/latest/set-up/install-k6/), or run with --engine builtin (the default).'),
  k6ScriptMissing: (path: string) =>
    new RunError('GAMEDAY_ERR_K6_SCRIPT_MISSING', `the bundled k6 script ${path} does not exist. Build it with \`npm run build:k6\`.`),
  k6Failed: (detail: string, logPath: string) =>
    new RunError('GAMEDAY_ERR_K6_FAILED', `k6 failed: ${detail}. Its output is in ${logPath}.`),
  interrupted: () => new RunError('GAMEDAY_ERR_INTERRUPTED', 'interrupted; every fault was reverted and everything the run started was stopped.'),
};
