import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllServers, startServer, stopServer, type ServerProcess } from './support/server-process.ts';

/**
 * The Scalar reference at /docs, opened in a real headless Chromium (Debian's, driven by
 * playwright-core; nothing is downloaded). Without a Chromium the test skips, unless
 * REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
 */

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REQUIRED = process.env.REQUIRE_BROWSER === '1';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
// A slow two-core machine: the bundle is ~4 MB of script to parse before anything renders.
const RENDER_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 20_000;

function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM} (install it with \`apt-get install -y chromium\`, or point CHROMIUM_PATH at one)`;
  }
}

type OpenApiOperation = { operationId?: string; summary?: string; tags?: string[] };
type OpenApiDocument = { tags?: { name: string }[]; paths: Record<string, Record<string, OpenApiOperation>> };

const missing = chromiumMissing();
let dataDir: string;
let server: ServerProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let spec: OpenApiDocument;
/** Everything that went wrong or left the server while the page was open. */
const problems: string[] = [];
const requested: string[] = [];

beforeAll(async () => {
  if (missing) return;
  dataDir = mkdtempSync(join(tmpdir(), 'parseo-docs-browser-'));
  server = await startServer({ DATA_DIR: dataDir });
  const res = await fetch(`${server.origin}/openapi.json`);
  expect(res.status).toBe(200);
  spec = (await res.json()) as OpenApiDocument;

  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: RENDER_TIMEOUT_MS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const origin = server.origin;
  context.on('request', (req) => {
    requested.push(req.url());
    const url = new URL(req.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) problems.push(`request outside the server: ${req.method()} ${req.url()}`);
  });
  context.on('requestfailed', (req) => problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  context.on('response', (r) => {
    if (r.status() >= 400) problems.push(`response ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server).catch(() => undefined);
  killAllServers();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Skips with the reason when there is no browser, or fails when CI requires one. */
function needsBrowser(skip: (note: string) => never) {
  if (!missing) return;
  if (REQUIRED) throw new Error(`REQUIRE_BROWSER=1, but ${missing}`);
  skip(`skipped: ${missing}; set REQUIRE_BROWSER=1 to make this a failure`);
}

function specTags(): string[] {
  const operationTags = Object.values(spec.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? []));
  return [...new Set([...(spec.tags ?? []).map((t) => t.name), ...operationTags])];
}

/** Opens /docs and waits until Scalar has rendered its sidebar; answers the sidebar. */
async function openDocs() {
  const answer = await page.goto(`${server!.origin}/docs`, { waitUntil: 'load', timeout: RENDER_TIMEOUT_MS });
  expect(answer?.status()).toBe(200);
  const sidebar = page.getByRole('complementary').first();
  // The first tag's entry appears once the bundle has run and the document is loaded.
  await sidebar.getByRole('link', { name: specTags()[0], exact: true }).waitFor({ state: 'visible', timeout: RENDER_TIMEOUT_MS });
  return sidebar;
}

describe('the API reference at /docs in headless Chromium', { timeout: 180_000 }, () => {
  it('renders every tag of the OpenAPI document and the upload operation, and screenshots', async ({ skip }) => {
    needsBrowser(skip);
    const tags = specTags();
    expect(tags.length).toBeGreaterThan(5);
    const [uploadPath, uploadItem] = Object.entries(spec.paths).find(([, item]) => Object.values(item).some((op) => op.operationId === 'uploadInvoice')) ?? [];
    const [uploadMethod, upload] = Object.entries(uploadItem ?? {}).find(([, op]) => op.operationId === 'uploadInvoice') ?? [];
    expect(upload?.summary).toBe('Upload an invoice file');
    expect(uploadMethod).toBe('post');

    const sidebar = await openDocs();

    for (const tag of tags) {
      const link = sidebar.getByRole('link', { name: tag, exact: true });
      await link.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await link.click();
      // The tag's section in the main pane (rendered lazily, so it is reached through its link).
      await page.getByRole('heading', { name: tag, exact: true }).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    }

    // The upload operation: its tag's group opened, its entry followed, its section shown.
    await sidebar.getByRole('link', { name: upload!.tags![0]!, exact: true }).click();
    const entry = sidebar.getByRole('link', { name: upload!.summary! });
    await entry.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    expect(await entry.getAttribute('href')).toMatch(new RegExp(`${uploadMethod!.toUpperCase()}${uploadPath!.replaceAll('/', '\\/')}$`));
    await entry.click();
    const heading = page.getByRole('heading', { name: upload!.summary! }).first();
    await heading.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    expect(page.url()).toContain(`${uploadMethod!.toUpperCase()}${uploadPath}`);

    const shot = join(dataDir, 'docs.png');
    await page.screenshot({ path: shot, timeout: STEP_TIMEOUT_MS });
    const png = readFileSync(shot);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG signature').toBe(true);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)], 'IHDR width and height').toEqual([1280, 800]);
    // A blank page compresses to a few kilobytes; a rendered reference is far larger.
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('loaded only from the server, with no failed request, no error status and no console error', async ({ skip }) => {
    needsBrowser(skip);
    const origin = server!.origin;
    // Run alone (-t), this test opens the page itself.
    if (requested.length === 0) await openDocs();
    expect(requested).toContain(`${origin}/docs`);
    expect(requested).toContain(`${origin}/docs/scalar.js`);
    expect(requested).toContain(`${origin}/openapi.json`);
    expect(problems).toEqual([]);
  });
});
