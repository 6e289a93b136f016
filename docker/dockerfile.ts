import { posix } from 'node:path';

/** The parts of a Dockerfile our checks read: per stage, what is copied where, the environment and the command. */
export interface DockerfileStage {
  name: string | null;
  from: string;
  workdir: string;
  /** COPY/ADD from the build context (not `--from` another stage). */
  contextCopies: Array<{ sources: string[]; destination: string; workdir: string }>;
  stageCopies: Array<{ from: string; source: string; destination: string }>;
  runs: string[];
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: boolean;
}

/** Joins continued lines and drops comments and blank lines. */
function instructions(text: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

function words(text: string): string[] {
  return text.trim().startsWith('[') ? JSON.parse(text) as string[] : text.trim().split(/\s+/);
}

function envPairs(text: string): Array<[string, string]> {
  // `ENV A=1 B="two words"`, or the legacy `ENV A one value`.
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) {
    const [name, ...rest] = text.split(/\s+/);
    return [[name as string, rest.join(' ')]];
  }
  return [...text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)]
    .map((match) => [match[1] as string, (match[2] as string).replace(/^"(.*)"$/, '$1')]);
}

export function parseDockerfile(text: string): DockerfileStage[] {
  const stages: DockerfileStage[] = [];
  for (const line of instructions(text)) {
    const [keyword = '', ...restWords] = line.split(/\s+/);
    const rest = line.slice(keyword.length).trim();
    const instruction = keyword.toUpperCase();
    if (instruction === 'FROM') {
      const alias = /\bAS\s+(\S+)$/i.exec(rest);
      const inherited = stages.find((stage) => stage.name === restWords[0]);
      stages.push({
        name: alias ? alias[1] as string : null, from: restWords[0] as string, workdir: inherited?.workdir ?? '/',
        contextCopies: [], stageCopies: [], runs: [], env: { ...inherited?.env }, entrypoint: [], cmd: [], healthcheck: false,
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${instruction} before FROM`);
    switch (instruction) {
      case 'WORKDIR': stage.workdir = posix.resolve(stage.workdir, rest); break;
      case 'RUN': stage.runs.push(rest); break;
      case 'ENV': for (const [name, value] of envPairs(rest)) stage.env[name] = value; break;
      case 'ENTRYPOINT': stage.entrypoint = words(rest); break;
      case 'CMD': stage.cmd = words(rest); break;
      case 'HEALTHCHECK': stage.healthcheck = !/^NONE$/i.test(rest); break;
      case 'COPY':
      case 'ADD': {
        const flags = rest.match(/^(?:--\S+\s+)*/)?.[0] ?? '';
        const paths = words(rest.slice(flags.length));
        const from = /--from=(\S+)/.exec(flags)?.[1];
        const destination = paths.at(-1) as string;
        const sources = paths.slice(0, -1);
        if (from) for (const source of sources) stage.stageCopies.push({ from, source, destination });
        else stage.contextCopies.push({ sources, destination, workdir: stage.workdir });
        break;
      }
      default: break;
    }
  }
  return stages;
}

/** The stage an image is built from when no target is given: the last one. */
export function finalStage(stages: DockerfileStage[]): DockerfileStage {
  const stage = stages.at(-1);
  if (!stage) throw new Error('the Dockerfile has no FROM');
  return stage;
}
