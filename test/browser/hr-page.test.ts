/**
 * The page for HR, driven in headless Chromium against the embedded stack (local S3, the
 * JumpCloud simulator, the real handler in the local Lambda runtime) and the page's own API
 * code, as `npm start` serves it. Every wait is for a state of the page, never for time.
 *
 * UPDATE_SCREENSHOTS=1 saves a screenshot of each state under docs/screenshots/ for the README.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded-stack';
import { type HrPageServer, LOCAL_HR_PERSON, startHrPageServer } from '../../local/hr-page-server';
import { chromiumAvailable, launchChromium } from './chromium';

const NEW_HIRES = [
  'First Name,Last Name,Username,Email Address,Password',
  'Ada,Lovelace,alovelace,ada.lovelace@example.com,Secret-Pass-1!',
  'Alan,Turing,aturing,not-an-email,Secret-Pass-2!',
  '',
  'Grace,Hopper,ghopper,grace.hopper@example.com,Secret-Pass-3!',
].join('\r\n');
const NO_EMAIL_COLUMN = 'username,firstname\r\njdoe,Jane\r\n';

const screenshots = process.env.UPDATE_SCREENSHOTS
  ? path.join(__dirname, '..', '..', 'docs', 'screenshots')
  : undefined;

describe.runIf(chromiumAvailable())('the page for HR', () => {
  let stack: EmbeddedStack;
  let site: HrPageServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let downloads: string;

  beforeAll(async () => {
    stack = await startEmbeddedStack({
      environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    site = await startHrPageServer({ s3: stack.s3, bucket: stack.bucket });
    browser = await launchChromium();
    page = await browser.context.newPage();
    downloads = await mkdtemp(path.join(tmpdir(), 'jc-onboard-downloads-'));
    await page.goto(site.url);
    await page.getByText(`Signed in as ${LOCAL_HR_PERSON.name}`).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.stop();
    if (downloads) await rm(downloads, { recursive: true, force: true });
  });

  it('refuses a file missing a required column before uploading it, in plain words', async () => {
    // Act
    await chooseFile(page, 'no-email.csv', NO_EMAIL_COLUMN);

    // Assess
    const said = await page.locator('#file-check.problem').textContent();
    expect(said).toBe('no-email.csv: This file cannot be used: missing required column "email".');
    expect(await page.getByRole('button', { name: 'Check first' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Onboard' }).isDisabled()).toBe(true);
    expect(await stack.list('incoming/')).toEqual([]);
    await screenshot(page, 'refused-missing-column');
  });

  it('checks a file first: the rows the page shows are the dry-run results file, nothing uploaded elsewhere', async () => {
    // Prepare
    await chooseFile(page, 'new hires.csv', NEW_HIRES);
    expect(await page.locator('#file-check.fine').textContent()).toBe(
      'new hires.csv: 3 people, columns look right.',
    );
    await screenshot(page, 'file-chosen');

    // Act
    await page.getByRole('button', { name: 'Check first' }).click();
    await page.waitForFunction(() =>
      document.querySelector('#progress')?.textContent?.startsWith('Check of'),
    );

    // Assess: the upload went to the uploader's dry-run folder, and the table is its results file.
    const resultsKey = await onlyResultsKey(stack, 'outcomes/dry-run/web/local-hr/');
    const summary = JSON.parse(await stack.readText(resultsKey.replace(/\.csv$/, '.summary.json')));
    expect(summary.input.key).toMatch(/^incoming\/dry-run\/web\/local-hr\/\d{8}T\d{9}Z-new-hires\.csv$/);
    expect(summary.dryRun).toBe(true);
    expect(await tableRows(page)).toEqual(await resultsRows(stack, resultsKey));
    expect(await page.locator('#progress').textContent()).toBe('Check of new-hires.csv finished: 3 rows.');
    await screenshot(page, 'checked');
  });

  it('onboards the file: rows resolve into the table, problems filter, and the download is the results file', async () => {
    // Act
    await page.getByRole('button', { name: 'Onboard' }).click();
    await page.waitForFunction(() =>
      document.querySelector('#progress')?.textContent?.startsWith('Onboarding of'),
    );

    // Assess: the table shows exactly the results file's rows, and JumpCloud has the valid people.
    const resultsKey = await onlyResultsKey(stack, 'outcomes/web/local-hr/');
    const rows = await resultsRows(stack, resultsKey);
    expect(await tableRows(page)).toEqual(rows);
    expect(rows.map((row) => row[0])).toEqual(['2', '3', '5']);
    expect(rows.find((row) => row[0] === '3')?.[1]).toBe('invalid');
    const usernames = stack.simulator.users().map((user) => user.username);
    expect(usernames).toEqual(expect.arrayContaining(['alovelace', 'ghopper']));
    expect(usernames).not.toContain('aturing');
    await screenshot(page, 'onboarded');

    // Act: only the rows that need attention.
    await page.getByLabel('Rows to show').selectOption('problems');

    // Assess
    expect(await tableRows(page)).toEqual(rows.filter((row) => ['invalid', 'failed'].includes(row[1] ?? '')));
    await screenshot(page, 'problems-only');

    // Act: one click downloads the results.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the results file' }).click(),
    ]);
    const saved = path.join(downloads, download.suggestedFilename());
    await download.saveAs(saved);

    // Assess: byte for byte the results object, and no password anywhere on the page.
    expect(download.suggestedFilename()).toBe(resultsKey.split('/').pop());
    expect(Buffer.compare(await readFile(saved), await objectBytes(stack, resultsKey))).toBe(0);
    expect(await page.content()).not.toMatch(/Secret-Pass/);
  });

  it('lists the uploader’s recent files, newest first, with their status', async () => {
    // Act
    await page.reload();
    await page.locator('#recent tbody tr').nth(1).waitFor();

    // Assess
    const recent = await page.locator('#recent tbody tr').evaluateAll((lines) =>
      lines.map((line) =>
        Array.from(line.querySelectorAll('td'))
          .slice(0, 2)
          .map((cell) => cell.textContent),
      ),
    );
    expect(recent).toEqual([
      ['new-hires.csv', 'onboard'],
      ['new-hires.csv', 'check'],
    ]);
    await screenshot(page, 'recent-files');
  });
});

async function chooseFile(page: Page, name: string, text: string): Promise<void> {
  await page.getByLabel(/Drop the CSV file here/).setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(text, 'utf8'),
  });
  await page.locator('#file-check.problem, #file-check.fine').waitFor();
}

async function tableRows(page: Page): Promise<string[][]> {
  return page
    .locator('#rows tbody tr')
    .evaluateAll((lines) =>
      lines.map((line) => Array.from(line.querySelectorAll('td')).map((c) => c.textContent ?? '')),
    );
}

async function onlyResultsKey(stack: EmbeddedStack, prefix: string): Promise<string> {
  const keys = (await stack.list(prefix)).filter((key) => key.endsWith('.csv'));
  expect(keys).toHaveLength(1);
  return keys[0] ?? '';
}

async function objectBytes(stack: EmbeddedStack, key: string): Promise<Buffer> {
  const answer = await stack.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
  return Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
}

async function resultsRows(stack: EmbeddedStack, key: string): Promise<string[][]> {
  const records = parse(await objectBytes(stack, key), { bom: true }) as string[][];
  return records.slice(1).map((record) => record.slice(0, 6));
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}
