/**
 * What jsdom lacks and the design system calls: pointer capture and scrolling (Radix selects),
 * text measurement (CodeMirror in the JSON input) and layout observers. Empty answers, since
 * jsdom has no layout.
 */
if (!Element.prototype.hasPointerCapture) {
  Element.prototype.hasPointerCapture = () => false;
  Element.prototype.setPointerCapture = () => undefined;
  Element.prototype.releasePointerCapture = () => undefined;
}
if (!Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = () => undefined;

const noRect = () => new DOMRect(0, 0, 0, 0);
const noRects = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
Range.prototype.getBoundingClientRect ??= noRect;
Range.prototype.getClientRects ??= noRects;

class NoLayoutObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoLayoutObserver as unknown as typeof ResizeObserver;
globalThis.IntersectionObserver ??= NoLayoutObserver as unknown as typeof IntersectionObserver;

// React and the design system report misuse (act, keys, props) through console.error.
beforeEach(() => {
  jest.spyOn(console, 'error');
});
afterEach(() => {
  expect(console.error).not.toHaveBeenCalled();
  jest.mocked(console.error).mockRestore();
});
