// `npm run dashboards`: writes dashboards/generated/<name>.json from the builders.
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { committedJson, dashboardCatalogue, generatedDir, generatedFile, renderDashboard } from './catalogue.js';

mkdirSync(generatedDir, { recursive: true });
for (const { name, build } of dashboardCatalogue) {
  const path = fileURLToPath(generatedFile(name));
  const json = renderDashboard(build());
  const changed = committedJson(name) !== json;
  if (changed) writeFileSync(path, json);
  console.log(`${changed ? 'wrote' : 'unchanged'} ${relative(process.cwd(), path)}`);
}
