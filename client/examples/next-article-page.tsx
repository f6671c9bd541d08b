// app/articles/[documentId]/page.tsx
import { cookies } from 'next/headers';
import { consentHeaders } from 'strapi-plugin-personalization/client';

const STRAPI_URL = process.env.STRAPI_URL ?? 'http://127.0.0.1:1337';

export default async function ArticlePage({ params }: { params: Promise<{ documentId: string }> }) {
  const { documentId } = await params;
  // The visitor's token, from the cookie the client set in their browser.
  const headers = consentHeaders((await cookies()).toString());
  // Next caches a fetch before it sees the answer, so decide from what is sent, as Strapi does:
  // without a token the answer is the same for everyone (public); with one it may be `private, no-store`.
  const personal = 'X-Consent-Token' in headers;
  const response = await fetch(`${STRAPI_URL}/api/articles/${documentId}`, {
    headers,
    ...(personal ? { cache: 'no-store' as const } : { next: { revalidate: 60 } }),
  });
  const { data: article } = await response.json();
  return (
    <article>
      <h1>{article.title}</h1>
      <p>{article.summary}</p>
    </article>
  );
}
