'use strict';

module.exports = [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  'strapi::body',
  'strapi::session',
  'strapi::favicon',
  // The demo's visitor site at / (src/middlewares/visitor-site.js).
  'global::visitor-site',
  'strapi::public',
];
