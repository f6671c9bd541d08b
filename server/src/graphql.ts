import type { Core } from '@strapi/strapi';
import { LABEL } from './delivery';

/**
 * Adds the `personalization` label to the GraphQL types of enabled content types. The resolvers
 * already go through the document service, so delivery itself needs nothing GraphQL-specific.
 */
export function registerGraphql(strapi: Core.Strapi, enabled: ReadonlySet<string>): void {
  const graphql = strapi.plugin('graphql');
  if (!graphql || enabled.size === 0) return;
  graphql.service('extension').use(({ nexus }: any) => {
    const naming = graphql.service('utils').naming;
    const label = nexus.objectType({
      name: 'PersonalizationLabel',
      definition(t: any) {
        t.string('variant');
        t.nonNull.string('kind');
        t.nonNull.string('reason');
        t.string('experiment');
        t.string('arm');
      },
    });
    const extensions = [...enabled].map((uid) =>
      nexus.extendType({
        type: naming.getTypeName(strapi.contentTypes[uid as keyof typeof strapi.contentTypes]),
        definition(t: any) {
          t.field('personalization', {
            type: 'PersonalizationLabel',
            resolve: (parent: { personalization?: unknown; [LABEL]?: unknown }) => parent.personalization ?? parent[LABEL] ?? null,
          });
        },
      })
    );
    return {
      types: [label, ...extensions],
      resolversConfig: Object.fromEntries(
        [...enabled].map((uid) => [
          `${naming.getTypeName(strapi.contentTypes[uid as keyof typeof strapi.contentTypes])}.personalization`,
          { auth: false },
        ])
      ),
    };
  });
}
