import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

export default [
  {
    ...ADMIN_ROUTES.consentRecords,
    handler: 'consent-records.list',
    config: { policies: can(ACTIONS.readConsentRecords) },
  },
  {
    ...ADMIN_ROUTES.consentRecordsExport,
    handler: 'consent-records.export',
    config: { policies: can(ACTIONS.readConsentRecords) },
  },
];
