import consentRecords from './consent-records';
import experiments from './experiments';
import reconcile from './reconcile';
import reports from './reports';
import segments from './segments';
import settings from './settings';
import transfer from './transfer';
import variants from './variants';

export default {
  type: 'admin',
  routes: [...variants, ...segments, ...consentRecords, ...settings, ...reconcile, ...transfer, ...experiments, ...reports],
};
