import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { imageCoverage } from './image-coverage.js';
import { loadServiceConfig } from '../service/config.js';
import { builtImages } from '../stack/docker/topology.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const dockerignore = read('.dockerignore');

// The service reads its catalogue at a default path no import names.
const serviceCatalog = relative(root, loadServiceConfig({ SESSION_SIGNING_SECRET: 'a-secret-of-at-least-16' }).catalogPath);

const images = [
  { ...builtImages.service, entry: 'service/main.ts', extraFiles: [serviceCatalog] },
  { ...builtImages.bedrock, entry: 'stack/bedrock/main.ts', extraFiles: [] },
  { ...builtImages.sessionTable, entry: 'stack/docker/session-table/main.ts', extraFiles: [] },
];

describe('each image holds every file its program imports', () => {
  for (const image of images) {
    it(`${image.dockerfile} runs ${image.entry} and copies its whole import graph, package.json, tsconfig.json and production node_modules`, () => {
      const report = imageCoverage({ root, dockerfile: read(image.dockerfile), dockerignore, extraFiles: image.extraFiles });
      expect(report.entry).toBe(image.entry);
      expect(report.problems).toEqual([]);
      expect(report.files.length).toBeGreaterThan(1);
    });
  }

  it('the service image holds nothing of the harness: its program reaches only service/ and its catalogue', () => {
    const report = imageCoverage({ root, dockerfile: read(builtImages.service.dockerfile), dockerignore, extraFiles: [serviceCatalog] });
    expect(report.files.filter((file) => !file.startsWith('service/'))).toEqual([]);
  });
});

describe('the coverage check can fail', () => {
  const serviceDockerfile = read(builtImages.service.dockerfile);

  it('names the files a Dockerfile that does not copy service/ would lack', () => {
    const withoutService = serviceDockerfile.replace(/^COPY service .*$/m, '');
    const report = imageCoverage({ root, dockerfile: withoutService, dockerignore, extraFiles: [serviceCatalog] });
    expect(report.problems).toContain('service/main.ts: not copied, needed at /app/service/main.ts');
    expect(report.problems.some((problem) => problem.startsWith('service/config.ts: not copied'))).toBe(true);
  });

  it('names a file copied to another path, where its relative imports would not resolve', () => {
    const flattened = serviceDockerfile.replace(/^COPY service \.\/service$/m, 'COPY service ./src');
    const report = imageCoverage({ root, dockerfile: flattened, dockerignore, extraFiles: [serviceCatalog] });
    expect(report.problems).toContain('service/main.ts: copied to /app/src/main.ts, needed at /app/service/main.ts');
  });

  it('names a file .dockerignore leaves out of the context, and a missing data file', () => {
    const report = imageCoverage({ root, dockerfile: serviceDockerfile, dockerignore: `${dockerignore}\nservice/memory/\n`, extraFiles: [serviceCatalog, 'fixtures/elsewhere.json'] });
    expect(report.problems).toContain('service/memory/create-memory.ts: left out of the build context by .dockerignore');
    expect(report.problems).toContain('fixtures/elsewhere.json: not copied, needed at /app/fixtures/elsewhere.json');
  });

  it('names node_modules installed with dev dependencies', () => {
    const withDev = serviceDockerfile.replace('npm ci --omit=dev', 'npm ci');
    const report = imageCoverage({ root, dockerfile: withDev, dockerignore, extraFiles: [serviceCatalog] });
    expect(report.problems).toEqual(['node_modules: stage deps does not run npm ci --omit=dev']);
  });
});
