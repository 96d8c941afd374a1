/**
 * MLLP framing (HL7 v2 Minimal Lower Layer Protocol, HL7 v2.5.1 Implementation Guide for MLLP release 2 / the
 * classic "MLLP" of v2.x appendix C): <VT 0x0B> message <FS 0x1C><CR 0x0D>. Bytes outside a frame are ignored.
 */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export const frame = (payload: Buffer): Buffer => Buffer.concat([Buffer.from([VT]), payload, Buffer.from([FS, CR])]);

export type DecoderEvent = { readonly kind: 'message'; readonly payload: Buffer } | { readonly kind: 'too-large'; readonly size: number };

/**
 * Incremental decoder: push() chunks as they arrive (a frame may be split anywhere, several frames may share a chunk),
 * get back complete frames. A frame growing beyond maxBytes yields one `too-large` event as soon as the limit is
 * passed (the caller answers and closes; the rest of that frame is dropped).
 */
export class MllpDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  private overflow = false;
  private reported = false;
  /** Last byte of the previous chunk was FS (the CR may come in the next chunk). */
  private pendingFs = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): DecoderEvent[] {
    const events: DecoderEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(VT, i);
        if (start < 0) {
          break;
        }
        this.inFrame = true;
        this.parts = [];
        this.size = 0;
        this.overflow = false;
        this.reported = false;
        this.pendingFs = false;
        i = start + 1;
        continue;
      }
      if (this.pendingFs) {
        this.pendingFs = false;
        if (chunk[i] === CR) {
          this.finish(events);
          i += 1;
          continue;
        }
        // A lone FS inside the message: keep it as data.
        this.append(Buffer.from([FS]));
      }
      const end = chunk.indexOf(FS, i);
      if (end < 0) {
        this.append(chunk.subarray(i));
        this.report(events);
        break;
      }
      this.append(chunk.subarray(i, end));
      this.report(events);
      if (end + 1 >= chunk.length) {
        this.pendingFs = true;
        break;
      }
      if (chunk[end + 1] === CR) {
        this.finish(events);
        i = end + 2;
      } else {
        this.append(Buffer.from([FS]));
        i = end + 1;
      }
    }
    return events;
  }

  /** Bytes of the frame in progress (0 when between frames). */
  get buffered(): number {
    return this.inFrame ? this.size : 0;
  }

  private append(b: Buffer): void {
    if (b.length === 0) {
      return;
    }
    this.size += b.length;
    if (this.size > this.maxBytes) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    if (!this.overflow) {
      this.parts.push(b);
    }
  }

  private report(events: DecoderEvent[]): void {
    if (this.overflow && !this.reported) {
      this.reported = true;
      events.push({ kind: 'too-large', size: this.size });
    }
  }

  private finish(events: DecoderEvent[]): void {
    this.inFrame = false;
    if (!this.overflow) {
      events.push({ kind: 'message', payload: Buffer.concat(this.parts) });
    }
    this.parts = [];
    this.size = 0;
  }
}
