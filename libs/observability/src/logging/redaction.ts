/**
 * Secrets never reach a log line: values registered here are masked wherever they appear, and fields whose
 * name looks secret are masked whatever their value.
 */
const SECRET_KEY_PATTERN =
  /(secret|password|passwd|token|authorization|apikey|api_key|app[-_]?key|private|credential|signature|encryption[-_]?key)/i;
const registered = new Set<string>();

export const Redactor = {
  /** Register a secret value (min 4 chars, so short values don't mask half the log). */
  register(value: string | undefined | null): void {
    if (value && value.length >= 4) registered.add(value);
  },
  /** Forget a value that can no longer be used (a superseded rotating token), so the set does not grow forever. */
  unregister(value: string | undefined | null): void {
    if (value) registered.delete(value);
  },
  clear(): void {
    registered.clear();
  },
  redactString(text: string): string {
    let out = text;
    for (const s of registered) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    // Bearer/Basic credentials in any echoed header.
    return out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [REDACTED]');
  },
  redact(value: unknown, depth = 0): unknown {
    if (depth > 8) return '[…]';
    if (typeof value === 'string') return Redactor.redactString(value);
    if (Array.isArray(value)) return value.map((v) => Redactor.redact(v, depth + 1));
    if (value instanceof Error)
      return {
        name: value.name,
        message: Redactor.redactString(value.message),
        stack: value.stack ? Redactor.redactString(value.stack) : undefined,
      };
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out[k] =
          SECRET_KEY_PATTERN.test(k) && v !== null && v !== undefined && typeof v !== 'boolean'
            ? '[REDACTED]'
            : Redactor.redact(v, depth + 1);
      }
      return out;
    }
    return value;
  },
};
