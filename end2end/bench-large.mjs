// Large-meeting benchmark: 500 participants in 50 breakout rooms, then full
// updates of all 500 while a PerformanceObserver in the page records every long
// task (over 50 ms). The meeting fills as a real one does: 500 people join the
// main room, the panel comes in (a host makes it moderator), creates the 50
// rooms, and each person goes to a room on their own (as Jitsi users may); the
// board follows the last two steps live. The test meeting sends the breakout
// updates to moderators only (--updates-to-moderators): Jitsi sends each full
// state to every occupant, which this machine's Prosody cannot keep up with for
// 500 simulated people; the panel gets the same updates either way.
//
// Prints the long tasks during (a) five full updates (a rename and four moves,
// each a breakout update of every room and person), and (b) a fresh page loading
// and hydrating the whole board. Exits non-zero when (a) has a long task.
//
// node end2end/bench-large.mjs   (after build-site.sh; a release build of the
// test meeting seats people much faster: TESTBED_BIN=target/release/testbed)

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBrowser, commander, startMeeting, startServer } from './harness.mjs';

const PEOPLE = Number(process.env.PEOPLE ?? 500);
const ROOMS = Number(process.env.ROOMS ?? 50);
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
const meeting = startMeeting('large', 0, ['--open', '--grant-panels', '--updates-to-moderators']);
const server = await startServer(meeting);
const userDataDir = mkdtempSync(join(tmpdir(), 'grupprum-bench-'));
const context = await benchBrowser(userDataDir);
let failed = false;
try {
  for (let i = 0; i < PEOPLE; i += 50) {
    const names = Array.from({ length: Math.min(50, PEOPLE - i) }, (_, k) => `Deltagare ${i + k + 1}`);
    await meeting.control('POST', '/participants/many', { names });
  }
  console.log(`${seconds()} s: ${PEOPLE} people in the main room`);
  const page = await context.newPage();
  await page.goto(`${server.base}/${meeting.room}`);
  await page.locator('[data-testid=board][data-live=true]').waitFor({ timeout: 60_000 });
  await page.waitForFunction((n) => document.querySelectorAll('li.person').length === n, PEOPLE + 1, { timeout: 120_000, polling: 500 });
  const command = commander(page, meeting.room);
  await page.locator('[data-testid=board] fieldset.tools:not([disabled]) .toolbar button').first().waitFor({ timeout: 30_000 });
  await command({ CreateRooms: { count: ROOMS, names: [], language: 'English' } });
  await page.locator('section.room').nth(ROOMS).waitFor({ timeout: 120_000 });
  console.log(`${seconds()} s: the board shows them, and ${ROOMS} rooms`);
  const rooms = await page.locator('section.room:not(.main-room)').evaluateAll((els) => els.map((e) => e.dataset.room));
  const people = await meeting.people();
  // Twenty-five at a time, each batch once the board shows the last one gone from
  // the main room.
  for (let i = 0; i < people.length; i += 25) {
    await Promise.all(people.slice(i, i + 25).map((p, k) => meeting.control('POST', `/participants/${p.nick}/room`, { room: rooms[(i + k) % rooms.length] })));
    const left = people.length - Math.min(i + 25, people.length) + 1;
    await page.waitForFunction((n) => document.querySelectorAll('section.room.main-room li.person').length <= n, left, { timeout: 120_000, polling: 200 });
  }
  // Under this load the test meeting's focus stand-in drops a few conference
  // requests (the participant gives up after 10 s); those try again.
  const everyone = (timeout) => page.waitForFunction((n) => document.querySelectorAll('section.room:not(.main-room) li.person').length === n, PEOPLE, { timeout, polling: 500 });
  await everyone(30_000).catch(() => {});
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const astray = (await meeting.people()).filter((p) => !p.room?.includes('@breakout.'));
    if (!astray.length) break;
    console.log(`${seconds()} s: ${astray.length} did not arrive; they try again`);
    await Promise.all(astray.map((p, k) => meeting.control('POST', `/participants/${p.nick}/room`, { room: rooms[k % rooms.length] })));
    await everyone(30_000).catch(() => {});
  }
  await everyone(120_000)
    .catch(async (e) => {
      const seen = await page.locator('section.room:not(.main-room) li.person').count();
      const where = (await meeting.people()).filter((p) => !p.room || !p.room.includes('breakout')).length;
      const log = readFileSync(join(meeting.dir, 'testbed.log'), 'utf8').split('\n').filter((l) => l.includes('WARN')).slice(0, 5).join('\n');
      throw new Error(`${e.message}: the board shows ${seen} in breakout rooms; the meeting has ${where} elsewhere\n${log}`);
    });
  console.log(`${seconds()} s: ${PEOPLE} people in ${ROOMS} rooms`);

  // (a) Full updates with the board showing all of them.
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__long.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  const renamedAt = Date.now();
  await command({ RenameRoom: { room: rooms[0], name: 'Renamed for the benchmark' } });
  await page.getByText('Renamed for the benchmark (', { exact: false }).waitFor({ timeout: 30_000 });
  const shown = Date.now() - renamedAt;
  for (let i = 0; i < 4; i += 1) {
    const who = people[i];
    const to = rooms[(i + 7) % rooms.length];
    await command({ Move: { participants: [who.nick], to } });
    await page.locator(`section.room[data-room="${to}"] li.person[data-person="${who.nick}"]`).waitFor({ timeout: 30_000 });
  }
  // Let the last frame land before reading.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100))));
  const long = await page.evaluate(() => window.__long);
  const count = await page.locator('li.person').count();
  console.log(`(a) five full updates of ${count} people in ${ROOMS + 1} rooms: rename on screen ${shown} ms after the command;`
    + ` long tasks: ${long.length}${long.length ? ` (longest ${Math.max(...long).toFixed(0)} ms)` : ''}`);
  failed = long.length > 0;

  // (b) A fresh page: server rendering, loading and hydrating the whole board.
  const fresh = await context.newPage();
  await fresh.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__long.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const loadAt = Date.now();
  await fresh.goto(`${server.base}/${meeting.room}`);
  await fresh.locator('[data-testid=board][data-live=true]').waitFor({ timeout: 60_000 });
  const live = Date.now() - loadAt;
  const loadLong = await fresh.evaluate(() => window.__long);
  console.log(`(b) a fresh page with ${count} people: live ${live} ms after the request;`
    + ` long tasks while loading: ${loadLong.length}${loadLong.length ? ` (longest ${Math.max(...loadLong).toFixed(0)} ms)` : ''}`);
} finally {
  await context.close();
  server.stop();
  meeting.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
