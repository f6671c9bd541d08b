export * from './bucketing';
export * from './assignment';
export * from './model';
export * from './results';
export * from './sketch';
export * from './statistics';
export * from './enrolment';
