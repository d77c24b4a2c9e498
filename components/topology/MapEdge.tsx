'use client';

import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { joinedRoute, pathPoint, svgPath } from './edge-route';
import type { MapEdge } from './flow';

/** Its route around nodes in its way (`data.route`), while it joins the handles React Flow has for its nodes. */
function routed(route: readonly number[] | undefined, sourceX: number, sourceY: number, targetX: number, targetY: number): [string, number, number] | undefined {
  const path = joinedRoute(route, sourceX, sourceY, targetX, targetY);
  if (!path) return undefined;
  const middle = pathPoint(path, 0.5);
  return [svgPath(path), middle.x, middle.y];
}

/**
 * React Flow's default bezier edge, or its route around the nodes the bezier would cross
 * (edge-route.ts), with its label as HTML over the map instead of SVG text, where `labelSpot` found room for it (the curve's middle, React Flow's place, when that covers nothing). The
 * label's size follows `--detail-scale` (viewport.ts: details grow as the map is zoomed out, so they
 * stay legible on screen); React Flow's SVG label measures its text once, so a box drawn for 11 px
 * would not have grown with it.
 */
function MapEdgeComponent({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, label, style, markerEnd, data }: EdgeProps<MapEdge>) {
  const [path, middleX, middleY] = routed(data?.route, sourceX, sourceY, targetX, targetY) ?? getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const labelX = data?.labelX ?? middleX;
  const labelY = data?.labelY ?? middleY;
  return (
    <>
      <BaseEdge id={id} path={path} style={style} markerEnd={markerEnd} interactionWidth={0} />
      {typeof label === 'string' && label !== '' && (
        <EdgeLabelRenderer>
          <div className={`tedge-label tedge-label--${data?.tone ?? 'ok'}`} style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const MapEdgeView = memo(MapEdgeComponent);
