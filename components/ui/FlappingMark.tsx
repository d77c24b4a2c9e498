/** "flapping" beside a service's status in the services list: green between failures is no recovery that holds. */
export function FlappingMark() {
  return (
    <span className="flapping-mark" title="Flapping: failing and recovering again and again (3 or more changes into or out of critical within 10 min). Its page says which instance.">
      flapping
    </span>
  );
}
