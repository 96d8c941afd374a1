/**
 * The canonical lab report: what every intake format (HL7 v2 ORU^R01, FHIR R4, a SIL's own CDA) is turned
 * into, and what the identity gate, the CR-BIO builder and the delivery use. Independent of any format.
 *
 * Dates and times are strings in a partial ISO 8601 form that keeps the precision the source gave:
 * `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH:mm[:ss[.SSS]]` with an optional `Z` or `±HH:MM` offset.
 * A birth date with unknown day or month keeps the lunar form the INS uses (`1980-00-00`, standards.md §1.4).
 */

/** INS assigning authorities (standards.md §1.2). */
export const INS_OID = {
  NIR: '1.2.250.1.213.1.4.8',
  NIA: '1.2.250.1.213.1.4.9',
  NIR_TEST: '1.2.250.1.213.1.4.10',
  NIR_DEMO: '1.2.250.1.213.1.4.11',
} as const;
export type InsOid = (typeof INS_OID)[keyof typeof INS_OID];

/** RNIV identity statuses (standards.md §1.5). Only QUAL may feed the DMP. */
export type IdentityStatus = 'PROV' | 'RECUP' | 'VALI' | 'QUAL';
/** RNIV extra attributes; DOUTE / FICTI spellings are normalised to these at intake. */
export type IdentityAttribute = 'DOUT' | 'FICT' | 'HOMONYME';
export type AdministrativeSex = 'M' | 'F' | 'U';

export interface Identifier {
  /** OID of the assigning authority (root). */
  readonly system: string;
  readonly value: string;
}

export interface Ins {
  /** 15 characters: 13-character matricule (NIR or NIA) + 2-digit key. */
  readonly value: string;
  readonly oid: string;
}

/** High-trust ID document check recorded by reception staff (RNIV): needed for QUAL. */
export interface IdentityEvidence {
  /** e.g. CNI (national ID card), PASSEPORT, TITRE_SEJOUR, or the SIL's code. */
  readonly documentType: string;
  readonly checkedOn?: string;
}

export interface PatientIdentity {
  readonly ins?: Ins;
  /** Other identifiers: the lab's IPP with its OID, etc. */
  readonly identifiers: readonly Identifier[];
  /** Strict traits (traits stricts). */
  readonly birthName: string;
  /** Full list of birth first names, space separated, in order. */
  readonly birthGivenNames: string;
  /** First birth first name (premier prénom); derived from the list when the source does not give it. */
  readonly firstGivenName: string;
  readonly sex: AdministrativeSex;
  readonly birthDate: string;
  /** INSEE COG of the birth commune, or 99 + country code when born abroad. */
  readonly birthPlaceCog?: string;
  /** Used name / first name (nom utilisé, prénom utilisé). */
  readonly usedName?: string;
  readonly usedGivenName?: string;
  readonly status: IdentityStatus;
  readonly attributes: readonly IdentityAttribute[];
  readonly evidence?: IdentityEvidence;
  readonly address?: PostalAddress;
  readonly telecom?: readonly string[];
}

export interface PostalAddress {
  readonly lines: readonly string[];
  readonly city?: string;
  readonly postalCode?: string;
  readonly country?: string;
}

/** A health professional (RPPS) or the SIL acting as author. */
export interface Practitioner {
  /** RPPS (11 digits) when known; other ids go in `identifiers`. */
  readonly rpps?: string;
  readonly identifiers: readonly Identifier[];
  readonly family?: string;
  readonly given?: string;
  readonly prefix?: string;
  readonly telecom?: readonly string[];
  readonly address?: PostalAddress;
  /** Profession/specialty (JDV_J01, 1.2.250.1.213.1.1.4.5, e.g. G15_10/SM03); added for the CR-BIO header (issue 5). */
  readonly specialty?: Code;
}

export interface Code {
  readonly code: string;
  /** OID of the code system (LOINC 2.16.840.1.113883.6.1, a lab's local OID, …). */
  readonly system: string;
  readonly display?: string;
}

/** A result value, by HL7 v2 value type family. */
export type ResultValue =
  | { readonly type: 'quantity'; readonly value: string; readonly unit: string; readonly comparator?: '<' | '<=' | '>' | '>=' }
  | { readonly type: 'range'; readonly low?: string; readonly high?: string; readonly unit: string }
  | { readonly type: 'coded'; readonly code: Code }
  | { readonly type: 'text'; readonly text: string };

export interface ReferenceRange {
  readonly low?: string;
  readonly high?: string;
  readonly unit?: string;
  /** The range as the SIL wrote it, when it cannot be split into low/high. */
  readonly text?: string;
}

/** HL7 ObservationInterpretation (2.16.840.1.113883.5.83) codes, from OBX-8. */
export type Interpretation = string;

/** OBX-11 / OBR-25 result status, reduced to what CR-BIO distinguishes. */
export type ResultStatus = 'final' | 'preliminary' | 'corrected' | 'cancelled';

export interface Observation {
  /** LOINC code, or a local code with the lab's OID (then `localCode`). */
  readonly code: Code;
  readonly localCode?: Code;
  readonly value?: ResultValue;
  readonly referenceRange?: ReferenceRange;
  readonly interpretations: readonly Interpretation[];
  readonly status: ResultStatus;
  readonly effectiveTime?: string;
  readonly method?: string;
  readonly comments: readonly string[];
  /** Previous results (antériorités). */
  readonly previous: readonly { readonly value: ResultValue; readonly effectiveTime: string }[];
  /** Where it came from, for error messages, e.g. `OBX[4]` or `$.entry[3]`. */
  readonly sourcePath: string;
}

export interface Specimen {
  readonly id?: string;
  /** HL7 specimen type (2.16.840.1.113883.18.311: BLD, SER, UR…). */
  readonly type?: Code;
  readonly collectedAt?: string;
  readonly receivedAt?: string;
}

export interface Isolate {
  /** Organism (SNOMED CT), from a microbiology culture. */
  readonly organism: Code;
  readonly observations: readonly Observation[];
}

/** One battery (OBR group): an examination with its results. */
export interface Battery {
  readonly code: Code;
  /** CR-BIO chapter (LOINC laboratory section, e.g. 18719-5 Biochimie), e.g. from OBR-24; added for issue 5. */
  readonly chapter?: Code;
  readonly status: ResultStatus;
  readonly specimen?: Specimen;
  readonly observations: readonly Observation[];
  readonly isolates: readonly Isolate[];
  readonly validator?: Practitioner;
  readonly validatedAt?: string;
  readonly sourcePath: string;
}

/** DMP flags of the ANS HL7 v2 transmission IG (OBX-3 in MetaDMPMSS) and the patient's choices. */
export interface DmpFlags {
  /** DESTDMP: whether the SIL asks for DMP feeding at all. */
  readonly sendToDmp: boolean;
  readonly maskedFromProfessionals: boolean; // MASQUE_PS
  readonly invisibleToPatient: boolean; // INVISIBLE_PATIENT
  readonly invisibleToLegalRepresentatives: boolean; // INVISIBLE_REP_LEGAUX
  readonly secretConnection: boolean; // CONNEXION_SECRETE
  /** The patient opposed DMP feeding: nothing is sent, the transmission ends `opposed`. */
  readonly patientOpposed: boolean;
  /** ACK_RECEPTION: the SIL asks for the DMP receipt. */
  readonly ackReception: boolean;
}

export type ReportStatus = 'partial' | 'final' | 'corrected' | 'cancelled';

export interface PdfAttachment {
  readonly base64: string;
}

/** A SIL-built CDA handed over in the national "SIL hands over its own CDA" mode. */
export interface EmbeddedCda {
  readonly base64: string;
  /** initial | replace | delete (CI-SIS volet transmission de documents CDA en HL7 v2). */
  readonly action: 'initial' | 'replace' | 'delete';
}

export interface LabReport {
  /** Who sent it and its message control id (MSH-3/4 + MSH-10, or Bundle.identifier): the idempotency key. */
  readonly sender: string;
  readonly messageId: string;
  /** The SIL's accession / filler order number: same across versions of one report. */
  readonly accessionNumber: string;
  readonly placerOrderNumber?: string;
  readonly status: ReportStatus;
  readonly patient: PatientIdentity;
  readonly prescriber?: Practitioner;
  readonly specimenCollector?: Practitioner;
  readonly responsibleBiologist?: Practitioner;
  readonly orderedAt?: string;
  readonly collectedAt?: string;
  readonly receivedAt?: string;
  readonly reportedAt: string;
  readonly batteries: readonly Battery[];
  readonly comments: readonly string[];
  readonly flags: DmpFlags;
  readonly pdf?: PdfAttachment;
  readonly embeddedCda?: EmbeddedCda;
  /** The format it came in, for the audit trail. */
  readonly sourceFormat: 'hl7v2' | 'fhir' | 'cda';
  /**
   * Identity-vigilance confirmation recorded when staff release an identity hold (issue 4): the review
   * reasons (warning codes such as TRAIT_SEPARATOR_VARIANT) they checked. Never covers errors (non-QUAL, bad key…).
   */
  readonly identityReview?: { readonly confirmedCodes: readonly string[]; readonly by: string; readonly at: string };
}

export const defaultDmpFlags: DmpFlags = {
  sendToDmp: true,
  maskedFromProfessionals: false,
  invisibleToPatient: false,
  invisibleToLegalRepresentatives: false,
  secretConnection: false,
  patientOpposed: false,
  ackReception: false,
};
