/* global sap, document, location */
// A UI5 app as SAP's templates make it: the v2 ODataModel on the service (it loads $metadata, fetches the CSRF
// token with a HEAD, and batches reads and writes by default), a sap.m.List bound to A_BusinessPartner with the
// addresses expanded, then a create through the model. What happened lands in body[data-result] for the test.
sap.ui.define(['sap/ui/model/odata/v2/ODataModel', 'sap/ui/model/Sorter', 'sap/m/List', 'sap/m/StandardListItem'], (ODataModel, Sorter, List, StandardListItem) => {
  'use strict';
  const finish = (result) => {
    document.body.dataset.result = JSON.stringify(result);
    document.body.dataset.done = 'true';
  };
  const model = new ODataModel('/sap/opu/odata/sap/API_BUSINESS_PARTNER/', { useBatch: true });
  model.attachMetadataFailed((event) => finish({ error: `metadata: ${event.getParameter('statusCode')} ${event.getParameter('responseText')}` }));
  const list = new List({
    id: 'partners',
    items: {
      path: '/A_BusinessPartner',
      parameters: { expand: 'to_BusinessPartnerAddress' },
      sorter: new Sorter('BusinessPartner'),
      template: new StandardListItem({ title: '{BusinessPartnerFullName}', description: '{BusinessPartner}' }),
    },
  });
  list.setModel(model);
  list.placeAt('content');
  list.attachEventOnce('updateFinished', () => {
    const listed = list.getItems().map((item) => ({ key: item.getDescription(), name: item.getTitle() }));
    const name = new URLSearchParams(location.search).get('name') || 'UI5 Ltd.';
    model.create('/A_BusinessPartner', { BusinessPartnerCategory: '2', BusinessPartnerFullName: name, SearchTerm1: 'UI5' }, {
      success: (created) => {
        list.attachEventOnce('updateFinished', () => finish({ listed, created: created.BusinessPartner, after: list.getItems().length }));
        model.refresh(true);
      },
      error: (error) => finish({ listed, error: `create: ${error.statusCode} ${error.responseText}` }),
    });
  });
});
