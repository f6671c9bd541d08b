export default {
  type: 'content-api',
  routes: [
    {
      method: 'GET',
      path: '/purposes',
      handler: 'consent.purposes',
      config: { auth: false },
    },
  ],
};
