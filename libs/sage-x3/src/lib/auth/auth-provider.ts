/** Supplies the Authorization header for each call. */
export interface AuthProvider {
  readonly mode: 'basic' | 'oauth2' | 'jwt';
  /** The full Authorization header value; refreshes/regenerates the credential first when due. */
  authorization(): Promise<string>;
  /**
   * Called after an HTTP 401 with the header that was sent. Drops that credential if it is still the current
   * one and says whether one retry with a fresh credential is worth trying.
   */
  handleUnauthorized(usedAuthorization: string): boolean;
  /** Human description for error messages (no secrets). */
  describe(): string;
}
