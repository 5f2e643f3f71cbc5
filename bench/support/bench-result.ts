/** One figure of a bench section; `bench/run.ts` prints them as a table and writes them as JSON. */
export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  detail?: string;
}
