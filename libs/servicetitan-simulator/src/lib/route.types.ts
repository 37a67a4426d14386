import type { SimulatorTenant } from './simulator.store';
import type { ParamSpec, ParsedQuery } from './query.parser';

export type SimulatedMethod = 'GET' | 'POST' | 'PATCH';

export interface RouteContext {
  tenant: SimulatorTenant;
  query: ParsedQuery;
  /** Path parameters of the route (`{id}`), as numbers. */
  params: Record<string, number>;
  /** The parsed JSON body, already validated against the operation's official request schema. */
  body: unknown;
  exportPageSize: number;
}

/** One simulated endpoint: `{method} /{module}/v2/tenant/{tenant}/{resource}`. */
export interface SimulatorRoute {
  /** Stable name used for call counts, e.g. `inventoryBills.list`, `vendors.create`. */
  name: string;
  method: SimulatedMethod;
  module: string;
  /** The spec's path after `/tenant/{tenant}/`, e.g. `vendors/{id}`. */
  resource: string;
  /** OpenAPI operationId of the official spec (used by the contract tests and the request-body schemas). */
  operationId: string;
  params: ParamSpec;
  /** Status of a successful answer (the spec's 2xx). Default 200. */
  status?: number;
  /** POST/PATCH: the body is validated against the operation's request schema before `handle` runs. */
  hasBody?: boolean;
  handle(ctx: RouteContext): unknown;
}

/** A business-rule failure of a handler, answered with the API's RFC 7807 body. */
export class SimulatorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly errors: Record<string, string[]> = {},
  ) {
    super(title);
  }
}
