import { ACTIONS } from '../../permissions';
import { can } from './can';

/** The export holds consent records and every variant and segment: only a role that may see and manage all of them. */
const EVERYTHING = can(ACTIONS.settings, ACTIONS.manageVariants, ACTIONS.manageSegments, ACTIONS.readConsentRecords);

export default [
  {
    method: 'GET',
    path: '/transfer/export',
    handler: 'transfer.export',
    config: { policies: EVERYTHING },
  },
  {
    method: 'POST',
    path: '/transfer/import',
    handler: 'transfer.import',
    config: { policies: EVERYTHING },
  },
];
