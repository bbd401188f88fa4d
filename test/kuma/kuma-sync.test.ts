import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { derivePushToken } from '../../src/kuma/push-token.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';
import { markedMonitors, startTarget, type KumaTarget } from './kuma-target.js';

// The whole life of `kuma sync` against one Kuma: the stand-in of each recorded Kuma version
// (CI), or a real Kuma when KUMA_SOURCE names a built checkout (test/helpers/kuma-real.ts).
const TOKEN_SECRET = 'token-secret-0123456789abcdef0123';
const PLAIN = ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08'];
const HOSTS = ['fleet/web1', 'fleet/web2'];
const FOUND = ['a', 'b'];
// One hour apart, plus the worst-case cycle (10m timeout, 4 s to stop, 3 pushes of 10 s and
// 3 s of waits) and 10% of the hour: 3600 + 637 + 360.
const HOURLY_INTERVAL = 4597;

const versions = process.env.KUMA_SOURCE ? ['real'] : (await readdir(join(FIXTURES, 'kuma'))).map((name) => name.replace(/\.json$/, '')).sort();

for (const version of versions) {
  describe(`kuma sync against ${version === 'real' ? 'a real Uptime Kuma' : `the stand-in of Uptime Kuma ${version}`}`, () => {
    let kuma: KumaTarget;
    let dir: string;
    let notificationId: number;
    const outputs: string[] = [];
    const checks = { plain: [...PLAIN], hostsOf: { web1: {}, web2: {} } as Record<string, object>, intervals: {} as Record<string, string> };

    /** The config as the test has it now: 8 fast-mode checks, two host checks, a discover: location. */
    async function writeConfig(extra = ''): Promise<string> {
      const lines = [
        'kuma:',
        '  url: ${KUMA_URL}',
        '  username: admin',
        '  password: ${KUMA_PASSWORD}',
        '  token_secret: ${KUMA_TOKEN_SECRET}',
        '  timeout: 15s',
        extra,
        'defaults:',
        `  url: ${dir}/repos/{{ .Name }}`,
        '  mode: fast',
        '  interval: 1h',
        'discover:',
        `  - url: ${dir}/found`,
        'repositories:',
        ...checks.plain.map((name) => `  ${name}: {${checks.intervals[name] ? ` interval: ${checks.intervals[name]} ` : ''}}`),
        '  fleet:',
        `    url: ${dir}/repos/fleet-shared`,
        '    mode: restic',
        '    hosts:',
        ...Object.keys(checks.hostsOf).map((host) => `      ${host}: {}`),
      ];
      const path = join(dir, 'config.yaml');
      await writeFile(path, `${lines.filter((line) => line !== '').join('\n')}\n`);
      return path;
    }

    async function cli(...args: string[]): Promise<CliResult> {
      const result = await runCli(['-c', join(dir, 'config.yaml'), ...args], {
        env: { KUMA_URL: kuma.url, KUMA_PASSWORD: kuma.password, KUMA_TOKEN_SECRET: TOKEN_SECRET, RESTIC_PASSWORD: undefined },
        timeoutMs: 90_000,
      });
      outputs.push(result.stdout, result.stderr);
      return result;
    }

    const monitors = () => kuma.monitors();

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rm-kuma-sync-'));
      // Fast mode reads snapshots/ of a repository-shaped folder: no restic, no password.
      for (const repo of [...PLAIN.map((name) => `repos/${name}`), 'found/a', 'found/b']) {
        await mkdir(join(dir, repo, 'snapshots'), { recursive: true });
        await mkdir(join(dir, repo, 'keys'), { recursive: true });
        await writeFile(join(dir, repo, 'config'), 'x');
        await writeFile(join(dir, repo, 'snapshots', 'a'.repeat(64)), 'x');
      }
      kuma = await startTarget(version);
      notificationId = await kuma.addDefaultNotification();
      await writeConfig();
    });

    after(async () => {
      await kuma?.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('a fresh Kuma: one push monitor per check (configured, host and discovered), named, timed and tagged', async () => {
      const result = await cli('kuma', 'sync');
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const all = [...PLAIN, ...HOSTS, ...FOUND];
      for (const name of all) assert.match(result.stdout, new RegExp(`^created +${name.replace('/', '\\/')} +push monitor "${name}", heartbeat interval `, 'm'));
      assert.match(result.stdout, /^12 created$/m);
      const marked = markedMonitors(await monitors());
      assert.deepEqual([...marked.keys()].sort(), all.sort());
      for (const name of all) {
        const monitor = marked.get(name)!;
        assert.equal(monitor.type, 'push');
        assert.equal(monitor.name, name);
        assert.equal(monitor.pushToken, derivePushToken(TOKEN_SECRET, name));
        assert.equal(monitor.maxretries, 0);
        assert.equal(monitor.retryInterval, monitor.interval);
        assert.equal(monitor.active, true);
        // Kuma's own UI gives a new monitor the notifications marked "default enabled".
        assert.deepEqual(Object.keys(monitor.raw.notificationIDList as object).map(Number), [notificationId], name);
      }
      assert.equal(marked.get('r01')!.interval, HOURLY_INTERVAL);
    });

    test('a following run lands one beat on each monitor, with the derived tokens', async () => {
      const result = await cli('run');
      // The fleet's repository does not exist: its host checks are down, and still beat.
      assert.equal(result.code, 1, result.stdout + result.stderr);
      for (const name of [...PLAIN, ...HOSTS, ...FOUND]) assert.match(result.stdout, new RegExp(`${name.replace('/', '\\/')}: .*\\[pushed to uptime-kuma\\]`), name);
      for (const [name, monitor] of markedMonitors(await monitors())) {
        const beats = await kuma.beats(monitor.id);
        assert.equal(beats.length, 1, `${name}: ${JSON.stringify(beats)}`);
        assert.equal(beats[0]!.status, HOSTS.includes(name) ? 0 : 1, name);
      }
    });

    test('a second sync changes nothing and says so', async () => {
      const before = await monitors();
      const result = await cli('kuma', 'sync');
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^in sync: 12 unchanged$/m);
      assert.deepEqual(await monitors(), before);
    });

    test("a check's new interval updates its monitor in place: same ID, so its history stays", async () => {
      const id = markedMonitors(await monitors()).get('r03')!.id;
      checks.intervals.r03 = '6h';
      await writeConfig();
      const result = await cli('kuma', 'sync');
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, new RegExp(`^updated +r03 +monitor ${id}: heartbeat interval 1h16m37s -> 6h25m37s$`, 'm'));
      assert.match(result.stdout, /^1 updated, 11 unchanged$/m);
      const monitor = markedMonitors(await monitors()).get('r03')!;
      assert.equal(monitor.id, id);
      assert.equal(monitor.interval, 6 * 3600 + 637 + 900);
      assert.equal(monitor.retryInterval, monitor.interval);
    });

    test('--dry-run prints the plan and sends nothing', async () => {
      checks.intervals.r04 = '2h';
      await writeConfig();
      const before = await monitors();
      const sent = kuma.standIn?.received.length ?? 0;
      const result = await cli('kuma', 'sync', '--dry-run');
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^update +r04 +monitor \d+: heartbeat interval 1h16m37s -> 2h22m37s$/m);
      assert.match(result.stdout, /^1 to update, 11 unchanged \(dry run: nothing was sent\)$/m);
      assert.deepEqual(await monitors(), before);
      if (kuma.standIn) {
        const events = kuma.standIn.received.slice(sent).map((entry) => entry.event);
        assert.deepEqual([...new Set(events)].sort(), ['getMonitorList', 'login']);
      }
      await cli('kuma', 'sync');
    });

    test('a removed check: listed as gone, paused with --prune; an unmarked monitor of the same name is left alone', async () => {
      const unmarkedId = await kuma.addUnmarkedMonitor('r05', 'someone-elses-token-000000000000', 60);
      const markedId = markedMonitors(await monitors()).get('r05')!.id;
      checks.plain = checks.plain.filter((name) => name !== 'r05');
      await writeConfig();

      const listed = await cli('kuma', 'sync');
      assert.equal(listed.code, 0, listed.stdout + listed.stderr);
      assert.match(listed.stdout, new RegExp(`^orphan +r05 +monitor ${markedId} "r05": its check is gone \\(--prune pauses it\\)$`, 'm'));

      const pruned = await cli('kuma', 'sync', '--prune');
      assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
      assert.match(pruned.stdout, new RegExp(`^paused +r05 +monitor ${markedId} "r05": its check is gone$`, 'm'));
      const after = await monitors();
      assert.equal(after.find((monitor) => monitor.id === markedId)!.active, false);
      const unmarked = after.find((monitor) => monitor.id === unmarkedId)!;
      assert.equal(unmarked.active, true);
      assert.equal(unmarked.pushToken, 'someone-elses-token-000000000000');
      assert.equal(unmarked.interval, 60);

      const again = await cli('kuma', 'sync', '--prune');
      assert.match(again.stdout, new RegExp(`^orphan +r05 +monitor ${markedId} "r05": its check is gone; already paused$`, 'm'));

      // The check comes back: its monitor is resumed, or every beat would be refused.
      checks.plain.splice(4, 0, 'r05');
      await writeConfig();
      const back = await cli('kuma', 'sync');
      assert.equal(back.code, 0, back.stdout + back.stderr);
      assert.match(back.stdout, new RegExp(`^resumed +r05 +monitor ${markedId}: paused in Kuma, which refuses its beats; its check is in the config$`, 'm'));
      assert.equal((await monitors()).find((monitor) => monitor.id === markedId)!.active, true);
    });

    test('a monitor of the wanted name without the tag is not touched, and sync says how to adopt it', async () => {
      const id = await kuma.addUnmarkedMonitor('r09', 'hand-made-token-0000000000000000', 120);
      checks.plain.push('r09');
      await mkdir(join(dir, 'repos', 'r09', 'snapshots'), { recursive: true });
      await writeConfig();
      const result = await cli('kuma', 'sync');
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        new RegExp(`^conflict +r09 +monitor ${id} "r09" is not tagged restic-monitor: not touched \\(to let sync manage it, give it the tag restic-monitor with the value r09 in Kuma; or rename it\\)$`, 'm'),
      );
      assert.match(result.stdout, /1 to resolve in Kuma$/m);
      const monitor = (await monitors()).find((candidate) => candidate.id === id)!;
      assert.deepEqual([monitor.interval, monitor.maxretries, monitor.pushToken, monitor.tags], [120, 2, 'hand-made-token-0000000000000000', []]);
      assert.equal(markedMonitors(await monitors()).has('r09'), false);
    });

    test('the wrong password: exit 1 and why, with no password in it', async () => {
      const result = await runCli(['-c', join(dir, 'config.yaml'), 'kuma', 'sync'], {
        env: { KUMA_URL: kuma.url, KUMA_PASSWORD: 'not-the-password-at-all', KUMA_TOKEN_SECRET: TOKEN_SECRET },
      });
      outputs.push(result.stdout, result.stderr);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, `restic-monitor: Uptime Kuma at ${kuma.url} refused the login of admin: wrong username or password\n`);
    });

    test('two-factor login: without kuma.totp_secret it says what to set; with it, syncs, twice in one 30 s step too', async () => {
      const secret = await kuma.enableTwoFactor();
      const without = await cli('kuma', 'sync');
      assert.equal(without.code, 1);
      assert.equal(without.stderr, `restic-monitor: Uptime Kuma at ${kuma.url}: the account admin has two-factor login: set kuma.totp_secret\n`);
      await writeConfig('  totp_secret: ${KUMA_TOTP}');
      const env = { KUMA_URL: kuma.url, KUMA_PASSWORD: kuma.password, KUMA_TOKEN_SECRET: TOKEN_SECRET, KUMA_TOTP: secret };
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await runCli(['-c', join(dir, 'config.yaml'), 'kuma', 'sync', '--dry-run'], { env });
        outputs.push(result.stdout, result.stderr);
        assert.equal(result.stderr, '', `attempt ${attempt}`);
        assert.match(result.stdout, /^Uptime Kuma \S+ at /);
      }
      outputs.push(secret);
    });

    test('no password, token secret or push token appears in any output', async () => {
      const tokens = [...PLAIN, 'r09', ...HOSTS, ...FOUND].map((name) => derivePushToken(TOKEN_SECRET, name));
      const text = outputs.slice(0, -1).join('\n');
      for (const secret of [kuma.password, TOKEN_SECRET, ...tokens, outputs.at(-1)!]) assert.equal(text.includes(secret), false, `a secret in the output: ${secret.slice(0, 4)}...`);
    });
  });
}
