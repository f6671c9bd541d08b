/**
 * The contract between the server and the admin: types and constants only, no runtime dependency.
 * The admin imports it; the server derives its own types from it.
 */
export * from './experiments';
export * from './overview';
export * from './permissions';
export * from './public';
export * from './reasons';
export * from './segments';
export * from './served';
export * from './settings';
export * from './simulator';
export * from './upkeep';
export * from './variants';
export * from './routes';
