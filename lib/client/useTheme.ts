'use client';

import { useCallback, useSyncExternalStore } from 'react';
import { THEME_STORAGE_KEY, type Theme } from './themeScript';

function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

function subscribe(listener: () => void): () => void {
  const observer = new MutationObserver(listener);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  // Follow the system setting until the user picks a theme themselves.
  const media = matchMedia('(prefers-color-scheme: dark)');
  const onSystemChange = () => {
    if (storedTheme() === null) document.documentElement.dataset.theme = media.matches ? 'dark' : 'light';
  };
  media.addEventListener('change', onSystemChange);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', onSystemChange);
  };
}

function storedTheme(): string | null {
  try {
    return localStorage.getItem(THEME_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The active theme (null while server rendering) and a toggle that persists the choice. */
export function useTheme(): { theme: Theme | null; toggle: () => void } {
  const theme = useSyncExternalStore(subscribe, currentTheme, () => null);
  const toggle = useCallback(() => {
    const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Storage may be blocked (private mode); the choice then lasts for this page only.
    }
  }, []);
  return { theme, toggle };
}
