import { describe, expect, it } from 'vitest';
import { cutMinEm, distinguishingTail, MAX_TAIL, MIN_TAIL, NARROWEST_NAME_EM, narrowestShown, sharedStartWidth, splitForMiddleEllipsis, tailsForNames, tailsForNamesCached, textEm } from './middle-ellipsis';

describe('distinguishingTail', () => {
  it('keeps the minimum when the ends already differ', () => {
    expect(distinguishingTail(['orders-1', 'orders-2', 'orders-3'])).toBe(MIN_TAIL);
  });

  it('grows until ids that share a long prefix and differ only before the last characters are told apart', () => {
    const ids = ['checkout-7d9f8b6c4-x2kqp-replica-a', 'checkout-7d9f8b6c4-m9zzt-replica-a'];
    const tail = distinguishingTail(ids);
    expect(tail).toBe('t-replica-a'.length);
    expect(new Set(ids.map((id) => splitForMiddleEllipsis(id, tail).tail)).size).toBe(2);
  });

  it('tells go-zero lease ids apart by their last digits', () => {
    const ids = ['7587874236439215621', '7587874236439215877', '7587874236439216003'];
    expect(distinguishingTail(ids)).toBe(MIN_TAIL);
    expect(ids.map((id) => splitForMiddleEllipsis(id, MIN_TAIL).tail)).toEqual(['215621', '215877', '216003']);
  });

  it('ignores duplicates and stops at the maximum when only the start differs', () => {
    expect(distinguishingTail(['a', 'a'])).toBe(MIN_TAIL);
    expect(distinguishingTail([`x-${'same'.repeat(10)}`, `y-${'same'.repeat(10)}`])).toBe(MAX_TAIL);
  });
});

describe('splitForMiddleEllipsis', () => {
  it('keeps the tail whole and the head for the rest', () => {
    expect(splitForMiddleEllipsis('user.rpc/7587874236439215621', 6)).toEqual({ head: 'user.rpc/7587874236439', tail: '215621' });
  });

  it('makes a short text all tail', () => {
    expect(splitForMiddleEllipsis('p-1', 6)).toEqual({ head: '', tail: 'p-1' });
    expect(splitForMiddleEllipsis('', 6)).toEqual({ head: '', tail: '' });
  });

  it('begins the tail at the word it would cut into, when that word starts close enough', () => {
    expect(splitForMiddleEllipsis('com.example.notifications.Provider', 7)).toEqual({ head: 'com.example.notifications.', tail: 'Provider' });
    expect(splitForMiddleEllipsis('checkout-7d9f8b6c4-m9zzt-replica-a', 11)).toEqual({ head: 'checkout-7d9f8b6c4-', tail: 'm9zzt-replica-a' });
    // A word starting too far back, a tail already at a word, digits that are one long word: as asked.
    expect(splitForMiddleEllipsis('svc.internationalisation', 6)).toEqual({ head: 'svc.internationali', tail: 'sation' });
    expect(splitForMiddleEllipsis('orders.api-gateway', 7)).toEqual({ head: 'orders.api-', tail: 'gateway' });
    expect(splitForMiddleEllipsis('7587874236439215621', 6)).toEqual({ head: '7587874236439', tail: '215621' });
  });

  it('never splits an emoji and treats a bad tail length as zero', () => {
    expect(splitForMiddleEllipsis('pay-🚀🚀', 1)).toEqual({ head: 'pay-🚀', tail: '🚀' });
    expect(splitForMiddleEllipsis('abc', -3)).toEqual({ head: 'abc', tail: '' });
  });

  it('never splits a character drawn as one across the \'…\': a family emoji (joined code points), a flag, an accent', () => {
    expect(splitForMiddleEllipsis('pay-👨‍👩‍👧👨‍👩‍👧', 1)).toEqual({ head: 'pay-👨‍👩‍👧', tail: '👨‍👩‍👧' });
    expect(splitForMiddleEllipsis('eu-🇺🇸🇩🇪', 1)).toEqual({ head: 'eu-🇺🇸', tail: '🇩🇪' });
    expect(splitForMiddleEllipsis('cafe\u0301-e\u0301', 1)).toEqual({ head: 'cafe\u0301-', tail: 'e\u0301' });
  });
});

describe('tailsForNames', () => {
  it('cuts names at their end (tail 0) when none shares a long start with another', () => {
    const names = ['api-gateway', 'auth', 'catalog', 'inventory', 'ingress', 'notifications', 'recommendations', 'reviews'];
    expect([...tailsForNames(names).values()]).toEqual(names.map(() => 0));
  });

  it('keeps the distinct ends of the scale demo’s dubbo interfaces, whose shared start a 320–375 px window cuts them in', () => {
    // Cut at their end, mailer and media-40 both read 'com.example.m…' at 375 px, and all three 'com.example.…' at 360 px.
    const interfaces = ['com.example.mailer.Provider', 'com.example.media-40.Provider', 'com.example.users-12.Provider'];
    const tails = tailsForNames([...interfaces, 'users']);
    expect(tails.get('users')).toBe(0);
    const tail = tails.get('com.example.mailer.Provider') ?? 0;
    expect(tail).toBeGreaterThan(0);
    expect(interfaces.map((name) => tails.get(name))).toEqual(interfaces.map(() => tail));
    expect(interfaces.map((name) => splitForMiddleEllipsis(name, tail).tail)).toEqual(['mailer.Provider', '40.Provider', '12.Provider']);
  });

  it('takes what the narrowest column shows from the 320 px window: 62 px of 13 px text, less the ellipsis', () => {
    expect(NARROWEST_NAME_EM).toBeCloseTo(62 / 13 - 1, 5);
  });

  it('keeps the distinct end of names sharing a long start, and only of those', () => {
    const prefix = 'org.apache.dubbo.samples.greeter.api.';
    const tails = tailsForNames([`${prefix}GreeterServiceAlpha`, `${prefix}GreeterServiceBravo`, 'e2e-gateway', 'e2e-orders']);
    expect(tails.get('e2e-gateway')).toBe(0);
    expect(tails.get('e2e-orders')).toBe(0);
    const tail = tails.get(`${prefix}GreeterServiceAlpha`) ?? 0;
    expect(tail).toBeGreaterThan(0);
    expect(tails.get(`${prefix}GreeterServiceBravo`)).toBe(tail);
    expect(splitForMiddleEllipsis(`${prefix}GreeterServiceAlpha`, tail).tail).not.toBe(splitForMiddleEllipsis(`${prefix}GreeterServiceBravo`, tail).tail);
  });

  it('keeps the ends of names whose shared start fills what the narrowest column shows: com.acme.WMS.Orders and …Offers (14 in common)', () => {
    // Cut at their end, both drew 'com.acme.WMS.O…' in the services list's 132 px of text at 390 px.
    const tails = tailsForNames(['com.acme.WMS.Orders', 'com.acme.WMS.Offers', 'orders']);
    expect(tails.get('orders')).toBe(0);
    const tail = tails.get('com.acme.WMS.Orders') ?? 0;
    expect(tail).toBeGreaterThan(0);
    expect(splitForMiddleEllipsis('com.acme.WMS.Orders', tail).tail).toBe('Orders');
    expect(splitForMiddleEllipsis('com.acme.WMS.Offers', tail).tail).toBe('Offers');
  });

  it('gives each run of names alike its own tail: com.acme.WMS.Orders keeps \'Orders\', not the 10 the dubbo interfaces beside it need', () => {
    // One tail for all, 'WMS.Orders' and 'WMS.Offers' read 'WMS.O…' alike in the 320 px window's column.
    const interfaces = ['com.example.mailer.Provider', 'com.example.media-40.Provider', 'com.example.users-12.Provider'];
    const tails = tailsForNames([...interfaces, 'com.acme.WMS.Orders', 'com.acme.WMS.Offers', 'users']);
    expect(splitForMiddleEllipsis('com.acme.WMS.Orders', tails.get('com.acme.WMS.Orders') ?? 0).tail).toBe('Orders');
    expect(splitForMiddleEllipsis('com.acme.WMS.Offers', tails.get('com.acme.WMS.Offers') ?? 0).tail).toBe('Offers');
    expect(interfaces.map((name) => splitForMiddleEllipsis(name, tails.get(name) ?? 0).tail)).toEqual(['mailer.Provider', '40.Provider', '12.Provider']);
    expect(tails.get('users')).toBe(0);
  });

  it('measures each pair of neighbours once, and each name’s start and kept end to see what the column shows, only as far as the narrowest column shows: 10,000 names sharing a 250-character start (a search keystroke each)', () => {
    const names = Array.from({ length: 10_000 }, (_, index) => `${'x'.repeat(250)}${String(index).padStart(5, '0')}`);
    let measured = 0;
    const counting = (char: string): number => {
      measured += 1;
      return textEm(char);
    };
    const tails = tailsForNames(names, counting);
    // Their last 4 digits tell 00000–09999 apart.
    expect(new Set(tails.values())).toEqual(new Set([4]));
    // The shared start fills NARROWEST_NAME_EM after ceil(3.77 / 0.62) = 7 'x': 7 characters a pair, 9,999 pairs.
    // Before: every pair measured to its 251st character, three times (its two names' neighbours, then the runs).
    const charactersToFill = Math.ceil(NARROWEST_NAME_EM / textEm('x'));
    // Then what each shows: its start up to a column and an ellipsis (8 'x', whole or not), its 4-digit end twice
    // (does it fit, how wide), and the start beside it: 19 a name, once (no two alike, nothing to merge).
    const toSeeShown = charactersToFill + 1 + 2 * 4 + charactersToFill;
    expect(measured).toBeLessThanOrEqual((names.length - 1) * charactersToFill + names.length * toSeeShown);
  });

  it('keeps no more of a family\'s names than tells them apart, so their start shows too: the scale demo\'s orders-01 keeps \'01\', not \'ers-01\'', () => {
    // With 6 kept, the 320 px column (62 px of text) drew '… ers-01', '… ers-11' and '… ing-08': no family left to read.
    const names = ['orders-01', 'orders-11', 'orders-21', 'pricing-08', 'pricing-18', 'payments'];
    const tails = tailsForNames(names);
    const split = (name: string) => splitForMiddleEllipsis(name, tails.get(name) ?? 0);
    expect(names.map((name) => split(name).tail)).toEqual(['01', '11', '21', '08', '18', '']);
    expect(tails.get('payments')).toBe(0);
    // What shows beside a 2-character end in that column: the family's first four letters or more.
    for (const name of names.slice(0, 5)) expect(NARROWEST_NAME_EM - textEm(split(name).tail)).toBeGreaterThan(textEm(name.slice(0, 4)));
  });

  it('tells apart two families sharing a short start, as the narrowest column shows them: orderbook-01 and orders-01 both read \'orde…01\'', () => {
    // Each family alone kept '01' and '11', and beside them the 320 px column drew 'orde…01' twice and 'orde…11' twice.
    const names = ['orderbook-01', 'orderbook-11', 'orders-01', 'orders-11', 'orders'];
    const tails = tailsForNames(names);
    const shown = names.map((name) => narrowestShown(name, tails.get(name) ?? 0));
    expect(new Set(shown).size, shown.join(' | ')).toBe(names.length);
    // What tells them apart is kept, and the family's differing letter with it: 'k-01', 's-01'.
    expect(names.slice(0, 4).map((name) => splitForMiddleEllipsis(name, tails.get(name) ?? 0).tail)).toEqual(['k-01', 'k-11', 's-01', 's-11']);
    expect(tails.get('orders')).toBe(0);
  });

  it('cuts names at their end when no end of up to MAX_TAIL characters tells them apart, so a wider column shows where they differ', () => {
    // Kept, the 16 characters both end with ('service.v1.Provider') read alike at every width short of the whole name;
    // cut at their end they read apart wherever the column reaches 'orders'/'offers' (9.5 em at 390 px).
    const names = ['com.acme.orders.service.v1.Provider', 'com.acme.offers.service.v1.Provider'];
    const tails = tailsForNames(names);
    expect(names.map((name) => tails.get(name))).toEqual([0, 0]);
  });

  it('merges no family whose merged end the narrowest column cannot show: beside orders, orderbook and ordering-svc, order-events-01 keeps \'01\', not \'events-01\' drawn \'…even…\'', () => {
    // Merged whole, the five families kept 5 characters, widened to 'events-01' and 'history-01', wider than the 320 px
    // column: all 12 order-events-NN read '…even…' and all 12 order-history-NN '…histo…', their numbers gone.
    const families = ['orders', 'orderbook', 'order-events', 'order-history', 'ordering-svc'];
    const names = families.flatMap((family) => Array.from({ length: 12 }, (_, index) => `${family}-${String(index).padStart(2, '0')}`));
    const tails = tailsForNames(names);
    const shown = new Map(names.map((name) => [name, narrowestShown(name, tails.get(name) ?? 0)]));
    for (const name of names) expect(shown.get(name), name).toMatch(new RegExp(`…[^…]*${name.slice(-2)}$`));
    // The families whose merged ends fit read apart ('or…s-01', 'or…k-01', '…svc-01'); the two that stay apart read
    // alike only in pairs ('orde…01'), as before the merge.
    const merged = names.filter((name) => !name.startsWith('order-'));
    expect(new Set(merged.map((name) => shown.get(name))).size).toBe(merged.length);
    expect(new Set(names.map((name) => shown.get(name))).size).toBe(merged.length + 12);
  });

  it('cuts at their end only the names no end of up to MAX_TAIL tells from another, and tells the rest of their run apart by their ends', () => {
    // The two InvoiceService names end alike for 16 characters; they made all five keep no end, and the 320 px column
    // drew 'com.a…' for each, where com.acme.wms.Orders alone kept 'Orders' ('…Orders').
    const pair = ['com.acme.billing.api.v1.InvoiceService', 'com.acme.shipping.api.v1.InvoiceService'];
    const wms = ['com.acme.wms.Orders', 'com.acme.wms.Offers', 'com.acme.wms.Returns'];
    const tails = tailsForNames([...wms, ...pair]);
    expect(pair.map((name) => tails.get(name))).toEqual([0, 0]);
    expect(wms.map((name) => splitForMiddleEllipsis(name, tails.get(name) ?? 0).tail)).toEqual(['Orders', 'Offers', 'Returns']);
    expect(wms.map((name) => tails.get(name))).toEqual(wms.map((name) => tailsForNames(wms).get(name)));
  });

  it('weighs a shared start by its characters’ widths: capitals and wide (CJK) characters fill the column sooner than small letters', () => {
    // 5 capitals, or 4 CJK characters (each as wide as the font is high), fill it; 'ops-' does not.
    expect(tailsForNames(['ops-a', 'ops-b']).get('ops-a')).toBe(0);
    expect(tailsForNames(['ABCDE1', 'ABCDE2']).get('ABCDE1')).toBeGreaterThan(0);
    expect(tailsForNames(['订单服务甲', '订单服务乙']).get('订单服务甲')).toBeGreaterThan(0);
    expect(tailsForNames(['ABCDEFGHKMNOP', 'ABCDEFGHKMNOQ']).get('ABCDEFGHKMNOP')).toBeGreaterThan(0);
    expect(tailsForNames(['订单服务库存支付网关甲乙', '订单服务库存支付网关丙丁']).get('订单服务库存支付网关甲乙')).toBeGreaterThan(0);
    // To the character: 5 'a' and the one that differs fit (3.72 em as guessed), 6 do not.
    expect(sharedStartWidth('aaaaa1', 'aaaaa2')).toBeLessThan(NARROWEST_NAME_EM);
    expect(tailsForNames(['aaaaa1', 'aaaaa2']).get('aaaaa1')).toBe(0);
    expect(tailsForNames(['aaaaaa1', 'aaaaaa2']).get('aaaaaa1')).toBeGreaterThan(0);
  });
});

describe('tailsForNamesCached', () => {
  it('works the tails out again only when the set of names changes, not when the rows move or their status does', () => {
    let measured = 0;
    const tailsOf = tailsForNamesCached((char) => {
      measured += 1;
      return char === 'i' ? 0.3 : 0.6;
    });
    const first = tailsOf(['orders-01', 'orders-02', 'payments']);
    const afterFirst = measured;
    expect(afterFirst).toBeGreaterThan(0);
    expect(tailsOf(['payments', 'orders-02', 'orders-01'])).toBe(first);
    expect(measured).toBe(afterFirst);
    const grown = tailsOf(['orders-01', 'orders-02', 'orders-03', 'payments']);
    expect(grown).not.toBe(first);
    expect(grown).toEqual(tailsForNames(['orders-01', 'orders-02', 'orders-03', 'payments'], (char) => (char === 'i' ? 0.3 : 0.6)));
    expect(tailsOf(['orders-01', 'orders-02', 'orders-04', 'payments'])).not.toBe(grown);
  });
});

describe('cutMinEm', () => {
  it('keeps room for a part\'s first character and a whole \'…\' (1 em): Chromium clips the first character rather than ellipsing it', () => {
    expect(cutMinEm('com.acme.WMS.')).toBeCloseTo(0.62 + 1);
    expect(cutMinEm('Orders')).toBeCloseTo(0.78 + 1);
    expect(cutMinEm('王府井')).toBe(2);
    expect(cutMinEm('')).toBe(0);
  });


});
