#!/usr/bin/env node
// The `dmp-gateway` command. TypeScript sources run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

// libxml2-wasm (the CDA XSD validator) is loaded by plain node, before tsx's loader is registered: its main module
// is one 1 MB line (the wasm binary inlined as a string) that tsx would rewrite with a per-word source map, which
// costs ~5 s of start-up and ~130 MiB of RSS that is never given back. The TypeScript sources that import it later
// get this already loaded module. See docs/decisions.md "Memory".
await import('libxml2-wasm');
register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
