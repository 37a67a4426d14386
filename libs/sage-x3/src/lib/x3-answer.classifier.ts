import { SEVERITY_RANK, X3Diagnosis, X3ErrorKind, mostSevere } from './sage-x3.errors';

/** "No Web services accepted": the Syracuse web-service pool has no free X3 process (never applied). */
export const POOL_EXHAUSTED = /no web services? accepted/i;

/**
 * Wording of an answer to a query on a property the representation lacks, when X3 sends it without an error
 * diagnosis (inference: the exact text is unpublished; the client takes extra patterns in `configErrorPatterns`).
 */
export const UNKNOWN_PROPERTY =
  /(unknown|invalid|undefined) (property|field|column)|property .{1,80}(not found|does not exist|unknown)/i;

export interface X3Answer {
  surface: 'api1' | 'graphql';
  /** A read (GET, GraphQL query) or a write (POST/PUT, mutation). */
  operation: 'read' | 'write';
  /** HTTP status of the answer. */
  status: number;
  /** `$diagnoses` (api1) or `errors[].extensions.diagnoses` (GraphQL). */
  diagnoses: X3Diagnosis[];
  /** The URL addressed one record by key (`CLASS('KEY')`): a 404 then means the record does not exist. */
  addressesRecord?: boolean;
  /** Text of the answer besides the diagnoses (GraphQL gateway `$message`, the start of a non-SData body). */
  message?: string;
  /** Patterns that mark a failed read as a configuration error. Default [UNKNOWN_PROPERTY]. */
  configErrorPatterns?: RegExp[];
}

export interface X3AnswerClass {
  kind: 'ok' | X3ErrorKind;
  /** The row of the table in docs/x3-poster.md that decided it. */
  rule: string;
}

/**
 * What an X3 answer means, from the HTTP status AND the diagnoses' severities — never the status alone: X3 may
 * answer a business rejection with HTTP 500, and a read on an unknown property with HTTP 500 too. The rows below are
 * the table "How Sage X3 answers are classified" in docs/x3-poster.md, in the order they are tried.
 */
export function classifyX3Answer(answer: X3Answer): X3AnswerClass {
  const { status, operation, diagnoses } = answer;
  const worst = diagnoses.length ? mostSevere(diagnoses) : undefined;
  const hasError = worst !== undefined && SEVERITY_RANK[worst] >= SEVERITY_RANK.error;
  const write = operation === 'write';
  const notFound = answer.addressesRecord ? 'not-found' : 'config';

  if (status >= 200 && status < 300) {
    if (worst === 'transient') return { kind: 'transient', rule: '2xx with a transient diagnosis (none error/fatal)' };
    if (!hasError) return { kind: 'ok', rule: '2xx without an error diagnosis' };
    if (write) return { kind: 'business', rule: '2xx with an error/fatal diagnosis on a write' };
    return { kind: notFound, rule: '2xx with an error/fatal diagnosis on a read' };
  }
  if (status === 401 || status === 403) return { kind: 'auth', rule: `HTTP ${status}` };
  const texts = [...diagnoses.map((d) => d.message), answer.message ?? ''];
  if ((status >= 500 || status === 429) && texts.some((t) => POOL_EXHAUSTED.test(t)))
    return { kind: 'transient', rule: 'pool exhausted ("No Web services accepted")' };
  if (worst === 'transient') return { kind: 'transient', rule: 'transient diagnosis (none error/fatal)' };
  if (hasError) {
    if (write) return { kind: 'business', rule: 'error/fatal diagnosis on a write, any status (even 500)' };
    if (status === 404) return { kind: notFound, rule: 'HTTP 404 on a read' };
    return { kind: 'config', rule: 'error/fatal diagnosis on a read (unknown property, bad query), any status' };
  }
  if (status === 404) return { kind: notFound, rule: 'HTTP 404' };
  if (status === 408 || status === 429 || status === 503)
    return { kind: 'transient', rule: `HTTP ${status} (refused before processing)` };
  if (!write && (answer.configErrorPatterns ?? [UNKNOWN_PROPERTY]).some((p) => texts.some((t) => p.test(t))))
    return { kind: 'config', rule: 'a read answered with an unknown-property message, any status' };
  if (status >= 500) {
    return write
      ? { kind: 'unknown-outcome', rule: '5xx without a business diagnosis on a write' }
      : { kind: 'transient', rule: '5xx without a business diagnosis on a read' };
  }
  if (write && (status === 409 || status === 422))
    return { kind: 'business', rule: `HTTP ${status} on a write without diagnoses` };
  return { kind: 'config', rule: `HTTP ${status} without a business diagnosis (malformed request)` };
}
