import type { Core } from '@strapi/strapi';
import type { KoaContext } from '../koa-context';
import { z } from 'zod';
import type { EventAnswer } from '../../../shared/contracts';
import { enrol, hash64 } from '../core/experiments';
import { buildRuleContext } from '../core/rules';
import { isCounted } from '../delivery/experiments';
import { answeringInputErrors, InputError, parseInput } from '../errors';
import { settings } from '../settings';
import { getService } from '../get-service';

const eventSchema = z
  .object({
    type: z.literal('conversion'),
    goal: z.string().min(1).max(64),
  })
  .strict();

/** POST /api/personalization/events: conversions of enrolled visitors, counted in memory (never a write per request). */
const events = ({ strapi }: { strapi: Core.Strapi }) => {
  return {
    /** Behind the rate-limit route middleware, as POST /consent. */
    async track(ctx: KoaContext) {
      ctx.set('Cache-Control', 'no-store');
      await answeringInputErrors(ctx, async () => {
        const { goal } = parseInput(eventSchema, ctx.request.body);
        const index = getService(strapi, 'experiment-index');
        if (!index.isKnownGoal(goal)) throw new InputError('goal', `unknown goal "${goal}"`);
        const consent = await getService(strapi, 'consent').ofRequest(ctx);
        const answer = (data: EventAnswer) => {
          ctx.status = 202;
          return { data };
        };
        if (!consent.subject || !consent.purposes.has(settings(strapi).config.experiments.purpose)) {
          return answer({ counted: false, reason: 'consent-missing' });
        }
        if (!isCounted(ctx) || consent.previewAt !== undefined) return answer({ counted: false, reason: 'not-counted' });
        const { config, catalogue } = settings(strapi);
        const context = buildRuleContext({ now: new Date(), timeZone: config.timeZone, attributes: consent.attributes, catalogue });
        const visitor = { purposes: consent.purposes, subject: consent.subject, context };
        const counts = getService(strapi, 'experiment-counts');
        let counted = false;
        for (const experiment of index.runningWithGoal(goal)) {
          // Attributed by assignment: the arm this visitor is bucketed into, as on every request.
          const enrolment = enrol(experiment, visitor);
          if (!enrolment.enrolled) continue;
          counts.convert(experiment.id, experiment.arms[enrolment.arm].key, goal, hash64(consent.subject));
          counted = true;
        }
        return answer({ counted, reason: counted ? 'counted' : 'not-enrolled' });
      });
    },
  };
};

export default events;
