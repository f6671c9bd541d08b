import consent from './consent';
import consentRecords from './consent-records';
import events from './events';
import experiments from './experiments';
import explain from './explain';
import reconcile from './reconcile';
import reports from './reports';
import segments from './segments';
import settings from './settings';
import simulator from './simulator';
import transfer from './transfer';
import variants from './variants';

export default { consent, 'consent-records': consentRecords, events, experiments, explain, reconcile, reports, segments, settings, simulator, transfer, variants };
