/** The test suite's one reader of the environment: what child processes inherit. */
export const inheritedEnv: Readonly<NodeJS.ProcessEnv> = Object.freeze({
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

export const runningInCi = process.env.CI === 'true';

/** A real toxiproxy-server for chaos/proxy's compatibility suite; without it, PATH is searched. */
export const toxiproxyServerOverride: string | undefined = process.env.GAMEDAY_TOXIPROXY_SERVER || undefined;
