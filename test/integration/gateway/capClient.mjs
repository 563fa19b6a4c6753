// Child process of cap.test.ts: CAP (@sap/cds 10, unchanged) as a remote OData V2 service over a forward.
// argv: <forward origin>. Prints one line `@@result <json>` with what each CQL statement returned.
import cds from '@sap/cds';
import { join } from 'node:path';

const { SELECT, INSERT, UPDATE, DELETE } = cds.ql;

(async () => {
  const model = await cds.load(join(import.meta.dirname, 'API_BUSINESS_PARTNER.cds'));
  const srv = await cds.connect.to('API_BUSINESS_PARTNER', {
    kind: 'odata-v2',
    model,
    credentials: { url: `${process.argv[2]}/sap/opu/odata/sap/API_BUSINESS_PARTNER` },
    csrf: true,
  });
  const { A_BusinessPartner } = srv.entities;
  const out = {};
  out.one = await srv.run(SELECT.one.from(A_BusinessPartner).columns('BusinessPartner', 'BusinessPartnerFullName').where({ BusinessPartner: '1000003' }));
  out.persons = await srv.run(
    SELECT.from(A_BusinessPartner).columns('BusinessPartner').where({ BusinessPartnerCategory: '1' }).orderBy('BusinessPartner desc'),
  );
  out.expanded = await srv.run(
    SELECT.from(A_BusinessPartner)
      .columns('BusinessPartner', { ref: ['to_BusinessPartnerAddress'], expand: [{ ref: ['CityName'] }] })
      .where({ BusinessPartner: '1000001' }),
  );
  await srv.run(INSERT.into(A_BusinessPartner).entries({ BusinessPartner: '4000001', BusinessPartnerCategory: '2', BusinessPartnerFullName: 'CAP Inc.' }));
  await srv.run(UPDATE(A_BusinessPartner, '4000001').with({ SearchTerm1: 'CAP' }));
  out.updated = await srv.run(SELECT.one.from(A_BusinessPartner, '4000001').columns('BusinessPartnerFullName', 'SearchTerm1'));
  await srv.run(DELETE.from(A_BusinessPartner, '4000001'));
  out.deleted = await srv.run(SELECT.one.from(A_BusinessPartner).where({ BusinessPartner: '4000001' }));
  console.log(`@@result ${JSON.stringify(out)}`);
})().catch((error) => {
  console.log(`@@result ${JSON.stringify({ error: error.message, status: error.statusCode ?? error.reason?.response?.status })}`);
  process.exitCode = 1;
});
