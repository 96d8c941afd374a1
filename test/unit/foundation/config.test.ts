import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../src/config/config.js';
import { settings } from '../../../src/config/settings.js';
import { GatewayError } from '../../../src/core/errors/index.js';

const productionEnv = {
  DMP_GATEWAY_LAB_NAME: 'LBM du Test',
  DMP_GATEWAY_LAB_FINESS: '120459876',
  DMP_GATEWAY_LAB_OID: '1.2.250.1.999.1',
  DMP_GATEWAY_DMP_ENDPOINT: 'https://dmp.example.test/ws',
  DMP_GATEWAY_AUDIT_SUBJECT_KEY: 'k'.repeat(40),
};

const problems = (f: () => unknown): { path: string; message: string }[] => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof GatewayError, 'a GatewayError');
    assert.equal(e.code, 'CONFIG_INVALID');
    return e.issues.map((i) => ({ path: i.path, message: i.message }));
  }
  assert.fail('expected CONFIG_INVALID');
};

describe('configuration', () => {
  it('sandbox defaults: SQLite under ./data, test INS OIDs accepted, loopback only', () => {
    const c = loadConfig({ env: {}, sandbox: true });
    assert.equal(c.mode, 'sandbox');
    assert.equal(c.storage.engine, 'sqlite');
    assert.equal(c.storage.sqlitePath, './data/gateway.db');
    assert.equal(c.http.port, 8080);
    assert.equal(c.http.host, '127.0.0.1');
    assert.ok(c.ins.acceptedOids.includes('1.2.250.1.213.1.4.10'));
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.http), 'frozen');
  });

  it('defaults < file < environment', () => {
    const file = { name: 'gw.yaml', text: 'http:\n  port: 9000\n  host: 10.0.0.1\nlog:\n  level: debug\n' };
    const c = loadConfig({ env: { ...productionEnv, DMP_GATEWAY_HTTP_PORT: '9100' }, file });
    assert.equal(c.http.port, 9100, 'environment wins over the file');
    assert.equal(c.http.host, '10.0.0.1', 'file wins over the default');
    assert.equal(c.log.level, 'debug');
    assert.equal(c.mode, 'production');
  });

  it('a database URL selects PostgreSQL', () => {
    const c = loadConfig({ env: { ...productionEnv, DMP_GATEWAY_DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' } });
    assert.equal(c.storage.engine, 'postgres');
  });

  it('reports every problem at once, each with where it is', () => {
    const file = { name: 'gw.json', text: JSON.stringify({ http: { port: 70000, bodyLimitBytes: 'big' }, mllp: { enabled: 'perhaps' }, unknownThing: 1 }) };
    const found = problems(() =>
      loadConfig({
        env: { DMP_GATEWAY_LOG_LEVEL: 'loud', DMP_GATEWAY_DATABASE_URL: 'mysql://x', DMP_GATEWAY_TYPO: '1', DMP_GATEWAY_INS_ACCEPTED_OIDS: '1.2.250.1.213.1.4.8,1.2.250.1.213.1.4.10' },
        file,
      }),
    );
    const paths = found.map((p) => p.path);
    for (const expected of ['http.port', 'http.bodyLimitBytes', 'mllp.enabled', 'unknownThing', 'log.level', 'storage.databaseUrl', 'DMP_GATEWAY_TYPO', 'ins.acceptedOids', 'lab.name', 'lab.finess', 'lab.oid', 'dmp.endpoint', 'audit.subjectKey']) {
      assert.ok(paths.includes(expected), `a problem at ${expected} (got ${paths.join(', ')})`);
    }
    assert.match(found.find((p) => p.path === 'http.port')?.message ?? '', /0 to 65535/);
    assert.match(found.find((p) => p.path === 'ins.acceptedOids')?.message ?? '', /test INS OID 1\.2\.250\.1\.213\.1\.4\.10/);
  });

  it('a file that is not JSON or YAML is a problem, not a crash', () => {
    const found = problems(() => loadConfig({ env: productionEnv, file: { name: 'bad.yaml', text: 'http: [unclosed' } }));
    assert.equal(found[0]?.path, 'bad.yaml');
  });

  it('the README configuration table is generated from the settings table and current', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/gen-config-doc.ts', '--check'], { cwd: new URL('../../../', import.meta.url), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('the README documents every setting and its environment variable', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const s of settings) {
      assert.ok(readme.includes(`\`${s.env}\``), `README mentions ${s.env}`);
      assert.ok(readme.includes(`\`${s.key}\``), `README mentions ${s.key}`);
    }
  });
});
