import {
  HttpUrl,
  IanaTimeZone,
  Inline,
  IntBetween,
  isDateOnly,
  isPlainObject,
  NestedObject,
  NestedRecord,
  NonEmptyString,
  OneOf,
  StringList,
  TemplatePlaceholders,
  TrueOrFalse,
} from '@connector/util';
import { Transform } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateBy,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';
import { EncryptedSecret, TenantSecret } from './tenant-secret.decorator';

/*
 * The tenants file schema: one DTO class per section. To add a setting, add one property to its section with its
 * decorators and, if optional, its default as the initializer; the loaded type (TenantConfig) follows by itself.
 * Defaults that depend on other values (ServiceTitan URLs per environment, name = id, representation = class,
 * paths relative to the file) are filled in by resolveTenant() in tenant-registry.ts. A secret field is marked with
 * @TenantSecret() (type EncryptedSecret) and becomes a Secret when loaded.
 */

export type ServiceTitanEnvironment = 'production' | 'integration';

export const SERVICETITAN_URLS: Record<ServiceTitanEnvironment, { authUrl: string; apiBaseUrl: string }> = {
  production: { authUrl: 'https://auth.servicetitan.io/connect/token', apiBaseUrl: 'https://api.servicetitan.io' },
  integration: {
    authUrl: 'https://auth-integration.servicetitan.io/connect/token',
    apiBaseUrl: 'https://api-integration.servicetitan.io',
  },
};

export const DEFAULT_X3_CLASSES: Record<string, { class: string; representation: string }> = {
  journalEntry: { class: 'GACCENTRY', representation: 'GACCENTRY' },
  glAccount: { class: 'GACCOUNT', representation: 'GACCOUNT' },
  costCenter: { class: 'CACCE', representation: 'CACCE' },
  supplier: { class: 'BPSUPPLIER', representation: 'BPSUPPLIER' },
  purchaseOrder: { class: 'PORDER', representation: 'PORDER' },
  purchaseInvoice: { class: 'PINVOICE', representation: 'PINVOICE' },
  product: { class: 'ITMMASTER', representation: 'ITMMASTER' },
};

/** Tenant ids are lowercase slugs: they appear in message keys, topic records and X3 references. */
export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const X3_NAME = /^[A-Za-z0-9_]{1,30}$/;
/** X3 field codes: a letter, then letters, digits, underscores. */
const X3_FIELD = /^[A-Za-z][A-Za-z0-9_]{0,29}$/;
/** The connector's logical field names (`supplierInvoiceNumber`, `costCenter`). */
const LOGICAL_FIELD = /^[a-z][A-Za-z0-9]{0,39}$/;

const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/** Dotted paths into a webhook body, tried in order; the first that holds a value wins. */
function FieldPaths(): PropertyDecorator {
  return (target, key) => {
    StringList()(target, key);
    ValidateBy({
      name: 'fieldPaths',
      validator: {
        validate: (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((p) => FIELD_PATH.test(String(p))),
        defaultMessage: () => '$path must list dotted field paths such as "data.id"',
      },
    })(target, key);
  };
}

/**
 * Where a webhook body carries what the connector takes from it. The defaults read both generations: V1 (the entity
 * at the top plus `__eventInfo{eventId, webhookType}`, `__tenantInfo{id}`) and the V2-style envelope
 * (`{eventId, eventType, tenantId, data: {id}}`, unpublished by ServiceTitan: an assumption, hence configurable).
 */
export class StWebhookFieldsDto {
  @FieldPaths() eventId: string[] = ['__eventInfo.eventId', 'eventId'];
  @FieldPaths() eventType: string[] = ['__eventInfo.webhookType', 'eventType'];
  @FieldPaths() entityId: string[] = ['id', 'data.id'];
  /** Checked against the tenant's ServiceTitan tenant id when present. */
  @FieldPaths() tenantId: string[] = ['__tenantInfo.id', 'tenantId'];
}

export class StWebhookDto {
  /** Header carrying the HMAC signature (case-insensitive; stored lower-case). */
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(HEADER_NAME, { message: '$path must be an HTTP header name' })
  signatureHeader: string = 'x-servicetitan-signature';
  @OneOf(['hex', 'base64'], '$path must be hex or base64') encoding: 'hex' | 'base64' = 'hex';
  /** One or two active secrets (rotation overlap); the newest first. */
  @TenantSecret({ list: { min: 1, max: 2 } }) secrets!: EncryptedSecret[];
  @IntBetween(1, 100 * 1024 * 1024) maxBodyBytes: number = 1024 * 1024;
  @NestedObject(() => StWebhookFieldsDto) fields: StWebhookFieldsDto = new StWebhookFieldsDto();
}

export class StPullDto {
  @TrueOrFalse() enabled: boolean = true;
  @IntBetween(1, 86_400) intervalSeconds: number = 300;
  /** ServiceTitan allows up to 5000 per page. */
  @IntBetween(1, 5000) pageSize: number = 500;
}

/** Write-back: after X3 confirmed a document, mark the ServiceTitan invoice / inventory bill as exported. */
export class StWriteBackDto {
  /** Off by default: the connector otherwise never writes to ServiceTitan invoicing. */
  @TrueOrFalse() enabled: boolean = false;
  /** `externalMessage` of an invoice mark. */
  @NonEmptyString()
  @TemplatePlaceholders(['documentNumber', 'externalRef'])
  externalMessage: string = 'Posted to Sage X3 as {documentNumber} ({externalRef})';
}

/** Which payroll gross pay items are a job's labor cost (docs/mapping-rules.md). */
export class StLaborDto {
  @StringList() grossPayItemTypes: string[] = ['TimesheetTime'];
  /** true: items ServiceTitan marks inactive (`active: false`) are not costs. */
  @TrueOrFalse() activeOnly: boolean = true;
  /** Hold a completed job back until none of its labor items changed for this long (0 = post at once). */
  @ValidateBy({
    name: 'settleMinutes',
    validator: {
      validate: (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 10_080,
      defaultMessage: () => '$path must be a number of minutes between 0 and 10080',
    },
  })
  settleMinutes: number = 0;
}

export class ServiceTitanDto {
  @OneOf(['production', 'integration'], '$path must be production or integration')
  environment: ServiceTitanEnvironment = 'integration';
  /** Overrides for simulators and proxies; default from the environment. */
  @IsOptional() @HttpUrl() authUrl?: string;
  @IsOptional() @HttpUrl() apiBaseUrl?: string;
  @IsInt({ message: '$path must be a positive integer' })
  @Min(1, { message: '$path must be a positive integer' })
  tenantId!: number;
  @TenantSecret() appKey!: EncryptedSecret;
  @NonEmptyString() clientId!: string;
  @TenantSecret() clientSecret!: EncryptedSecret;
  @NestedObject(() => StWebhookDto) webhook: StWebhookDto = new StWebhookDto();
  @NestedObject(() => StPullDto) pull: StPullDto = new StPullDto();
  /**
   * Go-live date: the export feeds start here (a day early, so no time zone loses its first hours) and records whose
   * business date is before it are never posted, except inside a backfill window. Required when the pull is on.
   */
  @ValidateIf((o: ServiceTitanDto, v: unknown) => v !== undefined || o.pull?.enabled !== false)
  @IsDefined({ message: '$path is required when the pull is enabled (the go-live date, e.g. 2026-11-01)' })
  @ValidateBy({
    name: 'syncFrom',
    validator: {
      validate: (v: unknown) => isDateOnly(v),
      defaultMessage: () => '$path must be a date like 2026-11-01',
    },
  })
  syncFrom?: string;
  @NestedObject(() => StWriteBackDto) writeBack: StWriteBackDto = new StWriteBackDto();
  @NestedObject(() => StLaborDto) labor: StLaborDto = new StLaborDto();
  /**
   * A posted job whose costs change: `reverse-and-repost` (reversal of the posted entry, then the next revision) or
   * `adjustment` (one entry with the difference only).
   */
  @OneOf(['reverse-and-repost', 'adjustment'], '$path must be reverse-and-repost or adjustment')
  lateCosts: 'reverse-and-repost' | 'adjustment' = 'reverse-and-repost';
}

/** Sage X3 authentication; `mode` selects one of the subclasses below. */
export class X3AuthDto {
  @OneOf(['basic', 'oauth2', 'jwt'], '$path must be basic, oauth2 or jwt') mode!: string;
}

export class X3BasicAuthDto extends X3AuthDto {
  declare mode: 'basic';
  @NonEmptyString() user!: string;
  @TenantSecret() password!: EncryptedSecret;
}

export class X3OAuth2AuthDto extends X3AuthDto {
  declare mode: 'oauth2';
  @HttpUrl() tokenUrl!: string;
  @NonEmptyString() clientId!: string;
  @TenantSecret() clientSecret!: EncryptedSecret;
  @OneOf(['client_credentials', 'refresh_token'], '$path must be client_credentials or refresh_token')
  grant: 'client_credentials' | 'refresh_token' = 'refresh_token';
  /**
   * The bootstrap refresh token (grant refresh_token): used only while connector.x3-credentials.v1 holds nothing for
   * the tenant. After the first rotation the connector's own credentials topic is the truth; a re-approved token is
   * seeded there with `npm run tenant -- seed-x3-refresh-token` (no restart).
   */
  @TenantSecret({ when: (o: X3OAuth2AuthDto) => o.grant === 'refresh_token' }) refreshToken?: EncryptedSecret;
  /** When the bootstrap refresh token expires, if known (e.g. 30 days after the X3 user approved the app). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '$path must be an ISO 8601 date-time' })
  refreshTokenExpiresAt?: string;
  /** Refresh-token lifetime when X3's answer does not say (no refresh_token_expires_in, not a JWT). X3 cloud: 30. */
  @IntBetween(1, 3650) refreshTokenLifetimeDays: number = 30;
  /** Whether a rotated refresh token keeps its predecessor's expiry (cautious default) or starts a new lifetime. */
  @OneOf(['keeps-expiry', 'renews'], '$path must be keeps-expiry or renews')
  refreshTokenRotation: 'keeps-expiry' | 'renews' = 'keeps-expiry';
  /** Warn (metric, log, audit notice) when the refresh token has fewer days left than this. */
  @IntBetween(0, 365) refreshTokenWarnDays: number = 7;
  /** Renew the access token this long before it expires (at most half its lifetime). */
  @IntBetween(0, 3600) refreshMarginSeconds: number = 60;
  @IsOptional() @NonEmptyString() scope?: string;
}

export class X3JwtAuthDto extends X3AuthDto {
  declare mode: 'jwt';
  @NonEmptyString() clientId!: string;
  @TenantSecret() secret!: EncryptedSecret;
  @NonEmptyString() user!: string;
  @NonEmptyString() audience!: string;
}

/**
 * `{ "<logical name>": "<X3 field code>" | null }`: which X3 field carries each value the connector writes or reads
 * (null: the site's representation has no such field; an optional value is then left out).
 */
function X3FieldMap(): PropertyDecorator {
  const bad = (v: unknown): string[] =>
    isPlainObject(v)
      ? Object.entries(v)
          .filter(
            ([k, code]) =>
              !LOGICAL_FIELD.test(k) || (code !== null && !(typeof code === 'string' && X3_FIELD.test(code))),
          )
          .map(([k, code]) => `${k}: ${JSON.stringify(code)}`)
      : [];
  return (target, key) => {
    IsOptional()(target, key);
    ValidateBy({
      name: 'x3FieldMap',
      validator: {
        validate: (v: unknown) => isPlainObject(v) && bad(v).length === 0,
        defaultMessage: (a?: ValidationArguments) =>
          isPlainObject(a?.value)
            ? `$path: ${bad(a?.value).join(', ')} (each entry maps a logical name to an X3 field code or null)`
            : '$path must be an object of logical name → X3 field code (or null)',
      },
    })(target, key);
  };
}

function X3FieldCode(): PropertyDecorator {
  return Matches(X3_FIELD, { message: '$path must be an X3 field code (a letter, then letters, digits, _)' });
}

/** A document's lines: the collection field and its line fields. */
export class X3LinesDto {
  @IsOptional() @X3FieldCode() field?: string;
  @X3FieldMap() fields?: Record<string, string | null>;
}

/**
 * One entity as the customer's X3 publishes it (the key is the entity): class and representation names, and the
 * fields the connector writes, looks documents up by and reads status from. Everything left out keeps the client's
 * default for the entity (docs/sage-x3.md, "Fields per class"): journal entries found by REF, supplier invoices by
 * BPR + BPRVCR, status STA. Checked against the X3 representation at start and by `npm run check`.
 */
export class X3ClassDto {
  @Inline()
  @IsIn(Object.keys(DEFAULT_X3_CLASSES), {
    message: (a: ValidationArguments) =>
      `$parent: key ${JSON.stringify(a.value)} must be one of ${Object.keys(DEFAULT_X3_CLASSES).join(', ')}`,
  })
  key!: string;
  /** Default: the entity's default class (GACCENTRY, PINVOICE…). */
  @IsOptional() @Matches(X3_NAME, { message: '$path must be an X3 class name (letters, digits, _)' }) class?: string;
  /** Default: the class name. */
  @IsOptional()
  @Matches(X3_NAME, { message: '$path must be an X3 representation name (letters, digits, _)' })
  representation?: string;
  /** Header fields written (documents) or read (master data), by logical name; merged over the defaults. */
  @X3FieldMap() fields?: Record<string, string | null>;
  @NestedObject(() => X3LinesDto) lines?: X3LinesDto;
  /** Fields a document is found by before and after a create (their values come from the written body). */
  @IsOptional()
  @IsArray({ message: '$path must be a non-empty array of X3 field codes' })
  @ArrayMinSize(1, { message: '$path must be a non-empty array of X3 field codes' })
  @Matches(X3_FIELD, { each: true, message: '$path must hold X3 field codes only' })
  lookupFields?: string[];
  /** Field the connector's external reference is written to (GACCENTRY REF). */
  @IsOptional() @X3FieldCode() referenceField?: string;
  /** Field holding the document's status (STA). */
  @IsOptional() @X3FieldCode() statusField?: string;
}

export class X3JournalDto {
  @NonEmptyString() entryType: string = 'ODSTX';
  @NonEmptyString() journal: string = 'ODS';
}

export class X3PollDto {
  @TrueOrFalse() enabled: boolean = true;
  @IntBetween(1, 86_400) intervalSeconds: number = 300;
  @IntBetween(1, 10_000) pageSize: number = 100;
}

export class SageX3Dto {
  @HttpUrl() baseUrl!: string;
  @NonEmptyString() folder!: string;
  /** PEM file of a private CA for the X3 server (relative to the tenants file). */
  @IsOptional() @NonEmptyString() caFile?: string;
  @NestedObject(() => X3AuthDto, {
    required: true,
    discriminator: {
      property: 'mode',
      subTypes: { basic: X3BasicAuthDto, oauth2: X3OAuth2AuthDto, jwt: X3JwtAuthDto },
    },
  })
  auth!: X3BasicAuthDto | X3OAuth2AuthDto | X3JwtAuthDto;
  /** Per-entity overrides of DEFAULT_X3_CLASSES. */
  @NestedRecord(() => X3ClassDto) classes: Map<string, X3ClassDto> = new Map();
  @NonEmptyString() site!: string;
  @Matches(/^[A-Z]{3}$/, { message: '$path must be a 3-letter ISO 4217 code such as USD' }) currency: string = 'USD';
  @NestedObject(() => X3JournalDto) journal: X3JournalDto = new X3JournalDto();
  @NestedObject(() => X3PollDto) poll: X3PollDto = new X3PollDto();
}

export class TenantDto {
  @Matches(TENANT_ID, {
    message: (a: ValidationArguments) => `$path ${JSON.stringify(a.value)} must be a lowercase slug`,
  })
  id!: string;
  /** Display name; default: the id. */
  @IsOptional() @NonEmptyString() name?: string;
  @NestedObject(() => ServiceTitanDto, { required: true }) servicetitan!: ServiceTitanDto;
  @NestedObject(() => SageX3Dto, { required: true }) sageX3!: SageX3Dto;
  /** The tenant's mapping rules (relative to the tenants file); without it the mapper rejects with RULES_MISSING. */
  @IsOptional() @NonEmptyString() mappingRulesFile?: string;
  /**
   * The business's IANA time zone: accounting dates and periods are the calendar day of the business date there
   * (docs/mapping-rules.md). Default UTC (the behaviour of files written before this setting existed).
   */
  @IanaTimeZone() timeZone: string = 'UTC';
}

export class TenantsFileDto {
  @IsOptional() @IsString() $schema?: string;
  /** Validated one by one (each tenant's problems are named after the tenant). */
  @IsArray({ message: '$path must be an array' }) tenants!: unknown[];
}
