/**
 * Bytes as a short human string: `1.0 GiB`, `398.0 MiB`, `12 B`. Powers of 1024, labelled as such (IEC), and
 * the one formatter for sizes everywhere (catalog, progress bar, doctor, previews), so a size never reads
 * "1 GB" in one place and "0.9 GiB" in another.
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit] ?? "B"}`;
}
