import { posix } from 'node:path';
import type { DockerfileStage } from './dockerfile.js';

function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] as string;
    if (char === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      pattern += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

/**
 * Docker's .dockerignore rules, as far as ours uses them: one pattern a line (`*`, `?`, `**`),
 * `#` comments, `!` re-includes, the last matching line wins, and a matched folder takes its
 * contents with it. Answers whether a repository path is left out of the build context.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, '')).replace(/\/$/, '');
      return { negated, regexp: globToRegExp(pattern) };
    });
  return (path) => {
    const parts = path.split('/');
    const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.regexp.test(candidate))) excluded = !rule.negated;
    }
    return excluded;
  };
}

/** Where a repository file lands in the image by the stage's COPY lines from the context (the last one wins), or null. */
export function copiedTo(stage: DockerfileStage, path: string): string | null {
  let landed: string | null = null;
  for (const copy of stage.contextCopies) {
    const destination = posix.resolve(copy.workdir, copy.destination);
    const intoFolder = copy.destination.endsWith('/') || copy.sources.length > 1;
    for (const raw of copy.sources) {
      const source = posix.normalize(raw).replace(/\/$/, '');
      if (/[*?[]/.test(source)) {
        if (globToRegExp(source).test(path)) landed = posix.join(destination, posix.basename(path));
      } else if (source === '.') {
        landed = posix.join(destination, path);
      } else if (path === source) {
        landed = intoFolder ? posix.join(destination, posix.basename(path)) : destination;
      } else if (path.startsWith(`${source}/`)) {
        // A folder's contents (not the folder itself) go into the destination.
        landed = posix.join(destination, path.slice(source.length + 1));
      }
    }
  }
  return landed;
}
