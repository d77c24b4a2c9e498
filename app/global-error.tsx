'use client';

/** Replaces the root layout when it fails itself (e.g. the runtime is not running), so no layout CSS here. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', padding: 32 }}>
        <h1 style={{ fontSize: 18 }}>Switchyard could not render this page</h1>
        <p>{error.digest ? `Error ${error.digest}` : error.message}</p>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </body>
    </html>
  );
}
