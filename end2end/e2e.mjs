// Browser tests for Grupprum: Debian's Chromium, driven by playwright-core,
// against the real server connected to a real test meeting (Prosody, focus
// stand-in, simulated participants). No fixed sleeps: every wait is for
// something a user would see. Prints "N passed, M failed" as its last line.

import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { chromium } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { startMeeting, startServer, jitsiToken, root } from './harness.mjs';
import { startProvider, freePort } from './oidc-provider.mjs';

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
  await row(page, name).getByRole('button', { name: `Move ${name} to…` }).click();
  await page.getByRole('dialog').getByRole('button', { name: room, exact: true }).click();
}

/** A page on the board, once its scripts run (before that, forms post as plain HTML). */
async function openBoard(page, url) {
  await page.goto(url);
  await page.locator('[data-testid=board][data-live=true]').waitFor({ timeout: WAIT });
}

/** A panel with JWT sign-in and the panel account in `meeting`, and the app secret its tokens need. */
async function jwtServer(meeting) {
  const secret = randomBytes(32).toString('hex');
  const server = await startServer(meeting, '127.0.0.1:0', {
    GRUPPRUM_AUTH: 'jwt',
    JWT_APP_ID: 'grupprum-e2e',
    JWT_APP_SECRET: secret,
    XMPP_USER: meeting.env.PANEL_JID,
    XMPP_PASSWORD: meeting.env.PANEL_PASSWORD,
  });
  return { server, secret };
}

/** Every piece of visible text whose contrast with its background is under WCAG AA. */
async function lowContrast(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const over = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg && bg.a > 0) layers.push(bg);
        if (bg && bg.a === 1) break;
      }
      let colour = { r: 255, g: 255, b: 255, a: 1 };
      if (!layers.length || layers[layers.length - 1].a < 1) {
        colour = parse(getComputedStyle(document.documentElement).backgroundColor) ?? colour;
        if (colour.a < 1) colour = matchMedia('(prefers-color-scheme: dark)').matches ? { r: 18, g: 18, b: 18, a: 1 } : { r: 255, g: 255, b: 255, a: 1 };
      }
      for (const layer of layers.reverse()) colour = over(layer, colour);
      return colour;
    };
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || el.closest('.sr-only, [disabled], [hidden]')) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const fg = over(parse(style.color), background(el));
      const bg = background(el);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${node.textContent.trim().slice(0, 30)}: ${ratio.toFixed(2)}`);
    }
    return bad;
  });
}

// --- the start page ---

test('the start page is complete without JavaScript', async ({ base }) => {
  const res = await fetch(`${base}/`, { headers: { 'accept-language': 'sv-SE' } });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  const html = await res.text();
  for (const needle of ['<h1>Grupprum</h1>', 'Mötets namn eller adress', 'Panelens namn i mötet', 'Jitsi-token (valfritt)', 'lang="sv"', 'action="/api/open"']) {
    if (!html.includes(needle)) throw new Error(`missing ${needle}`);
  }
});

test('the start page opens a meeting by its address', async ({ context, base, meeting }) => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.getByLabel('Meeting name or address').fill(`https://meet.example/${meeting.room}?x=1`);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.waitForURL(`${base}/${meeting.room}`);
  await page.getByTestId('board').waitFor();
  if (errors.length) throw new Error(errors.join(' | '));
  await page.close();
});

test('a bad token is refused on the start page, and nothing typed is lost', async ({ browser, base, meeting }) => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('Meeting name or address').fill(meeting.room);
  await page.getByLabel("The panel's name in the meeting").fill('Kim (panel)');
  await page.getByLabel('Jitsi token (optional)').fill('not a token');
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByTestId('start-problem').filter({ hasText: 'This is not a Jitsi token' }).waitFor({ timeout: WAIT });
  if ((await page.getByLabel('Meeting name or address').inputValue()) !== meeting.room) throw new Error('the meeting was lost');
  if ((await page.getByLabel("The panel's name in the meeting").inputValue()) !== 'Kim (panel)') throw new Error('the name was lost');
  if (page.url().includes('not%20a%20token') || page.url().includes('not+a+token')) throw new Error('the token went into the address');
  await context.close();
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

test('remove an empty room', async ({ board }) => {
  await board.getByLabel('New breakout room').fill('Tillfälligt');
  await board.getByRole('button', { name: 'Create', exact: true }).first().click();
  const room = card(board, 'Tillfälligt');
  await room.waitFor({ timeout: WAIT });
  // An empty room offers Remove, not Close.
  if (await room.locator('summary', { hasText: 'Close' }).isVisible()) throw new Error('Close offered for an empty room');
  await room.getByRole('button', { name: 'Remove' }).click();
  await until('the room to be removed', async () => (await card(board, 'Tillfälligt').count()) === 0);
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
  await board.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
  await board.locator('#move-selection').click();
  await board.getByRole('dialog', { name: 'Move 2 selected to…' }).getByRole('button', { name: 'Ekonomi', exact: true }).click();
  await expectIn(board, 'Erik Johansson', 'Ekonomi');
  await expectIn(board, 'Late Larsson', 'Ekonomi');
  if (await board.locator('.selection').isVisible()) throw new Error('the selection stayed after the move');
});

test('move several with "Move selected here"', async ({ board }) => {
  await row(board, 'Erik Johansson').getByRole('checkbox').check();
  await row(board, 'Late Larsson').getByRole('checkbox').check();
  await card(board, 'Room 1').getByRole('button', { name: 'Move selected here' }).click();
  await expectIn(board, 'Erik Johansson', 'Room 1');
  await expectIn(board, 'Late Larsson', 'Room 1');
});

test('move by dragging', async ({ board }) => {
  await row(board, 'Erik Johansson').dragTo(card(board, 'Planering'));
  await expectIn(board, 'Erik Johansson', 'Planering');
  await board.screenshot({ path: join(screenshots, 'board.png'), fullPage: true });
});

test('move with the keyboard only', async ({ board }) => {
  const button = row(board, 'Late Larsson').getByRole('button', { name: 'Move Late Larsson to…' });
  await button.focus();
  await board.keyboard.press('Enter');
  const menu = board.getByRole('dialog', { name: 'Move Late Larsson to…' });
  await menu.waitFor();
  // Escape closes the menu and gives the focus back.
  await board.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  if (!(await button.evaluate((b) => b === document.activeElement))) throw new Error('the focus did not come back');
  await board.keyboard.press('Enter');
  await menu.waitFor();
  if (!(await menu.getByRole('button').first().evaluate((b) => b === document.activeElement))) throw new Error('the menu did not take the focus');
  const planering = menu.getByRole('button', { name: 'Planering', exact: true });
  for (let i = 0; i < 10 && !(await planering.evaluate((b) => b === document.activeElement)); i += 1) await board.keyboard.press('Tab');
  const outline = await planering.evaluate((b) => getComputedStyle(b).outlineStyle);
  if (outline === 'none') throw new Error('the focused room has no visible focus');
  await board.keyboard.press('Enter');
  await expectIn(board, 'Late Larsson', 'Planering');
  // Picking with the keyboard: Space on the tick box, then "Move selected here".
  await row(board, 'Anna Lindqvist').getByRole('checkbox').focus();
  await board.keyboard.press('Space');
  await card(board, 'Planering').getByRole('button', { name: 'Move selected here' }).focus();
  await board.keyboard.press('Enter');
  await expectIn(board, 'Anna Lindqvist', 'Planering');
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

for (const width of [360, 400]) {
  test(`the board ${width} px wide has no sideways scrolling and every action is reachable`, async ({ context, base, meeting }) => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 740 });
    await openBoard(page, `${base}/${meeting.room}`);
    await row(page, 'Anna Lindqvist').waitFor({ timeout: WAIT });
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scroll > width) throw new Error(`the page is ${scroll} px wide`);
    for (const b of await page.locator('button:visible, summary:visible, input:visible').all()) {
      const box = await b.boundingBox();
      if (box && box.x + box.width > width + 1) throw new Error(`a control sticks out: ${await b.textContent()}`);
    }
    await row(page, 'Anna Lindqvist').getByRole('button', { name: 'Move Anna Lindqvist to…' }).click();
    await page.getByRole('dialog').waitFor();
    const menu = await page.getByRole('dialog').boundingBox();
    if (!menu || menu.x < 0 || menu.x + menu.width > width) throw new Error(`the menu does not fit: ${JSON.stringify(menu)}`);
    await page.keyboard.press('Escape');
    if (width === 360) await page.screenshot({ path: join(screenshots, 'board-phone.png'), fullPage: true });
    await page.close();
  });
}

test('light and dark: every text meets WCAG AA contrast', async ({ context, base, meeting }) => {
  const page = await context.newPage();
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await openBoard(page, `${base}/${meeting.room}`);
    await row(page, 'Anna Lindqvist').getByRole('button', { name: 'Move Anna Lindqvist to…' }).click();
    await page.getByRole('dialog').waitFor();
    const bad = await lowContrast(page);
    if (bad.length) throw new Error(`${colorScheme}: ${bad.slice(0, 5).join('; ')}`);
    await page.keyboard.press('Escape');
    await page.goto(`${base}/`);
    const badStart = await lowContrast(page);
    if (badStart.length) throw new Error(`${colorScheme} start page: ${badStart.slice(0, 5).join('; ')}`);
    if (colorScheme === 'dark') {
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      if (bg === 'rgb(255, 255, 255)') throw new Error('dark mode is not dark');
    }
  }
  await page.close();
});

test('without JavaScript the board is complete and its forms work', async ({ browser, base, meeting }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'sv-SE' });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('Mötets namn eller adress').fill(meeting.room);
  await page.getByLabel('Panelens namn i mötet').fill('Utan skript');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Öppna' }).click()]);
  await row(page, 'Anna Lindqvist').waitFor();
  // This browser is a panel of its own: a moderator grants it first.
  await page.getByTestId('not-moderator').filter({ hasText: 'gör Utan skript till moderator' }).waitFor();
  const me = await page.locator('li.person', { has: page.locator('.badge-me') }).getAttribute('data-person');
  await meeting.control('POST', `/moderators/${me}`);
  await until('the grant after a reload', async () => {
    await page.reload();
    return (await page.getByTestId('not-moderator').count()) === 0;
  });
  // A refused command comes back to the board with the reason.
  await page.getByLabel('Nytt grupprum').fill('x'.repeat(100));
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Skapa', exact: true }).first().click()]);
  await page.getByTestId('command-error').filter({ hasText: 'Namnet får ha högst 64 tecken.' }).waitFor();
  await page.getByLabel('Nytt grupprum').fill('Utan skript');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Skapa', exact: true }).first().click()]);
  if (!page.url().startsWith(`${base}/${meeting.room}`)) throw new Error(`landed on ${page.url()}`);
  await until('the new room after a reload', async () => {
    if ((await card(page, 'Utan skript').count()) > 0) return true;
    await page.reload();
    return false;
  });
  // Moving without scripts: tick, then "Flytta markerade hit" on the room.
  await row(page, 'Anna Lindqvist').getByRole('checkbox').check();
  await Promise.all([page.waitForNavigation(), card(page, 'Utan skript').getByRole('button', { name: 'Flytta markerade hit' }).click()]);
  await until('Anna in the new room after a reload', async () => {
    if ((await row(card(page, 'Utan skript'), 'Anna Lindqvist').count()) > 0) return true;
    if (await page.getByTestId('command-error').count()) throw new Error(await page.getByTestId('command-error').textContent());
    await page.reload();
    return false;
  });
  await context.close();
});

test('another site cannot call the server functions or open the live link', async ({ base, meeting }) => {
  const body = new URLSearchParams({ room: meeting.room, action: 'create', name: 'Från en annan sajt' });
  const cross = await fetch(`${base}/api/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.test', 'sec-fetch-site': 'cross-site' },
    body,
  });
  if (cross.status !== 403) throw new Error(`cross-site POST: ${cross.status}`);
  const upgrade = (origin, cookie) => new Promise((resolve, reject) => {
    const req = request(`${base}/api/watch`, {
      headers: {
        connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', origin,
        ...(cookie ? { cookie } : {}),
      },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end();
  });
  const browserId = 'grupprum_id=0123456789abcdef0123456789abcdef';
  const evil = await upgrade('https://evil.test', browserId);
  if (evil !== 403) throw new Error(`cross-site WebSocket: ${evil}`);
  const stranger = await upgrade(base);
  if (stranger !== 401) throw new Error(`same-site WebSocket without a browser id: ${stranger}`);
  const own = await upgrade(base, browserId);
  if (own !== 101) throw new Error(`same-site WebSocket: ${own}`);
  const page = await fetch(`${base}/${meeting.room}`);
  const csp = page.headers.get('content-security-policy') ?? '';
  const nonce = (await page.text()).match(/<script type="module" nonce="([^"]+)"/)?.[1];
  if (!nonce || !csp.includes(`'nonce-${nonce}'`) || !csp.includes('frame-ancestors')) throw new Error(`policy: ${csp}`);
  if (page.headers.get('x-content-type-options') !== 'nosniff') throw new Error('no nosniff');
});

test('when the meeting link drops, a banner says so and the board resynchronises', async ({ board, meeting }) => {
  await meeting.control('POST', '/restart');
  await board.getByTestId('link-status').waitFor({ timeout: WAIT });
  // Prosody lost everything: the meeting is new, and people come back.
  await meeting.join('Back Again');
  await expectIn(board, 'Back Again', 'Main room');
  await until('the banner to say so', async () => {
    const status = board.getByTestId('link-status');
    return (await status.count()) === 0 || (await status.textContent()).includes('Reconnected');
  });
  // "Reconnected" goes away by itself after a few seconds.
  await until('the notice to go', async () => (await board.getByTestId('link-status').count()) === 0, 10_000);
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
  // The choice is kept: the next visit is in English too.
  await openBoard(page, `${base}/${meeting.room}`);
  await card(page, 'Main room').waitFor({ timeout: WAIT });
  await page.close();
});

test('a second moderator opens the board under their own name, and lights up on the grant', async ({ browser, base, meeting }) => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const violations = [];
  await page.exposeFunction('reportViolation', (v) => violations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective)));
  await page.goto(`${base}/`);
  await page.getByLabel('Meeting name or address').fill(meeting.room);
  await page.getByLabel("The panel's name in the meeting").fill('Kim <panel>');
  await page.getByLabel('Jitsi token (optional)').fill('eyJhbGciOiJub25lIn0.eyJyb29tIjoiZTJlIn0.c2ln');
  await page.getByRole('button', { name: 'Open' }).click();
  await page.waitForURL(`${base}/${meeting.room}`);
  await page.locator('[data-testid=board][data-live=true]').waitFor({ timeout: WAIT });
  const banner = page.getByTestId('not-moderator');
  await banner.filter({ hasText: 'grants moderator to Kim <panel>' }).waitFor({ timeout: WAIT });
  if (!(await page.getByRole('button', { name: 'Create', exact: true }).first().isDisabled())) throw new Error('actions enabled');
  const cookies = await context.cookies();
  const token = cookies.find((c) => c.name === 'grupprum_token');
  if (!token || !token.httpOnly) throw new Error('the token is not kept in an HttpOnly cookie');
  if ((await page.content()).includes('eyJhbGciOiJub25lIn0')) throw new Error('the token is in the page');
  if (await page.evaluate(() => document.cookie.includes('grupprum'))) throw new Error('scripts can read the cookies');
  const me = await page.locator('li.person', { has: page.locator('.badge-me') }).getAttribute('data-person');
  await meeting.control('POST', `/moderators/${me}`);
  await banner.waitFor({ state: 'detached', timeout: WAIT });
  await until('the actions to be enabled', async () => !(await page.getByRole('button', { name: 'Create', exact: true }).first().isDisabled()));
  if (violations.length) throw new Error(`policy violations: ${violations.join(', ')}`);
  await context.close();
});

test('moderators signed in with their tokens share the panel account: each sees the other, and the feed names who did what', async ({ browser }) => {
  const meeting = startMeeting('e2eshared', 1, ['--open']);
  const { server, secret } = await jwtServer(meeting);
  const contexts = [];
  try {
    const open = async (name) => {
      const context = await browser.newContext({ locale: 'en-GB' });
      contexts.push(context);
      const page = await context.newPage();
      const token = jitsiToken(secret, { iss: 'grupprum-e2e', context: { user: { name, moderator: true } } });
      await openBoard(page, `${server.base}/${meeting.room}?jwt=${token}`);
      if (page.url().includes('jwt=')) throw new Error('the token stays in the address');
      return page;
    };
    const kim = await open('Kim');
    const ali = await open('Ali');
    await kim.getByTestId('also-here').filter({ hasText: exact('Also here: Ali') }).waitFor({ timeout: WAIT });
    await ali.getByTestId('also-here').filter({ hasText: exact('Also here: Kim') }).waitFor({ timeout: WAIT });
    // One panel in the meeting, moderator without a grant, on both boards.
    for (const page of [kim, ali]) {
      await card(page, 'Main room').locator('li.person', { hasText: 'you' }).waitFor({ timeout: WAIT });
      if ((await page.locator('li.person', { has: page.locator('.badge-me') }).count()) !== 1) throw new Error('more than one panel');
      await until('the actions to be enabled', async () => !(await page.getByRole('button', { name: 'Create', exact: true }).first().isDisabled()));
    }
    await kim.getByLabel('New breakout room').fill('Gemensamt');
    await kim.getByRole('button', { name: 'Create', exact: true }).first().click();
    await card(ali, 'Gemensamt').waitFor({ timeout: WAIT });
    const line = ali.locator('.events li', { hasText: 'Gemensamt' });
    await line.filter({ hasText: /^Kim · / }).waitFor({ timeout: WAIT });
    const person = (await meeting.people())[0];
    await moveByMenu(ali, person.name, 'Gemensamt');
    await kim.locator('.events li', { hasText: person.name }).filter({ hasText: /^Ali · .*Done$/ }).waitFor({ timeout: WAIT });
    await ali.context().close();
    await kim.getByTestId('also-here').waitFor({ state: 'detached', timeout: WAIT });
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    server.stop();
    meeting.stop();
  }
});

test('when the sign-in ends, the board says so in Swedish and stops reconnecting', async ({ browser }) => {
  const meeting = startMeeting('e2eexpiry', 0, ['--open']);
  const { server, secret } = await jwtServer(meeting);
  const context = await browser.newContext({ locale: 'sv-SE' });
  try {
    const page = await context.newPage();
    let sockets = 0;
    page.on('websocket', () => { sockets += 1; });
    const exp = Math.floor(Date.now() / 1000) + 12;
    const token = jitsiToken(secret, { iss: 'grupprum-e2e', exp, context: { user: { name: 'Kim', moderator: true } } });
    await openBoard(page, `${server.base}/${meeting.room}?jwt=${token}`);
    await page.getByTestId('live-refused')
      .filter({ hasText: exact('Token har gått ut. Hämta en ny och logga in igen.') })
      .waitFor({ timeout: 30_000 });
    const seen = sockets;
    // The board's backoff would have tried again within 4 s.
    await page.waitForTimeout(6_000);
    if (sockets !== seen) throw new Error(`${sockets - seen} new live connections after the refusal`);
    if (await page.getByTestId('server-lost').count()) throw new Error('the board calls the refusal a lost server');
  } finally {
    await context.close().catch(() => {});
    server.stop();
    meeting.stop();
  }
});

test('a board whose sign-in is gone when it reconnects says so and stops', async ({ browser }) => {
  const meeting = startMeeting('e2egone', 0, ['--open']);
  let { server, secret } = await jwtServer(meeting);
  const context = await browser.newContext({ locale: 'sv-SE' });
  try {
    const page = await context.newPage();
    const token = jitsiToken(secret, { iss: 'grupprum-e2e', context: { user: { name: 'Kim', moderator: true } } });
    await openBoard(page, `${server.base}/${meeting.room}?jwt=${token}`);
    // The sign-in goes (as when its cookie is lost), and so does the server for a moment.
    await context.clearCookies();
    const addr = server.base.replace('http://', '');
    server.stop();
    await server.exited;
    await page.getByTestId('server-lost').waitFor({ timeout: WAIT });
    server = await startServer(meeting, addr, { GRUPPRUM_AUTH: 'jwt', JWT_APP_ID: 'grupprum-e2e', JWT_APP_SECRET: secret });
    await page.getByTestId('live-refused').filter({ hasText: exact('Logga in först.') }).waitFor({ timeout: WAIT });
    await page.getByTestId('server-lost').waitFor({ state: 'detached', timeout: WAIT });
    let sockets = 0;
    page.on('websocket', () => { sockets += 1; });
    await page.waitForTimeout(6_000);
    if (sockets !== 0) throw new Error(`${sockets} new live connections after the refusal`);
  } finally {
    await context.close().catch(() => {});
    server.stop();
    meeting.stop();
  }
});

test('a board refused because the panel is at its cap says so and keeps trying, more slowly', async ({ browser }) => {
  const meeting = startMeeting('e2ebusy', 0, ['--open', '--grant-panels']);
  const server = await startServer(meeting, '127.0.0.1:0', { GRUPPRUM_MAX_SESSIONS: '1' });
  const contexts = [];
  try {
    const open = async () => {
      const context = await browser.newContext({ locale: 'en-GB' });
      contexts.push(context);
      return context.newPage();
    };
    // The first browser's session is the one the cap allows.
    await openBoard(await open(), `${server.base}/${meeting.room}`);
    const page = await open();
    let sockets = 0;
    page.on('websocket', () => { sockets += 1; });
    await page.goto(`${server.base}/${meeting.room}`);
    await page.getByTestId('live-refused')
      .filter({ hasText: exact('The panel is moderating as many meetings as it may right now. Try again in a while.') })
      .waitFor({ timeout: WAIT });
    const seen = sockets;
    await page.waitForTimeout(12_000);
    const more = sockets - seen;
    // At 5 s and then 10 s apart: it keeps asking, but not every few hundred milliseconds.
    if (more < 1 || more > 3) throw new Error(`${more} new live connections in 12 s`);
    if (await page.getByTestId('server-lost').count()) throw new Error('the board calls the refusal a lost server');
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    server.stop();
    meeting.stop();
  }
});

test('signing in with the organisation\'s provider: a member of the allowed group gets the board, anyone else is refused in words', async ({ browser }) => {
  const meeting = startMeeting('e2eoidc', 1, ['--open']);
  const port = await freePort();
  const provider = await startProvider(`http://127.0.0.1:${port}/auth/oidc/callback`);
  const contexts = [];
  let server;
  try {
    server = await startServer(meeting, `127.0.0.1:${port}`, {
      GRUPPRUM_AUTH: 'oidc',
      GRUPPRUM_PUBLIC_URL: `http://127.0.0.1:${port}`,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'grupprum',
      OIDC_CLIENT_SECRET: provider.secret,
      OIDC_SCOPES: 'email,profile,groups',
      OIDC_ALLOWED_GROUPS: 'moderatorer',
      XMPP_USER: meeting.env.PANEL_JID,
      XMPP_PASSWORD: meeting.env.PANEL_PASSWORD,
    });
    /** At the provider's login page: signs in as `login` and consents, back to the panel. */
    const atProvider = async (page, login) => {
      await page.locator('input[name=login]').fill(login);
      await page.locator('input[name=password]').fill('any password');
      await page.locator('button[type=submit]').click();
      // The provider asks once for consent to share the claims.
      while (page.url().startsWith(provider.issuer)) {
        await page.locator('button[type=submit]').first().click();
        await page.waitForLoadState();
      }
    };
    /** Opens the board's address, follows it to the start page and signs in at the provider as `login`. */
    const signIn = async (login) => {
      const context = await browser.newContext({ locale: 'en-GB' });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${server.base}/${meeting.room}`);
      await page.getByTestId('go-sign-in').click();
      await page.getByTestId('oidc-sign-in').click();
      await atProvider(page, login);
      return page;
    };
    const kim = await signIn('kim');
    await kim.waitForURL(`${server.base}/${meeting.room}`, { timeout: WAIT });
    await kim.locator('[data-testid=board][data-live=true]').waitFor({ timeout: WAIT });
    await card(kim, 'Main room').locator('li.person', { hasText: 'you' }).waitFor({ timeout: WAIT });
    await until('the actions to be enabled', async () => !(await kim.getByRole('button', { name: 'Create', exact: true }).first().isDisabled()));
    await kim.getByLabel('New breakout room').fill('Organisationen');
    await kim.getByRole('button', { name: 'Create', exact: true }).first().click();
    await kim.locator('.events li', { hasText: 'Organisationen' }).filter({ hasText: /^Kim Lind · .*Done$/ }).waitFor({ timeout: WAIT });
    const olle = await signIn('olle');
    await olle.getByTestId('start-problem').filter({ hasText: 'Your account may not use the panel.' }).waitFor({ timeout: WAIT });
    if (await olle.getByTestId('signed-in').count()) throw new Error('Olle is signed in');
    await olle.goto(`${server.base}/${meeting.room}`);
    await olle.getByTestId('go-sign-in').waitFor({ timeout: WAIT });
    // An answer the panel did not ask for (forged state, no attempt under way) signs nobody in.
    const stranger = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    contexts.push(stranger.context());
    await stranger.goto(`${server.base}/auth/oidc/callback?code=stolen&state=forged`);
    await stranger.getByTestId('start-problem').filter({ hasText: 'The sign-in could not be completed. Try again.' }).waitFor({ timeout: WAIT });
    // Where to go afterwards stays on the panel's own site.
    await stranger.goto(`${server.base}/auth/oidc/login?next=//evil.example/`);
    await atProvider(stranger, 'kim');
    await stranger.getByTestId('signed-in').waitFor({ timeout: WAIT });
    if (new URL(stranger.url()).origin !== server.base) throw new Error(`left the site: ${stranger.url()}`);
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    server?.stop();
    await provider.stop();
    meeting.stop();
  }
});

// --- room plans ---

/** A meeting and a server of its own, with the panel's board open and moderator, and `people` in the main room. */
async function ownMeeting(browser, room, people) {
  const meeting = startMeeting(room, 0, ['--open']);
  const server = await startServer(meeting);
  const context = await browser.newContext({ locale: 'en-GB', acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await openBoard(page, `${server.base}/${room}`);
  await card(page, 'Main room').locator('li.person', { hasText: 'you' }).waitFor({ timeout: WAIT });
  await until('the panel to be moderator', async () => (await page.getByTestId('not-moderator').count()) === 0);
  for (const name of people) await meeting.join(name);
  await until('everyone in the main room', async () => (await card(page, 'Main room').locator('li.person').count()) === people.length + 1);
  return {
    meeting, server, page, context,
    async stop() {
      await context.close().catch(() => {});
      server.stop();
      meeting.stop();
    },
  };
}

/** The plan's board of the meeting, live. */
async function planBoard(own) {
  const plan = await own.context.newPage();
  await openBoard(plan, `${own.server.base}/${own.meeting.room}?plan`);
  return plan;
}

test('prepare a plan with someone not there yet and open it: rooms and moves done, the late joiner placed on arrival', async ({ browser }) => {
  const own = await ownMeeting(browser, 'e2eplan', ['Anna Berg', 'Bo Ek']);
  try {
    const live = own.page;
    const plan = await planBoard(own);
    own.shot = plan;
    await plan.getByTestId('start-draft').click();
    await plan.getByTestId('room-count').waitFor({ state: 'visible', timeout: WAIT });
    await plan.getByTestId('room-count').fill('2');
    await plan.getByTestId('room-count').locator('xpath=ancestor::form').getByRole('button', { name: 'Create' }).click();
    await card(plan, 'Room 2').waitFor({ timeout: WAIT });
    await plan.getByTestId('add-people').fill('Cecilia Dahl');
    await plan.getByRole('button', { name: 'Add', exact: true }).click();
    await row(card(plan, 'Main room'), 'Cecilia Dahl').filter({ hasText: 'Not here yet' }).waitFor({ timeout: WAIT });
    await moveByMenu(plan, 'Anna Berg', 'Room 1');
    await expectIn(plan, 'Anna Berg', 'Room 1');
    // Dragging and the menu work on the draft as on the meeting.
    await row(plan, 'Bo Ek').dragTo(card(plan, 'Room 2'));
    await expectIn(plan, 'Bo Ek', 'Room 2');
    await moveByMenu(plan, 'Cecilia Dahl', 'Room 2');
    await expectIn(plan, 'Cecilia Dahl', 'Room 2');
    await plan.screenshot({ path: join(screenshots, 'plan.png'), fullPage: true });
    // Nothing has been sent: the meeting has no rooms yet.
    if ((await live.locator('section.room').count()) !== 1) throw new Error('the draft reached the meeting');
    await plan.getByTestId('open-rooms').click();
    await expectIn(live, 'Anna Berg', 'Room 1');
    await expectIn(live, 'Bo Ek', 'Room 2');
    await live.getByTestId('plan-progress').filter({ hasText: '4 of 4 done, 1 not here yet' }).waitFor({ timeout: WAIT });
    // The plan's board has no draft left.
    await plan.getByTestId('start-draft').waitFor({ state: 'visible', timeout: WAIT });
    await own.meeting.join('cecilia DAHL');
    await expectIn(live, 'cecilia DAHL', 'Room 2');
    await until('nobody left to wait for', async () => (await live.getByTestId('plan-progress').textContent()).trim() === '4 of 4 done');
  } catch (e) {
    await own.shot?.screenshot({ path: join(screenshots, 'failed-plan.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await own.stop();
  }
});

test('import a CSV with a misspelt and an ambiguous name, and resolve both in the review', async ({ browser }) => {
  const own = await ownMeeting(browser, 'e2eimport', ['Anna Berg', 'Erik Lund', 'Erik Lund']);
  try {
    const plan = await planBoard(own);
    own.shot = plan;
    const csv = 'name;room\r\nAna Berg;Röd\r\nerik lund;Blå\r\nDora Ek;Blå\r\n';
    await plan.getByTestId('plan-file').setInputFiles({ name: 'plan.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${csv}`) });
    await plan.getByTestId('import-plan').click();
    await card(plan, 'Röd').waitFor({ timeout: WAIT });
    const reviews = plan.getByTestId('review');
    // Each name that fits nobody here, or several, is asked about.
    await until('three names to review', async () => (await reviews.count()) === 3);
    const misspelt = reviews.filter({ hasText: 'Ana Berg fits nobody here' });
    const ambiguous = reviews.filter({ hasText: 'erik lund fits several people here' });
    if ((await ambiguous.locator('option').count()) !== 3) throw new Error('the ambiguous name should offer both Eriks and "not here yet"');
    await misspelt.locator('select').selectOption({ label: 'Anna Berg' });
    await misspelt.getByRole('button', { name: 'Save' }).click();
    await expectIn(plan, 'Anna Berg', 'Röd');
    const absent = plan.getByTestId('review').filter({ hasText: 'Dora Ek fits nobody here' });
    await absent.locator('select').selectOption({ label: 'Not here yet' });
    await absent.getByRole('button', { name: 'Save' }).click();
    await until('Dora to be settled', async () => (await plan.getByTestId('review').count()) === 1);
    const erik = plan.getByTestId('review').filter({ hasText: 'erik lund' });
    await erik.locator('select').selectOption({ index: 1 });
    await erik.getByRole('button', { name: 'Save' }).click();
    await until('the review to be done', async () => (await plan.getByTestId('review').count()) === 0);
    await expectIn(plan, 'Erik Lund', 'Blå');
    await row(card(plan, 'Blå'), 'Dora Ek').filter({ hasText: 'Not here yet' }).waitFor({ timeout: WAIT });
    if ((await card(plan, 'Main room').locator('li.person', { hasText: 'Erik Lund' }).count()) !== 1) throw new Error('the other Erik should stay in the main room');
    // A file that is not a plan is refused in words, on its line.
    await plan.getByTestId('plan-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('name,room\n"Anna,Röd\n') });
    await plan.getByTestId('import-plan').click();
    await plan.getByTestId('command-error').filter({ hasText: 'Line 2: a quote is never closed.' }).waitFor({ timeout: WAIT });
    // A file over 1 MiB is refused in words, on the plan's board.
    await plan.getByTestId('plan-file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(`name,room\n${'Anna Berg,Röd\n'.repeat(90_000)}`) });
    await plan.getByTestId('import-plan').click();
    await plan.getByTestId('command-error').filter({ hasText: 'The file is too large.' }).waitFor({ timeout: WAIT });
  } catch (e) {
    await own.shot?.screenshot({ path: join(screenshots, 'failed-import.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await own.stop();
  }
});

test('save a plan, reload, and use it again; its file exports', async ({ browser }) => {
  const own = await ownMeeting(browser, 'e2elibrary', ['Anna Berg']);
  try {
    const plan = await planBoard(own);
    await plan.getByTestId('start-draft').click();
    await plan.getByTestId('new-room-name').fill('Verkstad');
    await plan.getByTestId('new-room-name').locator('xpath=ancestor::form').getByRole('button', { name: 'Create' }).click();
    await card(plan, 'Verkstad').waitFor({ timeout: WAIT });
    await plan.getByTestId('add-people').fill('Pia Ström');
    await plan.getByRole('button', { name: 'Add', exact: true }).click();
    await moveByMenu(plan, 'Pia Ström', 'Verkstad');
    await expectIn(plan, 'Pia Ström', 'Verkstad');
    await plan.getByTestId('plan-name').fill('Workshop');
    await plan.getByTestId('save-plan').click();
    await plan.getByTestId('saved-plan').filter({ hasText: 'Workshop' }).waitFor({ timeout: WAIT });
    await plan.reload();
    await plan.getByTestId('saved-plan').filter({ hasText: 'Workshop' }).filter({ hasText: 'rooms: 1, people: 1' }).waitFor({ timeout: WAIT });
    const download = plan.waitForEvent('download');
    await plan.getByTestId('saved-plan').filter({ hasText: 'Workshop' }).getByRole('link', { name: 'CSV' }).click();
    const file = await (await download).path();
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    if (!text.includes('Pia Ström,Verkstad')) throw new Error(`the export is ${text}`);
    // Drop the draft, then use the saved plan.
    await plan.locator('details', { hasText: 'Discard the plan' }).locator('summary').click();
    await plan.getByTestId('discard').click();
    await plan.getByTestId('start-draft').waitFor({ state: 'visible', timeout: WAIT });
    await plan.getByTestId('saved-plan').filter({ hasText: 'Workshop' }).getByTestId('use-plan').click();
    await row(card(plan, 'Verkstad'), 'Pia Ström').filter({ hasText: 'Not here yet' }).waitFor({ timeout: WAIT });
  } finally {
    await own.stop();
  }
});

test('undo a move: the person goes back where they were', async ({ browser }) => {
  const own = await ownMeeting(browser, 'e2eundo', ['Anna Berg']);
  try {
    const page = own.page;
    await page.getByTestId('new-room-name').fill('Verkstad');
    await page.getByTestId('new-room-name').locator('xpath=ancestor::form').getByRole('button', { name: 'Create' }).click();
    await card(page, 'Verkstad').waitFor({ timeout: WAIT });
    await moveByMenu(page, 'Anna Berg', 'Verkstad');
    await expectIn(page, 'Anna Berg', 'Verkstad');
    await page.getByTestId('undo').filter({ hasText: 'Undo: the move' }).click();
    await expectIn(page, 'Anna Berg', 'Main room');
    await page.getByTestId('undo').waitFor({ state: 'hidden', timeout: WAIT });
  } finally {
    await own.stop();
  }
});

// --- time and voice ---

test('a message to one room and a timer for every room, from the board; the record says who was where', async ({ browser }) => {
  const own = await ownMeeting(browser, 'e2etime', ['Anna Berg', 'Bo Ek']);
  try {
    const page = own.page;
    await page.getByTestId('room-count').fill('2');
    await page.getByTestId('room-count').locator('xpath=ancestor::form').getByRole('button', { name: 'Create' }).click();
    await card(page, 'Room 2').waitFor({ timeout: WAIT });
    await moveByMenu(page, 'Anna Berg', 'Room 1');
    await expectIn(page, 'Anna Berg', 'Room 1');
    await moveByMenu(page, 'Bo Ek', 'Room 2');
    await expectIn(page, 'Bo Ek', 'Room 2');

    // A message to Room 1 only: its room is ticked on the board.
    await page.getByTestId('time-tools').locator('summary').click();
    await card(page, 'Room 1').getByRole('checkbox', { name: 'Choose the room for timers and messages' }).check();
    const text = 'Pick a speaker <b>please</b>';
    await page.getByTestId('message-text').fill(text);
    await page.getByTestId('send-message').click();
    await page.locator('li.event', { hasText: 'Message to Room 1: done' }).waitFor({ timeout: WAIT });
    // Done is the room sending it back to the panel; Anna's copy comes on her own connection.
    const person = async (name) => (await own.meeting.people()).find((p) => p.name === name);
    await until('Anna to have the message', async () => (await person('Anna Berg')).messages.some((m) => m.body === text));
    const bo = await person('Bo Ek');
    if (bo.messages.length !== 0) throw new Error(`Bo got ${JSON.stringify(bo.messages)}`);
    // Sent, the form is empty again and nothing is ticked.
    if ((await page.getByTestId('message-text').inputValue()) !== '') throw new Error('the message stayed in the form');

    // A timer for every room, with the minutes in the rooms' names.
    await page.getByTestId('timer-minutes').fill('10');
    await page.getByTestId('timer-suffix').check();
    await page.getByTestId('start-timer').click();
    await page.getByTestId('timer-all').waitFor({ state: 'visible', timeout: WAIT });
    await card(page, 'Room 1 · 10 min').waitFor({ timeout: WAIT });
    await card(page, 'Room 2 · 10 min').waitFor({ timeout: WAIT });
    await until('the board to count down', async () => /^(9:5\d|10:00)$/.test(await page.getByTestId('timer-all').getAttribute('data-left') ?? ''));
    const roomClock = card(page, 'Room 1 · 10 min').getByTestId('countdown');
    if (!/^\d+:\d\d$/.test(await roomClock.getAttribute('data-left'))) throw new Error('the room shows no countdown');
    await page.getByTestId('time-tools').locator('summary').click();
    await page.screenshot({ path: join(screenshots, 'timer.png'), fullPage: true });
    await page.getByTestId('time-tools').locator('summary').click();

    // Stopped, the rooms get their names back and nobody moves.
    await page.getByTestId('stop-timer').click();
    await page.getByTestId('timer-all').waitFor({ state: 'hidden', timeout: WAIT });
    await card(page, 'Room 1').waitFor({ timeout: WAIT });
    await expectIn(page, 'Anna Berg', 'Room 1');

    // The record: who was in which room.
    const download = page.waitForEvent('download');
    await page.getByTestId('record-stays').click();
    const csv = (await import('node:fs')).readFileSync(await (await download).path(), 'utf8');
    const lines = csv.trim().split('\r\n');
    if (lines[0] !== 'person,name,identity,room,from,to') throw new Error(`the record is ${csv}`);
    const stays = (name) => lines.filter((l) => l.split(',')[1] === name).map((l) => l.split(',')[3]);
    if (stays('Anna Berg').join('|') !== 'Main room|Room 1') throw new Error(`Anna's stays: ${stays('Anna Berg')}`);
    if (stays('Bo Ek').join('|') !== 'Main room|Room 2') throw new Error(`Bo's stays: ${stays('Bo Ek')}`);
  } catch (e) {
    await own.page.screenshot({ path: join(screenshots, 'failed-time.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await own.stop();
  }
});

test('a message that cannot be sent is refused in words, and what was typed stays', async ({ browser }) => {
  const own = await ownMeeting(browser, 'e2esay', ['Anna Berg']);
  try {
    const page = own.page;
    await page.getByTestId('time-tools').locator('summary').click();
    // No breakout rooms yet: nothing to send to.
    await page.getByTestId('message-text').fill('Hello rooms');
    await page.getByTestId('send-message').click();
    await page.getByTestId('command-error').filter({ hasText: 'There are no breakout rooms.' }).waitFor({ timeout: WAIT });
    if ((await page.getByTestId('message-text').inputValue()) !== 'Hello rooms') throw new Error('the text was lost');
    await page.getByTestId('timer-minutes').fill('5');
    await page.getByTestId('timer-warn').fill('5');
    await page.getByTestId('start-timer').click();
    await page.getByTestId('command-error').filter({ hasText: 'A timer runs 1 to 1440 minutes, and its warning comes before its end.' }).waitFor({ timeout: WAIT });
  } finally {
    await own.stop();
  }
});

// --- run ---

// `node e2e.mjs <pattern>` runs only the tests whose names match the pattern.
const only = process.argv[2];
const chosen = only ? tests.filter((t) => new RegExp(only).test(t.name)) : tests;

mkdirSync(screenshots, { recursive: true });
const meeting = startMeeting('e2e', 0, ['--open']);
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
  await openBoard(board, `${base}/${meeting.room}`);
  // The board's live connection puts the panel in the meeting; it is moderator once it is in.
  await card(board, 'Main room').locator('li.person', { hasText: 'you' }).waitFor({ timeout: WAIT });
  await until('the panel to be moderator', async () => (await board.getByTestId('not-moderator').count()) === 0);
  for (const name of ['Anna Lindqvist', 'Erik Johansson']) await meeting.join(name);
  for (const { name, fn } of chosen) {
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
