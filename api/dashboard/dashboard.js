// The finance dashboard's charts, drawn by Chart.js (served beside this file) from the insights
// answers the page carries in its JSON data element (#dashboard-data). Amounts stay integer minor
// units in the charts' data, exactly as the API sends them; only axis labels and tooltips turn
// them into money for people. No inline script and no eval: the page's CSP allows neither.
/* global Chart */
'use strict';

(function drawDashboard() {
  const element = document.getElementById('dashboard-data');
  if (!element || typeof Chart === 'undefined') return;
  const data = JSON.parse(element.textContent);
  const { locale, currency, exponent } = data;

  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  /** Integer minor units → "€1,234.56", through an exact decimal string (no float division). */
  function money(minorUnits) {
    const amount = Math.round(minorUnits);
    const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
    const sign = amount < 0 ? '-' : '';
    const major =
      exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
    return formatter.format(sign + major);
  }

  const COLOURS = {
    mrr: '#1f2937',
    new: '#16a34a',
    expansion: '#65a30d',
    reactivation: '#0d9488',
    contraction: '#f59e0b',
    churn: '#dc2626',
    aging: ['#2563eb', '#f59e0b', '#ea580c', '#dc2626', '#7f1d1d'],
    collected: '#4f46e5',
  };

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';

  const moneyAxis = (stacked) => ({
    stacked,
    ticks: { precision: 0, callback: (value) => money(Number(value)) },
  });
  const moneyTooltip = {
    callbacks: {
      label: (context) => `${context.dataset.label}: ${money(context.parsed.y)}`,
    },
  };

  function mrrMovements(canvas) {
    const months = data.mrr.months;
    const movement = (key, label) => ({
      type: 'bar',
      label,
      stack: 'movements',
      backgroundColor: COLOURS[key],
      data: months.map((m) => m.movements[key].amount),
    });
    return new Chart(canvas, {
      data: {
        labels: months.map((m) => m.month),
        datasets: [
          {
            type: 'line',
            label: 'MRR',
            stack: 'mrr',
            borderColor: COLOURS.mrr,
            backgroundColor: COLOURS.mrr,
            data: months.map((m) => m.mrr.amount),
          },
          movement('new', 'New'),
          movement('expansion', 'Expansion'),
          movement('reactivation', 'Reactivation'),
          movement('contraction', 'Contraction'),
          movement('churn', 'Churn'),
        ],
      },
      options: {
        scales: { x: { stacked: true }, y: moneyAxis(true) },
        plugins: { tooltip: moneyTooltip },
      },
    });
  }

  function arAging(canvas) {
    const aging = data.arAging.currencies.find((c) => c.currency === currency);
    const buckets = aging ? aging.buckets : [];
    return new Chart(canvas, {
      type: 'bar',
      data: {
        labels: buckets.map((b) => data.bucketLabels[b.bucket] || b.bucket),
        datasets: [
          {
            label: 'Amount due',
            backgroundColor: COLOURS.aging,
            data: buckets.map((b) => b.amount.amount),
          },
        ],
      },
      options: {
        scales: { y: moneyAxis(false) },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (context) =>
                `${money(context.parsed.y)} (${buckets[context.dataIndex].invoices} invoices)`,
            },
          },
        },
      },
    });
  }

  function cashCollected(canvas) {
    const months = data.payments.months;
    return new Chart(canvas, {
      type: 'bar',
      data: {
        labels: months.map((m) => m.month),
        datasets: [
          {
            label: 'Collected',
            backgroundColor: COLOURS.collected,
            data: months.map((m) => m.collected.amount),
          },
        ],
      },
      options: {
        scales: { y: moneyAxis(false) },
        plugins: { legend: { display: false }, tooltip: moneyTooltip },
      },
    });
  }

  const charts = {
    'mrr-movements': mrrMovements,
    'ar-aging': arAging,
    'cash-collected': cashCollected,
  };
  for (const [id, draw] of Object.entries(charts)) {
    const canvas = document.getElementById(id);
    if (canvas) draw(canvas);
  }
  document.body.dataset.charts = 'drawn';
})();
