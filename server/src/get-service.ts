import type { Core } from '@strapi/strapi';
import type services from './services';

/** Every service of the plugin by its name, as its factory builds it. */
export type Services = {
  [Name in keyof typeof services]: (typeof services)[Name] extends (...args: never[]) => infer Service ? Service : never;
};
export type ServiceName = keyof Services;

/**
 * One of the plugin's services, typed by its name. For controllers, bootstrap and delivery: a
 * service that needs another one names its type itself, so no service depends on this map of all.
 */
export function getService<Name extends ServiceName>(strapi: Core.Strapi, name: Name): Services[Name] {
  return strapi.plugin('personalization').service(name) as Services[Name];
}
