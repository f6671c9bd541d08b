'use strict';

module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'playground-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'playground-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'playground-transfer-token-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'playground-encryption-key-32chars!!') },
  flags: { nps: false, promoteEE: false },
  // No front end to preview entries in: switched off, the Content Manager's preview URL answers
  // 204 instead of 404 ("not configured") on every edit view.
  preview: { enabled: false },
});
