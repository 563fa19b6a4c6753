// Child process of destProxy.test.ts: the unchanged SAP Cloud SDK (http-client 4.9.1) sends one request to a
// destination object given in SDK_PLAN = {"scenario", "destination", "path"}; the SDK reads http_proxy/no_proxy
// from this process's environment. Output: one line `@@result <json>` with the status and the upstream's answer.
import { executeHttpRequest } from '@sap-cloud-sdk/http-client';

const plan = JSON.parse(process.env.SDK_PLAN ?? '{}');
let result;
try {
  const response = await executeHttpRequest(plan.destination, { method: 'get', url: plan.path });
  result = { scenario: plan.scenario, ok: true, status: response.status, data: response.data };
} catch (error) {
  result = {
    scenario: plan.scenario,
    ok: false,
    status: error?.cause?.response?.status ?? error?.response?.status,
    message: String(error?.message),
    data: error?.cause?.response?.data,
  };
}
process.stdout.write(`@@result ${JSON.stringify(result)}\n`);
