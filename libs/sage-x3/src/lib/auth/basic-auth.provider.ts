import { SageX3BasicAuth } from '../sage-x3.config';
import { AuthProvider } from './auth-provider';

export class BasicAuthProvider implements AuthProvider {
  readonly mode = 'basic' as const;
  private readonly header: string;

  constructor(private readonly config: SageX3BasicAuth) {
    this.header = `Basic ${Buffer.from(`${config.user}:${config.password}`, 'utf8').toString('base64')}`;
  }

  async authorization(): Promise<string> {
    return this.header;
  }

  handleUnauthorized(): boolean {
    // Same user and password would be refused again.
    return false;
  }

  describe(): string {
    return `Basic credentials of X3 user '${this.config.user}'`;
  }
}
