import { ACTIONS } from '../../permissions';
import { can } from './can';

const READ = ACTIONS.read;
const MANAGE_SEGMENTS = ACTIONS.manageSegments;

export default [
  {
    method: 'GET',
    path: '/segments',
    handler: 'segments.list',
    config: { policies: can(READ) },
  },
  {
    method: 'GET',
    path: '/segments/:id',
    handler: 'segments.findOne',
    config: { policies: can(READ) },
  },
  {
    method: 'POST',
    path: '/segments',
    handler: 'segments.create',
    config: { policies: can(MANAGE_SEGMENTS) },
  },
  {
    method: 'PUT',
    path: '/segments/:id',
    handler: 'segments.update',
    config: { policies: can(MANAGE_SEGMENTS) },
  },
  {
    method: 'DELETE',
    path: '/segments/:id',
    handler: 'segments.remove',
    config: { policies: can(MANAGE_SEGMENTS) },
  },
];
