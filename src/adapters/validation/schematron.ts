/**
 * The ANS schematron layers (XSLT 2.0, queryBinding xslt2) run with Saxon-HE on Java (Debian libsaxonhe-java),
 * the way ../shared/tools/cda-validate does: each .sch of the kit is compiled once to XSLT by a Schematron→XSLT
 * compiler stylesheet (the tool's lib/sch2xslt.xsl), cached, then applied with `format=text` so each finding is
 * one line `severity TAB pattern TAB XPath TAB message`. A batch of documents goes through one JVM per layer
 * (Saxon's directory mode), which is what keeps CI time bounded. See docs/decisions.md "CR-BIO documents".
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issue, type Issue } from '../../core/validation/issue.js';

export interface SchematronLayer {
  readonly name: string;
  /** Path of the .sch relative to the kit folder. */
  readonly sch: string;
}

/** The layers validate-cda runs by default: CI-SIS header (structuration minimale) and CR-BIO 2024.01. */
export const CR_BIO_LAYERS: readonly SchematronLayer[] = [
  { name: 'header-structurationMinimale', sch: 'schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch' },
  { name: 'CR-BIO-2024.01', sch: 'schematrons/CI-SIS_BIO-CR-BIO_2024.01.sch' },
];

export interface SchematronOptions {
  readonly kitDir: string;
  /** Schematron → XSLT 2.0 compiler stylesheet (cda-validate's lib/sch2xslt.xsl). */
  readonly compiler: string;
  readonly saxonJar: string;
  readonly cacheDir: string;
  readonly java?: string;
  /**
   * JVM options. Default `-XX:TieredStopAtLevel=1` (C1 JIT only): these are short runs dominated by compiling the
   * 2 MB header stylesheet, and C1 makes them about 2.5 times faster (measured: 8 documents 20.5 s → 8.1 s).
   */
  readonly javaOptions?: readonly string[];
  readonly layers?: readonly SchematronLayer[];
}

const run = (cmd: string, args: readonly string[]): Promise<{ code: number; out: string }> =>
  new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });

const newestUnder = (dir: string): number => {
  let newest = 0;
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const full = path.join(p, e.name);
      if (e.isDirectory()) {
        walk(full);
      } else {
        newest = Math.max(newest, statSync(full).mtimeMs);
      }
    }
  };
  walk(dir);
  return newest;
};

export class SchematronRunner {
  private readonly layers: readonly SchematronLayer[];
  private compiled?: Promise<readonly { layer: SchematronLayer; xsl: string }[]>;

  constructor(private readonly opts: SchematronOptions) {
    this.layers = opts.layers ?? CR_BIO_LAYERS;
  }

  /** Problems that stop the runner from working at all (missing Java, Saxon, compiler or kit files). */
  async check(): Promise<string[]> {
    const problems: string[] = [];
    if (!existsSync(this.opts.saxonJar)) {
      problems.push(`Saxon-HE jar not found at ${this.opts.saxonJar} (Debian: apt-get install libsaxonhe-java)`);
    }
    if (!existsSync(this.opts.compiler)) {
      problems.push(`Schematron compiler stylesheet not found at ${this.opts.compiler}`);
    }
    for (const l of this.layers) {
      if (!existsSync(path.join(this.opts.kitDir, l.sch))) {
        problems.push(`Schematron ${l.sch} not found in the ANS kit ${this.opts.kitDir}`);
      }
    }
    const java = await run(this.opts.java ?? 'java', ['-version']);
    if (java.code !== 0) {
      problems.push('java not found on PATH (Debian: apt-get install default-jre-headless)');
    }
    return problems;
  }

  private saxon(args: readonly string[]): Promise<{ code: number; out: string }> {
    return run(this.opts.java ?? 'java', [...(this.opts.javaOptions ?? ['-XX:TieredStopAtLevel=1']), '-cp', this.opts.saxonJar, 'net.sf.saxon.Transform', ...args]);
  }

  /** Compiles every layer once (cached on disk, rebuilt when the kit or the compiler is newer). */
  compile(): Promise<readonly { layer: SchematronLayer; xsl: string }[]> {
    this.compiled ??= (async () => {
      mkdirSync(this.opts.cacheDir, { recursive: true });
      const newest = Math.max(statSync(this.opts.compiler).mtimeMs, newestUnder(path.join(this.opts.kitDir, 'schematrons')));
      return Promise.all(
        this.layers.map(async (layer) => {
          const sch = path.resolve(this.opts.kitDir, layer.sch);
          const key = createHash('sha1').update(sch).digest('hex').slice(0, 10);
          const xsl = path.join(this.opts.cacheDir, `${path.basename(sch, '.sch')}-${key}.xsl`);
          if (!existsSync(xsl) || statSync(xsl).mtimeMs < newest) {
            const tmp = `${xsl}.tmp.${process.pid}`;
            const r = await this.saxon([`-s:${sch}`, `-xsl:${this.opts.compiler}`, `-o:${tmp}`]);
            if (r.code !== 0) {
              rmSync(tmp, { force: true });
              throw new Error(`cannot compile ${layer.sch}: ${r.out.slice(0, 500)}`);
            }
            renameSync(tmp, xsl);
          }
          return { layer, xsl };
        }),
      );
    })();
    return this.compiled;
  }

  /** Validates documents (XML texts); returns the issues of each, in order. */
  async validate(documents: readonly string[]): Promise<Issue[][]> {
    const compiled = await this.compile();
    const work = mkdtempSync(path.join(tmpdir(), 'schematron-'));
    try {
      const inDir = path.join(work, 'in');
      mkdirSync(inDir);
      const names = documents.map((_, i) => `doc-${String(i).padStart(4, '0')}.xml`);
      documents.forEach((d, i) => writeFileSync(path.join(inDir, names[i]!), d));
      const results: Issue[][] = documents.map(() => []);
      await Promise.all(
        compiled.map(async ({ layer, xsl }) => {
          const outDir = path.join(work, layer.name);
          mkdirSync(outDir);
          const r = await this.saxon([`-s:${inDir}`, `-xsl:${xsl}`, 'format=text', '!method=text', `-o:${outDir}`]);
          names.forEach((n, i) => {
            const out = path.join(outDir, n);
            if (r.code !== 0 || !existsSync(out)) {
              results[i]!.push(issue('error', 'SCHEMATRON_ENGINE_ERROR', '/', `Schematron ${layer.name} could not run on this document.`));
              return;
            }
            for (const line of readFileSync(out, 'utf8').split('\n')) {
              if (line.trim() === '') {
                continue;
              }
              const [role = 'error', pattern = '', location = '/', message = ''] = line.split('\t');
              const severity = role === 'error' ? 'error' : role === 'warning' ? 'warning' : 'information';
              results[i]!.push(issue(severity, `SCHEMATRON_${layer.name}`, location, `[${pattern}] ${message}`));
            }
          });
        }),
      );
      return results;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
