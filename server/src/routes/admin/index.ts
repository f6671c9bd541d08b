import consentRecords from './consent-records';
import segments from './segments';
import settings from './settings';
import variants from './variants';

export default {
  type: 'admin',
  routes: [...variants, ...segments, ...consentRecords, ...settings],
};
