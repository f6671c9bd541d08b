import coherence from './coherence';
import consent from './consent';
import consentRecords from './consent-records';
import preview from './preview';
import variantIndex from './variant-index';
import segments from './segments';
import variants from './variants';

export default {
  coherence,
  consent,
  'consent-records': consentRecords,
  preview,
  'variant-index': variantIndex,
  segments,
  variants,
};
