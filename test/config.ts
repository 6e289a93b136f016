/** The test suite's one reader of the environment: what child processes inherit. */
export const inheritedEnv: Readonly<NodeJS.ProcessEnv> = Object.freeze({
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

export const runningInCi = process.env.CI === 'true';
