/**
 * Runs a config loader on `env` and answers which variables it looked up, so a check can tell
 * a container's variable the program reads from one it silently ignores (a typo, a renamed
 * setting). Loaders read `env.NAME`; a Proxy notes every such lookup.
 */
export function variablesRead<T>(load: (env: NodeJS.ProcessEnv) => T, env: Readonly<Record<string, string>>): { result: T; read: Set<string> } {
  const read = new Set<string>();
  const watched = new Proxy({ ...env } as NodeJS.ProcessEnv, {
    get(target, name, receiver) {
      if (typeof name === 'string') read.add(name);
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
  return { result: load(watched), read };
}

/** The variables of `env` that the loader never looked up. */
export function unreadVariables(read: ReadonlySet<string>, env: Readonly<Record<string, string>>, readByOthers: readonly string[] = []): string[] {
  return Object.keys(env).filter((name) => !read.has(name) && !readByOthers.includes(name)).sort();
}
