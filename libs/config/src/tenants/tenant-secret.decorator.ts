import { classChain, DtoClass, nestedFields } from '@connector/util';
import { IsDefined, ValidateBy, ValidateIf, ValidationArguments } from 'class-validator';
import { Secret, SecretBox } from '../secrets/secret-box';

declare const encrypted: unique symbol;
/** A secret as stored in the tenants file: `enc:v1:` ciphertext. In a loaded TenantConfig it is a `Secret`. */
export type EncryptedSecret = string & { readonly [encrypted]: true };

export interface TenantSecretOptions {
  /** A list of secrets (the webhook secrets during a rotation overlap) of this many entries. */
  list?: { min: number; max: number };
  /** Only needed (validated and decrypted) when this holds for the owning section, e.g. the refresh_token grant. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  when?: (owner: any) => boolean;
}

const secretFieldsOf = new WeakMap<object, Map<string, TenantSecretOptions>>();

/**
 * A secret field: its value must be `enc:v1:` ciphertext (the tenant CLI writes it), decrypted at load time with
 * associated data bound to the tenant and the field's path. Marking a field is all it takes for the CLI to encrypt,
 * rotate and re-key it (SECRET_PATHS is derived from these marks).
 */
export function TenantSecret(options: TenantSecretOptions = {}): PropertyDecorator {
  return (target, key) => {
    const fields = secretFieldsOf.get(target.constructor) ?? new Map<string, TenantSecretOptions>();
    fields.set(String(key), options);
    secretFieldsOf.set(target.constructor, fields);
    if (options.when) ValidateIf(options.when)(target, key);
    const list = options.list;
    if (list) {
      const count = `$path must hold ${list.min === 1 && list.max === 2 ? 'one or two' : `${list.min} to ${list.max}`} secrets`;
      IsDefined({ message: count })(target, key);
      ValidateBy({
        name: 'secretCount',
        validator: {
          validate: (v: unknown) => Array.isArray(v) && v.length >= list.min && v.length <= list.max,
          defaultMessage: () => count,
        },
      })(target, key);
    } else {
      IsDefined({ message: '$path is required (encrypted string)' })(target, key);
    }
    ValidateBy({
      name: 'encryptedSecret',
      validator: {
        // A list's count is checked above; here every element (or the single value) must be ciphertext.
        validate: (v: unknown) =>
          list ? !Array.isArray(v) || v.every(SecretBox.isEncrypted) : SecretBox.isEncrypted(v),
        defaultMessage: (args?: ValidationArguments) => {
          const values: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          return values.some((v) => typeof v === 'string' && !SecretBox.isEncrypted(v))
            ? '$path must be encrypted (enc:v1:…); use the tenant CLI to set it'
            : '$path must be an encrypted string (enc:v1:…)';
        },
      },
    })(target, key);
  };
}

function secretFields(cls: object): Map<string, TenantSecretOptions> {
  const out = new Map<string, TenantSecretOptions>();
  for (const c of classChain(cls)) for (const [k, v] of secretFieldsOf.get(c) ?? []) out.set(k, v);
  return out;
}

/** Paths of every secret field under a DTO class (own fields first, then nested sections in declaration order). */
export function secretPaths(cls: DtoClass, prefix = ''): string[] {
  const own = [...secretFields(cls).keys()].map((k) => prefix + k);
  // Records (maps keyed by data) have no fixed path; a secret inside one would need its own rule.
  const nested = nestedFields(cls)
    .filter((f) => f.kind === 'object')
    .flatMap((f) => f.types().flatMap((t) => secretPaths(t, `${prefix}${f.property}.`)));
  return [...new Set([...own, ...nested])];
}

/** Replaces every EncryptedSecret in T by a Secret (what a loaded tenant holds); Maps become records. */
export type Resolved<T> = T extends EncryptedSecret
  ? Secret
  : T extends Map<string, infer V>
    ? Record<string, Resolved<V>>
    : T extends readonly (infer U)[]
      ? Resolved<U>[]
      : T extends object
        ? { [K in keyof T]: Resolved<T[K]> }
        : T;

/**
 * Copies a validated DTO into plain objects, decrypting each secret field through `decrypt(ciphertext, path)`.
 * Robust on an invalid DTO (wrong types are copied as they are), so decryption problems can be listed alongside
 * validation problems.
 */
export function resolveSecrets(
  value: unknown,
  decrypt: (ciphertext: unknown, path: string) => Secret | undefined,
  path = '',
): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveSecrets(v, decrypt, path));
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [k, resolveSecrets(v, decrypt, `${path}.${k}`)]));
  if (typeof value !== 'object' || value === null || value.constructor === Object) return value;
  const secrets = secretFields(value.constructor);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const s = secrets.get(k);
    if (!s) out[k] = resolveSecrets(v, decrypt, p);
    else if (v === undefined || (s.when && !s.when(value))) out[k] = undefined;
    else out[k] = s.list ? (Array.isArray(v) ? v.map((c) => decrypt(c, p)) : undefined) : decrypt(v, p);
  }
  return out;
}
