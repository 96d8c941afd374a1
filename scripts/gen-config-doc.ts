/**
 * Rewrites the README's configuration table from src/config/settings.ts (between the config:start and
 * config:end markers). `npm run docs:config`; test/unit/foundation/config.test.ts checks it is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { settings } from '../src/config/settings.js';

const show = (v: string | number | boolean | readonly string[] | undefined): string => (v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v));
const rows = settings.map((s) => {
  const def = show(s.default);
  const sbx = s.sandboxDefault !== undefined && show(s.sandboxDefault) !== def ? `${def ? `${def}; ` : ''}sandbox: ${show(s.sandboxDefault)}` : def;
  return `| \`${s.key}\` | \`${s.env}\` | ${sbx.replace(/\|/g, '\\|') || '—'} | ${s.description.replace(/\|/g, '\\|')}${s.secret ? ' *(secret)*' : ''} |`;
});
const table = ['| setting (file) | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const next = readme.replace(/(<!-- config:start -->\n)[\s\S]*?(\n<!-- config:end -->)/, `$1${table}$2`);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README configuration table is out of date: run npm run docs:config');
    process.exit(1);
  }
} else {
  writeFileSync(path, next);
}
