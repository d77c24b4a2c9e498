/** `<service>/<id>`: the id is the last segment, since service names (grpc-go targets) may contain `/`. */
export function parseTarget(text: string): { service: string; id: string } | null {
  const slash = text.lastIndexOf('/');
  if (slash <= 0 || slash === text.length - 1) return null;
  return { service: text.slice(0, slash), id: text.slice(slash + 1) };
}
