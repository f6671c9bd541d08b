import { ACTIONS } from '../../permissions';
import { can } from './can';

const READ = ACTIONS.read;
const MANAGE_VARIANTS = ACTIONS.manageVariants;

export default [
  {
    method: 'GET',
    path: '/variants/:contentType/:baseDocumentId',
    handler: 'variants.list',
    config: { policies: can(READ) },
  },
  {
    method: 'POST',
    path: '/variants',
    handler: 'variants.create',
    config: { policies: can(MANAGE_VARIANTS) },
  },
  {
    method: 'PUT',
    path: '/variants/:id',
    handler: 'variants.update',
    config: { policies: can(MANAGE_VARIANTS) },
  },
  {
    method: 'PUT',
    path: '/variants/:contentType/:baseDocumentId/order',
    handler: 'variants.reorder',
    config: { policies: can(MANAGE_VARIANTS) },
  },
  {
    method: 'DELETE',
    path: '/variants/:id',
    handler: 'variants.remove',
    config: { policies: can(MANAGE_VARIANTS) },
  },
];
