/** One series of a scrape: its name, labels and value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// Label values with an escaped quote are not read: no series a test looks at has one.
const LABEL = /(\w+)="([^"]*)"/g;

/** What a service's metrics listener answered to GET /metrics, read as Prometheus reads it. */
export class ScrapedMetrics {
  readonly samples: MetricSample[];

  private constructor(
    readonly status: number,
    readonly contentType: string | null,
    readonly text: string,
  ) {
    this.samples = text.split('\n').flatMap((line) => {
      // `name{label="value",...} value`, or `name value`; comments (# HELP, # TYPE) are skipped.
      const space = line.lastIndexOf(' ');
      if (line.startsWith('#') || space < 0) return [];
      const head = line.slice(0, space);
      const brace = head.indexOf('{');
      const name = brace < 0 ? head : head.slice(0, brace);
      const pairs = [...head.slice(brace + 1).matchAll(LABEL)].map(([, label, text]) => [label!, text!]);
      return [
        { name, labels: brace < 0 ? {} : Object.fromEntries(pairs), value: Number(line.slice(space + 1)) },
      ];
    });
  }

  /** GET /metrics from a metrics listener on 127.0.0.1:`port`. */
  static async from(port: number, path = '/metrics'): Promise<ScrapedMetrics> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return new ScrapedMetrics(response.status, response.headers.get('content-type'), await response.text());
  }

  /** The value of the one series of `name` whose labels are exactly `labels`, or 0 when there is none. */
  value(name: string, labels: Record<string, string>): number {
    const wanted = JSON.stringify(Object.entries(labels).sort());
    const sample = this.samples.find(
      (candidate) =>
        candidate.name === name && JSON.stringify(Object.entries(candidate.labels).sort()) === wanted,
    );
    return sample?.value ?? 0;
  }

  /** Every value the label `label` takes across the series of `name`. */
  labelValues(name: string, label: string): Set<string> {
    return new Set(
      this.samples.filter((sample) => sample.name === name).flatMap((sample) => sample.labels[label] ?? []),
    );
  }
}
