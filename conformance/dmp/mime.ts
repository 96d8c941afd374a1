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
  const marker = `--${boundary}`;
  const parts: Part[] = [];
  // Work on latin1 text for positions: one char per byte, so offsets are byte offsets.
  const s = body.toString('latin1');
  let i = s.indexOf(marker);
  if (i < 0) {
    throw new Error('boundary not found in the body');
  }
  for (;;) {
    const after = i + marker.length;
    if (s.startsWith('--', after)) {
      break;
    }
    const headStart = s.indexOf('\r\n', after) + 2;
    const headEnd = s.indexOf('\r\n\r\n', headStart);
    const next = s.indexOf(`\r\n${marker}`, headEnd);
    if (headEnd < 0 || next < 0) {
      throw new Error('truncated multipart body');
    }
    const headers = new Map<string, string>();
    for (const line of s.slice(headStart, headEnd).split('\r\n')) {
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
