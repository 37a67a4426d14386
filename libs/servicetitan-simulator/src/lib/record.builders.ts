import type {
  BusinessUnit,
  ExportGrossPayItem,
  ExportInventoryBill,
  ExportJob,
  GlAccount,
  InventoryBillItem,
  Invoice,
  InvoiceItem,
  JobType,
  Material,
  PurchaseOrder,
  PurchaseOrderItem,
  Technician,
  Vendor,
} from '@connector/servicetitan';

/**
 * Builders that complete partial seed records into records valid against the official response schemas (every
 * required property present, nothing the schema forbids). Amounts follow the real API: strings in accounting
 * (invoices, inventory bills), numbers in inventory (purchase orders, vendors), payroll, pricebook and settings.
 */

/** What a seed gives: any subset of the API fields, but always the id. */
export type SeedOf<T extends { id?: number | null }> = Partial<T> & {
  id: number;
};

export type SeedInvoice = Omit<SeedOf<Invoice>, 'items'> & {
  items?: SeedOf<InvoiceItem>[];
};
export type SeedInventoryBill = Omit<SeedOf<ExportInventoryBill>, 'items'> & {
  items?: SeedOf<InventoryBillItem>[];
};
export type SeedPurchaseOrder = Omit<SeedOf<PurchaseOrder>, 'items'> & {
  items?: SeedOf<PurchaseOrderItem>[];
};
/** Stored gross pay items always carry an id (the API field is nullable; the simulator needs a key). */
export type StoredGrossPayItem = ExportGrossPayItem & { id: number };

export function buildJob(seed: SeedOf<ExportJob>, now: string): ExportJob {
  return {
    jobNumber: String(seed.id),
    customerId: 1,
    locationId: 1,
    jobStatus: 'Scheduled',
    businessUnitId: 1,
    jobTypeId: 1,
    priority: 'Normal',
    campaignId: 1,
    appointmentCount: 1,
    firstAppointmentId: seed.id * 10,
    lastAppointmentId: seed.id * 10,
    noCharge: false,
    notificationsEnabled: true,
    createdOn: now,
    createdById: 1,
    modifiedOn: now,
    tagTypeIds: [],
    customerPo: '',
    invoiceId: 0,
    estimateIds: [],
    customFields: [],
    externalData: [],
    completedOn: null,
    total: null,
    active: true,
    ...seed,
  };
}

export function buildInvoiceItem(seed: SeedOf<InvoiceItem>, now: string, index = 0): InvoiceItem {
  return {
    description: null,
    quantity: '1',
    cost: '0',
    totalCost: '0',
    price: '0',
    total: '0',
    type: 'Service',
    skuName: null,
    skuId: 1,
    inventory: false,
    taxable: false,
    isChargeable: true,
    membershipTypeId: 0,
    createdOn: now,
    modifiedOn: now,
    order: index + 1,
    addOn: false,
    generalLedgerAccount: null,
    costOfSaleAccount: null,
    assetAccount: null,
    businessUnit: null,
    technicianId: null,
    serviceDate: null,
    soldHours: null,
    ...seed,
  };
}

export function buildInvoice(seed: SeedInvoice, now: string): Invoice {
  const { items, ...rest } = seed;
  return {
    syncStatus: 'Pending',
    referenceNumber: String(seed.id),
    invoiceDate: now,
    dueDate: null,
    subTotal: '0.00',
    salesTax: '0.00',
    total: '0.00',
    balance: '0.00',
    businessUnit: null,
    job: null,
    batch: null,
    createdOn: now,
    modifiedOn: now,
    sentStatus: 'NotSent',
    reviewStatus: 'NeedsReview',
    active: true,
    invoiceConfiguration: 'JobInvoice',
    ...rest,
    items: (items ?? []).map((item, i) => buildInvoiceItem(item, now, i)),
  };
}

export function buildInventoryBillItem(seed: SeedOf<InventoryBillItem>, index = 0): InventoryBillItem {
  return {
    order: index + 1,
    name: null,
    description: null,
    quantity: '1',
    cost: '0',
    inventoryLocation: null,
    serialNumber: null,
    generalLedgerAccount: null,
    costOfSaleAccount: null,
    assetAccount: null,
    skuId: 1,
    receiptItemId: null,
    skuType: 'Material',
    skuCode: `SKU-${seed.id}`,
    ...seed,
  };
}

export function buildInventoryBill(seed: SeedInventoryBill, now: string): ExportInventoryBill {
  const { items, ...rest } = seed;
  return {
    purchaseOrderId: null,
    syncStatus: 'Pending',
    referenceNumber: `BILL-${seed.id}`,
    vendorNumber: null,
    summary: null,
    billDate: now,
    billAmount: '0.00',
    taxAmount: '0.00',
    shippingAmount: '0.00',
    createdBy: null,
    createdOn: now,
    modifiedOn: now,
    termName: null,
    dueDate: null,
    batch: null,
    businessUnit: null,
    vendor: null,
    jobId: null,
    jobNumber: null,
    customFields: [],
    active: true,
    ...rest,
    items: (items ?? []).map((item, i) => buildInventoryBillItem(item, i)),
  };
}

export function buildPurchaseOrderItem(seed: SeedOf<PurchaseOrderItem>, now: string): PurchaseOrderItem {
  return {
    skuId: 1,
    description: '',
    createdOn: now,
    modifiedOn: now,
    skuName: `SKU ${seed.id}`,
    skuCode: `SKU-${seed.id}`,
    skuType: 'Material',
    vendorPartNumber: '',
    quantity: 1,
    quantityReceived: 0,
    cost: 0,
    total: 0,
    serialNumbers: [],
    status: 'Pending',
    chargeable: false,
    ...seed,
  };
}

export function buildPurchaseOrder(seed: SeedPurchaseOrder, now: string): PurchaseOrder {
  const { items, ...rest } = seed;
  return {
    number: `PO-${seed.id}`,
    jobId: null,
    status: 'Pending',
    typeId: 1,
    vendorId: 1,
    shipTo: {
      street: null,
      unit: null,
      city: null,
      state: null,
      zip: null,
      country: null,
    },
    businessUnitId: null,
    vendorDocumentNumber: '',
    date: now,
    receivedOn: null,
    createdOn: now,
    modifiedOn: now,
    total: 0,
    tax: 0,
    shipping: 0,
    summary: '',
    customFields: [],
    ...rest,
    items: (items ?? []).map((item) => buildPurchaseOrderItem(item, now)),
  };
}

export function buildVendor(seed: SeedOf<Vendor>, now: string): Vendor {
  return {
    name: `Vendor ${seed.id}`,
    active: true,
    isTruckReplenishment: false,
    isMobileCreationRestricted: false,
    memo: '',
    deliveryOption: 'None',
    defaultTaxRate: 0,
    contactInfo: { firstName: '', lastName: '', phone: '', email: '', fax: '' },
    address: {
      street: null,
      unit: null,
      city: null,
      state: null,
      zip: null,
      country: null,
    },
    createdOn: now,
    modifiedOn: now,
    externalData: [],
    ...seed,
  };
}

export function buildGrossPayItem(seed: SeedOf<ExportGrossPayItem>, now: string): StoredGrossPayItem {
  return {
    employeeId: 1,
    employeeType: 'Technician',
    businessUnitName: null,
    payrollId: 1,
    date: now,
    amount: 0,
    grossPayItemType: 'TimesheetTime',
    paidDurationHours: null,
    paidTimeType: null,
    jobId: 0,
    jobNumber: null,
    invoiceId: null,
    laborTypeCode: null,
    createdOn: now,
    modifiedOn: now,
    active: true,
    ...seed,
  };
}

export function buildTechnician(seed: SeedOf<Technician>, now: string): Technician {
  return {
    userId: seed.id,
    name: `Technician ${seed.id}`,
    businessUnitId: null,
    createdOn: now,
    modifiedOn: now,
    dailyGoal: 0,
    isManagedTech: false,
    active: true,
    burdenRate: 0,
    commissionRate: 0,
    hourlyRate: 0,
    soldByRate: 0,
    status: 'Idle',
    ...seed,
  };
}

export function buildBusinessUnit(seed: SeedOf<BusinessUnit>, now: string): BusinessUnit {
  return {
    active: true,
    name: `Business unit ${seed.id}`,
    createdOn: now,
    modifiedOn: now,
    ...seed,
  };
}

export function buildGlAccount(seed: SeedOf<GlAccount>, now: string): GlAccount {
  return {
    name: `Account ${seed.id}`,
    number: String(seed.id),
    description: null,
    type: 'Expense',
    subtype: null,
    active: true,
    isIntacctGroup: false,
    isIntacctBankAccount: false,
    source: 'AccountingSystem',
    createdOn: now,
    modifiedOn: now,
    ...seed,
  };
}

export function buildJobType(seed: SeedOf<JobType>, now: string): JobType {
  return {
    name: `Job type ${seed.id}`,
    businessUnitIds: [],
    skills: [],
    tagTypeIds: [],
    priority: 'Normal',
    duration: 3600,
    soldThreshold: null,
    class: 'Service',
    summary: '',
    noCharge: false,
    enforceRecurringServiceEventSelection: null,
    invoiceSignaturesRequired: false,
    modifiedOn: now,
    createdOn: now,
    externalData: [],
    active: true,
    isSmartDispatched: false,
    ...seed,
  };
}

/** Pricebook material; costs and prices are JSON numbers (format decimal) in the pricebook API. */
export function buildMaterial(seed: SeedOf<Material>, now: string): Material {
  return {
    code: `MAT-${seed.id}`,
    displayName: null,
    description: `Material ${seed.id}`,
    cost: 0,
    active: true,
    price: 0,
    memberPrice: 0,
    addOnPrice: 0,
    addOnMemberPrice: 0,
    hours: 0,
    bonus: 0,
    commissionBonus: 0,
    paysCommission: false,
    deductAsJobCost: false,
    unitOfMeasure: null,
    isInventory: false,
    account: null,
    costOfSaleAccount: null,
    assetAccount: null,
    taxable: null,
    primaryVendor: null,
    otherVendors: null,
    categories: [],
    assets: [],
    modifiedOn: now,
    source: null,
    externalId: null,
    externalData: [],
    isConfigurableMaterial: false,
    chargeableByDefault: true,
    variationsOrConfigurableMaterials: null,
    businessUnitId: null,
    createdById: 1,
    createdOn: now,
    displayInAmount: false,
    generalLedgerAccountId: null,
    isOtherDirectCost: false,
    costTypeId: null,
    defaultAssetUrl: null,
    budgetCostCode: null,
    budgetCostType: null,
    ...seed,
  };
}
