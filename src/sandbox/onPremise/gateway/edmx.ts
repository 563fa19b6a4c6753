import { containerName, entityTypes, namespace, type EntityType, type Navigation } from './model';

/**
 * `$metadata`: EDMX 1.0 with a DataServices 2.0 schema and the `sap:` annotations UI5 and Fiori elements read
 * (labels, creatable/updatable/deletable, a default entity container), as SAP Gateway generates them.
 */

const escape = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function association(type: EntityType, navigation: Navigation): { name: string; from: string; to: string } {
  return { name: `assoc_${type.type}_${navigation.name}`, from: `From${type.type}`, to: `To${navigation.name}` };
}

function entityTypeXml(type: EntityType): string {
  const keys = type.keys.map((key) => `<PropertyRef Name="${key}"/>`).join('');
  const properties = type.properties
    .map((property) => {
      const attributes = [
        `Name="${property.name}"`,
        `Type="${property.type}"`,
        `Nullable="${property.key ? 'false' : 'true'}"`,
        property.maxLength ? `MaxLength="${property.maxLength}"` : '',
        property.key ? 'sap:display-format="UpperCase"' : '',
        `sap:label="${escape(property.label)}"`,
        property.creatable === false ? 'sap:creatable="false"' : '',
        property.updatable === false ? 'sap:updatable="false"' : '',
        'sap:sortable="true"',
        'sap:filterable="true"',
      ].filter(Boolean);
      return `<Property ${attributes.join(' ')}/>`;
    })
    .join('');
  const navigations = type.navigations
    .map((navigation) => {
      const { name, from, to } = association(type, navigation);
      return `<NavigationProperty Name="${navigation.name}" Relationship="${namespace}.${name}" FromRole="${from}" ToRole="${to}"/>`;
    })
    .join('');
  return `<EntityType Name="${type.type}" sap:label="${escape(type.label)}" sap:content-version="1"><Key>${keys}</Key>${properties}${navigations}</EntityType>`;
}

function associationsXml(): { schema: string; container: string } {
  let schema = '';
  let container = '';
  for (const type of entityTypes) {
    for (const navigation of type.navigations) {
      const { name, from, to } = association(type, navigation);
      const target = entityTypes.find((candidate) => candidate.set === navigation.target) as EntityType;
      const principal = navigation.on.map(([source]) => `<PropertyRef Name="${source}"/>`).join('');
      const dependent = navigation.on.map(([, targetProperty]) => `<PropertyRef Name="${targetProperty}"/>`).join('');
      schema +=
        `<Association Name="${name}" sap:content-version="1">` +
        `<End Type="${namespace}.${type.type}" Multiplicity="1" Role="${from}"/>` +
        `<End Type="${namespace}.${target.type}" Multiplicity="${navigation.multiplicity}" Role="${to}"/>` +
        `<ReferentialConstraint><Principal Role="${from}">${principal}</Principal><Dependent Role="${to}">${dependent}</Dependent></ReferentialConstraint>` +
        `</Association>`;
      container +=
        `<AssociationSet Name="${name}Set" Association="${namespace}.${name}" sap:creatable="false" sap:updatable="false" sap:deletable="false" sap:content-version="1">` +
        `<End EntitySet="${type.set}" Role="${from}"/><End EntitySet="${target.set}" Role="${to}"/></AssociationSet>`;
    }
  }
  return { schema, container };
}

export function metadataXml(serviceRoot: string): string {
  const { schema, container } = associationsXml();
  const sets = entityTypes
    .map(
      (type) =>
        `<EntitySet Name="${type.set}" EntityType="${namespace}.${type.type}" sap:creatable="true" sap:updatable="true" sap:deletable="true" sap:searchable="true" sap:content-version="1"/>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">' +
    '<edmx:DataServices m:DataServiceVersion="2.0">' +
    `<Schema Namespace="${namespace}" xml:lang="en" sap:schema-version="1" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">` +
    entityTypes.map(entityTypeXml).join('') +
    schema +
    `<EntityContainer Name="${containerName}" m:IsDefaultEntityContainer="true" sap:message-scope-supported="true" sap:supported-formats="atom json xlsx">${sets}${container}</EntityContainer>` +
    `<atom:link rel="self" href="${escape(serviceRoot)}/$metadata" xmlns:atom="http://www.w3.org/2005/Atom"/>` +
    `<atom:link rel="latest-version" href="${escape(serviceRoot)}/$metadata" xmlns:atom="http://www.w3.org/2005/Atom"/>` +
    '</Schema></edmx:DataServices></edmx:Edmx>'
  );
}
