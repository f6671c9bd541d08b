import { ACTIONS } from '../../permissions';
import { can } from './can';

export default [
  {
    method: 'GET',
    path: '/reconcile',
    handler: 'reconcile.report',
    config: { policies: can(ACTIONS.read) },
  },
  {
    method: 'POST',
    path: '/reconcile',
    handler: 'reconcile.run',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    method: 'POST',
    path: '/reconcile/detached/relink',
    handler: 'reconcile.relinkAll',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    method: 'POST',
    path: '/reconcile/detached/:id/relink',
    handler: 'reconcile.relink',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    method: 'DELETE',
    path: '/reconcile/detached/:id',
    handler: 'reconcile.dismiss',
    config: { policies: can(ACTIONS.manageVariants) },
  },
  {
    method: 'POST',
    path: '/reconcile/unlinked/:contentType/:documentId/release',
    handler: 'reconcile.release',
    config: { policies: can(ACTIONS.manageVariants) },
  },
];
