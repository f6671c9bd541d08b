import consent from './consent';
import consentRecords from './consent-records';
import variantIndex from './variant-index';
import segments from './segments';
import variants from './variants';

export default {
  consent,
  'consent-records': consentRecords,
  'variant-index': variantIndex,
  segments,
  variants,
};
