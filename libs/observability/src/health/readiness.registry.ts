/** Components report readiness here; /health/ready is green only when every check is. */
export interface ReadinessCheck {
  name: string;
  check: () => boolean | Promise<boolean>;
}

export class ReadinessRegistry {
  private readonly checks: ReadinessCheck[] = [];

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const results: Record<string, boolean> = {};
    for (const c of this.checks) {
      try {
        results[c.name] = await c.check();
      } catch {
        results[c.name] = false;
      }
    }
    return { ready: this.checks.length > 0 && Object.values(results).every(Boolean), checks: results };
  }
}
