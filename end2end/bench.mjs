// Event-to-screen benchmark: with 100 participants in the meeting, one more joins,
// 200 times. Two intervals per sample, on the machine's wall clock:
// * from the join to the row on the board: from the moment the participant's join
//   presence left (the test meeting records it) to the moment a MutationObserver
//   in the page saw the row;
// * from the request: also counting the participant's connection and login.
// Prints p50, p95 and p99 of both in milliseconds.
//
// node end2end/bench.mjs [samples]   (after build-site.sh and cargo build -p testbed)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startMeeting, startServer } from './harness.mjs';

const samples = Number(process.argv[2] ?? 200);
const meeting = startMeeting('bench', 0, ['--open']);
const server = await startServer(meeting);
const userDataDir = mkdtempSync(join(tmpdir(), 'grupprum-bench-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(`${server.base}/${meeting.room}`);
  await page.locator('[data-testid=board][data-live=true]').waitFor({ timeout: 30_000 });
  for (let i = 0; i < 100; i += 1) await meeting.join(`Deltagare ${i}`);
  await page.locator('li.person').nth(100).waitFor({ timeout: 60_000 });
  await page.evaluate(() => {
    window.__seen = {};
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('li.person .name')) {
        if (!(el.textContent in window.__seen)) window.__seen[el.textContent] = Date.now();
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const fromJoin = [];
  const fromRequest = [];
  for (let i = 0; i < samples; i += 1) {
    const name = `Ny ${i}`;
    const asked = Date.now();
    const { nick, join_sent_ms: joined } = await meeting.join(name);
    await page.locator('li.person .name', { hasText: new RegExp(`^${name}$`) }).waitFor({ timeout: 30_000 });
    const seen = await page.evaluate((n) => window.__seen[n], name);
    fromJoin.push(seen - joined);
    fromRequest.push(seen - asked);
    await meeting.leave(nick);
  }
  const summary = (times) => {
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`;
  };
  console.log(`event to screen with 100 participants, ${samples} samples:`);
  console.log(`  from the join: ${summary(fromJoin)}`);
  console.log(`  from the request (connection and login included): ${summary(fromRequest)}`);
} finally {
  await context.close();
  server.stop();
  meeting.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
