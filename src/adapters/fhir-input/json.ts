/**
 * Safe reading of untrusted JSON with the JSON path of every value, so that each problem names where it is
 * (`$.entry[2].resource.identifier[0].value`). The installed @types/fhir is the STU3 edition, so R4 input is
 * read structurally here rather than trusted through types.
 */
export class Node {
  constructor(
    readonly value: unknown,
    readonly path: string,
  ) {}

  get(key: string): Node {
    const v = this.value !== null && typeof this.value === 'object' && !Array.isArray(this.value) ? (this.value as Record<string, unknown>)[key] : undefined;
    return new Node(v, `${this.path}.${key}`);
  }

  /** Array items (a missing element is an empty array; a single object is not turned into an array). */
  items(): Node[] {
    return Array.isArray(this.value) ? this.value.map((v, i) => new Node(v, `${this.path}[${i}]`)) : [];
  }

  at(i: number): Node {
    return Array.isArray(this.value) ? new Node(this.value[i], `${this.path}[${i}]`) : new Node(undefined, `${this.path}[${i}]`);
  }

  get exists(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  get isObject(): boolean {
    return this.value !== null && typeof this.value === 'object' && !Array.isArray(this.value);
  }

  get isArray(): boolean {
    return Array.isArray(this.value);
  }

  /** A string value (trimmed), or undefined. */
  str(): string | undefined {
    return typeof this.value === 'string' ? this.value.trim() : undefined;
  }

  /** A number as its decimal text (FHIR decimals keep their precision only as written; JSON numbers lose it). */
  num(): string | undefined {
    if (typeof this.value === 'number' && Number.isFinite(this.value)) {
      return String(this.value);
    }
    return undefined;
  }

  bool(): boolean | undefined {
    return typeof this.value === 'boolean' ? this.value : undefined;
  }
}
