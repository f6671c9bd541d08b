'use strict';

module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'playground-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'playground-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'playground-transfer-token-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'playground-encryption-key-32chars!!') },
  flags: { nps: false, promoteEE: false },
  // Strapi's Preview shows the demo's visitor site (public/, served at / by
  // src/middlewares/visitor-site.js) for the types it renders; others have no preview.
  preview: {
    enabled: true,
    config: {
      handler(uid, { documentId }) {
        if (uid === 'api::article.article') return `/articles/${documentId}`;
        if (uid === 'api::homepage.homepage') return '/';
        return null;
      },
    },
  },
});
