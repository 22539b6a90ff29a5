/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by playwright-core, with a
 * fresh profile each time. Without chromium the tests skip with a message on a laptop; under CI
 * they fail, since CI installs it (.ci/run).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether to run: false (skip) only when chromium is absent and CI is not set. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH) || process.env.CI === 'true' || process.env.CI === '1') return true;
  console.warn(
    `Browser tests skipped: ${CHROMIUM_PATH} is missing. Install it with: apt-get install -y chromium`,
  );
  return false;
}

export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(path.join(tmpdir(), 'jc-onboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
