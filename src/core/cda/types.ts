import type { PostalAddress } from '../report/model.js';
import type { Issue } from '../validation/issue.js';
import type { PracticeSetting } from './codes.js';

/** Version context of a document being built (CI-SIS: same setId, versionNumber + 1, RPLC). */
export interface DocumentVersion {
  /** ClinicalDocument/id/@root for this version (an OID or a UUID). */
  readonly documentId: string;
  readonly setId: string;
  readonly versionNumber: number;
  /** ClinicalDocument/id of the version this one replaces (relatedDocument RPLC). */
  readonly replacesDocumentId?: string;
  /** ClinicalDocument/effectiveTime, ISO 8601 with offset. */
  readonly effectiveTime: string;
}

export interface BuiltDocument {
  readonly xml: string;
  readonly issues: readonly Issue[];
}

/** The laboratory and SIL facts a CR-BIO needs besides the report (from the configuration). */
export interface CdaSettings {
  readonly lab: {
    readonly name: string;
    /** 9-character FINESS; Struct_IdNat = 1 + FINESS. */
    readonly finess: string;
    /** Root OID of the laboratory: order ids (<oid>.2), accession numbers (<oid>.3) and local codes hang below it. */
    readonly oid: string;
    readonly address: PostalAddress;
    readonly telecom: readonly string[];
    /** TRE_A01 practice setting of the lab (standardIndustryClassCode). */
    readonly practiceSetting: PracticeSetting;
    /** COFRAC accreditation number, when accredited. */
    readonly cofrac?: string;
  };
  /** The SIL, author of the document when no biologist is named. */
  readonly software: { readonly name: string; readonly model: string };
  /** encompassingEncounter/code (ActCode): AMB for a city lab, IMP/EMER… in a hospital. */
  readonly encounterCode?: 'AMB' | 'IMP' | 'EMER';
}

/** The PDF copy to embed in FR-Document-PDF-copie when the SIL sent none (rendered outside the core). */
export interface BuildAttachments {
  readonly pdf?: Uint8Array;
}
