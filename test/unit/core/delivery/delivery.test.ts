// The delivery pipeline against every adapter set (local; AWS on emulators). One backend per set is
// opened once for all case groups: starting the AWS emulators is the slow part.
import { after, before, describe } from 'node:test';
import { adapterSets, type OpenedAdapterSet } from '../../../contracts/adapter-sets.js';
import { deliveryTestBed } from '../../../support/delivery-fixtures.js';
import { hostCases } from './cases/hosts.cases.js';
import { recipientCases } from './cases/recipients.cases.js';
import type { DeliverySuiteContext } from './cases/suite-context.js';
import { useCaseCases } from './cases/use-case.cases.js';

for (const adapterSet of adapterSets) {
  describe(`delivery (${adapterSet.name})`, () => {
    const context = {} as DeliverySuiteContext;
    let opened: OpenedAdapterSet;

    before(async () => {
      opened = await adapterSet.open();
      context.storage = opened.storage;
      // As their hosts run: npm start reads the local spool twice, the Lambda keeps a scratch copy of the S3 one.
      context.bed = await deliveryTestBed(opened.storage, adapterSet.name === 'local' ? { scratchDir: null } : {});
    });
    after(async () => {
      await context.bed.cleanup();
      await opened.cleanup();
    });

    useCaseCases(context);
    recipientCases(context);
    hostCases(context);
  });
}
