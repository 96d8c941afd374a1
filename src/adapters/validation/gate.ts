/**
 * The conformance gate (DocumentValidator): our own CR-BIO rules always; with the ANS kit, the CDA XSD
 * (in-process) and the schematron layers (Saxon). An `error` issue keeps the document from the DMP.
 * Each document is parsed once, by libxml2-wasm: the XSD and our rules read the same tree.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import type { Issue } from '../../core/validation/issue.js';
import type { CdaHeader } from '../../core/xds/cda-header.js';
import { cdaHeaderParsed, checkCrBioParsed, readsAlike } from './libxml-rules.js';
import { CR_BIO_LAYERS, SchematronRunner } from './schematron.js';
import { CdaXsdValidator } from './xsd.js';

export interface GateOptions {
  /** ANS TestContenuCDA kit folder (setting `ansKit`). Without it only our own rules run. */
  readonly ansKit?: string;
  /** Run the schematron layers when the kit is there (default true). */
  readonly schematron?: boolean;
  readonly saxonJar?: string;
  /** Schematron→XSLT compiler (setting ansKit.schematronCompiler); default: the cda-validate tool next to the kit. */
  readonly schematronCompiler?: string;
  readonly cacheDir?: string;
  /** Most documents per schematron run (one JVM per layer per run); default 20. */
  readonly maxBatch?: number;
  /** For tests: a schematron engine in place of Saxon. */
  readonly schematronEngine?: SchematronEngine;
}

/** What the gate needs from a schematron engine (SchematronRunner, or a fake in tests). */
export interface SchematronEngine {
  validate(documents: readonly string[]): Promise<Issue[][]>;
}

/**
 * Coalesces concurrent schematron requests: while one run is going, new documents wait and then go together in
 * the next run (at most `maxBatch` per run). One JVM per layer per run, whatever the number of callers.
 */
export const coalescing = (engine: SchematronEngine, maxBatch: number): SchematronEngine => {
  const queue: { xml: string; resolve: (r: Issue[]) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  const pump = async (): Promise<void> => {
    if (running) {
      return;
    }
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        try {
          const results = await engine.validate(batch.map((b) => b.xml));
          batch.forEach((b, i) => b.resolve(results[i] ?? []));
        } catch (e) {
          batch.forEach((b) => b.reject(e));
        }
      }
    } finally {
      running = false;
    }
  };
  return {
    validate: (documents) =>
      Promise.all(
        documents.map(
          (xml) =>
            new Promise<Issue[]>((resolve, reject) => {
              queue.push({ xml, resolve, reject });
              void pump();
            }),
        ),
      ),
  };
};

/** The gate's issues and, read from the same parse, the CDA header for the XDS metadata (when it could be read). */
export interface GateCheck {
  readonly issues: readonly Issue[];
  readonly header?: CdaHeader;
}

export interface ConformanceGate {
  validate(xml: string): Promise<readonly Issue[]>;
  /** `validate`, and the CDA header read from the libxml2 tree the gate parsed (no parse of its own). */
  check(xml: string): Promise<GateCheck>;
  /** Validates several documents at once (one JVM per schematron layer for the whole batch). */
  validateBatch(xmls: readonly string[]): Promise<Issue[][]>;
  /** What runs: own rules, XSD, schematron layers. */
  readonly layers: readonly string[];
}

/** The cda-validate tool's compiler, looked for beside the kit (…/reference/cda → …/tools/cda-validate). */
export const defaultCompilerFor = (kit: string): string => {
  const candidates = [
    path.resolve(kit, '..', '..', 'tools', 'cda-validate', 'lib', 'sch2xslt.xsl'),
    path.resolve(kit, '..', 'tools', 'cda-validate', 'lib', 'sch2xslt.xsl'),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
};

/**
 * Our rules and, with a validator, the XSD on one libxml2 parse of `xml` (disposed before returning); with
 * `header`, the CDA header read from that parse too.
 */
export const ownRulesAndXsd = (xml: string, xsd: CdaXsdValidator | undefined, options: { readonly header?: boolean } = {}): { own: Issue[]; xsd: Issue[]; header?: CdaHeader } => {
  let doc: XmlDocument | undefined;
  let parseError: unknown;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (e) {
    parseError = e;
  }
  try {
    // Whether libxml2 and xmldom read this text alike: decided once (a scan of the whole text) for both readers.
    const alike = doc && readsAlike(xml) ? doc : undefined;
    const header = options.header && alike ? cdaHeaderParsed(xml, alike, true) : undefined;
    return {
      own: alike ? checkCrBioParsed(xml, alike, true) : checkCrBioParsed(xml, undefined),
      xsd: !xsd ? [] : doc ? xsd.validateDocument(doc, xml) : xsd.notWellFormed(parseError),
      ...(header ? { header } : {}),
    };
  } finally {
    doc?.dispose();
  }
};

/** Builds the gate; throws with the list of problems when a configured kit cannot be used. */
export const createConformanceGate = async (opts: GateOptions = {}): Promise<ConformanceGate> => {
  let xsd: CdaXsdValidator | undefined;
  let sch: SchematronEngine | undefined;
  const layers = ['own-rules'];
  if (opts.ansKit) {
    if (!existsSync(opts.ansKit)) {
      throw new Error(`ANS kit folder not found: ${opts.ansKit}`);
    }
    xsd = new CdaXsdValidator(opts.ansKit);
    layers.push('xsd');
    if (opts.schematronEngine) {
      sch = coalescing(opts.schematronEngine, opts.maxBatch ?? 20);
      layers.push('schematron');
    } else if (opts.schematron !== false) {
      const runner = new SchematronRunner({
        kitDir: opts.ansKit,
        compiler: opts.schematronCompiler ?? defaultCompilerFor(opts.ansKit),
        saxonJar: opts.saxonJar ?? '/usr/share/java/Saxon-HE.jar',
        cacheDir: opts.cacheDir ?? path.join(tmpdir(), 'dmp-gateway-schematron'),
      });
      const problems = await runner.check();
      if (problems.length > 0) {
        throw new Error(`ANS schematron layers cannot run: ${problems.join('; ')}`);
      }
      sch = coalescing(runner, opts.maxBatch ?? 20);
      layers.push(...CR_BIO_LAYERS.map((l) => l.name));
    }
  }
  const run = async (xmls: readonly string[], header: boolean): Promise<{ issues: Issue[]; header?: CdaHeader }[]> => {
    const inProcess = xmls.map((x) => ownRulesAndXsd(x, xsd, { header }));
    const own = inProcess.map((r) => r.own);
    const xsdIssues = inProcess.map((r) => r.xsd);
    const wellFormed = own.map((o) => !o.some((i) => i.code === 'XML_NOT_WELL_FORMED'));
    const toSchematron = xmls.filter((_, i) => wellFormed[i]);
    const schIssues = sch && toSchematron.length > 0 ? await sch.validate(toSchematron) : [];
    let k = 0;
    return xmls.map((_, i) => {
      const h = inProcess[i]?.header;
      return { issues: [...own[i]!, ...xsdIssues[i]!, ...(wellFormed[i] && sch ? (schIssues[k++] ?? []) : [])], ...(h ? { header: h } : {}) };
    });
  };
  const validateBatch = async (xmls: readonly string[]): Promise<Issue[][]> => (await run(xmls, false)).map((r) => r.issues);
  return {
    layers,
    validateBatch,
    validate: async (xml) => (await validateBatch([xml]))[0] ?? [],
    check: async (xml) => (await run([xml], true))[0] ?? { issues: [] },
  };
};
