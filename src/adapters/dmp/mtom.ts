/**
 * MTOM/XOP packaging of a SOAP 1.2 message (W3C XOP, SOAP MTOM; standards.md §4.2): a multipart/related body
 * whose root part is the envelope (application/xop+xml) and whose other parts are the documents, referenced
 * from the envelope by `<xop:Include href="cid:…"/>`.
 */
export interface MimeAttachment {
  /** Content-ID without angle brackets, e.g. `doc-1@dmp-gateway`. */
  readonly contentId: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

export interface MtomMessage {
  readonly body: Buffer;
  readonly contentType: string;
}

const CRLF = '\r\n';

export const buildMtom = (envelopeXml: string, attachments: readonly MimeAttachment[], opts: { boundary: string; rootId: string; action: string }): MtomMessage => {
  const chunks: Buffer[] = [];
  const head = (lines: readonly string[]): Buffer => Buffer.from(`--${opts.boundary}${CRLF}${lines.join(CRLF)}${CRLF}${CRLF}`, 'utf8');
  chunks.push(head([
    'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"',
    'Content-Transfer-Encoding: binary',
    `Content-ID: <${opts.rootId}>`,
  ]));
  chunks.push(Buffer.from(envelopeXml, 'utf8'), Buffer.from(CRLF));
  for (const a of attachments) {
    chunks.push(head([`Content-Type: ${a.contentType}`, 'Content-Transfer-Encoding: binary', `Content-ID: <${a.contentId}>`]));
    chunks.push(Buffer.from(a.bytes), Buffer.from(CRLF));
  }
  chunks.push(Buffer.from(`--${opts.boundary}--${CRLF}`));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/related; boundary="${opts.boundary}"; type="application/xop+xml"; start="<${opts.rootId}>"; start-info="application/soap+xml"; action="${opts.action}"`,
  };
};

/** A parameter of a Content-Type header (quoted or not), case-insensitive name. */
export const headerParam = (header: string, name: string): string | undefined => {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const m = re.exec(header);
  return m ? (m[1] ?? m[2]) : undefined;
};

export interface MimePart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Splits a multipart body on its boundary; the bytes of each part are kept exactly. */
export const parseMultipart = (body: Buffer, contentType: string): MimePart[] => {
  const boundary = headerParam(contentType, 'boundary');
  if (!boundary) {
    throw new Error('multipart body without a boundary parameter');
  }
  const delim = Buffer.from(`--${boundary}`);
  const parts: MimePart[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    let start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') {
      break;
    }
    start = body.indexOf('\r\n', start) + 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), start);
    if (next < 0) {
      throw new Error('multipart body not terminated by its closing boundary');
    }
    const part = body.subarray(start, next);
    const split = part.indexOf('\r\n\r\n');
    const headText = split >= 0 ? part.subarray(0, split).toString('utf8') : '';
    const headers: Record<string, string> = {};
    for (const line of headText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) {
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
    }
    parts.push({ headers, body: split >= 0 ? part.subarray(split + 4) : Buffer.alloc(0) });
    pos = next + 2;
  }
  return parts;
};

/** The SOAP envelope of a response: the root part of a multipart/related body, or the body itself. */
export const soapPartOf = (body: Buffer, contentType: string | undefined): string => {
  if (contentType && /^multipart\/related/i.test(contentType)) {
    const parts = parseMultipart(body, contentType);
    const start = headerParam(contentType, 'start');
    const root = (start ? parts.find((p) => p.headers['content-id'] === start) : undefined) ?? parts[0];
    if (!root) {
      throw new Error('multipart answer without parts');
    }
    return root.body.toString('utf8');
  }
  return body.toString('utf8');
};
