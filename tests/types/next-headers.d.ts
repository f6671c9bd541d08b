/**
 * The one Next.js API the README's Next example (client/examples/next-article-page.tsx) calls.
 * Next is not a dependency: tests/integration/client.test.ts mocks the module, and this is its type.
 */
declare module 'next/headers' {
  export function cookies(): Promise<{ toString(): string }>;
}
