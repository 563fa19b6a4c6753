// Child process of cloudSdk.test.ts: runs the unchanged SAP Cloud SDK (connectivity + http-client 4.9.1)
// against the sandbox. The SDK reads VCAP_SERVICES and NODE_EXTRA_CA_CERTS from this process's environment.
// Input: SDK_PLAN = {"scenario": "...", "steps": [{"call": "getDestination" | "executeHttpRequest",
// "options": {...fetch options}, "request": {...} }]}. Output: one line `@@result <json>` for the scenario;
// every other stdout line is the SDK's own log output.
import { getDestination } from '@sap-cloud-sdk/connectivity';
import { executeHttpRequest } from '@sap-cloud-sdk/http-client';

const plan = JSON.parse(process.env.SDK_PLAN ?? '{}');
const secretKeys = /password|secret|^value$/i;

function claimsOf(token) {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The parts of a resolved destination the test asserts on; secrets become a boolean. */
function summarize(destination) {
  if (destination === null || destination === undefined) return destination ?? null;
  const redact = (record) => Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key, secretKeys.test(key) ? `<${typeof value}>` : value]));
  const original = destination.originalProperties ?? {};
  return {
    name: destination.name,
    url: destination.url,
    authentication: destination.authentication,
    proxyType: destination.proxyType,
    username: destination.username,
    hasPassword: typeof destination.password === 'string' && destination.password.length > 0,
    originalProperties: original.destinationConfiguration
      ? { ...original, destinationConfiguration: redact(original.destinationConfiguration), authTokens: undefined }
      : redact(original),
    authTokens: (destination.authTokens ?? []).map((token) => ({
      type: token.type,
      error: token.error ?? null,
      headerKey: token.http_header?.key,
      claims: token.type === 'Bearer' ? claimsOf(token.value) : undefined,
    })),
  };
}

function describeError(error) {
  const messages = [];
  let axiosResponse;
  for (let current = error; current && messages.length < 10; current = current.cause) {
    messages.push(String(current.message ?? current));
    if (!axiosResponse && current.response) axiosResponse = { status: current.response.status, data: current.response.data };
  }
  return { messages, response: axiosResponse ?? null };
}

async function runStep(step) {
  try {
    if (step.call === 'getDestination') {
      return { call: step.call, ok: true, destination: summarize(await getDestination(step.options)) };
    }
    if (step.call === 'executeHttpRequest') {
      const response = await executeHttpRequest(step.options, step.request);
      return { call: step.call, ok: true, status: response.status, data: response.data };
    }
    return { call: step.call, ok: false, error: { messages: [`unknown call ${step.call}`], response: null } };
  } catch (error) {
    return { call: step.call, ok: false, error: describeError(error) };
  }
}

const steps = [];
for (const step of plan.steps ?? []) steps.push(await runStep(step));
process.stdout.write(`@@result ${JSON.stringify({ scenario: plan.scenario, steps })}\n`);
