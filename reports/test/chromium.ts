import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's chromium (apt-get install chromium): playwright-core drives it, no browser download. */
export const chromiumPath = '/usr/bin/chromium';

/** Why the browser tests cannot run on this machine, or null when they can. */
export const chromiumMissing: string | null = existsSync(chromiumPath)
  ? null
  : `${chromiumPath} is not installed (apt-get install chromium), so the browser test is skipped; the rest of the suite runs`;

// shared/reference/browser-testing.md: without the background-networking flags Chromium keeps
// calling outside hosts, which this machine refuses. Playwright adds --headless itself.
const flags = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Headless Chromium on a fresh, empty profile in `userDataDir`; close() the context to stop it. */
export function openChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath, headless: true, args: flags, viewport: { width: 1280, height: 900 } });
}
