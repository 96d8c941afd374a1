/**
 * DMP / MSSanté flags of the CI-SIS volet "Transmission de documents CDA en HL7 v2" (V2.1): OBX with OBX-3.3 =
 * MetaDMPMSS and a Y/N value (expandedYes-NoIndicator). V1.2 messages send the same codes without the system.
 * https://github.com/ansforge/IG-hl7v2-volet-transmission-document-cda-r2 (meta-dmp-mss)
 */
import type { DmpFlags } from '../../core/report/model.js';
import type { MapContext } from './context.js';
import type { Segment } from './tokenize.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const FLAG_FIELDS: Readonly<Record<string, keyof DmpFlags>> = {
  DESTDMP: 'sendToDmp',
  MASQUE_PS: 'maskedFromProfessionals',
  INVISIBLE_PATIENT: 'invisibleToPatient',
  INVISIBLE_REP_LEGAUX: 'invisibleToLegalRepresentatives',
  INVISIBLE_REPRESENTANTS_LEGAUX: 'invisibleToLegalRepresentatives',
  CONNEXION_SECRETE: 'secretConnection',
  ACK_RECEPTION: 'ackReception',
  /** Our extension (not in the volet): the patient opposed DMP feeding (standards.md §5; see docs/decisions.md). */
  OPPOSITION_DMP: 'patientOpposed',
};

/** Codes of the volet that do not concern the DMP feed; accepted and ignored. */
const OTHER_META = new Set([
  'MODIF_CONF_CODE',
  'MODIF_CONFIDENTIALITYCODE',
  'DESTMSSANTEPS',
  'DESTMSSANTEPAT',
  'ACK_LECTURE_MSS',
  'CORPSMAIL_PS',
  'CORPSMAIL_PATIENT',
  'COMP_LOT',
]);

/** Is this OBX a MetaDMPMSS flag (V2.1 with the system, V1.2 by its code)? */
export const isMetaObx = (obx: Segment): boolean => {
  const system = obx.get(3, 3).trim().toUpperCase();
  const code = obx.get(3, 1).trim().toUpperCase();
  return system === 'METADMPMSS' || FLAG_FIELDS[code] !== undefined || OTHER_META.has(code);
};

export const applyMetaObx = (obx: Segment, flags: Mutable<DmpFlags>, ctx: MapContext): void => {
  const code = obx.get(3, 1).trim().toUpperCase();
  const field = FLAG_FIELDS[code];
  if (field === undefined) {
    if (!OTHER_META.has(code)) {
      ctx.warn('HL7_META_UNKNOWN', obx.path(3), `OBX-3 MetaDMPMSS code "${code}" is unknown; ignored.`);
    }
    return;
  }
  const value = obx.get(5, 1).trim().toUpperCase();
  if (value !== 'Y' && value !== 'N') {
    ctx.error('HL7_VALUE_INVALID', obx.path(5), `OBX-5 of the ${code} flag must be Y or N.`);
    return;
  }
  flags[field] = value === 'Y';
};

export type { Mutable };
