import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Min } from 'class-validator';

export const X3_CREDENTIALS = 'connector.x3-credentials';

/** Token values are `enc:v1:` AES-256-GCM ciphertexts (libs/config SecretBox), never plaintext. */
const CIPHERTEXT = /^enc:v1:[A-Za-z0-9+/=]+$/;

/**
 * The current Sage X3 OAuth2 token set of one tenant (compacted topic connector.x3-credentials.v1, key = tenant id).
 * Written by the tenant's credential owner (x3-poster or x3-poller, one at a time) after each refresh, before the
 * new tokens are used, and by the tenant CLI when it seeds a newly approved refresh token. Every process of the
 * tenant reads it. The tokens are encrypted with CONNECTOR_ENCRYPTION_KEY, bound to the tenant and field.
 */
export class X3CredentialsV1 {
  /** Increases by one with every saved change; a writer bases its save on the generation it read. */
  @IsInt() @Min(0) generation!: number;
  @IsOptional() @Matches(CIPHERTEXT, { message: 'accessToken must be an enc:v1: ciphertext' }) accessToken?: string;
  @IsOptional() @IsISO8601() accessTokenExpiresAt?: string;
  @IsOptional() @Matches(CIPHERTEXT, { message: 'refreshToken must be an enc:v1: ciphertext' }) refreshToken?: string;
  @IsOptional() @IsISO8601() refreshTokenExpiresAt?: string;
  /** Where the refresh-token expiry came from: the token response, the token's JWT exp, the configured lifetime, or the CLI's seed. */
  @IsOptional() @IsIn(['response', 'jwt', 'configured', 'seeded']) refreshTokenExpirySource?:
    | 'response'
    | 'jwt'
    | 'configured'
    | 'seeded';
  @IsISO8601() updatedAt!: string;
  /** Who wrote it: `x3-poster`, `x3-poller`, `tenant-cli`… (for the operator; never used for decisions). */
  @IsString() writer!: string;
}
