// Event-to-screen benchmark: with 100 participants in the meeting, the time from
// asking the test meeting for one more participant to that participant's row on
// the board, over 200 samples. Prints p50 and p95 (and the mean) in milliseconds.
//
// node end2end/bench.mjs [samples]   (after build-site.sh and cargo build -p testbed)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startMeeting, startServer } from './harness.mjs';

const samples = Number(process.argv[2] ?? 200);
const meeting = startMeeting('bench', 0);
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
  await page.getByTestId('board').waitFor();
  for (let i = 0; i < 100; i += 1) await meeting.join(`Deltagare ${i}`);
  await page.locator('li.person').nth(100).waitFor({ timeout: 60_000 });
  const times = [];
  for (let i = 0; i < samples; i += 1) {
    const name = `Ny ${i}`;
    const started = performance.now();
    const joined = meeting.join(name);
    await page.locator('li.person .name', { hasText: new RegExp(`^${name}$`) }).waitFor({ timeout: 30_000 });
    times.push(performance.now() - started);
    const { nick } = await joined;
    await meeting.leave(nick);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`event to screen with 100 participants, ${times.length} samples: p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, mean ${mean.toFixed(1)} ms`);
} finally {
  await context.close();
  server.stop();
  meeting.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
