import { badRequest, codes } from './errors';
import type { EntityType, Row, Value } from './model';

/**
 * A JSON payload of a create or update, checked against the entity type as Gateway deserialises it: unknown
 * properties, wrong types and values over MaxLength are 400; `__metadata` and deferred/inline navigations are
 * left to the caller.
 */
export function parsePayload(body: string, type: EntityType): { row: Row; inline: Record<string, unknown[]> } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw badRequest('Malformed JSON payload: the body could not be parsed');
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  if (!object) throw badRequest('Malformed JSON payload: an object is expected');
  // Clients may or may not wrap the entity in `d`.
  const entity = typeof object.d === 'object' && object.d !== null && !Array.isArray(object.d) ? (object.d as Record<string, unknown>) : object;
  const row: Row = {};
  const inline: Record<string, unknown[]> = {};
  for (const [name, given] of Object.entries(entity)) {
    if (name === '__metadata') continue;
    const navigation = type.navigations.find((candidate) => candidate.name === name);
    if (navigation) {
      const results = Array.isArray(given) ? given : (given as { results?: unknown } | null)?.results;
      if (Array.isArray(results)) inline[name] = results;
      continue;
    }
    const property = type.properties.find((candidate) => candidate.name === name);
    if (!property) throw badRequest(`Property '${name}' is invalid`, codes.invalidProperty);
    row[name] = check(property.name, property.type, property.maxLength, given);
  }
  return { row, inline };
}

function check(name: string, type: string, maxLength: number | undefined, value: unknown): Value {
  if (value === null) return null;
  if (type === 'Edm.Boolean') {
    if (typeof value !== 'boolean') throw badRequest(`Property '${name}' has an invalid value: Edm.Boolean expected`, codes.invalidProperty);
    return value;
  }
  if (typeof value !== 'string') throw badRequest(`Property '${name}' has an invalid value: Edm.String expected`, codes.invalidProperty);
  if (maxLength !== undefined && value.length > maxLength)
    throw badRequest(`Value '${value}' of property '${name}' is longer than ${maxLength} characters`, codes.invalidProperty);
  return value;
}
