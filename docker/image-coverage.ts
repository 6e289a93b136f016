import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { copiedTo, dockerignoreMatcher } from './build-context.js';
import { finalStage, parseDockerfile } from './dockerfile.js';
import { importGraph } from './import-graph.js';

export interface CoverageInput {
  root: string;
  /** The Dockerfile's text (its build context is `root`). */
  dockerfile: string;
  dockerignore: string;
  /** Files the program reads that no import names, e.g. a config default path. */
  extraFiles?: string[];
}

export interface CoverageReport {
  /** The TypeScript program the image runs, as a repository path. */
  entry: string;
  files: string[];
  packages: string[];
  /** What would be missing or wrong in the image; empty when it holds everything. */
  problems: string[];
}

/** The image's working folder is the repository root: the program is the first .ts in its command. */
function entryOf(command: string[], workdir: string): string {
  const program = command.find((word) => word.endsWith('.ts'));
  if (!program) throw new Error(`the image's command (${JSON.stringify(command)}) runs no .ts program`);
  return posix.relative(workdir, posix.resolve(workdir, program));
}

/**
 * Checks that an image holds what its program needs: every file its import graph reaches,
 * copied to the same path under the working folder (so relative imports resolve) and not left
 * out by .dockerignore; package.json (ES modules) and tsconfig.json (tsx's settings); and
 * node_modules from a production install holding every package it imports.
 */
export function imageCoverage(input: CoverageInput): CoverageReport {
  const stages = parseDockerfile(input.dockerfile);
  const image = finalStage(stages);
  const entry = entryOf([...image.entrypoint, ...image.cmd], image.workdir);
  const graph = importGraph(input.root, entry);
  const ignored = dockerignoreMatcher(input.dockerignore);
  const problems: string[] = [];

  for (const path of [...graph.files, 'package.json', 'tsconfig.json', ...(input.extraFiles ?? [])]) {
    const wanted = posix.join(image.workdir, path);
    const landed = copiedTo(image, path);
    if (landed !== wanted) problems.push(`${path}: ${landed ? `copied to ${landed}` : 'not copied'}, needed at ${wanted}`);
    if (ignored(path)) problems.push(`${path}: left out of the build context by .dockerignore`);
  }

  const manifest = JSON.parse(readFileSync(join(input.root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of graph.packages) {
    if (!manifest.dependencies?.[name]) problems.push(`package ${name}: imported at run time but not in package.json dependencies (npm ci --omit=dev leaves it out)`);
  }

  const modules = image.stageCopies.find((copy) => posix.resolve(image.workdir, copy.destination) === posix.join(image.workdir, 'node_modules'));
  const installer = stages.find((stage) => stage.name === modules?.from);
  if (!modules || !installer) problems.push(`node_modules: not copied from an install stage into ${posix.join(image.workdir, 'node_modules')}`);
  else if (!installer.runs.some((run) => /\bnpm ci\b/.test(run) && /--omit=dev\b/.test(run))) {
    problems.push(`node_modules: stage ${installer.name} does not run npm ci --omit=dev`);
  } else if (posix.resolve(installer.workdir, modules.source) !== posix.join(installer.workdir, 'node_modules')) {
    problems.push(`node_modules: copied from ${modules.source}, not from where stage ${installer.name} installs (${posix.join(installer.workdir, 'node_modules')})`);
  }
  return { entry, files: graph.files, packages: graph.packages, problems };
}
