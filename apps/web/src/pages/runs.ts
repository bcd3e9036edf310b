// The runs page: record a run, see the weekly totals, page through the list, delete a run.
// Titles and notes are the user's own text and may hold anything, markup included: they are only ever put
// into the page with textContent (dom.ts), so they are displayed, never interpreted.
import { deleteRun, listRuns, recordRun, weeklyStats, type NewRun, type Run } from '../api.js';
import { el, field } from '../dom.js';
import {
  formatDateTime,
  formatDuration,
  formatKilometres,
  formatPace,
  toDateTimeLocalValue,
} from '../format.js';
import type { Page, PageContext } from '../router.js';
import { messageArea, onSubmit, runAction, type Messages } from '../ui.js';
import { weeklyChart } from '../weekly-chart.js';

const CHART_WEEKS = 8;

function runItem(run: Run, context: PageContext, messages: Messages, onDeleted: () => Promise<void>) {
  const remove = el('button', {
    class: 'danger',
    test: 'delete-run',
    text: 'Delete',
    attrs: { type: 'button', 'aria-label': `Delete run ${run.title}` },
  });
  const item = el(
    'li',
    {
      class: 'run-item',
      test: 'run-item',
      attrs: { 'data-run-id': run.id, 'data-started-at': run.startedAt },
    },
    el(
      'div',
      { class: 'run-main' },
      el('h3', { class: 'run-title', test: 'run-title', text: run.title }),
      el('p', {
        class: 'run-meta',
        test: 'run-meta',
        text: [
          formatDateTime(run.startedAt),
          formatKilometres(run.distanceMeters),
          formatDuration(run.durationSeconds),
          formatPace(run.distanceMeters, run.durationSeconds),
        ].join(' · '),
      }),
      run.notes ? el('p', { class: 'run-notes', test: 'run-notes', text: run.notes }) : null,
    ),
    remove,
  );
  remove.addEventListener('click', () =>
    runAction(context, messages, remove, async () => {
      await deleteRun(run.id);
      item.remove();
      await onDeleted();
      messages.notice('Run deleted.');
    }),
  );
  return item;
}

function recordForm(context: PageContext, messages: Messages, onRecorded: (run: Run) => Promise<void>) {
  const title = el('input', {
    test: 'title',
    attrs: { type: 'text', name: 'title', maxlength: 100, required: true, autocomplete: 'off' },
  });
  const distanceKm = el('input', {
    test: 'distance-km',
    attrs: { type: 'number', name: 'distanceKm', min: 0.001, max: 1000, step: 'any', required: true },
  });
  const durationMinutes = el('input', {
    test: 'duration-minutes',
    attrs: { type: 'number', name: 'durationMinutes', min: 0.1, max: 10080, step: 'any', required: true },
  });
  const startedAt = el('input', {
    test: 'started-at',
    attrs: { type: 'datetime-local', name: 'startedAt', required: true },
  });
  startedAt.value = toDateTimeLocalValue(new Date());
  const notes = el('textarea', { test: 'notes', attrs: { name: 'notes', maxlength: 2000, rows: 3 } });

  const form = el(
    'form',
    { class: 'form record-run', test: 'record-run-form' },
    field('Title', title),
    el(
      'div',
      { class: 'field-row' },
      field('Distance (km)', distanceKm),
      field('Duration (minutes)', durationMinutes),
      field('Started at', startedAt),
    ),
    field('Notes', notes, 'Optional.'),
    el('button', { test: 'submit', text: 'Record run', attrs: { type: 'submit' } }),
  );
  onSubmit(form, context, messages, async () => {
    // The API speaks whole meters and seconds, and instants with a zone: `datetime-local` gives a local
    // time without one, which `new Date()` reads in the browser's zone and toISOString() writes in UTC.
    const started = new Date(startedAt.value);
    const run: NewRun = {
      title: title.value,
      distanceMeters: Math.round(Number(distanceKm.value) * 1000),
      durationSeconds: Math.round(Number(durationMinutes.value) * 60),
      startedAt: Number.isNaN(started.getTime()) ? startedAt.value : started.toISOString(),
    };
    if (notes.value.trim() !== '') run.notes = notes.value;
    const recorded = await recordRun(run);
    form.reset();
    startedAt.value = toDateTimeLocalValue(new Date());
    await onRecorded(recorded);
    messages.notice('Run recorded.');
  });
  return form;
}

export const runsPage: Page = {
  name: 'runs',
  title: 'Runs',
  access: 'signed-in',
  async render(context) {
    const messages = messageArea();
    const list = el('ul', { class: 'run-list', test: 'run-list' });
    const empty = el('p', {
      class: 'empty',
      test: 'run-list-empty',
      text: 'No runs yet: record your first one above.',
      attrs: { hidden: true },
    });
    const chartSlot = el('div', { class: 'chart-slot' });
    const loadMore = el('button', {
      test: 'load-more',
      text: 'Load more',
      attrs: { type: 'button', hidden: true },
    });
    let nextCursor: string | null = null;
    const shown = new Set<string>();

    const updateListState = () => {
      empty.hidden = list.childElementCount > 0;
      loadMore.hidden = nextCursor === null;
    };
    const refreshChart = async () => {
      chartSlot.replaceChildren(weeklyChart(await weeklyStats(CHART_WEEKS, context.signal)));
    };
    // After a delete the weekly totals change too: redraw the chart.
    const onDeleted = async () => {
      updateListState();
      await refreshChart();
    };
    // A page of runs goes at the end, skipping any already shown (one recorded meanwhile, say).
    const appendRuns = (runs: Run[]) => {
      for (const run of runs.filter((candidate) => !shown.has(candidate.id))) {
        shown.add(run.id);
        list.append(runItem(run, context, messages, onDeleted));
      }
      updateListState();
    };
    // A recorded run goes where the server would list it: newest start first. One older than every run
    // shown, while more pages remain, is left for the page that will bring it.
    const insertRun = (run: Run) => {
      const older = [...list.children].find(
        (item) => item instanceof HTMLElement && (item.dataset['startedAt'] ?? '') < run.startedAt,
      );
      if (older === undefined && nextCursor !== null) return updateListState();
      shown.add(run.id);
      list.insertBefore(runItem(run, context, messages, onDeleted), older ?? null);
      updateListState();
    };

    loadMore.addEventListener('click', () =>
      runAction(context, messages, loadMore, async () => {
        const page = await listRuns(nextCursor, context.signal);
        nextCursor = page.nextCursor;
        appendRuns(page.items);
      }),
    );

    context.root.append(
      el('h1', { text: 'Your runs' }),
      messages.element,
      el(
        'section',
        { class: 'card', attrs: { 'aria-labelledby': 'record-heading' } },
        el('h2', { text: 'Record a run', attrs: { id: 'record-heading' } }),
        recordForm(context, messages, async (run) => {
          insertRun(run);
          await refreshChart();
        }),
      ),
      el(
        'section',
        { class: 'card', attrs: { 'aria-labelledby': 'chart-heading' } },
        el('h2', { text: `Distance per week (last ${CHART_WEEKS} weeks)`, attrs: { id: 'chart-heading' } }),
        chartSlot,
      ),
      el(
        'section',
        { class: 'card', attrs: { 'aria-labelledby': 'list-heading' } },
        el('h2', { text: 'History', attrs: { id: 'list-heading' } }),
        list,
        empty,
        loadMore,
      ),
    );

    // The first page of runs and the chart, in parallel; the router marks the page ready once both are in.
    const [page] = await Promise.all([listRuns(null, context.signal), refreshChart()]);
    nextCursor = page.nextCursor;
    appendRuns(page.items);
  },
};
