/** The simulator's own multipart/related (MTOM) reader. */
export interface Part {
  readonly contentId?: string;
  readonly contentType?: string;
  readonly bytes: Buffer;
}

const param = (ct: string, name: string): string | undefined => {
  for (const piece of ct.split(';').slice(1)) {
    const eq = piece.indexOf('=');
    if (eq > 0 && piece.slice(0, eq).trim().toLowerCase() === name) {
      return piece.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    }
  }
  return undefined;
};

export const readMultipart = (contentType: string, body: Buffer): { parts: Part[]; start?: string; type?: string } => {
  const boundary = param(contentType, 'boundary');
  if (!boundary) {
    throw new Error('multipart/related without boundary');
  }
  // Searched in the bytes (a boundary is ASCII): decoding the whole body to text first cost more than the rest.
  const marker = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: Part[] = [];
  let i = /^[ -~]+$/.test(boundary) ? body.indexOf(marker) : -1;
  if (i < 0) {
    throw new Error('boundary not found in the body');
  }
  for (;;) {
    const after = i + marker.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) {
      break;
    }
    const headStart = body.indexOf('\r\n', after, 'latin1') + 2;
    const headEnd = body.indexOf('\r\n\r\n', headStart, 'latin1');
    const next = headEnd < 0 ? -1 : body.indexOf(delimiter, headEnd);
    if (headEnd < 0 || next < 0) {
      throw new Error('truncated multipart body');
    }
    const headers = new Map<string, string>();
    for (const line of body.toString('latin1', headStart, headEnd).split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) {
        headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
      }
    }
    const id = headers.get('content-id')?.replace(/^<|>$/g, '');
    const type = headers.get('content-type');
    parts.push({ ...(id ? { contentId: id } : {}), ...(type ? { contentType: type } : {}), bytes: body.subarray(headEnd + 4, next) });
    i = next + 2;
  }
  const start = param(contentType, 'start')?.replace(/^<|>$/g, '');
  const type = param(contentType, 'type');
  return { parts, ...(start ? { start } : {}), ...(type ? { type } : {}) };
};
