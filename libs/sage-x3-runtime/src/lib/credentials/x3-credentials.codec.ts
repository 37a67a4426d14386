import { secretAad, SecretBox } from '@connector/config';
import { X3CredentialsV1 } from '@connector/contracts';
import { X3TokenSet } from '@connector/sage-x3';

/** Where in the credentials record a token lives: part of its encryption's associated data (tenant + field). */
export const CREDENTIAL_FIELDS = {
  accessToken: 'x3Credentials.accessToken',
  refreshToken: 'x3Credentials.refreshToken',
} as const;

/**
 * Token set ↔ credentials record, with the tenants-file scheme: AES-256-GCM under CONNECTOR_ENCRYPTION_KEY, the
 * associated data binding each ciphertext to its tenant and field (a token copied to another tenant or field does
 * not decrypt).
 */
export class X3CredentialsCodec {
  constructor(private readonly box: SecretBox) {}

  encode(tenant: string, set: X3TokenSet, writer: string): X3CredentialsV1 {
    const record: X3CredentialsV1 = {
      generation: set.generation,
      updatedAt: new Date(set.updatedAt).toISOString(),
      writer,
    };
    if (set.accessToken) {
      record.accessToken = this.box.encrypt(set.accessToken, secretAad(tenant, CREDENTIAL_FIELDS.accessToken));
      if (set.accessTokenExpiresAt !== undefined)
        record.accessTokenExpiresAt = new Date(set.accessTokenExpiresAt).toISOString();
    }
    if (set.refreshToken)
      record.refreshToken = this.box.encrypt(set.refreshToken, secretAad(tenant, CREDENTIAL_FIELDS.refreshToken));
    if (set.refreshTokenExpiresAt !== undefined)
      record.refreshTokenExpiresAt = new Date(set.refreshTokenExpiresAt).toISOString();
    if (set.refreshTokenExpirySource) record.refreshTokenExpirySource = set.refreshTokenExpirySource;
    return record;
  }

  /** Throws (naming the field, never a value) when a token does not decrypt: wrong key or tampered record. */
  decode(tenant: string, record: X3CredentialsV1): X3TokenSet {
    const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
    return {
      generation: record.generation,
      updatedAt: Date.parse(record.updatedAt),
      accessToken: record.accessToken
        ? this.box.decrypt(record.accessToken, secretAad(tenant, CREDENTIAL_FIELDS.accessToken))
        : undefined,
      accessTokenExpiresAt: time(record.accessTokenExpiresAt),
      refreshToken: record.refreshToken
        ? this.box.decrypt(record.refreshToken, secretAad(tenant, CREDENTIAL_FIELDS.refreshToken))
        : undefined,
      refreshTokenExpiresAt: time(record.refreshTokenExpiresAt),
      refreshTokenExpirySource: record.refreshTokenExpirySource,
    };
  }
}
