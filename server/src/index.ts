import register from './register';
import bootstrap from './bootstrap';
import destroy from './destroy';
import config from './config';
import contentTypes from './content-types';
import controllers from './controllers';
import middlewares from './middlewares';
import routes from './routes';
import services from './services';
import { registerMigrations } from './migrations';

export default {
  register(context: Parameters<typeof register>[0]) {
    registerMigrations(context.strapi);
    register(context);
  },
  bootstrap,
  destroy,
  config,
  contentTypes,
  controllers,
  middlewares,
  routes,
  services,
};
