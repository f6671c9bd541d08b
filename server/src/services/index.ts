import coherence from './coherence';
import consent from './consent';
import consentRecords from './consent-records';
import preview from './preview';
import reconcile from './reconcile';
import variantIndex from './variant-index';
import segments from './segments';
import transfer from './transfer';
import variants from './variants';

export default {
  coherence,
  consent,
  'consent-records': consentRecords,
  preview,
  reconcile,
  'variant-index': variantIndex,
  segments,
  transfer,
  variants,
};
