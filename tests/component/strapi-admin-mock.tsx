/**
 * What the plugin's pages take from `@strapi/strapi/admin`, for jsdom: the fetch client and the
 * notification as jest mocks the test drives, page chrome that renders its children, and the
 * signed-in admin's permissions. Use it with
 * `jest.mock('@strapi/strapi/admin', () => jest.requireActual('./strapi-admin-mock').strapiAdmin)`.
 */
import * as React from 'react';
import { ACTIONS } from '../../shared/contracts/permissions';

export const fetchClient = { get: jest.fn(), post: jest.fn(), put: jest.fn(), del: jest.fn() };
export const toggleNotification = jest.fn();

/** A refusal as Strapi's fetch client throws it. */
export class FetchError extends Error {
  response: { data: unknown };
  constructor(
    public status: number,
    error: { message: string; details?: Record<string, unknown> }
  ) {
    super(error.message);
    this.response = { data: { error: { status, name: 'ValidationError', ...error } } };
  }
}

/** Routes GETs by URL; anything else fails the test loudly. */
export function answerGets(routes: Record<string, unknown>) {
  fetchClient.get.mockImplementation(async (url: string) => {
    if (url in routes) return { data: { data: routes[url] } };
    throw new Error(`unexpected GET ${url}`);
  });
}

export function resetStrapiAdmin() {
  Object.values(fetchClient).forEach((mock) => mock.mockReset());
  toggleNotification.mockReset();
}

const Children = ({ children }: { children?: React.ReactNode }) => <>{children}</>;

export const strapiAdmin = {
  useFetchClient: () => fetchClient,
  useNotification: () => ({ toggleNotification }),
  isFetchError: (error: unknown) => error instanceof FetchError,
  useAuth: (_origin: string, select: (state: { permissions: Array<{ action: string }> }) => unknown) =>
    select({ permissions: Object.values(ACTIONS).map((action) => ({ action })) }),
  Page: { Protect: Children, Main: Children, Title: () => null },
  Layouts: {
    Header: ({ title, primaryAction }: { title: string; primaryAction?: React.ReactNode }) => (
      <header>
        <h1>{title}</h1>
        {primaryAction}
      </header>
    ),
    Content: Children,
  },
  ConfirmDialog: ({ children }: { children?: React.ReactNode }) => <div role="alertdialog">{children}</div>,
};
