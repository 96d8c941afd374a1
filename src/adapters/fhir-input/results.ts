/**
 * DiagnosticReport.result → groups of results (the future batteries) with their microbiology isolates, the same
 * structure the HL7 v2 reader makes of OBR / OBX / OBX-4 sub-ids:
 *
 * - an Observation with `hasMember` is a group: a panel listed in `result` becomes one battery; a group nested
 *   deeper (e.g. the 29576-6 susceptibility panel) is flattened into the battery or isolate it is in; its own value,
 *   when it has one, is kept as a result too;
 * - an isolate is an Observation with `hasMember` whose code is an "organism identified" LOINC (634-6, 11475-1…) or
 *   whose value is a SNOMED CT concept (the organism); its members, at any depth, are the isolate's results
 *   (growth, susceptibilities with MIC and S/I/R interpretation). The identification itself becomes the isolate's
 *   organism, as in HL7 v2;
 * - results on an isolate Specimen (type ISLT, or SNOMED CT 119303007 microbial isolate) through
 *   `Observation.specimen` are gathered into one isolate per Specimen, named by the organism-identification result
 *   among them.
 *
 * Bad input is reported as issues, never thrown: a member that does not resolve, a cycle of members, nesting
 * deeper than MAX_DEPTH, an isolate without its organism code.
 */
import type { Code, Isolate, Observation } from '../../core/report/model.js';
import { ORGANISM_CODES, SNOMED_CT_OID } from '../../core/report/microbiology.js';
import type { Node } from './json.js';
import { readConcept } from './datatypes.js';

export interface ResultsContext {
  /** Resolves a Reference, reporting FHIR_REFERENCE_UNRESOLVED when it does not. */
  resolve(ref: Node, expected: string): Node | undefined;
  /** Resolves a Reference silently (for optional links we only use when they are there). */
  lookup(ref: Node, expected: string): Node | undefined;
  /** One Observation resource → one result (issues reported by the caller's reader). */
  mapObservation(o: Node): Observation | undefined;
  error(code: string, path: string, message: string): void;
  warn(code: string, path: string, message: string): void;
}

export interface ResultGroup {
  readonly observations: Observation[];
  readonly isolates: Isolate[];
}

export interface ResultTree {
  /** Results listed directly in DiagnosticReport.result (a battery coded by DiagnosticReport.code). */
  readonly loose: ResultGroup;
  /** Panels listed in DiagnosticReport.result, each a battery. */
  readonly panels: readonly { readonly node: Node; readonly group: ResultGroup }[];
}

/** Deepest hasMember nesting read (culture → isolate → susceptibility panel → result is 3). */
export const MAX_DEPTH = 8;

const LOINC_URL = 'http://loinc.org';
const ISOLATE_SPECIMEN_TYPES: readonly (readonly [string, string])[] = [
  ['http://terminology.hl7.org/CodeSystem/v2-0487', 'ISLT'],
  ['http://snomed.info/sct', '119303007'],
];
const VALUE_KEYS = ['valueQuantity', 'valueCodeableConcept', 'valueString', 'valueRange'];

const entryPathOf = (r: Node): string => r.path.replace(/\.resource$/, '');
const members = (o: Node): Node[] => o.get('hasMember').items();
const hasOwnValue = (o: Node): boolean => VALUE_KEYS.some((k) => o.get(k).exists);
const hasOrganismCode = (o: Node): boolean =>
  o.get('code').get('coding').items().some((c) => c.get('system').str() === LOINC_URL && ORGANISM_CODES.has(c.get('code').str() ?? ''));
const codedValue = (o: Node): Code | undefined => readConcept(o.get('valueCodeableConcept')).code;
/** An "organism identified" result: its code says so, or its value is a SNOMED CT concept. */
const namesOrganism = (o: Node): boolean => hasOrganismCode(o) || codedValue(o)?.system === SNOMED_CT_OID;
const isIsolateSpecimen = (s: Node): boolean =>
  s.get('type').get('coding').items().some((c) => ISOLATE_SPECIMEN_TYPES.some(([system, code]) => c.get('system').str() === system && c.get('code').str() === code));

interface Builder extends ResultGroup {
  /** Results gathered by isolate Specimen (path of the Specimen resource). */
  readonly bySpecimen: Map<string, { readonly specimen: Node; organism?: Code; readonly observations: Observation[] }>;
}

export const readResults = (dr: Node, ctx: ResultsContext): ResultTree => {
  /** Observations already placed (by resource path), so that one listed twice is counted once. */
  const placed = new Set<string>();
  const newBuilder = (): Builder => ({ observations: [], isolates: [], bySpecimen: new Map() });

  /** Members of `o` that resolve, are not an ancestor (cycle) and are not placed yet. */
  const resolvedMembers = (o: Node, ancestors: ReadonlySet<string>, depth: number): Node[] => {
    const out: Node[] = [];
    for (const ref of members(o)) {
      const m = ctx.resolve(ref, 'Observation');
      if (m === undefined) {
        continue;
      }
      const at = ref.get('reference').path;
      if (ancestors.has(m.path)) {
        ctx.error('FHIR_REFERENCE_CYCLE', at, `hasMember makes a cycle: ${entryPathOf(m)} is a member of itself.`);
      } else if (depth >= MAX_DEPTH) {
        ctx.error('FHIR_VALUE_INVALID', at, `Observations are nested through hasMember deeper than ${MAX_DEPTH} levels.`);
      } else if (placed.has(m.path)) {
        ctx.warn('FHIR_MEMBER_REPEATED', at, `${entryPathOf(m)} is already a member of another group of this report; it is listed once.`);
      } else {
        out.push(m);
      }
    }
    return out;
  };

  /** Places a single result: into its isolate Specimen's group when it has one and is not in an isolate already. */
  const placeResult = (o: Node, b: Builder, into: Observation[]): void => {
    const specimen = into === b.observations ? ctx.lookup(o.get('specimen'), 'Specimen') : undefined;
    if (specimen !== undefined && isIsolateSpecimen(specimen)) {
      const group = b.bySpecimen.get(specimen.path) ?? { specimen, observations: [] };
      b.bySpecimen.set(specimen.path, group);
      const organism = codedValue(o);
      if (group.organism === undefined && organism !== undefined && namesOrganism(o)) {
        group.organism = organism;
        return;
      }
      into = group.observations;
    }
    const x = ctx.mapObservation(o);
    if (x !== undefined) {
      into.push(x);
    }
  };

  const walk = (o: Node, b: Builder, into: Observation[], ancestors: ReadonlySet<string>, depth: number): void => {
    placed.add(o.path);
    const inner = new Set([...ancestors, o.path]);
    if (members(o).length === 0) {
      placeResult(o, b, into);
      return;
    }
    if (namesOrganism(o)) {
      const organism = codedValue(o);
      const observations: Observation[] = [];
      if (organism === undefined) {
        ctx.error(
          'FHIR_REQUIRED_ELEMENT_MISSING',
          o.get('valueCodeableConcept').path,
          'An isolate (an organism identification with hasMember) needs its organism as valueCodeableConcept with a coding (SNOMED CT).',
        );
      } else {
        b.isolates.push({ organism, observations });
      }
      for (const m of resolvedMembers(o, inner, depth + 1)) {
        walk(m, b, observations, inner, depth + 1);
      }
      return;
    }
    if (hasOwnValue(o)) {
      placeResult(o, b, into);
    }
    for (const m of resolvedMembers(o, inner, depth + 1)) {
      walk(m, b, into, inner, depth + 1);
    }
  };

  const finish = (b: Builder): ResultGroup => {
    for (const g of b.bySpecimen.values()) {
      if (g.organism === undefined) {
        ctx.error(
          'FHIR_REQUIRED_ELEMENT_MISSING',
          entryPathOf(g.specimen),
          'Results on this isolate Specimen have no organism identification (an Observation coded 634-6, 11475-1… or with a SNOMED CT value).',
        );
      } else {
        b.isolates.push({ organism: g.organism, observations: g.observations });
      }
    }
    return { observations: b.observations, isolates: b.isolates };
  };

  const results = dr
    .get('result')
    .items()
    .map((ref) => ctx.resolve(ref, 'Observation'))
    .filter((r): r is Node => r !== undefined);
  // A sender may list every Observation in DiagnosticReport.result, members included: those are read in their group.
  // (Breadth-first and bounded: a hostile chain of members must not exhaust the stack.)
  const memberOf = new Set<string>();
  for (const r of results) {
    let level = [r];
    const seen = new Set([r.path]);
    for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
      const next: Node[] = [];
      for (const ref of level.flatMap(members)) {
        const m = ctx.lookup(ref, 'Observation');
        if (m !== undefined && !seen.has(m.path)) {
          seen.add(m.path);
          memberOf.add(m.path);
          next.push(m);
        }
      }
      level = next;
    }
  }

  const loose = newBuilder();
  const panels: { node: Node; group: ResultGroup }[] = [];
  const top = (r: Node): void => {
    if (placed.has(r.path)) {
      return;
    }
    if (members(r).length > 0 && !namesOrganism(r)) {
      const b = newBuilder();
      walk(r, b, b.observations, new Set(), 0);
      panels.push({ node: r, group: finish(b) });
    } else {
      walk(r, loose, loose.observations, new Set(), 0);
    }
  };
  results.filter((r) => !memberOf.has(r.path)).forEach(top);
  // Results that are only members of one another (a cycle) are read last, where the cycle is reported.
  results.forEach(top);
  return { loose: finish(loose), panels };
};
