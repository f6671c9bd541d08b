import { ACTIONS } from '../../permissions';
import { can } from './can';
import { ADMIN_ROUTES } from '../../../../shared/contracts';

const READ = ACTIONS.read;
const MANAGE_SEGMENTS = ACTIONS.manageSegments;

export default [
  {
    ...ADMIN_ROUTES.segments,
    handler: 'segments.list',
    config: { policies: can(READ) },
  },
  {
    ...ADMIN_ROUTES.segment,
    handler: 'segments.findOne',
    config: { policies: can(READ) },
  },
  {
    ...ADMIN_ROUTES.createSegment,
    handler: 'segments.create',
    config: { policies: can(MANAGE_SEGMENTS) },
  },
  {
    ...ADMIN_ROUTES.updateSegment,
    handler: 'segments.update',
    config: { policies: can(MANAGE_SEGMENTS) },
  },
  {
    ...ADMIN_ROUTES.deleteSegment,
    handler: 'segments.remove',
    config: { policies: can(MANAGE_SEGMENTS) },
  },
];
