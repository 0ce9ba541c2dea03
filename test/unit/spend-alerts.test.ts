// The pure spend-alert rules (domain/alerts/spend-alerts.ts): a level crosses once per period,
// an earlier crossing resolves once a period reads under it, and hard stops limit the
// entitlement of the metric they concern, in exact decimal arithmetic.
import { describe, expect, it } from 'vitest';
import {
  fewerUnits,
  hardStopOf,
  hasChanges,
  spendAlertChanges,
  withChanges,
  type SpendAlertReading,
} from '../../domain/alerts/spend-alerts.ts';

const usage = (over: Partial<SpendAlertReading> = {}): SpendAlertReading => ({
  alertId: 'sal_usage',
  name: null,
  scope: 'customer',
  kind: 'usage',
  metricCode: 'api_calls',
  level: '50',
  currency: null,
  hardStop: false,
  value: '0',
  crossedAt: null,
  unresolved: false,
  ...over,
});

const amount = (over: Partial<SpendAlertReading> = {}): SpendAlertReading => ({
  ...usage(),
  alertId: 'sal_amount',
  kind: 'amount',
  metricCode: null,
  level: '1500',
  currency: 'EUR',
  ...over,
});

describe('spendAlertChanges', () => {
  it('crosses at the level, not under it', () => {
    expect(spendAlertChanges([usage({ value: '49.999' })])).toEqual({ crossed: [], resolved: [] });
    expect(spendAlertChanges([usage({ value: '50' }), amount({ value: '1501' })])).toEqual({
      crossed: [
        { alertId: 'sal_usage', value: '50' },
        { alertId: 'sal_amount', value: '1501' },
      ],
      resolved: [],
    });
  });

  it('crosses once a period: a recorded crossing is not crossed again', () => {
    const readings = [usage({ value: '60' })];
    const changes = spendAlertChanges(readings);
    const recorded = withChanges(readings, changes, '2027-01-20T10:00:00.000Z');
    expect(recorded[0]!.crossedAt).toBe('2027-01-20T10:00:00.000Z');
    const later = spendAlertChanges([{ ...recorded[0]!, value: '500' }]);
    expect(hasChanges(later)).toBe(false);
  });

  it('resolves an earlier crossing once the new period reads under the level, once', () => {
    const reset = [
      usage({ value: '0', unresolved: true }),
      amount({ value: '1600', unresolved: true }),
    ];
    const changes = spendAlertChanges(reset);
    // The amount alert is reached again in the new period: crossed anew, not resolved.
    expect(changes).toEqual({
      crossed: [{ alertId: 'sal_amount', value: '1600' }],
      resolved: [{ alertId: 'sal_usage', value: '0' }],
    });
    const after = withChanges(reset, changes, '2027-02-01T12:00:00.000Z');
    expect(after[0]!.unresolved).toBe(false);
    expect(spendAlertChanges(after)).toEqual({ crossed: [], resolved: [] });
  });
});

describe('hardStopOf', () => {
  it('ignores alerts without a hard stop, and usage alerts of other metrics', () => {
    expect(hardStopOf([usage({ value: '90' })], 'api_calls', '5')).toEqual({
      stopped: false,
      remainingUnits: null,
    });
    expect(
      hardStopOf([usage({ hardStop: true, value: '90', metricCode: 'storage' })], 'api_calls', '5'),
    ).toEqual({ stopped: false, remainingUnits: null });
  });

  it('leaves the units under a usage level, and stops at it', () => {
    expect(hardStopOf([usage({ hardStop: true, value: '12.5' })], 'api_calls', null)).toEqual({
      stopped: false,
      remainingUnits: '37',
    });
    expect(hardStopOf([usage({ hardStop: true, value: '51' })], 'api_calls', null)).toEqual({
      stopped: true,
      remainingUnits: '0',
    });
  });

  it('converts the amount left before an amount level into units at the unit price', () => {
    // 1500 − 1237 = 263 minor units buy 52 units at 5 (before tax, as the level is).
    expect(hardStopOf([amount({ hardStop: true, value: '1237' })], 'api_calls', '5')).toEqual({
      stopped: false,
      remainingUnits: '52',
    });
    // An amount alert stops every metric; without a unit price it says nothing of units.
    expect(hardStopOf([amount({ hardStop: true, value: '1500' })], 'storage', null)).toEqual({
      stopped: true,
      remainingUnits: '0',
    });
    expect(hardStopOf([amount({ hardStop: true, value: '10' })], 'storage', null)).toEqual({
      stopped: false,
      remainingUnits: null,
    });
  });

  it('takes the nearest of several levels', () => {
    const readings = [
      usage({ hardStop: true, value: '40' }),
      amount({ hardStop: true, value: '1400' }),
    ];
    expect(hardStopOf(readings, 'api_calls', '5').remainingUnits).toBe('10');
    expect(hardStopOf(readings, 'api_calls', '50').remainingUnits).toBe('2');
  });
});

describe('fewerUnits', () => {
  it('keeps the smaller limit; null means no limit', () => {
    expect(fewerUnits(null, null)).toBeNull();
    expect(fewerUnits('47', null)).toBe('47');
    expect(fewerUnits(null, '3')).toBe('3');
    expect(fewerUnits('47', '3')).toBe('3');
  });
});
