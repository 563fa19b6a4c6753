// The part of SAP's API_BUSINESS_PARTNER the sandbox ERP serves, as `cds import` would describe it: enough for
// CAP to turn CQL into OData V2 requests ($filter, $select, $expand) and to read the answers.
@cds.external: true
service API_BUSINESS_PARTNER {
  entity A_BusinessPartner {
    key BusinessPartner          : String(10);
        BusinessPartnerCategory  : String(1);
        BusinessPartnerFullName  : String(81);
        FirstName                : String(40);
        LastName                 : String(40);
        OrganizationBPName1      : String(40);
        SearchTerm1              : String(20);
        Industry                 : String(10);
        BusinessPartnerIsBlocked : Boolean;
        to_BusinessPartnerAddress : Association to many A_BusinessPartnerAddress on to_BusinessPartnerAddress.BusinessPartner = BusinessPartner;
  }

  entity A_BusinessPartnerAddress {
    key BusinessPartner : String(10);
    key AddressID       : String(10);
        StreetName      : String(60);
        HouseNumber     : String(10);
        PostalCode      : String(10);
        CityName        : String(40);
        Country         : String(3);
  }
}
