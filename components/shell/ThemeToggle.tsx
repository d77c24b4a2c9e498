'use client';

import { useTheme } from '@/lib/client/useTheme';

export function ThemeToggle() {
  const { theme, toggle } = useTheme();
  const label = theme === null ? 'Toggle theme' : `Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`;
  return (
    <button type="button" className="icon-button" onClick={toggle} aria-label={label} title={label}>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
        {theme === 'light' ? (
          <path d="M6 1.5a6.5 6.5 0 1 0 8.5 8.5A5.5 5.5 0 0 1 6 1.5Z" fill="currentColor" />
        ) : (
          <g fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round">
            <circle cx="8" cy="8" r="3" fill="currentColor" stroke="none" />
            <path d="M8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1 1M12 12l1 1M3 13l1-1M12 4l1-1" />
          </g>
        )}
      </svg>
    </button>
  );
}
