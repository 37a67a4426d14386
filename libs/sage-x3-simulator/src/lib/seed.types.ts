import { RepresentationCustomisation } from './representation';

/**
 * JSON fixture format for simulator folders. Field names are X3's own codes. Amounts/quantities are decimal
 * strings (numbers are accepted in fixtures and converted). Active flags accept true/false or X3's 2/1.
 */

export type SeedFlag = boolean | 1 | 2;
export type SeedDecimal = string | number;

export interface SeedFiscalPeriod {
  PER: number;
  STRDAT: string;
  ENDDAT: string;
  closed?: boolean;
}

export interface SeedFiscalYear {
  CPY: string;
  FIY: string | number;
  STRDAT: string;
  ENDDAT: string;
  closed?: boolean;
  /** Explicit periods; default: one per calendar month of the year, all open except closedPeriods. */
  periods?: SeedFiscalPeriod[];
  closedPeriods?: number[];
}

export interface SageX3FolderSeed {
  /** Folder / endpoint name. */
  name: string;
  /** Auth modes accepted per surface. Default api1: basic + oauth2; graphql: oauth2 + jwt. */
  auth?: { api1?: Array<'basic' | 'oauth2' | 'jwt'>; graphql?: Array<'basic' | 'oauth2' | 'jwt'> };
  /**
   * Published representations besides each class's standard one (published under the class name): name → class,
   * or name → { class, remove, rename, maxLength, add } to reproduce a site's customised representation. A key equal
   * to a class name customises that class's standard representation.
   */
  representations?: Record<string, string | ({ class: string } & RepresentationCustomisation)>;
  /** Reject a second purchase invoice with the same supplier + supplier invoice number (X3 control). Default true. */
  blockDuplicateSupplierInvoiceNumber?: boolean;
  /** Reject a supplier whose tax id (CRN) another supplier already has. Default true. */
  uniqueSupplierTaxId?: boolean;
  /**
   * HTTP status of a business rejection (a `$create` refused with `error` diagnoses). Sage does not publish it:
   * 400 by default; 500 reproduces sites that answer business errors with a server error.
   */
  businessErrorStatus?: number;
  currencies?: Array<{ CUR: string; DES?: string; CURDEC?: number }>;
  exchangeRates?: Array<{ from: string; to: string; rate: SeedDecimal }>;
  companies?: Array<{ CPY: string; DES?: string; CUR: string }>;
  sites?: Array<{ FCY: string; CPY: string; DES?: string }>;
  journals?: Array<{ JOU: string; DES?: string; ENAFLG?: SeedFlag }>;
  /** Allowed entry types (TYP); any non-empty type is accepted when omitted. */
  entryTypes?: string[];
  fiscalYears?: SeedFiscalYear[];
  accounts?: Array<{ ACC: string; DES?: string; ENAFLG?: SeedFlag; DIE?: string[] }>;
  costCenters?: Array<{ DIE: string; CCE: string; DES?: string; ENAFLG?: SeedFlag }>;
  suppliers?: Array<{ BPSNUM: string; BPSNAM?: string; ENAFLG?: SeedFlag; CUR?: string; CRY?: string; CRN?: string }>;
  /** PURBASPRI: base purchase price (the product cost the material sync reads). */
  products?: Array<{ ITMREF: string; ITMDES1?: string; TCLCOD?: string; STU?: string; PURBASPRI?: SeedDecimal }>;
  purchaseOrders?: Array<{
    POHNUM: string;
    POHFCY: string;
    BPSNUM: string;
    ORDDAT: string;
    CUR: string;
    PORDERQ: Array<{ POPLIN: number; ITMREF: string; QTYUOM: SeedDecimal; NETPRI: SeedDecimal }>;
  }>;
  receipts?: Array<{
    PTHNUM: string;
    PRHFCY: string;
    BPSNUM: string;
    RCPDAT: string;
    PRECEIPTD: Array<{ PTDLIN?: number; POHNUM: string; POPLIN: number; ITMREF?: string; QTYUOM: SeedDecimal }>;
  }>;
}

export interface SageX3SimAuthSeed {
  basic?: Array<{ user: string; password: string; folders?: string[] }>;
  oauth2?: {
    clients: Array<{
      clientId: string;
      clientSecret: string;
      /** X3 user the app acts as. */
      user?: string;
      folders?: string[];
      grants?: Array<'client_credentials' | 'refresh_token'>;
    }>;
    /** Default 300 (5 minutes). */
    accessTokenLifetimeSeconds?: number;
    /** Default 2 592 000 (30 days). */
    refreshTokenLifetimeSeconds?: number;
    /**
     * When true a rotated refresh token keeps the expiry of the one it replaces (30 days from user consent,
     * absolute); default false: each rotation starts a new lifetime.
     */
    rotationKeepsExpiry?: boolean;
    /** Leave `refresh_token_expires_in` out of token responses (some servers do). Default false. */
    omitRefreshTokenExpiresIn?: boolean;
    /** Issue refresh tokens as JWTs (HS256, with `exp`), as some servers do. Default false (opaque tokens). */
    jwtRefreshTokens?: boolean;
  };
  jwt?: {
    apps: Array<{ clientId: string; secret: string; audience?: string; folders?: string[]; users?: string[] }>;
    /** How far in the future `iat` may be. Default 10 s. */
    iatToleranceSeconds?: number;
    /** Longest accepted exp - iat. Default 3600 s. */
    maxLifetimeSeconds?: number;
  };
}

export interface SageX3SeedFile {
  auth?: SageX3SimAuthSeed;
  folders: SageX3FolderSeed[];
}
