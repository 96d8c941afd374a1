/**
 * The conformance gate (DocumentValidator): our own CR-BIO rules always; with the ANS kit, the CDA XSD
 * (in-process) and the schematron layers (Saxon). An `error` issue keeps the document from the DMP.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkCrBio } from '../../core/cda/rules.js';
import type { Issue } from '../../core/validation/issue.js';
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
}

export interface ConformanceGate {
  validate(xml: string): Promise<readonly Issue[]>;
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

/** Builds the gate; throws with the list of problems when a configured kit cannot be used. */
export const createConformanceGate = async (opts: GateOptions = {}): Promise<ConformanceGate> => {
  let xsd: CdaXsdValidator | undefined;
  let sch: SchematronRunner | undefined;
  const layers = ['own-rules'];
  if (opts.ansKit) {
    if (!existsSync(opts.ansKit)) {
      throw new Error(`ANS kit folder not found: ${opts.ansKit}`);
    }
    xsd = new CdaXsdValidator(opts.ansKit);
    layers.push('xsd');
    if (opts.schematron !== false) {
      sch = new SchematronRunner({
        kitDir: opts.ansKit,
        compiler: opts.schematronCompiler ?? defaultCompilerFor(opts.ansKit),
        saxonJar: opts.saxonJar ?? '/usr/share/java/Saxon-HE.jar',
        cacheDir: opts.cacheDir ?? path.join(tmpdir(), 'dmp-gateway-schematron'),
      });
      const problems = await sch.check();
      if (problems.length > 0) {
        throw new Error(`ANS schematron layers cannot run: ${problems.join('; ')}`);
      }
      layers.push(...CR_BIO_LAYERS.map((l) => l.name));
    }
  }
  const validateBatch = async (xmls: readonly string[]): Promise<Issue[][]> => {
    const own = xmls.map((x) => checkCrBio(x));
    const xsdIssues = xsd ? await Promise.all(xmls.map((x) => xsd.validate(x))) : xmls.map(() => []);
    const wellFormed = own.map((o) => !o.some((i) => i.code === 'XML_NOT_WELL_FORMED'));
    const toSchematron = xmls.filter((_, i) => wellFormed[i]);
    const schIssues = sch && toSchematron.length > 0 ? await sch.validate(toSchematron) : [];
    let k = 0;
    return xmls.map((_, i) => [...own[i]!, ...xsdIssues[i]!, ...(wellFormed[i] && sch ? (schIssues[k++] ?? []) : [])]);
  };
  return {
    layers,
    validateBatch,
    validate: async (xml) => (await validateBatch([xml]))[0] ?? [],
  };
};
