const number = new Intl.NumberFormat('en');

/** Live events held back while the reader is scrolled down; a click shows them at the top. */
export function NewEventsPill({ count, onShow }: { count: number; onShow: () => void }) {
  return (
    <div className="new-events" aria-live="polite">
      {count > 0 && (
        <button type="button" className="new-events__pill" onClick={onShow}>
          <span aria-hidden="true">↑</span> {number.format(count)} new {count === 1 ? 'event' : 'events'}
        </button>
      )}
    </div>
  );
}
