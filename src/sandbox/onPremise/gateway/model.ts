/**
 * The entity model and data of the sandbox ERP's API_BUSINESS_PARTNER (after SAP's service of that name): partners
 * and their addresses, linked by the navigation `to_BusinessPartnerAddress`. `CreatedByUser` is the logon user of
 * the create (the seeded rows: `SAP_MIGRATION`), so a test can see whom Gateway took the caller for. All properties are Edm.String with a
 * MaxLength, except the Edm.Boolean `BusinessPartnerIsBlocked`, as in SAP's service.
 */

export type Value = string | boolean | null;
export type Row = Record<string, Value>;

export interface Property {
  readonly name: string;
  readonly type: 'Edm.String' | 'Edm.Boolean';
  readonly maxLength?: number;
  readonly label: string;
  readonly key?: boolean;
  readonly creatable?: boolean;
  readonly updatable?: boolean;
}

export interface Navigation {
  readonly name: string;
  readonly target: EntitySetName;
  readonly multiplicity: '*' | '1';
  /** Property pairs: this type's property → the target's. */
  readonly on: readonly (readonly [string, string])[];
}

export type EntitySetName = 'A_BusinessPartner' | 'A_BusinessPartnerAddress';

export interface EntityType {
  readonly set: EntitySetName;
  readonly type: string;
  readonly label: string;
  readonly properties: readonly Property[];
  readonly keys: readonly string[];
  readonly navigations: readonly Navigation[];
}

export const namespace = 'API_BUSINESS_PARTNER';
export const containerName = 'API_BUSINESS_PARTNER_Entities';

const text = (name: string, maxLength: number, label: string, extra: Partial<Property> = {}): Property => ({
  name,
  type: 'Edm.String',
  maxLength,
  label,
  ...extra,
});

export const partnerType: EntityType = {
  set: 'A_BusinessPartner',
  type: 'A_BusinessPartnerType',
  label: 'Business Partner',
  keys: ['BusinessPartner'],
  properties: [
    text('BusinessPartner', 10, 'Business Partner', { key: true, updatable: false }),
    text('BusinessPartnerCategory', 1, 'BP Category', { updatable: false }),
    text('BusinessPartnerFullName', 81, 'Full Name'),
    text('FirstName', 40, 'First Name'),
    text('LastName', 40, 'Last Name'),
    text('OrganizationBPName1', 40, 'Name 1'),
    text('SearchTerm1', 20, 'Search Term 1'),
    text('Industry', 10, 'Industry Sector'),
    { name: 'BusinessPartnerIsBlocked', type: 'Edm.Boolean', label: 'Central Block' },
    text('CreatedByUser', 12, 'Created By', { creatable: false, updatable: false }),
  ],
  navigations: [{ name: 'to_BusinessPartnerAddress', target: 'A_BusinessPartnerAddress', multiplicity: '*', on: [['BusinessPartner', 'BusinessPartner']] }],
};

export const addressType: EntityType = {
  set: 'A_BusinessPartnerAddress',
  type: 'A_BusinessPartnerAddressType',
  label: 'Business Partner Address',
  keys: ['BusinessPartner', 'AddressID'],
  properties: [
    text('BusinessPartner', 10, 'Business Partner', { key: true, updatable: false }),
    text('AddressID', 10, 'Address Number', { key: true, creatable: false, updatable: false }),
    text('StreetName', 60, 'Street'),
    text('HouseNumber', 10, 'House Number'),
    text('PostalCode', 10, 'Postal Code'),
    text('CityName', 40, 'City'),
    text('Country', 3, 'Country/Region Key'),
  ],
  navigations: [],
};

export const entityTypes: readonly EntityType[] = [partnerType, addressType];

export function entityTypeOf(set: string): EntityType | undefined {
  return entityTypes.find((type) => type.set === set);
}

const partners: Row[] = [
  {
    BusinessPartner: '1000001',
    BusinessPartnerCategory: '2',
    BusinessPartnerFullName: 'Acme Corporation',
    OrganizationBPName1: 'Acme Corporation',
    SearchTerm1: 'ACME',
    Industry: 'Manufacturing',
    CreatedByUser: 'SAP_MIGRATION',
  },
  {
    BusinessPartner: '1000002',
    BusinessPartnerCategory: '2',
    BusinessPartnerFullName: 'Globex Ltd.',
    OrganizationBPName1: 'Globex Ltd.',
    SearchTerm1: 'GLOBEX',
    Industry: 'Energy',
    CreatedByUser: 'SAP_MIGRATION',
  },
  {
    BusinessPartner: '1000003',
    BusinessPartnerCategory: '1',
    BusinessPartnerFullName: 'Ada Lovelace',
    FirstName: 'Ada',
    LastName: 'Lovelace',
    SearchTerm1: 'LOVELACE',
    CreatedByUser: 'SAP_MIGRATION',
  },
  {
    BusinessPartner: '1000004',
    BusinessPartnerCategory: '1',
    BusinessPartnerFullName: 'Grace Hopper',
    FirstName: 'Grace',
    LastName: 'Hopper',
    SearchTerm1: 'HOPPER',
    CreatedByUser: 'SAP_MIGRATION',
  },
];

const addresses: Row[] = [
  { BusinessPartner: '1000001', AddressID: '1', StreetName: 'Industrial Way', HouseNumber: '1', PostalCode: '10115', CityName: 'Berlin', Country: 'DE' },
  { BusinessPartner: '1000001', AddressID: '2', StreetName: 'Harbour Road', HouseNumber: '17', PostalCode: '20095', CityName: 'Hamburg', Country: 'DE' },
  { BusinessPartner: '1000002', AddressID: '3', StreetName: 'Main Street', HouseNumber: '742', PostalCode: '97475', CityName: 'Springfield', Country: 'US' },
  { BusinessPartner: '1000003', AddressID: '4', StreetName: 'St James Square', HouseNumber: '12', PostalCode: 'SW1Y 4JH', CityName: 'London', Country: 'GB' },
];

/** Every property of a type, unset ones as null (Gateway always sends all properties). */
function complete(type: EntityType, row: Row): Row {
  const full: Row = {};
  for (const property of type.properties) full[property.name] = row[property.name] ?? (property.type === 'Edm.Boolean' ? false : '');
  return full;
}

/** The rows of each entity set, in memory; `snapshot`/`restore` roll a change set back. */
export class Store {
  private sets: Record<EntitySetName, Row[]> = {
    A_BusinessPartner: partners.map((row) => complete(partnerType, row)),
    A_BusinessPartnerAddress: addresses.map((row) => complete(addressType, row)),
  };

  rows(set: EntitySetName): Row[] {
    return this.sets[set];
  }

  find(type: EntityType, key: Row): Row | undefined {
    return this.sets[type.set].find((row) => type.keys.every((name) => row[name] === key[name]));
  }

  insert(type: EntityType, row: Row): Row {
    const full = complete(type, row);
    this.sets[type.set].push(full);
    return full;
  }

  remove(type: EntityType, row: Row): void {
    this.sets[type.set] = this.sets[type.set].filter((candidate) => candidate !== row);
    // Deleting a partner deletes its addresses, as the business partner API does.
    for (const navigation of type.navigations) {
      const target = entityTypeOf(navigation.target) as EntityType;
      this.sets[target.set] = this.sets[target.set].filter((candidate) => !navigation.on.every(([from, to]) => candidate[to] === row[from]));
    }
  }

  snapshot(): () => void {
    const saved = {
      A_BusinessPartner: this.sets.A_BusinessPartner.map((row) => ({ ...row })),
      A_BusinessPartnerAddress: this.sets.A_BusinessPartnerAddress.map((row) => ({ ...row })),
    };
    return () => {
      this.sets = saved;
    };
  }
}
