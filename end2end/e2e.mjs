// Browser tests for Grupprum: Debian's Chromium, driven by playwright-core,
// against the real server connected to a real test meeting (Prosody, focus
// stand-in, simulated participants). No fixed sleeps: every wait is for
// something a user would see. Prints "N passed, M failed" as its last line.

import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startMeeting, startServer, root } from './harness.mjs';

const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const screenshots = join(root, 'end2end/screenshots');
const WAIT = 15_000;

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const exact = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** The card of the room titled `title`. */
const card = (page, title) =>
  page.locator('section.room').filter({ has: page.locator('h2', { hasText: new RegExp(`^${exact(title).source.slice(1, -1)} \\(\\d+\\)$`) }) });

/** A person's row, by display name. */
const row = (scope, name) => {
  const page = typeof scope.page === 'function' ? scope.page() : scope;
  return scope.locator('li.person').filter({ has: page.locator('.name', { hasText: exact(name) }) });
};

async function until(what, check, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function expectIn(page, name, room) {
  await row(card(page, room), name).waitFor({ timeout: WAIT });
}

async function moveByMenu(page, name, room) {
  const r = row(page, name);
  await r.locator('select').selectOption({ label: room });
  await r.getByRole('button', { name: 'Move' }).click();
}

// --- the start page ---

test('the start page is complete without JavaScript', async ({ base }) => {
  const res = await fetch(`${base}/`, { headers: { 'accept-language': 'sv-SE' } });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  const html = await res.text();
  for (const needle of ['<h1>Grupprum</h1>', 'server-rendered', '/pkg/grupprum.js', 'Mötets namn eller adress', 'lang="sv"']) {
    if (!html.includes(needle)) throw new Error(`missing ${needle}`);
  }
});

test('the start page hydrates and opens a meeting by name or address', async ({ context, base, meeting }) => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.getByTestId('hydration').filter({ hasText: 'interactive' }).waitFor({ timeout: WAIT });
  await page.getByLabel('Meeting name or address').fill(`https://meet.example/${meeting.room}?x=1`);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.waitForURL(`${base}/${meeting.room}`);
  await page.getByTestId('board').waitFor();
  if (errors.length) throw new Error(errors.join(' | '));
  await page.close();
});

test('an unknown path gets the not-found page', async ({ base }) => {
  const res = await fetch(`${base}/a/b/c`);
  const html = await res.text();
  if (res.status !== 404 || !html.includes('Page not found')) throw new Error(`status ${res.status}`);
});

// --- the board, one page through a moderator's session ---

test('the board shows the meeting and the panel is moderator', async ({ board, meeting }) => {
  const main = card(board, 'Main room');
  await expectIn(board, 'Anna Lindqvist', 'Main room');
  await expectIn(board, 'Erik Johansson', 'Main room');
  await main.locator('li.person', { hasText: 'you' }).waitFor();
  if (await board.getByTestId('not-moderator').count()) throw new Error('the panel is not moderator');
  if ((await board.locator('link[rel=icon]').count()) !== 1) throw new Error('no icon');
  void meeting;
});

test('a participant who joins appears without a reload', async ({ board, meeting }) => {
  await meeting.join('Late Larsson');
  await expectIn(board, 'Late Larsson', 'Main room');
});

test('a hostile display name stays text', async ({ board, meeting }) => {
  const hostile = '<img src=x onerror="window.__pwned=1">';
  await meeting.join(hostile);
  const r = row(board, hostile);
  await r.waitFor({ timeout: WAIT });
  if ((await r.locator('img').count()) !== 0) throw new Error('the name became HTML');
  if (await board.evaluate(() => window.__pwned === 1)) throw new Error('the name ran script');
});

test('create one room', async ({ board }) => {
  await board.getByLabel('New breakout room').fill('Planering');
  await board.getByRole('button', { name: 'Create', exact: true }).first().click();
  await card(board, 'Planering').waitFor({ timeout: WAIT });
  await card(board, 'Planering').getByText('Nobody here').waitFor();
});

test('create several rooms', async ({ board }) => {
  await board.getByLabel('Create several rooms').fill('2');
  await board.locator('form', { has: board.getByLabel('Create several rooms') }).getByRole('button', { name: 'Create' }).click();
  await card(board, 'Room 1').waitFor({ timeout: WAIT });
  await card(board, 'Room 2').waitFor({ timeout: WAIT });
});

test('rename a room', async ({ board }) => {
  const room = card(board, 'Room 2');
  await room.getByText('Rename').click();
  await room.getByLabel('New name').fill('Ekonomi');
  await room.getByRole('button', { name: 'Save' }).click();
  await card(board, 'Ekonomi').waitFor({ timeout: WAIT });
});

test('move by the menu, with the outcome in place and announced', async ({ board }) => {
  await moveByMenu(board, 'Anna Lindqvist', 'Room 1');
  await expectIn(board, 'Anna Lindqvist', 'Room 1');
  await row(card(board, 'Room 1'), 'Anna Lindqvist').locator('.state', { hasText: 'Done' }).waitFor({ timeout: WAIT });
  await board.getByTestId('announcer').filter({ hasText: 'Anna Lindqvist moved to Room 1' }).waitFor({ timeout: WAIT });
});

test('move several at once', async ({ board }) => {
  await row(board, 'Erik Johansson').getByRole('checkbox').check();
  await row(board, 'Late Larsson').getByRole('checkbox').check();
  await card(board, 'Ekonomi').getByRole('button', { name: 'Move selected here' }).click();
  await expectIn(board, 'Erik Johansson', 'Ekonomi');
  await expectIn(board, 'Late Larsson', 'Ekonomi');
});

test('move by dragging', async ({ board }) => {
  await row(board, 'Erik Johansson').dragTo(card(board, 'Planering'));
  await expectIn(board, 'Erik Johansson', 'Planering');
  await board.screenshot({ path: join(screenshots, 'board.png'), fullPage: true });
});

test('move with the keyboard only', async ({ board }) => {
  await row(board, 'Late Larsson').getByRole('checkbox').focus();
  await board.keyboard.press('Space');
  const button = card(board, 'Planering').getByRole('button', { name: 'Move selected here' });
  await button.focus();
  await board.keyboard.press('Enter');
  await expectIn(board, 'Late Larsson', 'Planering');
});

test('a participant who ignores the move shows "not moved"', async ({ board, meeting }) => {
  await meeting.join('Stubborn Svensson', true);
  await expectIn(board, 'Stubborn Svensson', 'Main room');
  await moveByMenu(board, 'Stubborn Svensson', 'Room 1');
  await row(card(board, 'Main room'), 'Stubborn Svensson').locator('.state', { hasText: 'Not moved' }).waitFor({ timeout: WAIT });
});

test('close a room: its people go back, then it is removed', async ({ board }) => {
  const room = card(board, 'Planering');
  await room.locator('summary', { hasText: 'Close' }).click();
  await room.getByText('Its participants go back to the main room').waitFor();
  await room.getByRole('button', { name: 'Close' }).click();
  await until('Planering to be removed', async () => (await card(board, 'Planering').count()) === 0);
  await expectIn(board, 'Erik Johansson', 'Main room');
  await expectIn(board, 'Late Larsson', 'Main room');
});

test('assign automatically, moderators excluded', async ({ board }) => {
  await board.getByRole('button', { name: 'Assign automatically' }).click();
  await until('the main room to hold only the panel and the stubborn one', async () => {
    const names = await card(board, 'Main room').locator('li.person .name').allTextContents();
    return names.length === 2 && names.includes('Stubborn Svensson');
  });
});

test('send everyone back', async ({ board }) => {
  await board.getByText('Send everyone back', { exact: true }).first().click();
  await board.getByTestId('send-back').click();
  await until('no breakout rooms', async () => (await board.locator('section.room').count()) === 1);
  await expectIn(board, 'Anna Lindqvist', 'Main room');
});

test('the board on a 360 px phone has no sideways scrolling', async ({ context, base, meeting }) => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${base}/${meeting.room}`);
  await row(page, 'Anna Lindqvist').waitFor({ timeout: WAIT });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 360) throw new Error(`the page is ${width} px wide`);
  await page.screenshot({ path: join(screenshots, 'board-phone.png'), fullPage: true });
  await page.close();
});

test('without JavaScript the board is complete and its forms work', async ({ browser, base, meeting }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
  const page = await context.newPage();
  await page.goto(`${base}/${meeting.room}`);
  await row(page, 'Anna Lindqvist').waitFor();
  await page.getByLabel('Nytt grupprum').fill('Utan skript');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Skapa', exact: true }).first().click()]);
  if (!page.url().startsWith(`${base}/${meeting.room}`)) throw new Error(`landed on ${page.url()}`);
  await until('the new room after a reload', async () => {
    if ((await card(page, 'Utan skript').count()) > 0) return true;
    await page.reload();
    return false;
  });
  await context.close();
});

test('when the meeting link drops, a banner says so and the board resynchronises', async ({ board, meeting }) => {
  await meeting.control('POST', '/restart');
  await board.getByTestId('link-status').waitFor({ timeout: WAIT });
  // Prosody lost everything: the meeting is new, and people come back.
  await meeting.join('Back Again');
  await expectIn(board, 'Back Again', 'Main room');
  await until('the banner to clear', async () => {
    const status = board.getByTestId('link-status');
    return (await status.count()) === 0 || (await status.textContent()).includes('Reconnected');
  });
});

test('when the link to the Grupprum server drops, a banner says so and the board comes back', async ({ board, meeting, servers }) => {
  const addr = servers.current.base.replace('http://', '');
  servers.current.stop();
  await servers.current.exited;
  await board.getByTestId('server-lost').waitFor({ timeout: WAIT });
  servers.current = await startServer(meeting, addr);
  await board.getByTestId('server-lost').waitFor({ state: 'detached', timeout: WAIT });
  await meeting.join('After The Break');
  await expectIn(board, 'After The Break', 'Main room');
});

test('the Swedish board uses Jitsi\'s words, and the switch changes language', async ({ context, base, meeting }) => {
  const page = await context.newPage();
  await page.goto(`${base}/${meeting.room}?lang=sv`);
  await card(page, 'Huvudrum').waitFor({ timeout: WAIT });
  await page.getByTestId('lang-switch').click();
  await card(page, 'Main room').waitFor({ timeout: WAIT });
  await page.close();
});

test('not yet moderator: the board says what to do, and lights up on the grant', async ({ context, base }) => {
  const late = startMeeting('e2e-late', 1);
  const server = await startServer(late);
  try {
    const page = await context.newPage();
    await page.goto(`${server.base}/${late.room}`);
    const banner = page.getByTestId('not-moderator');
    await banner.filter({ hasText: 'grants moderator to Moderator panel' }).waitFor({ timeout: WAIT });
    if (!(await page.getByRole('button', { name: 'Create', exact: true }).first().isDisabled())) throw new Error('actions enabled');
    const me = await page.locator('li.person', { hasText: 'you' }).getAttribute('data-person');
    await late.control('POST', `/moderators/${me}`);
    await banner.waitFor({ state: 'detached', timeout: WAIT });
    await page.getByRole('button', { name: 'Create', exact: true }).first().waitFor();
    if (await page.getByRole('button', { name: 'Create', exact: true }).first().isDisabled()) throw new Error('still disabled');
    await page.close();
  } finally {
    server.stop();
    late.stop();
  }
  void base;
});

// --- run ---

mkdirSync(screenshots, { recursive: true });
const meeting = startMeeting('e2e', 0);
const servers = { current: await startServer(meeting) };
const base = servers.current.base;
const userDataDir = mkdtempSync(join(tmpdir(), 'grupprum-e2e-chromium-'));
let passed = 0;
let failed = 0;
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    locale: 'en-GB',
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // The panel joins first, so the focus makes it moderator; then people join.
  const board = await context.newPage();
  await board.goto(`${base}/${meeting.room}`);
  await board.getByTestId('board').waitFor({ timeout: WAIT });
  for (const name of ['Anna Lindqvist', 'Erik Johansson']) await meeting.join(name);
  for (const { name, fn } of tests) {
    const started = Date.now();
    try {
      await fn({ context, browser, base, meeting, board, servers });
      passed += 1;
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - ${name}: ${e.message.split('\n')[0]}`);
      await board.screenshot({ path: join(screenshots, `failed-${passed + failed}.png`), fullPage: true }).catch(() => {});
    }
  }
  await browser.close();
} finally {
  await context?.close();
  servers.current.stop();
  meeting.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
