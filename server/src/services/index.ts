import coherence from './coherence';
import consent from './consent';
import consentRecords from './consent-records';
import decisions from './decisions';
import experimentCounts from './experiment-counts';
import experimentIndex from './experiment-index';
import experiments from './experiments';
import preview from './preview';
import rateLimits from './rate-limits';
import reconcile from './reconcile';
import revocations from './revocations';
import servedCounts from './served-counts';
import variantIndex from './variant-index';
import variantViews from './variant-views';
import segments from './segments';
import transfer from './transfer';
import variants from './variants';

export default {
  coherence,
  consent,
  'consent-records': consentRecords,
  decisions,
  'experiment-counts': experimentCounts,
  'experiment-index': experimentIndex,
  experiments,
  preview,
  'rate-limits': rateLimits,
  reconcile,
  revocations,
  'served-counts': servedCounts,
  'variant-index': variantIndex,
  'variant-views': variantViews,
  segments,
  transfer,
  variants,
};
