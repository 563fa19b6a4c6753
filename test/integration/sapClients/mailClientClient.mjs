// Child process of mailClient.test.ts: runs the unchanged SAP Cloud SDK mail client (@sap-cloud-sdk/mail-client 3.23.0,
// with its own connectivity 3.x, Nodemailer and socks) against the sandbox. It reads VCAP_SERVICES from this process's
// environment. Input: MAIL_PLAN = {"scenario": "...", "destinationName": "...", "mail": {...MailConfig}}. Output: one
// line `@@result <json>`; every other stdout line is the SDK's own log output.
import { sendMail } from '@sap-cloud-sdk/mail-client';

const plan = JSON.parse(process.env.MAIL_PLAN ?? '{}');

/** What the test asserts on from Nodemailer's answer (per mail; the SDK turns a failed mail into {response, rejected}). */
function summarize(answer) {
  return { accepted: answer?.accepted ?? null, rejected: answer?.rejected ?? null, response: answer?.response ?? null, messageId: answer?.messageId ?? null };
}

let result;
try {
  const responses = await sendMail({ destinationName: plan.destinationName }, plan.mail, { sdkOptions: { parallel: false } });
  result = { scenario: plan.scenario, ok: true, responses: responses.map(summarize) };
} catch (error) {
  const messages = [];
  for (let current = error; current && messages.length < 10; current = current.cause) messages.push(String(current.message ?? current));
  result = { scenario: plan.scenario, ok: false, messages };
}
process.stdout.write(`@@result ${JSON.stringify(result)}\n`);
