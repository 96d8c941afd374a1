/** Test messages with the ACK_RECEPTION flag, and the received ZAM read back with our own HL7 v2 tokenizer. */
import assert from 'node:assert/strict';
import { readDelimiters, splitMessages, toSegments, type Segment } from '../../../src/adapters/hl7v2/tokenize.js';

const FLAG = 'CE|ACK_RECEPTION^Accusé de réception^MetaDMPMSS||Y^^expandedYes-NoIndicator||||||F';

/**
 * A fixture ORU (or batch) with, in each message, the MetaDMPMSS flag ACK_RECEPTION = Y (before SPM, after the
 * results) when `ack`; with `messageId`, MSH-10 and the accession number made unique with it (single message only).
 */
export const oruWithAckReception = (raw: Buffer, messageId: string | undefined, ack: boolean): Buffer => {
  let text = raw.toString('utf8');
  if (messageId !== undefined) {
    const msh = text.split('\r')[0] ?? '';
    const f = msh.split('|');
    const original = f[9] ?? '';
    f[9] = messageId;
    text = text.replace(msh, f.join('|')).replaceAll(/ACC-2026-\d+/g, (a) => `${a}-${messageId}`);
    assert.notEqual(original, messageId);
  }
  if (!ack) {
    return Buffer.from(text, 'utf8');
  }
  const out: string[] = [];
  let obx = 0;
  let pending = false;
  const flush = (): void => {
    if (pending) {
      out.push(`OBX|${obx + 1}|${FLAG}`);
      pending = false;
    }
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    const name = line.slice(0, 3);
    if (name === 'MSH' || name === 'BTS' || name === 'FTS' || name === 'SPM' || line === '') {
      flush();
    }
    if (name === 'MSH') {
      obx = 0;
      pending = true;
    }
    if (name === 'OBX') {
      obx = Number(line.split('|')[1] ?? obx);
    }
    if (line !== '') {
      out.push(line);
    }
  }
  flush();
  return Buffer.from(`${out.join('\r')}\r`, 'utf8');
};

export interface ReadZam {
  readonly msh: Segment;
  readonly obx: Segment | undefined;
  readonly err: Segment | undefined;
}

/** The received ZAM, decoded as strict UTF-8 (its MSH-18) and split by our tokenizer. */
export const zamOf = (bytes: Buffer | undefined): ReadZam => {
  assert.ok(bytes, 'a message was received');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const { messages, issues } = splitMessages(text);
  assert.deepEqual(issues, []);
  assert.equal(messages.length, 1);
  const lines = messages[0] ?? [];
  const d = readDelimiters(lines[0] ?? '');
  assert.ok(d);
  const segments = toSegments(lines, d);
  const msh = segments.find((s) => s.name === 'MSH');
  assert.ok(msh);
  return { msh, obx: segments.find((s) => s.name === 'OBX'), err: segments.find((s) => s.name === 'ERR') };
};
