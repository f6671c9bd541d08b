import { ManyWays } from '@strapi/icons';

/** One entry, several ways to it: content served by audience. */
export const PluginIcon = () => <ManyWays />;
