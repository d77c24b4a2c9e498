import type { Browser, CDPSession, Page } from 'playwright-core';
import { addSessionCookie } from '../tests/support/browser';

/**
 * One console page at scale in Chromium: navigation start → the first frame that shows something
 * useful (the services list's first row, the drawn map, a service's instance rows), and the bytes it
 * took, from the DevTools protocol's network events: the document (HTML with the inline RSC payload
 * of the first render), every other HTTP response, and every Socket.IO message whichever transport
 * carried it (long-polling responses before the upgrade, WebSocket frames after).
 */

export type PageKind = 'list' | 'map' | 'service';

export interface PageResult extends Traffic {
  kind: PageKind;
  path: string;
  /** Navigation start → the first animation frame with the useful content in the DOM. */
  firstUsefulPaintMs: number | null;
  error?: string;
}

const PAGE_TIMEOUT_MS = 120_000;
/** After the load event, how long the page is left to finish its socket's first exchange. */
const SETTLE_MS = 3_000;

const USEFUL: Record<PageKind, string> = {
  list: 'tbody tr',
  map: '.topology[data-ready="true"]',
  service: 'section[aria-labelledby="instances-title"] tbody tr',
};

interface Traffic {
  /** Document: bytes on the wire (compressed, headers included) and decoded. */
  documentWireBytes: number;
  documentBytes: number;
  /** Every other HTTP response (scripts, styles, RSC fetches, Socket.IO polls), on the wire. */
  otherWireBytes: number;
  /** Socket.IO: largest message (a polling response or a WebSocket frame, decoded), all of them, and the count. */
  largestSocketMessage: number;
  socketBytes: number;
  socketMessages: number;
}

async function meter(cdp: CDPSession): Promise<Traffic> {
  const traffic: Traffic = { documentWireBytes: 0, documentBytes: 0, otherWireBytes: 0, largestSocketMessage: 0, socketBytes: 0, socketMessages: 0 };
  const kinds = new Map<string, 'document' | 'poll' | 'other'>();
  const decoded = new Map<string, number>();
  const socketMessage = (bytes: number): void => {
    traffic.socketBytes += bytes;
    traffic.socketMessages += 1;
    traffic.largestSocketMessage = Math.max(traffic.largestSocketMessage, bytes);
  };
  cdp.on('Network.responseReceived', (event) => {
    kinds.set(event.requestId, event.type === 'Document' ? 'document' : event.response.url.includes('/socket.io/') ? 'poll' : 'other');
  });
  cdp.on('Network.dataReceived', (event) => decoded.set(event.requestId, (decoded.get(event.requestId) ?? 0) + event.dataLength));
  cdp.on('Network.loadingFinished', (event) => {
    const kind = kinds.get(event.requestId);
    const bytes = decoded.get(event.requestId) ?? 0;
    if (kind === 'document') {
      traffic.documentWireBytes += event.encodedDataLength;
      traffic.documentBytes += bytes;
    } else {
      traffic.otherWireBytes += event.encodedDataLength;
      // A polling response carries one or more engine.io packets; the snapshot, when it comes this way, is one.
      if (kind === 'poll' && bytes > 0) socketMessage(bytes);
    }
  });
  cdp.on('Network.webSocketFrameReceived', (event) => socketMessage(Buffer.byteLength(event.response.payloadData)));
  await cdp.send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
  return traffic;
}

async function firstUsefulPaint(page: Page, kind: PageKind): Promise<number> {
  const handle = await page.waitForFunction((selector) => (document.querySelector(selector) ? performance.now() : 0), USEFUL[kind], { polling: 'raf', timeout: PAGE_TIMEOUT_MS });
  const at = (await handle.jsonValue()) as number;
  if (kind !== 'map') return at;
  // The map marks the frame it was drawn in; the attribute can lag it by a frame.
  const drawn = await page.evaluate(() => performance.getEntriesByName('switchyard:topology-drawn')[0]?.startTime ?? null);
  return drawn ?? at;
}

export async function measurePage(browser: Browser, baseUrl: string, cookie: string, kind: PageKind, path: string): Promise<PageResult> {
  const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1440, height: 900 } });
  try {
    await addSessionCookie(context, baseUrl, cookie);
    const page = await context.newPage();
    const traffic = await meter(await context.newCDPSession(page));
    let firstUsefulPaintMs: number | null = null;
    let error: string | undefined;
    try {
      await page.goto(`${baseUrl}${path}`, { waitUntil: 'commit', timeout: PAGE_TIMEOUT_MS });
      firstUsefulPaintMs = await firstUsefulPaint(page, kind);
      // The document can still be streaming (the first render's RSC payload comes last): its size is known at load.
      await page.waitForLoadState('load', { timeout: PAGE_TIMEOUT_MS });
      await page.waitForTimeout(SETTLE_MS);
    } catch (caught) {
      error = caught instanceof Error ? caught.message.split('\n')[0] : String(caught);
    }
    return { kind, path, firstUsefulPaintMs, ...traffic, ...(error ? { error } : {}) };
  } finally {
    await context.close();
  }
}
