export const mainHelp = `gameday: reproduce the chat service's incidents with real load and real faults, and gate on them.

Usage:
  gameday stack up [options]     start redis-server, DynamoDB Local, the Bedrock emulator and the service
  gameday stack status [--json]  show the running stack and whether each part answers
  gameday stack down             stop everything \`stack up\` started
  gameday smoke [--json]         one real round trip through each part of the running stack
  gameday chaos list [--json]    the faults that can be injected, with their options
  gameday chaos <fault> [opts]   inject one fault into the running stack; reverted after --duration or Ctrl-C
  gameday list [--json]          the incidents: id, title, seed, gate
  gameday run <incident|all> [options]
                                 reproduce incidents with real load and faults; gate on them
  gameday capacity [options]     raise the offered message rate step by step until a gate breaks;
                                 report the knee (highest step held, first broken) and CPU per message
  gameday report <run-dir> | --compare A B
                                 re-render a run's report.html and junit.xml; compare two runs
  gameday --help | --version

Exit codes: 0 success (every gate held), 99 a gate failed (gameday run) or run B regressed
(gameday report --compare), 1 the harness failed (the message says why).
Environment: GAMEDAY_STATE_DIR (default ./.gameday), GAMEDAY_REDIS_SERVER, GAMEDAY_JAVA.
Run \`gameday stack --help\` for the stack's options, \`gameday chaos --help\` for faults,
\`gameday run --help\` for incident runs, \`gameday capacity --help\` for the knee,
\`gameday report --help\` for reports.
`;

export const stackHelp = `Usage:
  gameday stack up [options]
  gameday stack status [--json]
  gameday stack down [--json]

stack up starts, on 127.0.0.1, a real redis-server, DynamoDB Local (with the session table,
its GSI1 index and TTL, plus a sweeper that deletes expired items as AWS does), the Bedrock
emulator, a Toxiproxy-compatible proxy and the orchestrator service (a fleet of worker
processes behind one port), waits until each answers, and leaves them running in the
background. The service reaches Redis, DynamoDB and Bedrock through the proxies named
redis, dynamodb and bedrock; clients can reach it through the proxy named carrier (the
mobile network), so \`gameday chaos\` can break any of those paths.

Options for stack up:
  --json                       print the endpoints as JSON
  --foreground                 stay attached; Ctrl-C stops everything
  --redis-port N               fixed ports (default: free ones)
  --dynamodb-port N
  --bedrock-port N
  --redis-maxmemory SIZE       e.g. 64mb, 1gb (default 256mb)
  --redis-policy POLICY        maxmemory-policy (default volatile-lru; allkeys-lru is the
                               flash-sale incident's setting)
  --seed N                     the emulator's seed, for replayable latencies (default 1)
  --time-scale F               multiply every modelled model latency by F (default 1)
  --ttl-sweep-interval D       how often expired DynamoDB items are deleted (default 30s)
  --workers N                  the service's worker processes (default 2)
  --profile hardened|naive     naive switches every incident's original bug back on
  --naive LIST                 single naive switches over the profile, comma-separated:
                               redisOnlyStore, fullHistory, noAppPings, inProcessSessions,
                               utf16Length, noTtl, staleResponseCache, unsignedTurns
  --service-port N             the service's port (default: a free one)
  --no-service                 start only the service's dependencies
  --toxiproxy-port N           our proxy's HTTP API port (default: a free one)
  --toxiproxy URL              use a real Toxiproxy there instead of ours (its proxies
                               carrier, redis, dynamodb and bedrock are created, and
                               removed by stack down)
  --docker                     run the same parts as containers (the images of
                               docker-compose.yml; needs a running Docker engine): ports
                               are published on 127.0.0.1, the proxies are a real Toxiproxy
`;

export const chaosHelp = `Usage:
  gameday chaos list [--json]
  gameday chaos <fault> [--duration D] [--json] [fault options]
  gameday chaos <fault> --help

Injects one fault into the running stack (\`gameday stack up\`), holds it for --duration
(default 30s, e.g. 500ms, 2m) or until Ctrl-C, then reverts it and prints what it observed.
--json prints the observations as JSON on stdout. Exit 0 once reverted; 1 when the fault
could not be applied, or could not be reverted (then the message says what is still broken).

Faults: network, nat-drop, dynamodb-slow, task-kill, redis-eviction, bedrock.
Run \`gameday chaos list\` for each one's options and defaults.
`;

export const listHelp = `Usage:
  gameday list [--json]

Lists the incidents \`gameday run\` reproduces, one line each: id, title, the seed document
it comes from, and its gate (k6 threshold syntax). --json adds the naive switch that brings
its bug back, its quick scale, its default duration, its load shapes, what \`run --suite
nightly\` runs it at, and how its time is compressed.
`;

export const runHelp = `Usage:
  gameday run <incident|all> [options]

Starts the embedded stack (redis-server, DynamoDB Local, the Bedrock emulator, the proxy and
the service) unless --target is given, runs the incident's load and, beside it, its fault
timeline (every fault reverted, also on Ctrl-C), audits the store, evaluates the gates and
prints a table; each run writes summary.json (k6's handleSummary shape plus ours) and the
fault journal into <out>/<incident>-<profile>/, and report.html and junit.xml (see \`gameday
report --help\`) into <out>. \`all\` runs every incident one after another in one stack,
restarting only what an incident's settings change (it says so).

Options:
  --engine builtin|k6        the built-in engine (default), or the k6 on PATH on the bundled
                             scripts (\`npm run build:k6\`); the gates are the same
  --suite quick|nightly      quick (default; what \`npm run gameday\` runs): each incident at
                             its quick scale for its own duration. nightly: each held 10x as
                             long, or as the incident names (\`gameday list --json\`: e.g.
                             long-session-realtime's full 60-turn sessions), and each worker's
                             resident memory judged over the run: service_rss_growth_percent
                             value<10, growth after the worker's first 60 s (a leak gate).
                             With one incident: that incident's suite settings. --scale,
                             --duration and --shape override the suite's
  --scale F                  load multiplier (default: each incident's scale in the suite, see
                             \`gameday list --json\`; 1 is the incident as it happened)
  --duration D               run length, e.g. 90s, 5m (default: the incident's own); for a
                             shape with a plateau, the plateau's length
  --shape NAME               one incident's load shape: steady-1m-day peak (default: a ramp to
                             the 21:00 rate, 34.7 msg/s x scale, then a plateau) or day (the
                             whole JST day compressed into the duration); long-session-realtime
                             20-turn (default) or 60-turn sessions
  --plateau D                how long the peak plateau is held (default 90s); as --duration
  --profile hardened|naive   naive switches every incident's original bug back on
  --naive LIST               only these naive switches (implies --profile naive)
  --target URL               send the load to a deployment we did not start (health-checked
                             first); the store is not audited there, and incidents with faults
                             need --skip-faults (\`all\` leaves them out without it)
  --skip-faults              send an incident's load without its fault timeline (you inject the
                             faults, e.g. with AWS FIS); its gate then judges the load alone
  --out DIR                  the run folder (default reports/runs/<run-id>)
  --seed N                   seed of the load and the emulator, for replayable runs (default 1)
  --json                     print the outcomes as JSON

Time compression: where an incident runs the model faster than real time (time-scale s < 1),
each latency threshold of T ms is judged as T x s on what was measured, and the table says both
("p(95)<3000 ms real = <1500 ms at time-scale 0.5"); where T x s would be under 200 ms, latency
is not judged there and the run says which lane judges it at real time. Against a --target the
model runs at its own speed and thresholds are judged as written.

Evidence: a run must offer the load it claims. Where the load holds a plateau, the messages
achieved there (sent, or turned away by the service) must be at least 95 % of what the plan
offered; and the load generator must not be saturated. A run that is not evidence exits 1 with
a NOT EVIDENCE line, whatever its gates said.

Exit codes (k6's): 0 every gate held, 99 a gate failed, 1 the harness failed or the run is not
evidence.
`;

export const capacityHelp = `Usage:
  gameday capacity [options]

Finds the knee: the highest offered message rate the service carries within its SLO. Starts
the embedded stack (as \`gameday run\` does; or sends to --target), then runs steps at rising
offered rates, each a plateau of --hold: sessions of the incident arrive open-model at
rate / the plans' mean turns per session (steady-1m-day: 3), the model at its real speed. The
first --warmup of each step is left out; the rest is judged on three gates:
  p95 TTFT of every 10 s window < 3 s, errors < 1 % over the step, and achieved >= 95 % of
  the messages the plan offered over the step.
The search stops at the first step that breaks a gate and reports the bracket: the highest
step that held and the first that broke, which gate broke first and its value. A step whose
load generator saturated (event-loop p99 over 100 ms or over 90 % of a core) measured the
generator, not the service: it is generator-bound, never the knee. Per step it measures the
CPU ms per message of every process it started (redis-server, DynamoDB Local's JVM, the
emulator, the proxy, the service's primary and each worker) and of the generator, which is
this gameday process (load engine, progress line and CPU readings together).
Writes capacity.json, each step's summary.json under steps/, and report.html (TTFT p50/p95/
p99 and errors against the offered rate, the CPU table) into the run folder.
\`gameday report --compare A B\` on two capacity runs exits 99 when B's knee fell by more than
the tolerance.

Options:
  --from R              the first step's offered rate, messages/s (default 10)
  --step R              added at each step (default 10)
  --max R               the highest step (default 200)
  --hold D              each step's length, e.g. 40s, 2m (default 60s)
  --warmup D            left out of each step's judgement (default: one session length of
                        the incident's plans at real speed, about 14 s for steady-1m-day)
  --incident ID         whose sessions make the load (default steady-1m-day); its stack
                        settings apply, its faults are not injected
  --workers N           the service's workers on the stack it starts (default 2)
  --sonnet-rpm N        lower the emulator's Sonnet requests-per-minute quota, so throttling
  --haiku-rpm N         and the Haiku fallback bite (default: unlimited in practice)
  --target URL          a deployment gameday did not start (health-checked first); only the
                        generator's CPU is measured there
  --out DIR             the run folder (default reports/runs/<run-id>)
  --seed N              seed of the load and the emulator (default 1)
  --json                print capacity.json on stdout

Exit codes: 0 a knee found, or every step up to --max held; 99 the first step already broke
(no knee at or above --from: start lower); 1 the harness failed, or the generator saturated
before a step broke (not evidence; the message says what was measured).
`;
