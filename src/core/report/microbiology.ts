/**
 * Microbiology conventions shared by every intake format: which results name a germ (and so open an isolate, the
 * CR-BIO "FR-Isolat-microbiologique" organizer), whatever carries them (HL7 v2 OBX-4 sub-ids, FHIR hasMember).
 */

export const SNOMED_CT_OID = '2.16.840.1.113883.6.96';

/** LOINC codes of "organism identified" results (11475-1 Microorganism identified, 634-6 Bacteria identified…). */
export const ORGANISM_CODES: ReadonlySet<string> = new Set(['11475-1', '6463-4', '43409-2', '580-1', '634-6', '41852-5']);
