import type { Core } from '@strapi/strapi';

/** The Koa context Strapi hands controllers, with its response helpers (`badRequest`, `notFound`, …). */
export type KoaContext = Parameters<Core.ControllerHandler>[0];
