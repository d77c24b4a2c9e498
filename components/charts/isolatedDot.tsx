import type { ReactNode } from 'react';
import type { DotItemDotProps } from 'recharts';

const hasValue = (point: { y: number | null } | undefined): boolean => point !== undefined && point.y !== null;

/**
 * With gaps left open, a slot with no neighbours draws no line at all: this gives such a slot a
 * dot, so a lone minute (or a lone report) is still visible. Every other slot draws nothing.
 */
export function isolatedDot({ points, index, cx, cy, stroke }: DotItemDotProps): ReactNode {
  if (typeof cx !== 'number' || typeof cy !== 'number' || !hasValue(points[index])) return null;
  if (hasValue(points[index - 1]) || hasValue(points[index + 1])) return null;
  return <circle key={index} cx={cx} cy={cy} r={2} fill={stroke} stroke="none" className="isolated-dot" />;
}
