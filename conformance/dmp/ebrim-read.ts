/** The simulator's own reading of an ITI-41 SubmitObjectsRequest (ebRIM 3.0). */
import { kid, kids, NSS, txt } from './xml.js';
import type { XElement as Element } from './xml-read.js';

export const UUIDS = {
  stable: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  ssNode: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  deAuthor: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  deClass: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  deConf: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  deEvent: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
  deFormat: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  deFacility: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  dePractice: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  deType: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  dePatient: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  deUnique: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  ssAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  ssContent: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  ssPatient: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  ssSource: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  ssUnique: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  hasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  rplc: 'urn:ihe:iti:2007:AssociationType:RPLC',
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
} as const;

export interface Coded {
  readonly code: string;
  readonly scheme: string;
  readonly display: string;
}

export interface RegistryItem {
  readonly id: string;
  readonly slots: ReadonlyMap<string, readonly string[]>;
  readonly name: string;
  readonly codes: ReadonlyMap<string, readonly Coded[]>;
  readonly authors: readonly ReadonlyMap<string, readonly string[]>[];
  readonly externalIds: ReadonlyMap<string, string>;
}

export interface EntryItem extends RegistryItem {
  readonly mimeType: string;
  readonly objectType: string;
}

export interface ParsedSubmission {
  readonly submissionSets: readonly RegistryItem[];
  readonly entries: readonly EntryItem[];
  readonly associations: readonly { readonly id: string; readonly type: string; readonly source: string; readonly target: string; readonly status?: string }[];
  readonly documents: readonly { readonly id: string; readonly href?: string }[];
}

const slotsOf = (el: Element): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const s of kids(el, NSS.rim, 'Slot')) {
    m.set(s.getAttribute('name') ?? '', kids(kid(s, NSS.rim, 'ValueList'), NSS.rim, 'Value').map((v) => txt(v)));
  }
  return m;
};

const itemOf = (el: Element, authorSchemes: readonly string[]): RegistryItem => {
  const codes = new Map<string, Coded[]>();
  const authors: Map<string, string[]>[] = [];
  for (const c of kids(el, NSS.rim, 'Classification')) {
    const scheme = c.getAttribute('classificationScheme') ?? '';
    if (authorSchemes.includes(scheme)) {
      authors.push(slotsOf(c));
      continue;
    }
    if (!scheme) {
      continue;
    }
    const list = codes.get(scheme) ?? [];
    list.push({
      code: c.getAttribute('nodeRepresentation') ?? '',
      scheme: slotsOf(c).get('codingScheme')?.[0] ?? '',
      display: kid(kid(c, NSS.rim, 'Name'), NSS.rim, 'LocalizedString')?.getAttribute('value') ?? '',
    });
    codes.set(scheme, list);
  }
  const externalIds = new Map<string, string>();
  for (const x of kids(el, NSS.rim, 'ExternalIdentifier')) {
    externalIds.set(x.getAttribute('identificationScheme') ?? '', x.getAttribute('value') ?? '');
  }
  return {
    id: el.getAttribute('id') ?? '',
    slots: slotsOf(el),
    name: kid(kid(el, NSS.rim, 'Name'), NSS.rim, 'LocalizedString')?.getAttribute('value') ?? '',
    codes,
    authors,
    externalIds,
  };
};

export const readSubmission = (request: Element): ParsedSubmission => {
  const list = kid(kid(request, NSS.lcm, 'SubmitObjectsRequest'), NSS.rim, 'RegistryObjectList');
  const packages = kids(list, NSS.rim, 'RegistryPackage');
  const ssNodes = new Set(kids(list, NSS.rim, 'Classification').filter((c) => c.getAttribute('classificationNode') === UUIDS.ssNode).map((c) => c.getAttribute('classifiedObject') ?? ''));
  for (const p of packages) {
    if (kids(p, NSS.rim, 'Classification').some((c) => c.getAttribute('classificationNode') === UUIDS.ssNode)) {
      ssNodes.add(p.getAttribute('id') ?? '');
    }
  }
  return {
    submissionSets: packages.filter((p) => ssNodes.has(p.getAttribute('id') ?? '')).map((p) => itemOf(p, [UUIDS.ssAuthor])),
    entries: kids(list, NSS.rim, 'ExtrinsicObject').map((e) => ({ ...itemOf(e, [UUIDS.deAuthor]), mimeType: e.getAttribute('mimeType') ?? '', objectType: e.getAttribute('objectType') ?? '' })),
    associations: kids(list, NSS.rim, 'Association').map((a) => {
      const status = slotsOf(a).get('SubmissionSetStatus')?.[0];
      return { id: a.getAttribute('id') ?? '', type: a.getAttribute('associationType') ?? '', source: a.getAttribute('sourceObject') ?? '', target: a.getAttribute('targetObject') ?? '', ...(status ? { status } : {}) };
    }),
    documents: kids(request, NSS.xdsb, 'Document').map((d) => {
      const href = kid(d, NSS.xop, 'Include')?.getAttribute('href');
      return { id: d.getAttribute('id') ?? '', ...(href ? { href } : {}) };
    }),
  };
};
