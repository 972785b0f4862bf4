// What the delivery test cases share within one adapter set: its storage and the delivery test bed.
// Filled in by the suite's before() hook; each case group uses its own hosted domain to stay apart.
import type { Storage } from '../../../../../core/ports/index.js';
import type { DeliveryTestBed } from '../../../../support/delivery-fixtures.js';

export interface DeliverySuiteContext {
  storage: Storage;
  bed: DeliveryTestBed;
}
