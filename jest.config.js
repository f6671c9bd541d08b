/**
 * Unit tests run pure modules without Strapi; component tests render admin components in jsdom;
 * integration tests boot the real playground app. DATABASE_CLIENT=postgres|mysql switches the
 * integration database.
 */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', tsx: true },
        target: 'es2022',
        transform: { react: { runtime: 'automatic' } },
      },
      module: { type: 'commonjs' },
    },
  ],
};

/**
 * The browser tests need the built plugin and admin and a Chromium: they run only when asked for
 * (`npx jest --selectProjects e2e`, or E2E=1), never as part of a plain `npx jest` / `npm test`.
 */
const selectProjects = process.argv.indexOf('--selectProjects');
const e2eRequested =
  process.env.E2E === '1' ||
  process.argv.some((arg) => /^--selectProjects=(.*,)?e2e(,|$)/.test(arg)) ||
  (selectProjects !== -1 && process.argv.slice(selectProjects + 1).includes('e2e'));

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      transform,
    },
    {
      displayName: 'component',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/tests/component/**/*.test.tsx'],
      setupFilesAfterEnv: ['<rootDir>/tests/component/setup.ts'],
      transform,
      // react-dnd (the admin's drag and drop) ships ES modules only.
      transformIgnorePatterns: ['/node_modules/(?!(react-dnd|react-dnd-html5-backend|dnd-core|@react-dnd)/)'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      transform,
    },
    ...(e2eRequested
      ? [
          {
            displayName: 'e2e',
            testEnvironment: 'node',
            testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
            transform,
          },
        ]
      : []),
  ],
};
