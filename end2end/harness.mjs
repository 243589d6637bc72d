// Starts what the browser tests need, on loopback ports chosen at run time, and
// stops it again: test meetings (the `testbed` command: real Prosody, focus
// stand-in, simulated participants) and the Grupprum server connected to one.

import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..');
const testbedBin = process.env.TESTBED_BIN ?? join(root, 'target/debug/testbed');
const serverBin = process.env.GRUPPRUM_BIN ?? join(root, 'target/debug/grupprum');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? join(root, 'target/site');

// Meetings still running when this process ends are stopped; each also ends by
// itself after an hour (--lifetime), should this process be killed outright.
const running = new Set();
const stopAll = () => {
  for (const dir of running) {
    try {
      execFileSync(testbedBin, ['stop', '--dir', dir], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
};
process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(130));
}

/** A test meeting started with `testbed start` (and `extra` options); `stop()` ends it. */
export function startMeeting(room, participants = 0, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), `grupprum-e2e-${room}-`));
  execFileSync(
    testbedBin,
    ['start', '--room', room, '--participants', String(participants), '--lifetime', '3600', '--dir', dir, ...extra],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  running.add(dir);
  const env = Object.fromEntries(
    readFileSync(join(dir, 'meeting.env'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
  const control = async (method, path, body) => {
    const res = await fetch(env.TESTBED_CONTROL_URL + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    room,
    dir,
    env,
    control,
    join: (name, ignoreMoves = false) => control('POST', '/participants', { name, ignore_moves: ignoreMoves }),
    leave: (nick) => control('DELETE', `/participants/${nick}`),
    people: () => control('GET', '/participants'),
    stop() {
      running.delete(dir);
      try {
        execFileSync(testbedBin, ['stop', '--dir', dir], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The Grupprum server on `addr` (a free port by default), connected to `meeting`, with `settings` added to its environment. */
export function startServer(meeting, addr = '127.0.0.1:0', settings = {}) {
  return new Promise((resolveStart, rejectStart) => {
    const xmpp = meeting
      ? { XMPP_WS_URL: meeting.env.XMPP_WS_URL, XMPP_DOMAIN: meeting.env.XMPP_DOMAIN, MUC_DOMAIN: meeting.env.MUC_DOMAIN, FOCUS_DOMAIN: meeting.env.FOCUS_DOMAIN }
      : {};
    // Each server keeps its plans in a database of its own, removed when it stops.
    const data = mkdtempSync(join(tmpdir(), 'grupprum-e2e-data-'));
    const child = spawn(serverBin, [], {
      env: {
        GRUPPRUM_DATABASE: join(data, 'plans.db'),
        PATH: process.env.PATH,
        LEPTOS_SITE_ADDR: addr,
        LEPTOS_SITE_ROOT: siteRoot,
        LEPTOS_OUTPUT_NAME: 'grupprum',
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
        ...xmpp,
        ...settings,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => rejectStart(new Error('the server did not start within 30 s')), 30_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      // The server's log goes to stdout; SERVER_LOG=1 shows it.
      if (process.env.SERVER_LOG) process.stderr.write(chunk);
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        const exited = new Promise((r) => child.once('exit', r));
        resolveStart({ base: m[1], stop: () => child.kill('SIGTERM'), exited });
      }
    });
    child.on('exit', (code) => {
      rmSync(data, { recursive: true, force: true });
      clearTimeout(timer);
      rejectStart(new Error(`the server exited early (${code})`));
    });
  });
}

/** A Jitsi JWT signed HS256 with `secret`, valid for an hour. */
export function jitsiToken(secret, claims) {
  const now = Math.floor(Date.now() / 1000);
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ aud: 'jitsi', sub: '*', room: '*', nbf: now - 10, exp: now + 3600, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Debian's Chromium, headless, with a profile in `userDataDir`, for the benchmarks. */
export async function benchBrowser(userDataDir) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Sends commands to `room`'s meeting from `page`, as the board's own scripts would: same site, same browser id. */
export function commander(page, room) {
  return (body) => page.evaluate(async ({ room, body }) => {
    const res = await fetch('/api/command', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ meeting: { room, tenant: null }, command: body }),
    });
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return res.json();
  }, { room, body });
}
