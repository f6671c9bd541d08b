/**
 * What the experiment and served-counts tests ask a Strapi process to do over IPC
 * (`instance.command('call', this file, name, args)`, see instance-main.js): set a variant or an
 * experiment up, flush its counts, read results.
 */
const ARTICLE = 'api::article.article';

/** A published base with one published mass variant `summer` for everyone (also the served-counts test's setup). */
async function setUpMassVariant(strapi) {
  const base = await strapi.documents(ARTICLE).create({ locale: 'en', data: { title: 'Generic', slug: 'generic' } });
  await strapi.documents(ARTICLE).publish({ documentId: base.documentId, locale: 'en' });
  const variant = await strapi
    .plugin('personalization')
    .service('variants')
    .create({ contentType: ARTICLE, baseDocumentId: base.documentId, name: 'Summer', key: 'summer', kind: 'mass' });
  await strapi.documents(ARTICLE).update({ documentId: variant.variantDocumentId, locale: 'en', data: { title: 'Summer' } });
  await strapi.documents(ARTICLE).publish({ documentId: variant.variantDocumentId, locale: 'en' });
  return { baseId: base.documentId };
}

module.exports = {
  setUpMassVariant,

  /** The base and variant of setUpMassVariant, and experiment `hero` (base vs summer, 50/50) running. */
  async setUpExperiment(strapi) {
    const plugin = strapi.plugin('personalization');
    const base = { documentId: (await setUpMassVariant(strapi)).baseId };
    const experiments = plugin.service('experiments');
    const experiment = await experiments.create({
      contentType: ARTICLE,
      baseDocumentId: base.documentId,
      key: 'hero',
      name: 'Hero',
      arms: [
        { key: 'control', variant: null, weight: 0.5 },
        { key: 'summer', variant: 'summer', weight: 0.5 },
      ],
      goals: ['signup'],
    });
    await experiments.start(experiment.documentId);
    return { baseId: base.documentId, experimentId: experiment.documentId, seed: experiment.seed };
  },

  flushExperimentCounts(strapi) {
    return strapi.plugin('personalization').service('experiment-counts').flush();
  },

  experimentResults(strapi, id) {
    return strapi.plugin('personalization').service('experiments').results(id);
  },
};
