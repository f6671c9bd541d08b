'use strict';

const fs = require('fs');
const path = require('path');

/**
 * The demo's visitor site (public/index.html and public/site/): its pages at `/` and
 * `/articles/:documentId`, which Strapi would otherwise redirect to the admin or answer 404,
 * and the plugin's frontend client, built into the package's dist/client, as an ES module.
 */
const PAGE = path.join(__dirname, '..', '..', 'public', 'index.html');
const CLIENT = path.join(__dirname, '..', '..', '..', 'dist', 'client', 'index.mjs');
const PAGES = /^\/(articles\/[A-Za-z0-9_-]+\/?)?$/;

module.exports = () => async (ctx, next) => {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
  if (PAGES.test(ctx.path)) {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = fs.createReadStream(PAGE);
    return;
  }
  if (ctx.path === '/site/personalization-client.mjs') {
    if (!fs.existsSync(CLIENT)) {
      ctx.status = 503;
      ctx.body = 'The client is not built: run `npm run build:client` in the plugin folder.';
      return;
    }
    ctx.type = 'text/javascript';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = fs.createReadStream(CLIENT);
    return;
  }
  return next();
};
