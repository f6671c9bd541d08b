import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

/** The export holds consent records and everything editors manage: only a role that holds every permission of the plugin. */
const EVERYTHING = can(...Object.values(ACTIONS));

export default [
  {
    ...ADMIN_ROUTES.transferExport,
    handler: 'transfer.export',
    config: { policies: EVERYTHING },
  },
  {
    ...ADMIN_ROUTES.transferImport,
    handler: 'transfer.import',
    config: { policies: EVERYTHING },
  },
];
