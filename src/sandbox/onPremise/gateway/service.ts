import { codes, errorBody, GatewayError, notFound } from './errors';
import { metadataXml } from './edmx';
import { entityTypeOf, entityTypes, namespace, Store, type EntityType, type Row } from './model';
import { parsePayload } from './payload';
import { applyReadOptions, parseReadOptions, type ReadOptions } from './readOptions';
import { entityPath, parseResourcePath, type ResourcePath } from './resourcePath';

/** One OData request, relative to the service root (an HTTP request or a `$batch` part). */
export interface ODataRequest {
  readonly method: string;
  /** Path below the service root, without a leading slash: `A_BusinessPartner('1')`, `$metadata`, ``. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
  /** `http://host/sap/opu/odata/sap/API_BUSINESS_PARTNER`: the base of the links in answers. */
  readonly serviceRoot: string;
  /** The logon user: what a create records as `CreatedByUser`. */
  readonly user: string;
}

export interface ODataResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const json = 'application/json; charset=utf-8';
const odataHeaders = { 'content-type': json, dataserviceversion: '2.0' };

/** The OData V2 service API_BUSINESS_PARTNER over an in-memory store: reads with the query options, and writes. */
export class ODataService {
  readonly store = new Store();

  constructor(private readonly pageSize = 100) {}

  execute(request: ODataRequest): ODataResponse {
    try {
      return this.dispatch(request);
    } catch (error) {
      if (error instanceof GatewayError) return errorResponse(error);
      throw error;
    }
  }

  private dispatch(request: ODataRequest): ODataResponse {
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    if (request.path === '' || request.path === '/') {
      if (method !== 'GET') throw methodNotAllowed();
      return ok({ d: { EntitySets: entityTypes.map((type) => type.set) } });
    }
    if (request.path === '$metadata') {
      if (method !== 'GET') throw methodNotAllowed();
      return { status: 200, headers: { 'content-type': 'application/xml', dataserviceversion: '2.0' }, body: metadataXml(request.serviceRoot) };
    }
    const resource = parseResourcePath(request.path);
    switch (method) {
      case 'GET':
        return this.read(resource, request);
      case 'POST':
        return this.create(resource, request);
      case 'PUT':
      case 'PATCH':
      case 'MERGE':
        return this.update(resource, request, method === 'PUT');
      case 'DELETE':
        return this.remove(resource);
      default:
        throw methodNotAllowed();
    }
  }

  private read(resource: ResourcePath, request: ODataRequest): ODataResponse {
    const options = parseReadOptions(request.query, resource.type);
    if (resource.key) {
      const row = this.store.find(resource.type, resource.key);
      if (!row) throw notFound(entityPath(resource.type, resource.key));
      return ok({ d: this.serialize(resource.type, row, options, '', request.serviceRoot) });
    }
    const { matching, window } = applyReadOptions(this.collection(resource), options);
    if (resource.count)
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', dataserviceversion: '2.0' }, body: String(window.length) };
    const page = window.slice(options.skipToken, options.skipToken + this.pageSize);
    const more = options.skipToken + this.pageSize < window.length;
    const d: Record<string, unknown> = {};
    if (options.inlineCount) d.__count = String(matching.length);
    d.results = page.map((row) => this.serialize(resource.type, row, options, '', request.serviceRoot));
    if (more) d.__next = nextLink(request, options.skipToken + this.pageSize);
    return ok({ d });
  }

  /** The rows a collection path addresses: a whole set, or the targets of a navigation. */
  private collection(resource: ResourcePath): Row[] {
    if (!resource.navigation) return this.store.rows(resource.type.set);
    const { from, key, navigation } = resource.navigation;
    const source = this.store.find(from, key);
    if (!source) throw notFound(entityPath(from, key));
    return this.store.rows(resource.type.set).filter((row) => navigation.on.every(([a, b]) => row[b] === source[a]));
  }

  private serialize(type: EntityType, row: Row, options: Pick<ReadOptions, 'expand' | 'select'>, level: string, serviceRoot: string): Record<string, unknown> {
    const uri = `${serviceRoot}/${entityPath(type, row)}`;
    const selected = options.select?.get(level);
    const wanted = (name: string): boolean => !selected || selected.has('*') || selected.has(name);
    const entity: Record<string, unknown> = { __metadata: { id: uri, uri, type: `${namespace}.${type.type}` } };
    for (const property of type.properties) if (wanted(property.name)) entity[property.name] = row[property.name] ?? null;
    for (const navigation of level === '' ? type.navigations : []) {
      if (options.select && !selected?.has(navigation.name)) continue;
      if (!options.expand.includes(navigation.name)) {
        entity[navigation.name] = { __deferred: { uri: `${uri}/${navigation.name}` } };
        continue;
      }
      const target = entityTypeOf(navigation.target) as EntityType;
      const related = this.store.rows(target.set).filter((candidate) => navigation.on.every(([a, b]) => candidate[b] === row[a]));
      entity[navigation.name] = { results: related.map((candidate) => this.serialize(target, candidate, options, navigation.name, serviceRoot)) };
    }
    return entity;
  }

  private create(resource: ResourcePath, request: ODataRequest): ODataResponse {
    if (resource.key || resource.count) throw methodNotAllowed();
    const { row, inline } = parsePayload(request.body, resource.type);
    for (const property of resource.type.properties) if (property.creatable === false) delete row[property.name];
    if (resource.type.properties.some((property) => property.name === 'CreatedByUser')) row.CreatedByUser = request.user;
    if (resource.navigation) {
      const { from, key, navigation } = resource.navigation;
      const source = this.store.find(from, key);
      if (!source) throw notFound(entityPath(from, key));
      for (const [a, b] of navigation.on) row[b] = source[a] ?? null;
    }
    const created = this.insert(resource.type, row);
    for (const [name, items] of Object.entries(inline)) {
      const navigation = resource.type.navigations.find((candidate) => candidate.name === name);
      if (!navigation) continue;
      const target = entityTypeOf(navigation.target) as EntityType;
      for (const item of items) {
        const child = parsePayload(JSON.stringify(item), target).row;
        for (const [a, b] of navigation.on) child[b] = created[a] ?? null;
        this.insert(target, child);
      }
    }
    const location = `${request.serviceRoot}/${entityPath(resource.type, created)}`;
    return {
      status: 201,
      headers: { ...odataHeaders, location },
      body: JSON.stringify({ d: this.serialize(resource.type, created, { expand: Object.keys(inline) }, '', request.serviceRoot) }),
    };
  }

  private insert(type: EntityType, row: Row): Row {
    if (type.set === 'A_BusinessPartner') {
      if (row.BusinessPartner === undefined || row.BusinessPartner === '' || row.BusinessPartner === null)
        row.BusinessPartner = this.nextNumber(type, 'BusinessPartner', 1000000);
      if (!/^\d{1,10}$/.test(String(row.BusinessPartner))) throw new GatewayError(400, codes.invalidProperty, 'BusinessPartner must be 1 to 10 digits');
    } else {
      if (!this.store.find(entityTypeOf('A_BusinessPartner') as EntityType, { BusinessPartner: row.BusinessPartner ?? null })) {
        throw new GatewayError(400, codes.badRequest, `Business partner '${String(row.BusinessPartner ?? '')}' does not exist`);
      }
      row.AddressID = this.nextNumber(type, 'AddressID', 0);
    }
    if (this.store.find(type, row)) throw new GatewayError(400, codes.exists, `${type.set} ${entityPath(type, row)} already exists`);
    return this.store.insert(type, row);
  }

  private nextNumber(type: EntityType, property: string, floor: number): string {
    return String(
      Math.max(
        floor,
        ...this.store
          .rows(type.set)
          .map((row) => Number(row[property]))
          .filter(Number.isFinite),
      ) + 1,
    );
  }

  private update(resource: ResourcePath, request: ODataRequest, replace: boolean): ODataResponse {
    if (!resource.key || resource.navigation) throw methodNotAllowed();
    const row = this.store.find(resource.type, resource.key);
    if (!row) throw notFound(entityPath(resource.type, resource.key));
    const { row: changes } = parsePayload(request.body, resource.type);
    for (const key of resource.type.keys) {
      if (changes[key] !== undefined && changes[key] !== row[key]) throw new GatewayError(400, codes.badRequest, `The key property '${key}' cannot be changed`);
    }
    for (const property of resource.type.properties) {
      if (property.key || property.updatable === false) continue;
      if (changes[property.name] !== undefined) row[property.name] = changes[property.name] ?? null;
      else if (replace) row[property.name] = property.type === 'Edm.Boolean' ? false : '';
    }
    return { status: 204, headers: { dataserviceversion: '2.0' }, body: '' };
  }

  private remove(resource: ResourcePath): ODataResponse {
    if (!resource.key || resource.navigation) throw methodNotAllowed();
    const row = this.store.find(resource.type, resource.key);
    if (!row) throw notFound(entityPath(resource.type, resource.key));
    this.store.remove(resource.type, row);
    return { status: 204, headers: { dataserviceversion: '2.0' }, body: '' };
  }
}

function ok(body: unknown): ODataResponse {
  return { status: 200, headers: { ...odataHeaders }, body: JSON.stringify(body) };
}

export function errorResponse(error: GatewayError): ODataResponse {
  return { status: error.status, headers: { ...odataHeaders }, body: JSON.stringify(errorBody(error)) };
}

function methodNotAllowed(): GatewayError {
  return new GatewayError(405, codes.methodNotAllowed, 'The method is not allowed for this resource');
}

function nextLink(request: ODataRequest, skipToken: number): string {
  const query = new URLSearchParams(request.query);
  query.set('$skiptoken', String(skipToken));
  return `${request.serviceRoot}/${request.path.replace(/\/+$/, '')}?${query.toString().replace(/%24/g, '$').replace(/%2C/g, ',')}`;
}
