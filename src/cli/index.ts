/** Placeholder replaced below in the foundation commit. */
export function main(_args: string[]): Promise<number> {
  return Promise.resolve(0);
}
