// Opening a large plan: 500 people in the main room, a plan that puts them in
// 50 rooms of 10, and "Open rooms". Prints the time from "Open rooms" to every
// move done (the board's progress reads "N of N done"), and what the
// meeting shows then. The moves leave paced at three a second, as every
// command's do, so most of the time is the pacing.
//
// node end2end/bench-plan.mjs   (after build-site.sh; PEOPLE and ROOMS change the size)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBrowser, commander, startMeeting, startServer } from './harness.mjs';

const PEOPLE = Number(process.env.PEOPLE ?? 500);
const ROOMS = Number(process.env.ROOMS ?? 50);
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
const meeting = startMeeting('bigplan', 0, ['--open', '--grant-panels', '--updates-to-moderators']);
const server = await startServer(meeting);
const userDataDir = mkdtempSync(join(tmpdir(), 'grupprum-bench-'));
const context = await benchBrowser(userDataDir);
let failed = true;
try {
  const names = Array.from({ length: PEOPLE }, (_, i) => `Deltagare ${i + 1}`);
  for (let i = 0; i < PEOPLE; i += 50) {
    await meeting.control('POST', '/participants/many', { names: names.slice(i, i + 50) });
  }
  console.log(`${seconds()} s: ${PEOPLE} people in the main room`);
  const page = await context.newPage();
  await page.goto(`${server.base}/${meeting.room}`);
  await page.locator('[data-testid=board][data-live=true]').waitFor({ timeout: 60_000 });
  await page.waitForFunction((n) => document.querySelectorAll('li.person').length === n, PEOPLE + 1, { timeout: 120_000, polling: 500 });
  await page.locator('[data-testid=board] fieldset.tools:not([disabled])').waitFor({ timeout: 30_000 });
  const command = commander(page, meeting.room);
  // The plan, as a saved or imported one would be: people by name, rooms by name.
  const rooms = Array.from({ length: ROOMS }, (_, r) => ({
    name: `Grupp ${r + 1}`,
    people: names.filter((_, i) => i % ROOMS === r).map((name) => ({ name })),
  }));
  await command({ Prepare: { plan: rooms } });
  const openedAt = Date.now();
  const receipt = await command('OpenRooms');
  const total = receipt.length;
  await page.getByTestId('plan-progress').filter({ hasText: `${total} of ${total} done` }).waitFor({ timeout: 900_000 });
  const took = (Date.now() - openedAt) / 1000;
  const inRooms = await page.locator('section.room:not(.main-room) li.person').count();
  const roomCount = await page.locator('section.room:not(.main-room)').count();
  console.log(`opening a plan of ${ROOMS} rooms and ${PEOPLE} people: ${total} items (rooms and moves), every one done ${took.toFixed(1)} s after "Open rooms";`
    + ` the board then shows ${inRooms} people in ${roomCount} rooms (${(took / total * 1000).toFixed(0)} ms an item)`);
  failed = inRooms !== PEOPLE || roomCount !== ROOMS;
} finally {
  await context.close();
  server.stop();
  meeting.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
