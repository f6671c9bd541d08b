import variant from './variant/schema.json';
import segment from './segment/schema.json';
import consentRecord from './consent-record/schema.json';
import revocation from './revocation/schema.json';
import detachedVariant from './detached-variant/schema.json';
import experiment from './experiment/schema.json';
import experimentCount from './experiment-count/schema.json';
import servedCount from './served-count/schema.json';

export default {
  variant: { schema: variant },
  segment: { schema: segment },
  'consent-record': { schema: consentRecord },
  revocation: { schema: revocation },
  'detached-variant': { schema: detachedVariant },
  experiment: { schema: experiment },
  'experiment-count': { schema: experimentCount },
  'served-count': { schema: servedCount },
};
