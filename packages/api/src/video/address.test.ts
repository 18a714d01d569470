import { describe, expect, it } from 'vitest';
import { classifyAddress } from './address.js';

describe('classifyAddress', () => {
  it.each([['93.184.215.14'], ['8.8.8.8'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8'], ['64:ff9b::808:808']])(
    'calls %s public',
    (address) => {
      expect(classifyAddress(address).class).toBe('public');
    },
  );

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['2001:db8::1', 'reserved'],
    ['2002:a00:1::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:0:a00:1', 'private'],
    ['::a00:1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['4000::1', 'reserved'],
  ])('calls %s internal (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ class: 'internal', range });
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['not an address', 'invalid'],
  ])('calls %s never reachable (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ class: 'never', range });
  });

  it('accepts an IPv6 address in URL brackets', () => {
    expect(classifyAddress('[::1]')).toEqual({ class: 'internal', range: 'loopback' });
  });
});
