/** A failed load with its reason and a way to try again now (polling also retries by itself). */
export function LoadError({ what, message, onRetry, compact = false }: { what: string; message: string; onRetry: () => void; compact?: boolean }) {
  return (
    <div className={compact ? 'load-error load-error--compact' : 'load-error'} role="alert">
      <p>
        Could not load {what}: <span className="load-error__message">{message}</span>
        {compact && <span className="muted"> — showing the last data received.</span>}
      </p>
      <button type="button" className="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}
