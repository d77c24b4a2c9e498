/** A failed load with its reason and a way to try again now (polling also retries by itself). */
export function LoadError({ what, message, onRetry, compact = false }: { what: string; message: string; onRetry: () => void; compact?: boolean }) {
  if (compact) {
    return (
      <div className="load-error load-error--compact" role="alert">
        <p>
          Could not refresh {what}: <span className="load-error__message">{message}</span>
          <span className="muted"> — showing the last data received.</span>
        </p>
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      </div>
    );
  }
  return (
    <div className="load-error" role="alert">
      <p className="load-error__title">Could not load {what}</p>
      <p className="load-error__message">{message}</p>
      <p className="muted">Switchyard keeps trying; retry now if you fixed something.</p>
      <button type="button" className="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}
