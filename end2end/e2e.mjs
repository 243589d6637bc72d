// Browser tests for Grupprum: Debian's Chromium, driven by playwright-core, against
// the real server binary. The server is started here on a free loopback port and
// stopped at the end. Prints "N passed, M failed" as its last line.
//
// Environment: GRUPPRUM_BIN (default ../target/debug/grupprum), LEPTOS_SITE_ROOT
// (default ../target/site), CHROMIUM (default /usr/bin/chromium).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const serverBin = process.env.GRUPPRUM_BIN ?? join(root, 'target/debug/grupprum');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? join(root, 'target/site');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const screenshots = join(here, 'screenshots');

/** Starts the server on 127.0.0.1:0 and resolves with its base URL. */
function startServer() {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(serverBin, [], {
      env: {
        ...process.env,
        LEPTOS_SITE_ADDR: '127.0.0.1:0',
        LEPTOS_SITE_ROOT: siteRoot,
        LEPTOS_OUTPUT_NAME: 'grupprum',
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => rejectStart(new Error('the server did not start within 30 s')), 30_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolveStart({ child, base: m[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`the server exited early (${code})`));
    });
  });
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('the start page is complete without JavaScript', async ({ base }) => {
  const res = await fetch(`${base}/`);
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  const html = await res.text();
  for (const needle of ['<h1>Grupprum</h1>', 'server-rendered', '/pkg/grupprum.js', '/pkg/grupprum.css']) {
    if (!html.includes(needle)) throw new Error(`missing ${needle}`);
  }
});

test('the start page hydrates in the browser', async ({ context, base }) => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Grupprum' }).waitFor();
  await page.getByTestId('hydration').filter({ hasText: 'interactive' }).waitFor({ timeout: 15_000 });
  if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, 'start-page.png') });
  await page.close();
});

test('an unknown path gets the not-found page', async ({ base }) => {
  const res = await fetch(`${base}/no/such/page`);
  const html = await res.text();
  if (res.status !== 404 || !html.includes('Page not found')) throw new Error(`status ${res.status}: ${html.slice(0, 200)}`);
});

const { child, base } = await startServer();
const userDataDir = mkdtempSync(join(tmpdir(), 'grupprum-e2e-'));
let passed = 0;
let failed = 0;
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  for (const { name, fn } of tests) {
    try {
      await fn({ context, base });
      passed += 1;
      console.log(`ok - ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - ${name}: ${e.message}`);
    }
  }
} finally {
  await context?.close();
  child.kill('SIGTERM');
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
