// The dashboard's charts (Chart.js, vendored), drawn from the JSON block #dati-grafici that
// the server writes (api/console/dashboard.py): no inline script, as the console's CSP
// requires. Each series differs by more than its colour: its own fill pattern (bars) or
// line dash and point shape (lines), and bars carry their value written next to them.
// The same figures are in the tables on the page, which is what keyboards and screen
// readers use; without JavaScript the page is the tables alone.
(function () {
  'use strict';

  const source = document.getElementById('dati-grafici');
  if (!source || typeof window.Chart !== 'function') return;
  const specs = JSON.parse(source.textContent);
  const Chart = window.Chart;

  const INK = '#1f2933';
  const GRID = '#d1d5db';
  // Dark enough for 3:1 against white (WCAG 1.4.11), distinct for the common colour blindnesses.
  const COLOURS = ['#155e75', '#b45309', '#6d28d9', '#374151'];
  const DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4]];
  const POINTS = ['circle', 'triangle', 'rect', 'rectRot'];
  const number = new Intl.NumberFormat('it-IT', { maximumFractionDigits: 1 });

  Chart.defaults.color = INK;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;

  // Series n: solid, diagonal stripes, dots, cross-hatch (a 10×10 tile, repeated).
  function pattern(n, colour) {
    const tile = document.createElement('canvas');
    tile.width = tile.height = 10;
    const g = tile.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, 10, 10);
    g.strokeStyle = g.fillStyle = colour;
    g.lineWidth = 2.5;
    const kind = n % 4;
    if (kind === 0) {
      g.fillRect(0, 0, 10, 10);
    } else if (kind === 1) {
      g.beginPath();
      g.moveTo(-1, 11); g.lineTo(11, -1);
      g.moveTo(-1, 1); g.lineTo(1, -1);
      g.moveTo(9, 11); g.lineTo(11, 9);
      g.stroke();
    } else if (kind === 2) {
      g.beginPath();
      g.arc(5, 5, 2.5, 0, 2 * Math.PI);
      g.fill();
    } else {
      g.beginPath();
      g.moveTo(0, 0); g.lineTo(10, 10);
      g.moveTo(10, 0); g.lineTo(0, 10);
      g.stroke();
    }
    return g.createPattern(tile, 'repeat');
  }

  // Long category names on two or more lines, instead of cut off at the chart's edge.
  function wrap(label) {
    const words = String(label).split(' ');
    const lines = [];
    let line = '';
    words.forEach(function (word) {
      if (line && (line + ' ' + word).length > 26) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + ' ' + word : word;
      }
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : label;
  }

  function format(value, unit) {
    if (value === null || value === undefined) return '—';
    return number.format(value) + (unit || '');
  }

  // Each bar's value written at its end: the figure is read without the axis or a colour.
  const directLabels = {
    id: 'etichetteDirette',
    afterDatasetsDraw(chart, _args, options) {
      if (chart.config.type !== 'bar') return;
      const ctx = chart.ctx;
      const horizontal = chart.options.indexAxis === 'y';
      ctx.save();
      ctx.fillStyle = INK;
      ctx.font = '600 12px ' + Chart.defaults.font.family;
      ctx.textAlign = horizontal ? 'left' : 'center';
      ctx.textBaseline = horizontal ? 'middle' : 'bottom';
      chart.data.datasets.forEach(function (dataset, i) {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach(function (bar, j) {
          const text = format(dataset.data[j], options.unit);
          if (horizontal) ctx.fillText(text, bar.x + 4, bar.y);
          else ctx.fillText(text, bar.x, bar.y - 3);
        });
      });
      ctx.restore();
    },
  };

  function datasets(spec) {
    return spec.series.map(function (series, n) {
      const colour = COLOURS[n % COLOURS.length];
      if (spec.kind === 'line') {
        return {
          label: series.label,
          data: series.data,
          borderColor: colour,
          backgroundColor: colour,
          borderDash: DASHES[n % DASHES.length],
          borderWidth: 2.5,
          pointStyle: POINTS[n % POINTS.length],
          pointRadius: 4,
          tension: 0,
        };
      }
      return {
        label: series.label,
        data: series.data,
        backgroundColor: pattern(n, colour),
        borderColor: colour,
        borderWidth: 2,
      };
    });
  }

  function options(spec) {
    const valueAxis = {
      beginAtZero: true,
      grid: { color: GRID },
      ticks: {
        precision: spec.unit === '%' ? undefined : 0,
        callback: function (value) { return format(value, spec.unit); },
      },
    };
    if (spec.unit === '%') valueAxis.max = 100;
    // Every category named (Chart.js would skip some to save room): the box is tall enough.
    const categoryAxis = { grid: { display: spec.kind === 'line', color: GRID }, ticks: { autoSkip: spec.kind === 'line' } };
    const horizontal = Boolean(spec.horizontal);
    return {
      indexAxis: horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      // Room for the values written at the end of the bars.
      layout: { padding: horizontal ? { right: 48 } : { top: 20 } },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: {
          display: spec.series.length > 1,
          position: 'bottom',
          labels: { usePointStyle: spec.kind === 'line', boxWidth: 28, boxHeight: 14 },
        },
        tooltip: {
          callbacks: {
            title: function (items) { return items.length ? spec.labels[items[0].dataIndex] : ''; },
            label: function (item) { return item.dataset.label + ': ' + format(item.raw, spec.unit); },
          },
        },
        etichetteDirette: { unit: spec.unit },
      },
    };
  }

  document.querySelectorAll('canvas[data-grafico]').forEach(function (canvas) {
    const spec = specs[canvas.dataset.grafico];
    if (!spec) return;
    new Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.horizontal ? spec.labels.map(wrap) : spec.labels, datasets: datasets(spec) },
      options: options(spec),
      plugins: [directLabels],
    });
    canvas.dataset.disegnato = 'sì';
  });
})();
