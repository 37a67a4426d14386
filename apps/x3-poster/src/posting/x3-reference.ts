/** The mapper's external references are `<tenant>:<KIND>:<id>:R<revision>[:REV]`, at most 60 characters. */
const EXTERNAL_REF_MAX = 60;

/**
 * The longest external reference the poster expects to write for a tenant (a job of a `digits`-digit id, a
 * three-digit revision, a reversal): what the start-up field check measures against the reference field's length.
 */
export function longestExternalRef(tenant: string, digits: number): string {
  return `${tenant}:JOB:${'9'.repeat(digits)}:R999:REV`.slice(0, EXTERNAL_REF_MAX);
}
