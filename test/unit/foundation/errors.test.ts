import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { catalogueParts, errorCatalogue, GatewayError } from '../../../src/core/errors/index.js';

describe('error catalogue', () => {
  it('defines each code once, in UPPER_SNAKE_CASE, with an HTTP status and a message', () => {
    const seen = new Map<string, number>();
    catalogueParts.forEach((part, i) => {
      for (const [code, def] of Object.entries(part)) {
        assert.ok(!seen.has(code), `${code} defined in tables ${seen.get(code)} and ${i}`);
        seen.set(code, i);
        assert.match(code, /^[A-Z][A-Z0-9_]*$/);
        assert.ok(def.status >= 400 && def.status <= 599, `${code} status`);
        assert.ok(def.message.length > 5, `${code} message`);
      }
    });
  });

  it('docs/errors.md lists every code with its status and retryable flag, and no stale ones', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const rows = new Map<string, { status: number; retryable: boolean }>();
    for (const m of doc.matchAll(/^\|\s*`?([A-Z][A-Z0-9_]+)`?\s*\|\s*(\d{3})\s*\|\s*(yes|no)\s*\|/gm)) {
      rows.set(m[1] ?? '', { status: Number(m[2]), retryable: m[3] === 'yes' });
    }
    for (const [code, def] of Object.entries(errorCatalogue)) {
      const row = rows.get(code);
      assert.ok(row, `docs/errors.md has a row for ${code}`);
      assert.equal(row.status, def.status, `${code} status in docs`);
      assert.equal(row.retryable, def.retryable, `${code} retryable in docs`);
    }
    for (const code of rows.keys()) {
      assert.ok(code in errorCatalogue, `docs/errors.md row ${code} is in the catalogue`);
    }
  });

  it('GatewayError takes status and retryable from the catalogue', () => {
    const e = new GatewayError('PAYLOAD_TOO_LARGE');
    assert.equal(e.status, 413);
    assert.equal(e.retryable, false);
    assert.equal(new GatewayError('STORAGE_UNAVAILABLE').retryable, true);
  });
});
