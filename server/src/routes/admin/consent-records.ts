import { ACTIONS } from '../../permissions';
import { can } from './can';

export default [
  {
    method: 'GET',
    path: '/consent-records',
    handler: 'consent-records.list',
    config: { policies: can(ACTIONS.readConsentRecords) },
  },
  {
    method: 'GET',
    path: '/consent-records/export',
    handler: 'consent-records.export',
    config: { policies: can(ACTIONS.readConsentRecords) },
  },
];
