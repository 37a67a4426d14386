/** Query parameter types the simulated endpoints declare (mirroring the official specs' parameter schemas). */
export type ParamType =
  | 'int'
  | 'bool'
  | 'date'
  | 'string'
  | 'guid'
  | 'idsCsv'
  | 'idsArray'
  | { enum: readonly string[] };
export type ParamSpec = Record<string, ParamType>;
export type ParsedValue = number | boolean | string | number[];
export type ParsedQuery = Record<string, ParsedValue | undefined>;

/** Validation failure rendered as the API's 400 body (`errors: { field: [messages] }`). */
export class QueryValidationError extends Error {
  constructor(
    readonly errors: Record<string, string[]>,
    readonly title = 'One or more validation errors occurred.',
  ) {
    super(title);
  }
}

const MAX_IDS = 50;

/**
 * Parses and validates the query string against a route's declared parameters. Parameters the route does not
 * declare are rejected: the real API would silently ignore a misspelt filter and return unfiltered data, and the
 * simulator is where such client bugs must surface. Enum values bind case-insensitively, as ASP.NET does.
 */
export function parseQuery(search: URLSearchParams, spec: ParamSpec): ParsedQuery {
  const errors: Record<string, string[]> = {};
  const out: ParsedQuery = {};
  const addError = (name: string, message: string) => (errors[name] ??= []).push(message);
  const names = new Set(search.keys());
  for (const name of names) {
    const type = spec[name];
    if (type === undefined) {
      addError(name, `The simulator does not support query parameter '${name}' on this endpoint.`);
      continue;
    }
    const values = search.getAll(name);
    if (type !== 'idsArray' && values.length > 1) {
      addError(name, `The parameter '${name}' was given ${values.length} times.`);
      continue;
    }
    const raw = values[0] ?? '';
    if (type === 'idsArray') {
      const ids = values.flatMap((v) => v.split(',')).map((v) => v.trim());
      if (ids.some((v) => !/^\d+$/.test(v))) addError(name, `The value '${values.join(',')}' is not valid.`);
      else out[name] = ids.map(Number);
      continue;
    }
    if (raw === '') continue; // ASP.NET binds an empty value of a nullable parameter to null
    switch (type) {
      case 'int':
        if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
          addError(name, `The value '${raw}' is not valid.`);
        else out[name] = Number(raw);
        break;
      case 'bool':
        if (!/^(true|false)$/i.test(raw)) addError(name, `The value '${raw}' is not valid.`);
        else out[name] = raw.toLowerCase() === 'true';
        break;
      case 'date': {
        const ms = Date.parse(raw);
        if (Number.isNaN(ms)) addError(name, `The value '${raw}' is not valid.`);
        else out[name] = ms;
        break;
      }
      case 'string':
        out[name] = raw;
        break;
      case 'guid':
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw))
          addError(name, `The value '${raw}' is not valid.`);
        else out[name] = raw.toLowerCase();
        break;
      case 'idsCsv': {
        const ids = raw.split(',').map((v) => v.trim());
        if (ids.some((v) => !/^\d+$/.test(v))) addError(name, `The value '${raw}' is not valid.`);
        else if (ids.length > MAX_IDS) addError(name, `Maximum ${MAX_IDS} ids are allowed.`);
        else out[name] = ids.map(Number);
        break;
      }
      default: {
        const match = type.enum.find((v) => v.toLowerCase() === raw.toLowerCase());
        if (match === undefined) addError(name, `The value '${raw}' is not valid. Values: [${type.enum.join(', ')}]`);
        else out[name] = match;
      }
    }
  }
  const page = out['page'];
  if (typeof page === 'number' && page < 1) addError('page', 'The field page must be greater than or equal to 1.');
  const pageSize = out['pageSize'];
  if (typeof pageSize === 'number' && (pageSize < 1 || pageSize > MAX_PAGE_SIZE)) {
    addError('pageSize', `The field pageSize must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  if (Object.keys(errors).length > 0) throw new QueryValidationError(errors);
  return out;
}

export const PAGE_PARAMS: ParamSpec = {
  page: 'int',
  pageSize: 'int',
  includeTotal: 'bool',
};
export const MODIFIED_PARAMS: ParamSpec = {
  modifiedOnOrAfter: 'date',
  modifiedBefore: 'date',
  createdOnOrAfter: 'date',
  createdBefore: 'date',
};
export const ACTIVE_VALUES = ['True', 'Any', 'False'] as const;
export const MAX_PAGE_SIZE = 5000;
export const DEFAULT_PAGE_SIZE = 50;

/** Page window of a parsed query (ranges were validated by parseQuery). */
export function pageWindow(query: ParsedQuery): {
  page: number;
  pageSize: number;
} {
  return {
    page: (query['page'] as number | undefined) ?? 1,
    pageSize: (query['pageSize'] as number | undefined) ?? DEFAULT_PAGE_SIZE,
  };
}
