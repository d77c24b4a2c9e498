/**
 * Titles an element with its text only while that text is cut (its ellipsis hides the rest): a title on
 * every zone made screen readers say each one twice. Called as the pointer enters, where the element's
 * width is known, so nothing measures itself as it renders.
 */
export function titleIfCut(element: HTMLElement, text: string | undefined): void {
  if (text !== undefined && element.scrollWidth > element.clientWidth) element.title = text;
  else element.removeAttribute('title');
}
