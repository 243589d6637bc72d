// Large-meeting benchmark: 500 participants in 50 breakout rooms. Sets the meeting
// up (50 rooms, 500 joins, automatic assignment: about three minutes, since moves
// leave at three a second), then renames a room, which makes the meeting send a
// full update of all 500, and reports the browser's long tasks (over 50 ms, from
// a PerformanceObserver) while the board renders it.
//
// node end2end/bench-large.mjs   (after build-site.sh and cargo build -p testbed)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startMeeting, startServer } from './harness.mjs';

const PEOPLE = 500;
const ROOMS = 50;
const meeting = startMeeting('large', 0);
const server = await startServer(meeting);
const command = async (body) => {
  const res = await fetch(`${server.base}/api/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ meeting: { room: meeting.room, tenant: null }, command: body }),
  });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
};
const userDataDir = mkdtempSync(join(tmpdir(), 'grupprum-bench-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(`${server.base}/${meeting.room}`);
  await page.getByTestId('board').waitFor();
  await command({ CreateRooms: { count: ROOMS, names: [], language: 'English' } });
  for (let i = 0; i < PEOPLE; i += 1) await meeting.join(`Deltagare ${i}`);
  await page.locator('section.room').nth(ROOMS).waitFor({ timeout: 60_000 });
  await command({ AutoAssign: { rooms: [], include_moderators: false } });
  const started = Date.now();
  await page.waitForFunction(
    () => document.querySelectorAll('section.room.main-room li.person').length === 1,
    null,
    { timeout: 600_000, polling: 500 },
  );
  console.log(`assigned ${PEOPLE} people to ${ROOMS} rooms in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__long.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  const room = await page.locator('section.room').nth(1).getAttribute('data-room');
  const renamedAt = Date.now();
  await command({ RenameRoom: { room, name: 'Renamed for the benchmark' } });
  await page.getByText('Renamed for the benchmark (', { exact: false }).waitFor({ timeout: 30_000 });
  const shown = Date.now() - renamedAt;
  const long = await page.evaluate(() => window.__long);
  const people = await page.locator('li.person').count();
  console.log(`full update of ${people} people in ${ROOMS} rooms on screen ${shown} ms after the rename;`
    + ` long tasks: ${long.length}${long.length ? ` (longest ${Math.max(...long).toFixed(0)} ms)` : ''}`);
} finally {
  await context.close();
  server.stop();
  meeting.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
