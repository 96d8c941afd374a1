/**
 * An OID from a UUID (ITU-T X.667 / ISO 9834-8: arc 2.25 followed by the UUID as one decimal integer).
 * Document ids and setIds are made this way: globally unique without a registry, and valid wherever the
 * CI-SIS and XDS ask for an OID.
 */
export const uuidToOid = (uuid: string): string => {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    throw new RangeError('not a UUID');
  }
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
};
