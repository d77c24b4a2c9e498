export type Theme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'switchyard.theme';

/**
 * Runs in <head> before first paint, so a stored or system-preferred theme never flashes.
 * A constant string: nothing user-controlled is ever interpolated into it.
 */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});if(t!=="light"&&t!=="dark"){t=matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light"}document.documentElement.dataset.theme=t}catch(e){}})();`;
