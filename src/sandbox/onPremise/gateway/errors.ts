import { randomBytes } from 'node:crypto';

/** An error SAP Gateway answers with its JSON error body (`error.code`, `error.message`, `error.innererror`). */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const serviceId = 'API_BUSINESS_PARTNER';

/** The body Gateway sends for an error: code, English message and an `innererror` with the service and a transaction ID. */
export function errorBody(error: GatewayError): Record<string, unknown> {
  const transactionid = randomBytes(16).toString('hex').toUpperCase();
  return {
    error: {
      code: error.code,
      message: { lang: 'en', value: error.message },
      innererror: {
        application: { component_id: 'LO-MD-BP', service_namespace: '/SAP/', service_id: serviceId, service_version: '0001' },
        transactionid,
        timestamp: new Date().toISOString().replace(/\D/g, '').slice(0, 17),
        Error_Resolution: {
          SAP_Transaction: `For backend administrators: use ADT feed reader "SAP Gateway Error Log" or run transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for entries with the timestamp above for more details`,
          SAP_Note: 'See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)',
        },
        errordetails: [{ code: error.code, message: error.message, propertyref: '', severity: 'error', target: '' }],
      },
    },
  };
}

/** Gateway's message classes for the errors the sandbox raises. */
export const codes = {
  notFound: '/IWBEP/CM_MGW_RT/020',
  badRequest: '/IWBEP/CM_MGW_RT/000',
  invalidProperty: '/IWBEP/CM_MGW_RT/021',
  methodNotAllowed: '/IWBEP/CM_MGW_RT/031',
  exists: '/IWBEP/CM_MGW_RT/025',
  filter: '/IWBEP/CM_MGW_RT/050',
  batch: '/IWBEP/CM_MGW_RT/122',
} as const;

export const notFound = (what: string): GatewayError => new GatewayError(404, codes.notFound, `Resource not found for segment '${what}'`);
export const badRequest = (message: string, code: string = codes.badRequest): GatewayError => new GatewayError(400, code, message);
