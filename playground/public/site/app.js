/**
 * The demo's visitor site: plain ES modules and the plugin's client, no build step.
 * Every page asks Strapi's content API through the client, which adds the visitor's consent
 * token (kept in a first-party cookie) as a header; the plugin decides what each visitor gets.
 */
import { createClient, memoryStorage, PersonalizationError } from './personalization-client.mjs';

/**
 * In Strapi's Preview (a frame of the admin, same origin here) the editor picks the visitor: the
 * plugin's preview controls post the headers of a short-lived preview token, sent with every
 * request instead of the visitor's own cookie (admin/src/components/PreviewVisitorControls.tsx).
 */
const inPreview = window.parent !== window;
let previewHeaders = {};
const client = inPreview
  ? createClient({
      storage: memoryStorage(),
      fetch: (input, init = {}) => {
        const headers = new Headers(init.headers);
        for (const [name, value] of Object.entries(previewHeaders)) headers.set(name, value);
        return fetch(input, { ...init, headers });
      },
    })
  : createClient();
const ARTICLE = 'api::article.article';
const HOMEPAGE = 'api::homepage.homepage';
/** Remembers that the visitor chose (even "no"), so the banner does not ask again. Holds no data about them. */
const CHOICE_MADE = 'personalization_choice_made';

const INTERESTS = [
  ['outdoor', 'The outdoors'],
  ['reading', 'Reading'],
  ['food', 'Food and cooking'],
  ['travel', 'Travel'],
];
const AGE_GROUPS = ['18-24', '25-34', '35-49', '50-64', '65+'];
const ATTRIBUTE_NAMES = {
  interests: 'your interests',
  ageGroup: 'your age group',
  country: 'your country',
  device: 'your type of device',
  utmCampaign: 'the campaign link you came from',
};
/** What the site asks visitors to share: the catalogue's attributes a visitor can pick. */
const SHARED_HERE = ['interests', 'ageGroup'];

const SERVED = {
  targeted: 'You see a version picked for you.',
  mass: 'You see this season’s version, the same for everyone right now.',
  base: 'You see the standard version, the same for everyone.',
};
const REASONS = {
  'targeted-match': 'It matches what you chose to share, and you consented to personalization.',
  'mass-match': 'It is a campaign running for everyone at the moment. It uses nothing about you.',
  'no-variants': 'This page has a single version.',
  'consent-missing': 'There is a version for some visitors, but it needs a consent you have not given.',
  'no-token': 'You have not consented to personalization, so nothing about you was used.',
  'token-revoked': 'You withdrew your consent, so nothing about you was used.',
  'token-expired': 'Your consent has expired, so nothing about you was used.',
  'rule-false': 'Versions for other audiences exist; what you shared does not match them.',
  schedule: 'Its other versions are not running at the moment.',
  draft: 'Its other versions are not published yet.',
  'locale-missing': 'Its other versions are not written in this language.',
  'locale-excluded': 'Its other versions are not offered in this language.',
  disabled: 'Its other versions are switched off.',
};
const SKIPPED = {
  'consent-missing': 'needs a consent you have not given',
  'no-token': 'needs your consent to personalization',
  'token-revoked': 'needs your consent (you withdrew it)',
  'rule-false': 'for another audience',
  schedule: 'not running now',
  draft: 'not published',
  'locale-missing': 'not in this language',
  'locale-excluded': 'not offered in this language',
  disabled: 'switched off',
};
const reasonText = (reason) => REASONS[reason] ?? (reason.startsWith('token-') ? 'Your consent token could not be used, so nothing about you was used.' : reason);

let purposes = [];

/** A DOM element: `h('p', { class: 'x' }, 'text', child)`. Text is always text, never HTML. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter((child) => child != null && child !== false));
  return element;
}

/** Replaces an element's children, skipping the empty ones conditional parts leave. */
function fill(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((child) => child != null && child !== false));
}

function showStatus(text, tone = 'info') {
  const status = document.getElementById('status');
  status.textContent = text;
  status.dataset.tone = tone;
  status.hidden = false;
}

async function read(path) {
  const response = await client.fetch(path);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()).data;
}

const BADGES = { targeted: 'Picked for you', mass: 'This season' };
function badge(entry) {
  const kind = entry?.personalization?.kind;
  return BADGES[kind] ? h('span', { class: `badge ${kind}` }, BADGES[kind]) : null;
}

function whyButton(contentType, documentId) {
  return h('button', { type: 'button', class: 'why', onclick: () => explain(contentType, documentId) }, 'Why am I seeing this?');
}

function articleCard(article, { featured = false } = {}) {
  return h(
    'article',
    { class: featured ? 'card featured' : 'card', 'data-document-id': article.documentId, 'data-kind': article.personalization?.kind ?? '' },
    featured ? h('p', { class: 'eyebrow' }, 'Featured') : null,
    badge(article),
    h(featured ? 'h2' : 'h3', {}, h('a', { href: `/articles/${article.documentId}`, 'data-link': true }, article.title)),
    article.summary ? h('p', { class: 'summary' }, article.summary) : null,
    h('div', { class: 'card-foot' }, h('a', { href: `/articles/${article.documentId}`, 'data-link': true, class: 'more' }, 'Read'), whyButton(ARTICLE, article.documentId))
  );
}

async function homePage() {
  const [home, articles] = await Promise.all([read('/api/homepage?populate=featured'), read('/api/articles?sort=createdAt:asc')]);
  document.title = `Trailhead · ${home.headline}`;
  const featured = home.featured ? articles.find((article) => article.documentId === home.featured.documentId) : null;
  return [
    h(
      'section',
      { class: 'hero', 'data-kind': home.personalization?.kind ?? '' },
      h('div', { class: 'hero-text' }, badge(home), h('h1', {}, home.headline), home.intro ? h('p', { class: 'lead' }, home.intro) : null, whyButton(HOMEPAGE, home.documentId)),
      home.featured ? h('div', { class: 'hero-feature', id: 'featured' }, articleCard(home.featured, { featured: true })) : null
    ),
    h(
      'section',
      { class: 'list', 'aria-labelledby': 'latest' },
      h('h2', { id: 'latest' }, 'Latest stories'),
      h('div', { class: 'cards', id: 'articles' }, articles.filter((article) => article !== featured).map((article) => articleCard(article)))
    ),
  ];
}

async function articlePage(documentId) {
  const article = await read(`/api/articles/${encodeURIComponent(documentId)}?populate=cta`);
  document.title = `Trailhead · ${article.title}`;
  return [
    h(
      'article',
      { class: 'story', 'data-document-id': article.documentId, 'data-kind': article.personalization?.kind ?? '' },
      h('p', { class: 'eyebrow' }, h('a', { href: '/', 'data-link': true }, '← All stories')),
      badge(article),
      h('h1', {}, article.title),
      article.summary ? h('p', { class: 'lead' }, article.summary) : null,
      (article.body ?? '').split(/\n{2,}/).filter(Boolean).map((paragraph) => h('p', {}, paragraph)),
      article.cta ? h('p', {}, h('a', { class: 'button primary', href: article.cta.url }, article.cta.label)) : null,
      whyButton(ARTICLE, article.documentId)
    ),
  ];
}

async function render() {
  const main = document.getElementById('page');
  const match = location.pathname.match(/^\/articles\/([^/]+)\/?$/);
  try {
    const content = match ? await articlePage(decodeURIComponent(match[1])) : await homePage();
    fill(main, content);
  } catch (error) {
    fill(main, h('p', { class: 'error' }, `This page could not be loaded: ${error.message}`));
  }
}

async function explain(contentType, documentId) {
  const dialog = document.getElementById('why');
  const content = document.getElementById('why-content');
  fill(content, h('p', {}, 'Asking…'));
  dialog.showModal();
  try {
    const why = await client.explain(contentType, documentId);
    const skipped = why.skipped.filter((skip) => skip.variant);
    fill(
      content,
      h('p', { class: 'served', 'data-kind': why.served.kind }, SERVED[why.served.kind] ?? ''),
      h('p', { 'data-reason': why.served.reason }, reasonText(why.served.reason)),
      why.read.length
        ? h('p', {}, 'To decide, the site looked at ', h('strong', {}, why.read.map((name) => ATTRIBUTE_NAMES[name] ?? name).join(', ')), '. It never sees anyone else’s data.')
        : h('p', {}, 'Nothing about you was read to decide.'),
      skipped.length
        ? h(
            'div',
            {},
            h('h3', {}, 'Other versions of this page'),
            h('ul', { class: 'skipped' }, skipped.map((skip) => h('li', {}, h('code', {}, skip.variant), ' · ', skip.kind === 'targeted' ? 'for a group of visitors, ' : 'for everyone, ', SKIPPED[skip.reason] ?? skip.reason)))
          )
        : null,
      h('p', { class: 'muted' }, why.consent.purposes.length > 1 ? `Your consent covers: ${titles(why.consent.purposes).join(', ')}.` : 'You have not consented to anything beyond what the site needs to work.')
    );
  } catch (error) {
    fill(content, h('p', { class: 'error' }, `No answer: ${error.message}`));
  }
}

function titles(keys) {
  return keys.map((key) => purposes.find((purpose) => purpose.key === key)?.title ?? key);
}

function describe(name, value) {
  if (name === 'interests') return value.map((key) => INTERESTS.find(([k]) => k === key)?.[1] ?? key).join(', ');
  return Array.isArray(value) ? value.join(', ') : String(value);
}

async function aboutMe() {
  const dialog = document.getElementById('me');
  const content = document.getElementById('me-content');
  const withdraw = document.getElementById('withdraw');
  fill(content, h('p', {}, 'Asking…'));
  withdraw.hidden = true;
  if (!dialog.open) dialog.showModal();
  const held = await client.current().catch((error) => ({ error }));
  if (held?.error) {
    fill(content, h('p', { class: 'error' }, `No answer: ${held.error.message}`));
    return;
  }
  if (!held) {
    fill(
      content,
      h('p', { class: 'nothing' }, 'Nothing. You have not shared anything, and no page uses anything about you.'),
      h('p', { class: 'muted' }, 'If you consent, what you share is kept in a signed token in a cookie of this site, and you can look at it here.')
    );
    return;
  }
  const shared = Object.entries(held.attributes);
  fill(
    content,
    h('dl', { class: 'facts' },
      h('dt', {}, 'You agreed to'), h('dd', { id: 'me-purposes' }, titles(held.purposes).join(', ')),
      h('dt', {}, 'You shared'), h('dd', { id: 'me-attributes' }, shared.length ? shared.map(([name, value]) => `${ATTRIBUTE_NAMES[name] ?? name}: ${describe(name, value)}`).join('; ') : 'nothing'),
      h('dt', {}, 'Who you are to us'), h('dd', {}, h('code', {}, held.subject), h('br'), h('span', { class: 'muted' }, 'a random id, not linked to your name, email or device')),
      h('dt', {}, 'Given'), h('dd', {}, new Date(held.issuedAt).toLocaleString()),
      h('dt', {}, 'Valid until'), h('dd', {}, `${new Date(held.expiresAt).toLocaleDateString()}, unless you withdraw it`)
    ),
    held.ignoredAttributes.length ? h('p', { class: 'muted' }, `Also in your token, but unused because you did not consent to their purpose: ${held.ignoredAttributes.join(', ')}.`) : null,
    h('p', { class: 'muted' }, 'The server keeps a record that you consented (purposes and dates), never what you shared.')
  );
  withdraw.hidden = false;
}

async function withdraw() {
  await client.withdraw();
  localStorage.setItem(CHOICE_MADE, '1');
  document.getElementById('me').close();
  showStatus('Consent withdrawn. You now see the same pages as everyone, and nothing about you is used.');
  await render();
}

function purposeItem(purpose, held) {
  const necessary = purpose.key === 'necessary';
  const checked = necessary || (held ? held.purposes.includes(purpose.key) : false);
  const unlocks = purpose.attributes.map((attribute) => ATTRIBUTE_NAMES[attribute.name] ?? attribute.name);
  const shareable = purpose.attributes.filter((attribute) => attribute.source === 'token' && SHARED_HERE.includes(attribute.name));
  return h(
    'li',
    { class: 'purpose', 'data-purpose': purpose.key },
    h(
      'label',
      { class: 'purpose-head' },
      h('input', { type: 'checkbox', name: 'purpose', value: purpose.key, checked, disabled: necessary }),
      h('span', { class: 'purpose-title' }, purpose.title),
      h('span', { class: purpose.usedByLiveVariants ? 'tag used' : 'tag' }, necessary ? 'Always on' : purpose.usedByLiveVariants ? 'Used on this site now' : 'Not used right now')
    ),
    h('p', { class: 'gives' }, purpose.description),
    h('p', { class: 'unlocks' }, unlocks.length ? `Lets the site use ${unlocks.join(', ')}, only if you share them.` : 'Reads nothing about you.'),
    shareable.length ? shareFields(shareable, held) : null
  );
}

function shareFields(attributes, held) {
  const names = attributes.map((attribute) => attribute.name);
  const interests = held?.attributes.interests ?? [];
  return h(
    'fieldset',
    { class: 'share' },
    h('legend', {}, 'Share, if you like (optional)'),
    names.includes('interests')
      ? h('div', { class: 'interests', role: 'group', 'aria-label': 'Your interests' }, INTERESTS.map(([key, label]) => h('label', { class: 'chip' }, h('input', { type: 'checkbox', name: 'interests', value: key, checked: interests.includes(key) }), label)))
      : null,
    names.includes('ageGroup')
      ? h('label', { class: 'age' }, 'Your age group ', h('select', { name: 'ageGroup' }, h('option', { value: '' }, 'Rather not say'), AGE_GROUPS.map((group) => h('option', { value: group, selected: held?.attributes.ageGroup === group }, group))))
      : null
  );
}

async function openChoices() {
  document.getElementById('me').close();
  const held = await client.current().catch(() => null);
  fill(document.getElementById('purposes'), purposes.map((purpose) => purposeItem(purpose, held)));
  document.getElementById('consent-error').hidden = true;
  document.getElementById('consent').hidden = false;
}

/** The attributes ticked in the banner, for the purposes being granted. */
function sharedAttributes(form, granted) {
  const attributes = {};
  const purposeOf = Object.fromEntries(purposes.flatMap((purpose) => purpose.attributes.map((attribute) => [attribute.name, purpose.key])));
  const interests = [...form.querySelectorAll('input[name=interests]:checked')].map((input) => input.value);
  const ageGroup = form.querySelector('select[name=ageGroup]')?.value;
  if (interests.length && granted.includes(purposeOf.interests)) attributes.interests = interests;
  if (ageGroup && granted.includes(purposeOf.ageGroup)) attributes.ageGroup = ageGroup;
  return attributes;
}

async function choose(choice) {
  const form = document.getElementById('consent-form');
  const error = document.getElementById('consent-error');
  const granted =
    choice === 'accept'
      ? purposes.map((purpose) => purpose.key)
      : choice === 'save'
        ? [...form.querySelectorAll('input[name=purpose]:checked')].map((input) => input.value)
        : [];
  try {
    if (granted.every((key) => key === 'necessary')) {
      await client.withdraw();
      showStatus('No problem: you see the same pages as everyone, and nothing about you is used.');
    } else {
      const attributes = sharedAttributes(form, granted);
      await client.grant({ purposes: granted, attributes });
      showStatus(
        Object.keys(attributes).length
          ? 'Thank you. The pages now pick stories from what you shared; “What do you know about me?” shows it all.'
          : 'Thank you. Share an interest in “Privacy choices” to get stories picked for you.'
      );
    }
  } catch (failure) {
    error.hidden = false;
    error.textContent =
      failure instanceof PersonalizationError && failure.status === 429
        ? `Too many consent requests from your network. Please try again in ${failure.retryAfter ?? 60} seconds; the standard pages stay as they are.`
        : `Your choice could not be saved: ${failure.message}`;
    return;
  }
  localStorage.setItem(CHOICE_MADE, '1');
  document.getElementById('consent').hidden = true;
  await render();
}

function navigate(event) {
  const link = event.target.closest('a[data-link]');
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  if (link.pathname !== location.pathname) history.pushState(null, '', link.pathname);
  document.getElementById('why').close();
  render().then(() => window.scrollTo(0, 0));
}

function previewRibbon() {
  const names = Object.keys(previewHeaders).length ? 'the visitor chosen in the preview controls' : 'a visitor without consent';
  showStatus(`Preview: this page as ${names} gets it.`, 'preview');
}

function followPreview() {
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.origin !== location.origin) return;
    if (event.data?.type === 'personalization:visitor') {
      previewHeaders = event.data.headers ?? {};
      previewRibbon();
      render();
    }
    // Strapi says the entry was saved: show the new content.
    if (event.data?.type === 'strapiUpdate') render();
  });
  window.parent.postMessage({ type: 'personalization:ready' }, location.origin);
  previewRibbon();
}

async function start() {
  if (inPreview) followPreview();
  document.addEventListener('click', navigate);
  window.addEventListener('popstate', render);
  document.getElementById('open-me').addEventListener('click', aboutMe);
  document.getElementById('open-choices').addEventListener('click', openChoices);
  document.getElementById('change-choices').addEventListener('click', openChoices);
  document.getElementById('withdraw').addEventListener('click', withdraw);
  for (const button of document.querySelectorAll('[data-choice]')) button.addEventListener('click', () => choose(button.dataset.choice));

  const [loaded] = await Promise.all([client.purposes().catch(() => []), render()]);
  purposes = loaded;
  if (!inPreview && !(await client.token()) && !localStorage.getItem(CHOICE_MADE) && purposes.length) await openChoices();
  document.body.dataset.ready = 'true';
}

start();
