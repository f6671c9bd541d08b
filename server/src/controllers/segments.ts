import type { Core } from '@strapi/strapi';
import { getService } from '../get-service';
import { resourceActions } from './resource-actions';

/** Segments: named audiences variants and experiments reuse. Behind `segments`. */
const segments = ({ strapi }: { strapi: Core.Strapi }) => resourceActions(() => getService(strapi, 'segments'));

export default segments;
