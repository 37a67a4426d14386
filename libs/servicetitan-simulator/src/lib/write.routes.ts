import {
  MATERIAL_DECIMAL_FIELDS,
  type MarkInvoiceExportedRequest,
  type Material,
  type MaterialCreateRequest,
  type MaterialUpdateRequest,
  type Vendor,
  type VendorCreateRequest,
  type VendorUpdateRequest,
} from '@connector/servicetitan';
import type { SimulatorTenant } from './simulator.store';
import { SimulatorHttpError, type SimulatorRoute } from './route.types';

/**
 * The write endpoints the connector uses, from the official specs. Bodies reach `handle` already validated against
 * the operation's request schema (server); handlers add the business rules (unknown ids, empty names) and apply the
 * change the way ServiceTitan would, bumping `modifiedOn` so feeds and `modifiedOnOrAfter` lists show it.
 */

type SkuVendorRequest = NonNullable<MaterialCreateRequest['primaryVendor']>;
type SkuVendorResponse = NonNullable<Material['primaryVendor']>;
type ExternalDataBody = { applicationGuid: string; externalData: { key: string; value?: string | null }[] };

function requireText(value: string | undefined, path: string, field: string): void {
  // [Required] strings reject "" in ASP.NET model validation, which the specs' `required` list reflects.
  if (value !== undefined && value.trim() === '')
    throw new SimulatorHttpError(400, 'One or more validation errors occurred.', {
      [path]: [`The ${field} field is required.`],
    });
}

function writeExternalData(
  tenant: SimulatorTenant,
  kind: 'vendors' | 'materials',
  id: number,
  body: (ExternalDataBody & { patchMode?: 'Replace' | 'Merge' | null }) | null | undefined,
): void {
  if (!body) return;
  tenant.writeExternalData(kind, id, body.applicationGuid, body.externalData, body.patchMode ?? 'Replace');
}

function skuVendor(tenant: SimulatorTenant, request: SkuVendorRequest, id: number, path: string): SkuVendorResponse {
  const vendor = tenant.get('vendors', request.vendorId);
  if (!vendor)
    throw new SimulatorHttpError(400, 'One or more validation errors occurred.', {
      [`${path}.vendorId`]: [`Vendor with id ${request.vendorId} was not found.`],
    });
  return {
    id,
    vendorName: vendor.name,
    vendorId: vendor.id,
    memo: request.memo ?? null,
    vendorPart: request.vendorPart ?? null,
    cost: request.cost,
    active: request.active,
    primarySubAccount: request.primarySubAccount ? { id: id * 10, ...request.primarySubAccount } : null,
    otherSubAccounts: request.otherSubAccounts
      ? request.otherSubAccounts.map((sub, i) => ({ id: id * 10 + i + 1, ...sub }))
      : null,
  };
}

/** Material fields a create or update sets directly (same name and meaning in request and response). */
const MATERIAL_FIELDS = [
  ...MATERIAL_DECIMAL_FIELDS,
  'code',
  'displayName',
  'description',
  'active',
  'paysCommission',
  'deductAsJobCost',
  'unitOfMeasure',
  'isInventory',
  'account',
  'costOfSaleAccount',
  'assetAccount',
  'taxable',
  'categories',
  'isConfigurableMaterial',
  'chargeableByDefault',
  'isOtherDirectCost',
  'costTypeId',
  'budgetCostCode',
  'budgetCostType',
] as const;

function materialFields(
  tenant: SimulatorTenant,
  id: number,
  request: MaterialCreateRequest | MaterialUpdateRequest,
): Partial<Material> {
  const out: Record<string, unknown> = {};
  const source = request as Record<string, unknown>;
  for (const field of MATERIAL_FIELDS) if (source[field] !== undefined) out[field] = source[field];
  if (request.primaryVendor !== undefined)
    out['primaryVendor'] = request.primaryVendor
      ? skuVendor(tenant, request.primaryVendor, id * 100, '$.primaryVendor')
      : null;
  if (request.otherVendors !== undefined)
    out['otherVendors'] = request.otherVendors
      ? request.otherVendors.map((v, i) => skuVendor(tenant, v, id * 100 + i + 1, `$.otherVendors[${i}]`))
      : null;
  if (request.assets !== undefined)
    out['assets'] = (request.assets ?? []).map((asset) => ({
      alias: asset.alias ?? null,
      fileName: null,
      isDefault: asset.isDefault ?? false,
      type: asset.type,
      url: asset.url,
    }));
  if (request.variationMaterials !== undefined) out['variationsOrConfigurableMaterials'] = request.variationMaterials;
  return out as Partial<Material>;
}

/** Vendor fields from a create/update request, in the response's names (contact info and tax rate are nested/renamed). */
function vendorFields(
  existing: Vendor | undefined,
  request: VendorCreateRequest | VendorUpdateRequest,
): Partial<Vendor> {
  const out: Partial<Vendor> = {};
  if (request.name !== undefined) out.name = request.name;
  if (request.active !== undefined) out.active = request.active;
  if (request.memo !== undefined) out.memo = request.memo ?? '';
  if (request.isTruckReplenishment !== undefined) out.isTruckReplenishment = request.isTruckReplenishment;
  if (request.restrictedMobileCreation !== undefined) out.isMobileCreationRestricted = request.restrictedMobileCreation;
  if (request.deliveryOption !== undefined) out.deliveryOption = request.deliveryOption ?? 'None';
  if (request.taxRate !== undefined) out.defaultTaxRate = request.taxRate;
  if (request.address !== undefined) out.address = { ...request.address };
  const contact = existing?.contactInfo ?? { firstName: '', lastName: '', phone: '', email: '', fax: '' };
  const contactFields = ['firstName', 'lastName', 'phone', 'email', 'fax'] as const;
  if (contactFields.some((f) => request[f] !== undefined)) {
    out.contactInfo = { ...contact };
    for (const f of contactFields) if (request[f] !== undefined) out.contactInfo[f] = request[f] ?? '';
  }
  return out;
}

export const WRITE_ROUTES: readonly SimulatorRoute[] = [
  {
    name: 'invoices.markAsExported',
    method: 'POST',
    module: 'accounting',
    resource: 'invoices/markasexported',
    operationId: 'Invoices_MarkAsExported',
    params: {},
    hasBody: true,
    handle: ({ tenant, body }) =>
      (body as MarkInvoiceExportedRequest[]).map((mark) => {
        if (!tenant.get('invoices', mark.invoiceId))
          return {
            invoiceId: mark.invoiceId,
            success: false,
            errorMessage: `Invoice ${mark.invoiceId} was not found.`,
          };
        tenant.markExported('invoices', mark.invoiceId, mark);
        return { invoiceId: mark.invoiceId, success: true, errorMessage: null };
      }),
  },
  {
    name: 'inventoryBills.markAsExported',
    method: 'POST',
    module: 'accounting',
    resource: 'inventory-bills/markasexported',
    operationId: 'InventoryBills_MarkAsExported',
    params: {},
    hasBody: true,
    handle: ({ tenant, body }) =>
      (body as { inventoryBillIds: number[] }).inventoryBillIds.map((id) => {
        if (!tenant.get('inventoryBills', id))
          return { inventoryBillId: id, success: false, errorMessage: `Inventory bill ${id} was not found.` };
        tenant.markExported('inventoryBills', id);
        return { inventoryBillId: id, success: true, errorMessage: null };
      }),
  },
  {
    name: 'vendors.create',
    method: 'POST',
    module: 'inventory',
    resource: 'vendors',
    operationId: 'Vendors_Create',
    params: {},
    hasBody: true,
    handle: ({ tenant, body }) => {
      const request = body as VendorCreateRequest;
      requireText(request.name, '$.name', 'Name');
      const id = tenant.nextId('vendors');
      tenant.insert('vendors', { id, ...vendorFields(undefined, request) });
      writeExternalData(tenant, 'vendors', id, request.externalData);
      return { id };
    },
  },
  {
    name: 'vendors.update',
    method: 'PATCH',
    module: 'inventory',
    resource: 'vendors/{id}',
    operationId: 'Vendors_Update',
    params: {},
    hasBody: true,
    handle: ({ tenant, body, params }) => {
      const id = params['id'] as number;
      const existing = tenant.get('vendors', id);
      if (!existing) throw new SimulatorHttpError(404, `Vendor with id ${id} was not found.`);
      const request = body as VendorUpdateRequest;
      requireText(request.name, '$.name', 'Name');
      writeExternalData(tenant, 'vendors', id, request.externalData);
      tenant.update('vendors', id, vendorFields(existing, request));
      return { id };
    },
  },
  {
    name: 'materials.create',
    method: 'POST',
    module: 'pricebook',
    resource: 'materials',
    operationId: 'Materials_Create',
    params: {},
    hasBody: true,
    status: 201,
    handle: ({ tenant, body }) => {
      const request = body as MaterialCreateRequest;
      requireText(request.code, '$.code', 'Code');
      const id = tenant.nextId('materials');
      const record = tenant.insert('materials', { id, ...materialFields(tenant, id, request) });
      writeExternalData(tenant, 'materials', id, request.externalData);
      return tenant.view('materials', record, request.externalData?.applicationGuid);
    },
  },
  {
    name: 'materials.update',
    method: 'PATCH',
    module: 'pricebook',
    resource: 'materials/{id}',
    operationId: 'Materials_Update',
    params: {},
    hasBody: true,
    handle: ({ tenant, body, params }) => {
      const id = params['id'] as number;
      if (!tenant.get('materials', id)) throw new SimulatorHttpError(404, `Material with id ${id} was not found.`);
      const request = body as MaterialUpdateRequest;
      requireText(request.code, '$.code', 'Code');
      const fields = materialFields(tenant, id, request);
      writeExternalData(tenant, 'materials', id, request.externalData);
      const record = tenant.update('materials', id, fields);
      return tenant.view('materials', record, request.externalData?.applicationGuid);
    },
  },
];
