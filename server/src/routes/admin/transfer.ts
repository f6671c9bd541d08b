import { ACTIONS } from '../../permissions';
import { can } from './can';

/** The export holds consent records and everything editors manage: only a role that holds every permission of the plugin. */
const EVERYTHING = can(...Object.values(ACTIONS));

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
