/**
 * Opens a weft HTML report (bench, fl or profile) in Debian's headless Chromium and reads what a
 * person would see: console errors, how many charts the page says it drew, and the marks in each.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** A `skip` reason for node:test when the browser is missing, else false. */
export const noChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (run scripts/setup-system.sh chromium)`;

export interface RenderedReport {
  page: Page;
  errors: string[];
  /** The count the page's chart script wrote to `body[data-charts-rendered]`. */
  rendered: number;
  charts: { id: string; marks: number }[];
  close(): Promise<void>;
}

/** Loads the report offline, waits until its charts are drawn; call `close()` when done. */
export async function renderReport(file: string): Promise<RenderedReport> {
  const profile = await mkdtemp(join(tmpdir(), 'weft-chromium-'));
  const { chromium } = await import('playwright-core');
  // The flags keep Chromium from reaching for the network, which this machine refuses.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    offline: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const close = async (): Promise<void> => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 60_000 });
    const rendered = Number(await page.getAttribute('body', 'data-charts-rendered'));
    const charts = await page.$$eval('.chart', (divs) =>
      divs.map((div) => ({ id: div.id, marks: div.querySelectorAll('svg .role-mark > *, svg path').length })),
    );
    return { page, errors, rendered, charts, close };
  } catch (error) {
    await close();
    throw error;
  }
}
