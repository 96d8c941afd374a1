#!/usr/bin/env node
// Runs the test suite with node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [folder-or-file ...]   (default: test/)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = [];
const walk = (p) => {
  if (statSync(p).isDirectory()) {
    for (const e of readdirSync(p).sort()) {
      if (e !== 'node_modules' && e !== 'fixtures') {
        walk(join(p, e));
      }
    }
  } else if (/\.test\.ts$/.test(p)) {
    files.push(p);
  }
};
for (const r of roots.length ? roots : ['test']) {
  walk(r);
}
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=240000', ...passThrough, ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
