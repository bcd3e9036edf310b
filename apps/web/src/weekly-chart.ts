// A bar chart of the distance run each week, drawn as SVG with createElementNS: no chart library (no
// third-party code may run under this CSP, and none is needed for a dozen rectangles). Every label is a
// <text> or <title> element filled with textContent; colours and fonts come from app.css, by class.
import type { WeekTotals } from './api.js';
import { svg } from './dom.js';
import { formatKilometres } from './format.js';

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 8, bottom: 28, left: 52 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;

// Week starts are calendar dates (the Monday, UTC): format them in UTC so no time zone shifts the day.
const weekLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const weekTitle = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** The smallest "round" number (1, 2, 2.5 or 5 times a power of ten) at or above `value`. */
function niceCeiling(value: number): number {
  if (value <= 0) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * magnitude >= value) ?? 10;
  return step * magnitude;
}

const round = (value: number) => Math.round(value * 10) / 10;

export function weeklyChart(weeks: readonly WeekTotals[]): SVGSVGElement {
  const kilometres = weeks.map((week) => week.distanceMeters / 1000);
  const top = niceCeiling(Math.max(0, ...kilometres));
  const y = (km: number) => MARGIN.top + PLOT_HEIGHT - (km / top) * PLOT_HEIGHT;
  const band = PLOT_WIDTH / Math.max(1, weeks.length);

  const chart = svg('svg', {
    class: 'chart',
    test: 'weekly-chart',
    attrs: { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img' },
  });
  // An SVG's first <title> is its accessible name.
  chart.append(svg('title', { text: `Distance per week, last ${weeks.length} weeks` }));

  // The y axis: three gridlines with their values.
  for (const value of [0, top / 2, top]) {
    chart.append(
      svg('line', {
        class: 'chart-grid',
        attrs: { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: round(y(value)), y2: round(y(value)) },
      }),
      svg('text', {
        class: 'chart-axis',
        text: `${value} km`,
        attrs: { x: MARGIN.left - 6, y: round(y(value)) + 4, 'text-anchor': 'end' },
      }),
    );
  }

  weeks.forEach((week, index) => {
    const km = kilometres[index] ?? 0;
    const x = MARGIN.left + index * band;
    const date = new Date(`${week.weekStart}T00:00:00Z`);
    const runs = `${week.runs} run${week.runs === 1 ? '' : 's'}`;
    chart.append(
      svg(
        'rect',
        {
          class: 'chart-bar',
          test: 'chart-bar',
          attrs: {
            x: round(x + band * 0.15),
            y: round(y(km)),
            width: round(band * 0.7),
            height: round(MARGIN.top + PLOT_HEIGHT - y(km)),
            'data-week-start': week.weekStart,
            'data-distance-meters': week.distanceMeters,
          },
        },
        // Hovering a bar shows its <title>: the exact figures.
        svg('title', {
          text: `Week of ${weekTitle.format(date)}: ${formatKilometres(week.distanceMeters)}, ${runs}`,
        }),
      ),
      svg('text', {
        class: 'chart-axis',
        text: weekLabel.format(date),
        attrs: { x: round(x + band / 2), y: HEIGHT - 8, 'text-anchor': 'middle' },
      }),
    );
  });
  return chart;
}
