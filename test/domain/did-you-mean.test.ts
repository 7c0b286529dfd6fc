import { describe, expect, it } from 'vitest';
import { closestNames, editDistance, typoBudget } from '../../domain/did-you-mean';

const SERVICES = ['billing-api', 'orders-api', 'orders-worker', 'search', 'users-api'];

describe('editDistance', () => {
  it.each([
    ['orders-api', 'orders-api', 0],
    ['order-api', 'orders-api', 1],
    ['ordres-api', 'orders-api', 1],
    ['orders-apii', 'orders-api', 1],
    ['oredrs-api', 'orders-api', 1],
    ['billing', 'biling', 1],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['ca', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('counts %j to %j as %i edits (a swap of neighbours is one)', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('typoBudget', () => {
  it.each([
    [2, 0],
    [3, 0],
    [4, 1],
    [7, 1],
    [8, 2],
    [10, 2],
    [12, 3],
    [40, 3],
  ])('allows a %i-character word %i edits', (length, budget) => {
    expect(typoBudget(length)).toBe(budget);
  });
});

describe('closestNames', () => {
  it.each([
    ['ordres-api', ['orders-api']],
    ['order-api', ['orders-api']],
    ['Orders-API', ['orders-api']],
    ['orders-api', []],
    ['biling-api', ['billing-api']],
    ['serch', ['search']],
    ['orders', ['orders-api', 'orders-worker']],
    ['user-api', ['users-api']],
  ])('suggests for %j: %j', (word, expected) => {
    expect(closestNames(word, SERVICES)).toEqual(expected);
  });

  it('suggests nothing for a word far from every name, or too short to tell', () => {
    expect(closestNames('inventory', SERVICES)).toEqual([]);
    expect(closestNames('ab', SERVICES)).toEqual([]);
    expect(closestNames('api', SERVICES)).toEqual([]);
    expect(closestNames('orders-api', [])).toEqual([]);
  });

  it('puts the closest first, breaks ties alphabetically and keeps at most the limit', () => {
    const names = ['svc-b', 'svc-a', 'svc-ab', 'svc-c', 'svc-d'];

    expect(closestNames('svc-x', names)).toEqual(['svc-a', 'svc-b', 'svc-c']);
    expect(closestNames('svc-x', names, 1)).toEqual(['svc-a']);
  });
});
