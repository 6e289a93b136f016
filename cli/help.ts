export const mainHelp = `gameday: reproduce the chat service's incidents with real load and real faults, and gate on them.

Usage:
  gameday stack up [options]     start redis-server, DynamoDB Local, the Bedrock emulator and the service
  gameday stack status [--json]  show the running stack and whether each part answers
  gameday stack down             stop everything \`stack up\` started
  gameday smoke [--json]         one real round trip through each part of the running stack
  gameday chaos list [--json]    the faults that can be injected, with their options
  gameday chaos <fault> [opts]   inject one fault into the running stack; reverted after --duration or Ctrl-C
  gameday --help | --version

Exit codes: 0 success, 1 the harness failed (the message says why).
Environment: GAMEDAY_STATE_DIR (default ./.gameday), GAMEDAY_REDIS_SERVER, GAMEDAY_JAVA.
Run \`gameday stack --help\` for the stack's options, \`gameday chaos --help\` for faults.
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
