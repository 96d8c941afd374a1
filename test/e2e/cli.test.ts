import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/child.js';
import { main } from '../../src/cli/index.js';
import { tempDir } from '../helpers/db.js';
import { testPki } from '../helpers/pki.js';
import { cpSync } from 'node:fs';

describe('dmp-gateway CLI', () => {
  it('serve --sandbox: healthz within seconds, tokens per role, graceful stop on SIGTERM', async () => {
    const cwd = tempDir();
    // Reuse the test PKI so the run does not spend seconds generating one.
    cpSync(testPki().dir, join(cwd, 'data', 'pki'), { recursive: true });
    const gw = runCli(['serve', '--sandbox'], { cwd, env: { DMP_GATEWAY_HTTP_PORT: '0', DMP_GATEWAY_MLLP_PORT: '0', DMP_GATEWAY_PKI_PASSPHRASE: 'test-only-passphrase', DMP_GATEWAY_ANS_KIT: fileURLToPath(new URL('../../../shared/reference/cda', import.meta.url)) } });
    try {
      const m = await gw.waitFor(/listening on (http:\/\/[\d.:]+)/);
      const url = m[1] ?? '';
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const tokens = JSON.parse(readFileSync(join(cwd, 'data', 'sandbox-tokens.json'), 'utf8')) as Record<string, string>;
      assert.deepEqual(Object.keys(tokens).sort(), ['admin', 'compliance', 'identity', 'sil']);
      const list = await fetch(`${url}/v1/transmissions`, { headers: { authorization: `Bearer ${tokens['compliance']}` } });
      assert.equal(list.status, 200);
      assert.ok(existsSync(join(cwd, 'data', 'gateway.db')), 'embedded SQLite under ./data');
      gw.kill('SIGTERM');
      assert.equal(await gw.exited(), 0);
    } finally {
      gw.kill('SIGKILL');
    }
  });

  it('an invalid configuration exits non-zero listing every problem', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'gw.yaml'), 'http:\n  port: 99999\nmllp:\n  port: -1\n');
    const r = runCli(['serve', '--config', 'gw.yaml'], { cwd, env: { DMP_GATEWAY_LOG_LEVEL: 'chatty' } });
    assert.equal(await r.exited(), 1);
    const err = r.stderr();
    assert.match(err, /CONFIG_INVALID/);
    for (const where of ['http.port', 'mllp.port', 'log.level', 'lab.name', 'dmp.endpoint']) {
      assert.ok(err.includes(where), `mentions ${where}: ${err}`);
    }
    assert.ok(!/\n\s+at /.test(err), 'no stack trace');
  });

  it('a wrong ANS kit folder stops the gateway before it listens or writes anything, naming the setting', async () => {
    const cwd = tempDir();
    const r = runCli(['serve', '--sandbox'], { cwd, env: { DMP_GATEWAY_ANS_KIT: join(cwd, 'no-kit-here'), DMP_GATEWAY_HTTP_PORT: '0', DMP_GATEWAY_MLLP_PORT: '0' } });
    assert.equal(await r.exited(), 1);
    assert.match(r.stderr(), /CONFIG_INVALID.*no infrastructure\/cda/s);
    assert.match(r.stderr(), /DMP_GATEWAY_ANS_KIT/);
    assert.doesNotMatch(r.stdout(), /listening/);
    assert.ok(!existsSync(join(cwd, 'data')), 'nothing written');
    assert.ok(!/\n\s+at /.test(r.stderr()), 'no stack trace');
  });

  it('--help on every command, non-zero on an unknown command', async () => {
    const top = runCli(['--help']);
    assert.equal(await top.exited(), 0);
    const names = [...top.stdout().matchAll(/^ {2}(\S+)\s/gm)].map((m) => m[1] ?? '');
    assert.ok(names.includes('serve') && names.includes('replay'));
    // Each command's help, in-process (same entry point as the binary, without a process per command).
    for (const name of names) {
      const out: string[] = [];
      const code = await main([name, '--help'], { out: (l) => out.push(l), err: (l) => out.push(l), env: {}, cwd: process.cwd() });
      assert.equal(code, 0, `${name} --help`);
      assert.match(out.join('\n'), /Usage: dmp-gateway/, `${name} --help shows its usage`);
    }
    const bad = runCli(['frobnicate']);
    assert.equal(await bad.exited(), 2);
    assert.match(bad.stderr(), /unknown command 'frobnicate'/);
  });
});
